"""Where the network runs and how runs are made repeatable."""
import os
import random

import numpy as np
import torch


def device() -> torch.device:
    """CUDA when present, else CPU: every chapter calls this instead of naming a device."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


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
