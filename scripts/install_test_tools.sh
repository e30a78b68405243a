#!/usr/bin/env bash
# Make sure the programs the tests drive are installed, from Debian's packages:
#   chromium  for tests/test_browser*.py and tests/test_jupyterlab.py (driven through Playwright's
#             Python package with executable_path, so Playwright never downloads a browser);
#   node      for the tests that run the pages' JavaScript (tests/test_forward_js.py, ...);
#   npm       for `npm ci`, which installs the pinned esbuild that bundles the widgets' front end
#             (tests/test_bundle.py; Debian packages npm apart from nodejs).
# Installs only what is missing, as root or through sudo.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "==> chromium: $(command -v chromium), node: $(command -v node), npm: $(command -v npm)" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "==> installing ${missing[*]} (apt-get install -y)" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
command -v chromium >/dev/null 2>&1 && command -v node >/dev/null 2>&1 \
  && command -v npm >/dev/null 2>&1
