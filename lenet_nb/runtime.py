"""Where the network runs and how runs are made repeatable."""

import os
import random
import warnings
from contextlib import contextmanager, nullcontext

import numpy as np
import torch


def device() -> torch.device:
    """CUDA when present, else CPU: every chapter calls this instead of naming a device."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_averages() -> str:
    """The machine's load averages over 1, 5 and 15 minutes (Linux), which say how much other
    work shared it while something was timed."""
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch and switch on deterministic algorithms.

    Returns a CPU generator seeded the same way, for code that wants its own stream.
    """
    # cuBLAS needs this set before its first call to be deterministic.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    return torch.Generator().manual_seed(seed)


def _one_cpu_thread(device: torch.device) -> bool:
    return device.type == "cpu" and torch.get_num_threads() == 1


@contextmanager
def in_order_on_one_thread(device: torch.device):
    """Deterministic algorithms off where every kernel runs in program order anyway: on a CPU,
    with one thread.

    Under ``torch.use_deterministic_algorithms`` (``seed_everything``) ``torch.compile`` hands
    every scatter-add to ATen's index_put sorted by index instead of writing its own loop; the
    backward of an unfolded convolution's input (col2im) is one, and without it the fused
    per-pattern step runs about 1.4x faster (MAINTAINERS.md, Speed). On one CPU thread that loop
    adds in program order and repeats bit for bit, as the sorted one does. With more threads, or
    on a GPU, its adds are atomic and their order is not fixed, so the setting stays as it is.
    """
    if not (_one_cpu_thread(device) and torch.are_deterministic_algorithms_enabled()):
        yield
        return
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(False)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(True, warn_only=warn_only)


@contextmanager
def aten_convolutions_on_one_thread(device: torch.device):
    """oneDNN off on a CPU with one thread, so that ATen's own kernels (im2col and a matrix
    product) compute the convolutions.

    On a few patterns they cost less than oneDNN's: the fused step at 3 to 8 patterns runs 1.1x
    to 1.4x faster on one thread, level at 12 (MAINTAINERS.md, Speed). With two threads oneDNN
    spreads a batch of 8 better, so the setting stays as it is there, and on a GPU.
    """
    if not (_one_cpu_thread(device) and torch.backends.mkldnn.enabled):
        yield
        return
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = True


# The CPU kernels' instruction set, where ATEN_CPU_CAPABILITY forces one (torch reads it once).
FORCED_CAPABILITY = os.environ.get("ATEN_CPU_CAPABILITY")


class CompiledOrEager:
    """``fn`` compiled by ``torch.compile``, or ``fn`` itself wherever that fails.

    Compiling needs a working backend (on CPU, a C++ compiler); the first call that fails to
    compile warns and makes this and every later call run ``fn`` eagerly, so compiling is never
    required. Calls whose first argument is not ``batch_size`` long (a short last batch) run
    eagerly too, instead of paying for a second compilation. Compiled calls, their compilation
    included, run inside ``context(x)`` where it is given; eager ones never do.
    """

    def __init__(self, fn, batch_size: int, context=None):
        self.fn, self.batch_size, self.compiled = fn, batch_size, None
        self.context = context or (lambda x: nullcontext())
        # Inductor's precompiled headers are cached without the CPU capability: C++ written for
        # AVX2 and built later against a header precompiled for ATEN_CPU_CAPABILITY=default
        # fails ("'at::vec' has not been declared"). Where a capability is forced, none is used.
        options = {"cpp_cache_precompile_headers": False} if FORCED_CAPABILITY else None
        try:
            self.compiled = torch.compile(fn, dynamic=False, options=options)
        except Exception as err:  # torch.compile unsupported here (platform, Python version)
            _fall_back(err)

    def __call__(self, x, *args):
        if self.compiled is not None and len(x) == self.batch_size:
            try:
                with self.context(x):
                    return self.compiled(x, *args)
            except Exception as err:  # any failure to compile: fall back, say so once
                _fall_back(err)
                self.compiled = None
        return self.fn(x, *args)


def _fall_back(err: Exception) -> None:
    first_line = str(err).splitlines()[0] if str(err) else ""
    warnings.warn(
        f"torch.compile failed, running eagerly: {type(err).__name__}: {first_line}", stacklevel=3
    )
