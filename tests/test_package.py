"""The package's shape: sub-packages import only those below them (no circle), none hides an
import inside a function to dodge one, none grows past the size one reader holds in mind, and
every command line is reachable from ``python -m lenet_nb``."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import lenet_nb
from lenet_nb.__main__ import COMMANDS

PACKAGE = Path(lenet_nb.__file__).parent
MAX_LINES = 300
# The package's levels, lowest first: what every part uses, then in the order a reader meets them.
LEVELS = (
    ("runtime", "paths", "cli", "provenance"),
    ("digits",),
    ("network",),
    ("training",),
    ("reading",),
    ("studies",),
    ("book",),
)


def _modules() -> dict[str, ast.Module]:
    return {_name(path): ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(module: str, tree: ast.Module, known) -> set[str]:
    """The package's modules that ``module`` imports, resolved to module names."""
    package = module if module in known and _is_package(module) else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = (
                f"{base}.{node.module}"
                if node.level and node.module
                else base
                if node.level
                else node.module
            )
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in known and name != module}


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").is_file()


def test_import_graph_has_no_circle():
    trees = _modules()
    graph = {m: _imports(m, tree, trees) for m, tree in trees.items()}
    # A package's __init__ re-exports its submodules; its submodules never import it back, so
    # the graph stays acyclic with those edges included.
    state = {}

    def visit(m, path):
        if state.get(m) == "done":
            return
        assert state.get(m) != "open", " -> ".join(path + [m])
        state[m] = "open"
        for n in sorted(graph[m]):
            visit(n, path + [m])
        state[m] = "done"

    for m in sorted(graph):
        visit(m, [])
    assert (
        "lenet_nb.training.train" in graph["lenet_nb.studies.ablation"]
    )  # the resolver does see edges


def test_no_import_inside_a_function():
    for module, tree in _modules().items():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"{module}.{fn.name} imports inside its body"


def test_no_module_is_too_long():
    long = {
        path.name: n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_lists_its_options(command):
    """``python -m lenet_nb COMMAND --help`` and ``python -m lenet_nb.<module> --help`` both print
    usage on stdout and nothing on stderr (runpy warns when a package has imported the module it
    then runs as __main__; lenet_nb/__init__.py says why that is harmless here and silences it)."""
    argvs = [["-m", "lenet_nb", command, "--help"]]
    if command in ("train", "predict"):  # the module form too, for two (each start costs seconds)
        argvs.append(["-m", COMMANDS[command][0], "--help"])
    for argv in argvs:
        done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "usage" in done.stdout, (argv, done.stderr)
        assert done.stderr == ""


def test_the_entry_point_lists_commands_and_refuses_unknown_ones():
    listing = subprocess.run([sys.executable, "-m", "lenet_nb"], capture_output=True, text=True)
    assert listing.returncode == 0 and all(c in listing.stdout for c in COMMANDS)
    wrong = subprocess.run(
        [sys.executable, "-m", "lenet_nb", "trian"], capture_output=True, text=True
    )
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "trian" in wrong.stderr


def _level(module: str) -> int:
    """The rank of a module's sub-package in ``LEVELS``."""
    top = module.split(".")[1]
    return next(i for i, names in enumerate(LEVELS) if top in names)


def test_sub_packages_import_only_those_below_them():
    """runtime, paths, cli, provenance < digits < network < training < reading < studies < book:
    a module imports from its own level or lower ones, never from a level above it."""
    trees = _modules()
    upward = []
    for module, tree in trees.items():
        if module in ("lenet_nb", "lenet_nb.__main__"):
            continue  # the public face and the entry point re-export from every level
        for target in _imports(module, tree, trees):
            if target != "lenet_nb" and _level(target) > _level(module):
                upward.append(f"{module} -> {target}")
    assert not upward, upward
    assert _level("lenet_nb.book.widgets.digit") > _level("lenet_nb.reading.predict")


def test_every_module_belongs_to_a_level():
    for module in _modules():
        if module not in ("lenet_nb", "lenet_nb.__main__"):
            _level(module)  # raises StopIteration for a sub-package missing from LEVELS
