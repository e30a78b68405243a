#!/usr/bin/env bash
# Make sure Debian's Chromium is installed, for tests/test_browser.py (which drives it through
# Playwright's Python package with executable_path, so Playwright never downloads a browser).
# Does nothing when a chromium is already on PATH; otherwise installs the apt package, as root
# or through sudo.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "==> chromium: $(command -v chromium)" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "==> installing chromium (apt-get install -y chromium)" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
command -v chromium >/dev/null 2>&1
