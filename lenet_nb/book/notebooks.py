"""The book's notebooks: which ones the table of contents lists, and how they are executed.

Used by ``scripts/execute_notebooks.py`` (which writes the committed outputs), by
``book/conftest.py`` (which re-runs them under nbval) and by ``tests/test_notebooks.py``.
"""

import os
from pathlib import Path

import nbformat
from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from sphinx_external_toc.parsing import parse_toc_yaml
from traitlets import default

from lenet_nb.paths import REPOSITORY

ROOT = REPOSITORY

# Set for every kernel that runs a chapter, here and under nbval, so the two runs match:
# a fixed hash seed (set iteration order), and cuBLAS's deterministic workspace, which must be
# in the environment before CUDA starts.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}
# The committed outputs are made with one thread, so that a test run on any multi-core machine
# (CI's two cores included) differs from them in the thread count (tests/test_portability.py
# varies the vector width).
EXECUTION_THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks ``_toc.yml`` lists, in reading order (its markdown pages left out)."""
    paths = (Path(root) / f"{doc}.ipynb" for doc in parse_toc_yaml(Path(root) / "_toc.yml"))
    return [path for path in paths if path.is_file()]


class _ThisInterpreter(KernelSpecManager):
    """Whatever kernel a notebook names, run ipykernel on the interpreter running this code,
    so that a notebook never picks up another environment's ``python3`` kernel."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(resource_dir=RESOURCES, **get_kernel_dict())


class _KernelManager(AsyncKernelManager):
    @default("kernel_spec_manager")
    def _this_interpreter(self):
        return _ThisInterpreter()


def _merge_streams(outputs: list) -> list:
    """Adjacent outputs of one stream as one output: how the kernel splits a cell's printing into
    messages varies from run to run, the text does not."""
    merged = []
    for out in outputs:
        previous = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == out.name
        ):
            previous.text += out.text
        else:
            merged.append(out)
    return merged


def execute_notebook(path: Path, cell_timeout: int = 3600) -> None:
    """Run every cell of ``path`` in a fresh kernel (cwd: the notebook's folder) and write the
    notebook back with its outputs and widget state.

    Execution timestamps are not recorded and stream outputs are merged, so re-running unchanged
    code rewrites the same bytes wherever the outputs themselves are deterministic (widget model
    ids are random by design).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    # Stale state from an earlier run would otherwise survive a run that shows no widgets.
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name="python3",
        kernel_manager_class=_KernelManager,
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env={**os.environ, **KERNEL_ENV, **EXECUTION_THREADS})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
    nbformat.write(nb, path)
