#!/usr/bin/env bash
# The tools the tests need from Debian, never downloaded: Chromium and its fonts (scripts/ensure-chromium.sh,
# for the browser tests) and promtool (Debian's prometheus package, for test/http/metrics.test.ts and test/unit/metrics.test.ts:
# `promtool check rules` on ops/prometheus/alerts.yml, `promtool check metrics` on a live /metrics). Each is
# installed with apt-get when missing and this user may (root, apt-get present); otherwise says what to install.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/ensure-chromium.sh"
promtool="${PROMTOOL_PATH:-promtool}"
if command -v "$promtool" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing prometheus (for promtool) with apt-get (metrics tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  exit 0
fi
echo "promtool is missing: install Debian's prometheus package (apt-get install -y prometheus) or set PROMTOOL_PATH" >&2
exit 1
