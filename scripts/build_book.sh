#!/usr/bin/env bash
# Install the book's environment (scripts/venv.sh) and build the HTML into _build/html from the
# committed notebook outputs.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$(bash scripts/venv.sh)
"$venv/bin/jupyter-book" build . --all
echo "==> the book: $(pwd)/_build/html/index.html"
