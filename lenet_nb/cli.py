"""What every command line shares: one-line errors with exit status 2, and argument types that
check a value before any work starts.

``python -m lenet_nb COMMAND ...`` runs the command of that name (``lenet_nb/__main__.py``); each
module's ``main(argv)`` builds its parser with ``Parser`` and its options with the types below.
"""

import argparse
import sys
from pathlib import Path

import torch


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: what is wrong, and where to look."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def fail(prog: str, message: str):
    """Stop a command whose arguments parsed but cannot be used: one line, exit status 2."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def positive_int(text: str) -> int:
    """A count: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def int_at_most(largest: int):
    """A count from 1 to ``largest``, e.g. ``--train-size`` (MNIST has 60,000 training digits)."""

    def parse(text: str) -> int:
        value = positive_int(text)
        if value > largest:
            raise argparse.ArgumentTypeError(f"must be at most {largest:,}, got {value:,}")
        return value

    parse.__name__ = f"count from 1 to {largest}"  # argparse names the type in some errors
    return parse


def non_negative_int(text: str) -> int:
    """A seed or an index: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """A rate, a scale or a constant that must be > 0 (and finite)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """A momentum or a learning rate that may be 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def existing_folder(text: str) -> Path:
    """A folder that exists, or may be created inside one that does (``--runs``)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    if not path.exists() and not path.resolve().parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"the folder {path.resolve().parent} does not exist: create it first"
        )
    return path


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text} {what}")
    return path


def writable_path(text: str) -> Path:
    """A file to write: its folder must exist (we do not create folders silently elsewhere)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: give a file name in it")
    if not path.resolve().parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"the folder {path.parent} does not exist: create it first"
        )
    return path


def available_device(text: str) -> torch.device:
    """A device this machine has: ``cpu``, or ``cuda``/``cuda:N``/``mps`` where present."""
    try:
        device = torch.device(text)
    except RuntimeError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a device name: use cpu or cuda"
        ) from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise argparse.ArgumentTypeError(f"{text}: this machine has no CUDA GPU; use cpu")
        if device.index is not None and device.index >= count:
            raise argparse.ArgumentTypeError(
                f"{text}: this machine has {count} CUDA GPU(s), cuda:0 to cuda:{count - 1}"
            )
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise argparse.ArgumentTypeError(f"{text}: MPS is not available here; use cpu")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise argparse.ArgumentTypeError(f"{text}: only cpu, cuda and mps are supported")
    return device
