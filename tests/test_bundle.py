"""The front end anywidget loads (``lenet_nb/book/widgets/static/bundle/``) is what the pinned
esbuild makes of the ES modules in ``static/src/`` now, and those modules share nothing implicitly.

The bundle is committed so that the package and the book work without node; these tests fail when
it was not rebuilt after a change to ``static/src/`` (fix: ``npm ci && npm run build``, commit).
They need node and npm (skipped without them) and esbuild installed by ``npm ci`` (they fail
without it, saying so: .ci/run installs it).
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lenet_nb.book.widgets.base import BUNDLE, SOURCES, front_end, styles
from lenet_nb.paths import REPOSITORY

NODE = shutil.which("node")
NPM = shutil.which("npm")
BUILD = REPOSITORY / "scripts" / "build_front_end.mjs"
ESBUILD = REPOSITORY / "node_modules" / "esbuild" / "package.json"
FILES = ("lenet_widgets.js", "lenet_widgets.css")
FIX = "npm ci && npm run build"
needs_node = pytest.mark.skipif(
    NODE is None or NPM is None, reason="needs node and npm on PATH (apt-get install nodejs npm)"
)


def build(out: Path) -> dict:
    """A fresh bundle of static/src/ in ``out``: {file name: bytes}."""
    if not ESBUILD.is_file():
        pytest.fail(f"esbuild is not installed in node_modules/: run `{FIX}`")
    done = subprocess.run(
        [NODE, str(BUILD), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPOSITORY,
    )
    assert done.returncode == 0, done.stderr
    return {name: (out / name).read_bytes() for name in FILES}


@needs_node
def test_committed_bundle_is_a_fresh_build(tmp_path):
    fresh = build(tmp_path)
    for name, text in fresh.items():
        assert (BUNDLE / name).read_bytes() == text, (
            f"static/bundle/{name} is stale: static/src/ has changed since it was built; "
            f"run `{FIX}` and commit the bundle"
        )


@needs_node
def test_build_is_deterministic(tmp_path):
    assert build(tmp_path / "one") == build(tmp_path / "two")


@needs_node
def test_check_script_names_the_fix(tmp_path):
    """`npm run check` (what .ci/run runs) passes on the committed bundle, fails on a stale one."""
    if not ESBUILD.is_file():
        pytest.fail(f"esbuild is not installed in node_modules/: run `{FIX}`")
    clone = tmp_path / "repo"
    shutil.copytree(
        REPOSITORY / "lenet_nb" / "book" / "widgets" / "static",
        clone / "lenet_nb" / "book" / "widgets" / "static",
    )
    shutil.copytree(REPOSITORY / "scripts", clone / "scripts")
    (clone / "package.json").write_bytes((REPOSITORY / "package.json").read_bytes())
    (clone / "node_modules").symlink_to(REPOSITORY / "node_modules")
    check = [NODE, str(clone / "scripts" / "build_front_end.mjs"), "--check"]
    assert subprocess.run(check, capture_output=True, timeout=120).returncode == 0
    entry = clone / "lenet_nb" / "book" / "widgets" / "static" / "src" / "index.js"
    entry.write_text(entry.read_text() + "\n// a change not yet bundled\nconsole.log(1);\n")
    stale = subprocess.run(check, capture_output=True, text=True, timeout=120)
    assert stale.returncode == 1
    assert "lenet_widgets.js" in stale.stderr and FIX in stale.stderr


def test_esbuild_is_pinned_exactly():
    package = json.loads((REPOSITORY / "package.json").read_text())
    lock = json.loads((REPOSITORY / "package-lock.json").read_text())
    version = package["devDependencies"]["esbuild"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"esbuild {version!r}: pin an exact version"
    assert lock["packages"]["node_modules/esbuild"]["version"] == version
    assert f"(esbuild {version})" in front_end().splitlines()[0]
    assert f"(esbuild {version})" in styles().splitlines()[0]


def test_bundle_is_readable():
    """Not minified: the sources' names, and lines as short as the sources' (esbuild joins a
    string written over several lines into one, so a few lines are longer)."""
    script = front_end()
    for name in (
        "function convolution(",
        "function normalise(",
        "function judge(",
        "function stagesView(",
        "function renderC3Table(",
    ):
        assert name in script
    assert len(script.splitlines()) > len(script) / 50


@needs_node
def test_bundle_loads_as_one_module_with_a_renderer(tmp_path):
    driver = tmp_path / "load.mjs"
    driver.write_text(
        "const m = await import(process.argv[2]);\n"
        "const found = Object.keys(m).concat(typeof m.default.render);\n"
        "console.log(JSON.stringify(found));\n"
    )
    done = subprocess.run(
        [NODE, str(driver), (BUNDLE / FILES[0]).as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["default", "function"]


# --- no implicit globals between the modules --------------------------------------------------

DECLARED = re.compile(r"^(?:export )?(?:async )?(?:function\*? |const |let |class )(\w+)", re.M)
LOCAL = re.compile(r"\b(?:function|const|let|var|class)\s+(\w+)")
# Parameter lists: of a function, of an arrow function, or an arrow's one parameter.
PARAMETERS = re.compile(r"function\s*\w*\s*\(([^)]*)\)|\(([^()]*)\)\s*=>|(\w+)\s*=>")
IMPORTED = re.compile(r"^import \{([^}]*)\} from \"\./([\w.]+)\";$", re.M)


def code_of(path: Path) -> str:
    """The module's text without comments and string contents (so their words do not count),
    its import lines as they are."""
    text = path.read_text()
    imports = "".join(m.group(0) + "\n" for m in IMPORTED.finditer(text))
    text = IMPORTED.sub("", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", '""', text)
    text = re.sub(r"`(?:\\.|[^`\\])*`", "``", text)
    return imports + re.sub(r"//[^\n]*", "", text)


def modules() -> dict:
    return {path.name: code_of(path) for path in sorted(SOURCES.glob("*.js"))}


def implicit_uses(code: dict) -> list[str]:
    """What one module uses of another's top-level names without importing it, in ``code``
    ({module: text}); also imports of names the source module does not declare."""
    top = {name: set(DECLARED.findall(text)) for name, text in code.items()}
    found = []
    for name, text in code.items():
        imported = set()
        for names, source in IMPORTED.findall(text):
            for n in (part.strip() for part in names.split(",")):
                if n not in top.get(source, ()):
                    found.append(f"{name} imports {n} from {source}, which does not declare it")
                imported.add(n)
        body = IMPORTED.sub("", text)
        parameters = {
            w for groups in PARAMETERS.findall(body) for w in re.findall(r"\w+", "".join(groups))
        }
        own = set(LOCAL.findall(body)) | parameters | imported
        for other, names in top.items():
            for n in sorted(names - own) if other != name else ():
                # a use, not a property (`.n`) nor an object's key (`n:`)
                if re.search(rf"(?<![\w.$]){n}\b(?!\s*:)", body):
                    found.append(f"{name} uses {n} from {other} without importing it")
    return found


def test_every_module_imports_what_it_uses_from_another():
    """A function or constant of one module used in another is imported there, from the module
    that declares it: bundling never stands in for an import."""
    assert implicit_uses(modules()) == []


def test_an_implicit_use_is_found():
    code = modules()
    line = 'import { element, statusLine } from "./dom.js";\n'
    assert line in code["explorer.js"]
    code["explorer.js"] = code["explorer.js"].replace(line, "")
    assert implicit_uses(code) == [
        "explorer.js uses element from dom.js without importing it",
        "explorer.js uses statusLine from dom.js without importing it",
    ]
