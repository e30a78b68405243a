#!/usr/bin/env bash
# Create or reuse the book's virtual environment, outside the clone, and print its path.
#
# It lives in ${LENET_NB_VENV_ROOT:-~/.cache/lenet-nb}/venv-<hash>, the hash taken over
# requirements.txt, which pins every package: changing it gives a new environment. (pyproject.toml
# names the same packages unpinned, and the clone itself is reinstalled every time, so a change
# there needs no new environment.) A marker file
# is written only after a complete install, so a half-built environment is rebuilt, not reused.
# The clone itself is always (re)installed editable, since one environment serves every clone.
# Progress goes to stderr; stdout is just the path.
set -euo pipefail
cd "$(dirname "$0")/.."

key=$(sha256sum < requirements.txt | cut -c1-16)
venv="${LENET_NB_VENV_ROOT:-$HOME/.cache/lenet-nb}/venv-$key"

if [ ! -f "$venv/.installed" ]; then
  echo "==> creating $venv from requirements.txt" >&2
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet -r requirements.txt >&2
  touch "$venv/.installed"
else
  echo "==> reusing $venv" >&2
fi
echo "==> installing $(pwd) into it (editable)" >&2
"$venv/bin/pip" install --quiet --no-deps -e . >&2
echo "$venv"
