#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded browser). Installs it, with Noto fonts for
# Devanagari, when it is missing and this user may (root, apt-get present); otherwise says what to install.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ] && fc-list 2>/dev/null | grep -qi 'Noto Sans Devanagari'; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium and fonts-noto-core with apt-get (browser tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium fonts-noto-core >/dev/null
  exit 0
fi
if [ ! -x "$chromium" ]; then
  echo "Chromium is missing at $chromium: install Debian's chromium (apt-get install -y chromium fonts-noto-core) or set CHROMIUM_PATH" >&2
  exit 1
fi
