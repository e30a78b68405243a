"""Make ``pytest --nbval book/`` run the chapters the way scripts/execute_notebooks.py does."""

import os
from pathlib import Path

from lenet_nb.book.notebooks import KERNEL_ENV


def pytest_configure(config):
    # nbval reads these options only when it starts a notebook's kernel, so setting them here
    # acts as if they had been given on the command line; given there, they still win.
    if config.option.nbval_sanitize_with is None:
        config.option.nbval_sanitize_with = str(Path(__file__).with_name("nbval_sanitize.cfg"))
    if config.option.nbval_kernel_name is None:
        # This interpreter's ipykernel, not whatever "python3" kernel a notebook names.
        config.option.nbval_current_env = True
    # The kernels nbval starts inherit this process's environment.
    os.environ.update(KERNEL_ENV)
