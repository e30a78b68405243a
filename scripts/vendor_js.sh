#!/usr/bin/env bash
# Regenerate static/, the JavaScript the built book serves itself instead of loading from CDNs:
#
#   static/widgets/require.js            requirejs (npm), the AMD loader the widget manager needs
#   static/widgets/embed-amd.js          @jupyter-widgets/html-manager (npm): renders the widgets
#                                        of a page from the widget state embedded in it
#   static/widgets/*.woff2               the Font Awesome fonts embed-amd.js references
#   static/widgets/anywidget/index.js    anywidget's AMD module, from the pinned anywidget wheel
#   static/mathjax/                      MathJax 3 (npm): tex-chtml.js, its fonts, TeX extensions
#
# and, for the tests only (never served by the book):
#
#   tests/vendor/axe-core/axe.min.js     axe-core (npm), the accessibility checker that
#                                        tests/test_browser.py runs in every page
#
# with each package's licence and static/VENDORED.md / tests/vendor/VENDORED.md (versions,
# origins, sha256). Only the npm
# registry (through `npm pack`) and PyPI (through `pip download`) are used. The versions are pinned
# below; anywidget's is read from requirements.txt so that it always matches the Python package.
# Ours, not vendored, and left alone: static/widgets/local-modules.js, static/lenet-book.css (the
# book's page styles), static/favicon.svg, and static/lenet5_weights.js (generated from the
# checkpoints by python -m lenet_nb export).
#
#   bash scripts/vendor_js.sh            # needs npm, and a Python with pip (PYTHON, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."

REQUIREJS=2.3.8
# ipywidgets 8.1.9 ships jupyterlab_widgets 3.0.17, whose @jupyter-widgets/jupyterlab-manager
# 5.0.16 depends on @jupyter-widgets/base ^6.0.12 and controls ^5.0.13; html-manager 1.0.15 is the
# release built on those same two, so it renders the same widget model versions.
HTML_MANAGER=1.0.15
FONTAWESOME=5.15.4  # the version bundled in embed-amd.js (its "Font Awesome Free" banner)
MATHJAX=3.2.2
AXE_CORE=4.14.1
ANYWIDGET=$(sed -n 's/^anywidget==//p' requirements.txt)
[ -n "$ANYWIDGET" ] || { echo "no anywidget== pin in requirements.txt" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack NAME@VERSION from the npm registry into $work/NAME
  local spec=$1 dir=$work/$2
  mkdir -p "$dir"
  (cd "$work" && npm pack --silent "$spec" >"$dir.tgz.name")
  tar -xzf "$work/$(cat "$dir.tgz.name")" -C "$dir" --strip-components=1
}

unpack "requirejs@$REQUIREJS" requirejs
unpack "@jupyter-widgets/html-manager@$HTML_MANAGER" html-manager
unpack "@fortawesome/fontawesome-free@$FONTAWESOME" fontawesome
unpack "mathjax@$MATHJAX" mathjax
unpack "axe-core@$AXE_CORE" axe-core
"${PYTHON:-python3}" -m pip download --quiet --no-deps --only-binary :all: \
  --dest "$work/wheel" "anywidget==$ANYWIDGET"
mkdir -p "$work/anywidget"
(cd "$work/anywidget" && "${PYTHON:-python3}" -m zipfile -e "$work"/wheel/anywidget-*.whl .)

# Fresh copies of everything vendored; our own files survive.
ours=(widgets/local-modules.js lenet-book.css favicon.svg lenet5_weights.js)  # relative to static/
keep=() keep_here=()
for f in "${ours[@]}"; do keep+=(-not -path "static/$f"); keep_here+=(-not -path "./$f"); done
mkdir -p static/widgets
find static -mindepth 1 -not -path static/widgets "${keep[@]}" -delete

w=static/widgets
cp "$work/requirejs/require.js" "$w/require.js"
# The npm package has no licence file; require.js's own header states MIT, jQuery Foundation.
grep -m1 -o '@license RequireJS.*' "$work/requirejs/require.js" >/dev/null
cat >"$w/LICENSE.requirejs" <<'EOF'
Copyright jQuery Foundation and other contributors, https://jquery.org/

