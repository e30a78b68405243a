"""The package's shape: modules import downward (no circle), none hides an import inside a
function to dodge one, and none grows past the size one reader holds in mind."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import lenet_nb

PACKAGE = Path(lenet_nb.__file__).parent
MAX_LINES = 400


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
            target = f"{base}.{node.module}" if node.level and node.module else \
                base if node.level else node.module
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
    assert "lenet_nb.train" in graph["lenet_nb.ablation"]  # the resolver does see edges


def test_no_import_inside_a_function():
    for module, tree in _modules().items():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"{module}.{fn.name} imports inside its body"


def test_no_module_is_too_long():
    long = {path.name: n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, long


@pytest.mark.parametrize("module", ["train", "seeds", "ablation", "rejection", "invariance",
                                    "predict", "bench", "widgets.export"])
def test_every_command_starts_without_warnings(module):
    """``python -m lenet_nb.X --help``: usage on stdout, nothing on stderr (runpy warns when a
    package has imported the module it then runs as __main__; lenet_nb/__init__.py says why that
    is harmless here and silences exactly that)."""
    done = subprocess.run([sys.executable, "-m", f"lenet_nb.{module}", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "usage" in done.stdout
    assert done.stderr == ""
