"""Execute the book's notebooks in place, so that their committed outputs are this code's.

    python scripts/execute_notebooks.py                       # every notebook in _toc.yml
    python scripts/execute_notebooks.py book/01_input.ipynb   # just these

Each notebook runs top to bottom in a fresh kernel on this interpreter, from its own folder, and
is written back with outputs and widget state. Wall time per notebook goes to stderr.
"""

import argparse
import sys
import time
from pathlib import Path

from lenet_nb.book.notebooks import execute_notebook, toc_notebooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to execute (default: every notebook _toc.yml lists)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=int,
        default=3600,
        metavar="SECONDS",
        help="per-cell time limit (default: %(default)s)",
    )
    args = parser.parse_args()
    for path in args.notebooks or toc_notebooks():
        start = time.perf_counter()
        execute_notebook(path, cell_timeout=args.cell_timeout)
        print(f"{path}: {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