(require.js states in its header: "Released under MIT license,
https://github.com/requirejs/requirejs/blob/master/LICENSE".)

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF

cp "$work/html-manager/dist/embed-amd.js" "$w/embed-amd.js"
# The fonts its bundled CSS names (content-hashed, resolved beside embed-amd.js); browsers take
# the woff2 of each @font-face, so the eot/svg/ttf/woff alternatives are left out.
cp "$work"/html-manager/dist/*.woff2 "$w/"
# html-manager is part of the ipywidgets repository; its npm package carries no licence file, the
# ipywidgets wheel carries the repository's.
"${PYTHON:-python3}" -m pip download --quiet --no-deps --only-binary :all: \
  --dest "$work/wheel" "ipywidgets==$(sed -n 's/^ipywidgets==//p' requirements.txt)"
mkdir -p "$work/ipywidgets"
(cd "$work/ipywidgets" && "${PYTHON:-python3}" -m zipfile -e "$work"/wheel/ipywidgets-*.whl .)
cp "$work"/ipywidgets/ipywidgets-*.dist-info/licenses/LICENSE "$w/LICENSE.html-manager"
cp "$work/html-manager/dist/embed.js.LICENSE.txt" "$w/THIRD-PARTY.html-manager.txt"
cp "$work/fontawesome/LICENSE.txt" "$w/LICENSE.fontawesome.txt"

mkdir -p "$w/anywidget"
cp "$work"/anywidget/anywidget-*.data/data/share/jupyter/nbextensions/anywidget/index.js \
  "$w/anywidget/index.js"
cp "$work"/anywidget/anywidget-*.dist-info/licenses/LICENSE "$w/anywidget/LICENSE"

m=static/mathjax
mkdir -p "$m/output/chtml/fonts" "$m/input/tex" "$m/a11y"
cp "$work/mathjax/es5/tex-chtml.js" "$m/"
cp -r "$work/mathjax/es5/output/chtml/fonts/woff-v2" "$m/output/chtml/fonts/"
# Loaded on demand: TeX packages (autoload) and the assistive MathML the menu turns on.
cp -r "$work/mathjax/es5/input/tex/extensions" "$m/input/tex/"
cp "$work/mathjax/es5/a11y/assistive-mml.js" "$m/a11y/"
cp "$work/mathjax/LICENSE" "$m/LICENSE"

{
  echo "# Vendored JavaScript"
  echo
  echo "Generated by \`scripts/vendor_js.sh\`; do not edit by hand, re-run it. The book serves these"
  echo "files itself (\`_config.yml\`: \`nb_ipywidgets_js\`, \`mathjax_path\`), so its pages request"
  echo "nothing from the network. \`widgets/local-modules.js\` is ours: it points require.js and the"
  echo "widget manager at this folder instead of jsDelivr. \`lenet5_weights.js\` is generated from the"
  echo "committed checkpoints by \`python -m lenet_nb export\` (the trained networks for"
  echo "\`lenet5.js\`, the in-browser LeNet-5); re-run that after retraining, not this script."
  echo
  echo "| files | package | version | from | licence |"
  echo "|---|---|---|---|---|"
  echo "| widgets/require.js | requirejs | $REQUIREJS | npm | MIT (widgets/LICENSE.requirejs) |"
  echo "| widgets/embed-amd.js | @jupyter-widgets/html-manager | $HTML_MANAGER | npm | BSD-3-Clause (widgets/LICENSE.html-manager; bundled code: widgets/THIRD-PARTY.html-manager.txt) |"
  echo "| widgets/*.woff2 | Font Awesome Free, bundled in html-manager $HTML_MANAGER | $FONTAWESOME | npm | fonts SIL OFL 1.1 (widgets/LICENSE.fontawesome.txt) |"
  echo "| widgets/anywidget/index.js | anywidget (share/jupyter/nbextensions/anywidget of the wheel) | $ANYWIDGET | PyPI | MIT (widgets/anywidget/LICENSE) |"
  echo "| mathjax/ (tex-chtml.js, output/chtml/fonts/woff-v2, input/tex/extensions, a11y/assistive-mml.js) | mathjax (es5/) | $MATHJAX | npm | Apache-2.0 (mathjax/LICENSE) |"
  echo
  echo "## sha256"
  echo
  echo '```'
  (cd static && find . -type f -not -name VENDORED.md "${keep_here[@]}" \
     | LC_ALL=C sort | xargs sha256sum)
  echo '```'
} >static/VENDORED.md
echo "==> static/ regenerated; see static/VENDORED.md" >&2

a=tests/vendor/axe-core
rm -rf "$a"
mkdir -p "$a"
cp "$work/axe-core/axe.min.js" "$work/axe-core/LICENSE" "$work/axe-core/LICENSE-3RD-PARTY.txt" "$a/"
{
  echo "# Vendored test dependencies"
  echo
  echo "Generated by \`scripts/vendor_js.sh\`; do not edit by hand, re-run it. Only the tests use"
  echo "these files; the book never serves them."
  echo
  echo "| files | package | version | from | licence |"
  echo "|---|---|---|---|---|"
  echo "| axe-core/axe.min.js | axe-core | $AXE_CORE | npm | MPL-2.0 (axe-core/LICENSE; bundled code: axe-core/LICENSE-3RD-PARTY.txt) |"
  echo
  echo "## sha256"
  echo
  echo '```'
  (cd tests/vendor && find . -type f -not -name VENDORED.md | LC_ALL=C sort | xargs sha256sum)
  echo '```'
} >tests/vendor/VENDORED.md
echo "==> tests/vendor/ regenerated; see tests/vendor/VENDORED.md" >&2
