#!/usr/bin/env bash
# The tools the tests need from Debian, never downloaded:
# - Chromium and its fonts (scripts/ensure-chromium.sh, for the browser tests);
# - promtool (Debian's prometheus package, for test/http/metrics.test.ts and test/unit/metrics.test.ts:
#   `promtool check rules` on ops/prometheus/alerts.yml, `promtool check metrics` on a live /metrics);
# - SoftHSM2 (Debian's softhsm2 package: the PKCS#11 module the HSM key-provider tests sign and decrypt through).
# Each is installed with apt-get when missing and this user may (root, apt-get present); otherwise says what to install.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/ensure-chromium.sh"

missing=()
promtool="${PROMTOOL_PATH:-promtool}"
command -v "$promtool" >/dev/null 2>&1 || missing+=(prometheus)
softhsm="${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
{ [ -f "$softhsm" ] && command -v softhsm2-util >/dev/null 2>&1; } || missing+=(softhsm2)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get (metrics and HSM tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "missing Debian packages: ${missing[*]} (apt-get install -y ${missing[*]}); or set PROMTOOL_PATH / SOFTHSM2_MODULE" >&2
exit 1
