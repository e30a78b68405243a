"""The committed networks: the faithful reproduction, the one trained with distortions, and the
SDNN that reads strings (Section VII)."""

import copy
import hashlib
import json
from functools import lru_cache

from lenet_nb.training import checkpoint

# Committed checkpoints, by name: the faithful reproduction, and the same network trained with
# 9 distorted copies of every training digit (Section III-C, `--distortions`): the digit readers.
MODELS = {"paper": "paper.pt", "distorted": "distorted.pt"}
# LeNet-5 with an eleventh, blank output, trained on Section VII-B's string windows
# (`--output rbf+blank`): it reads strings when replicated (lenet_nb.reading.strings).
STRING_READERS = {"sdnn": "sdnn.pt"}
COMMITTED = {**MODELS, **STRING_READERS}


def _packaged_path(name: str):
    if name not in COMMITTED:
        raise ValueError(f"unknown model {name!r}; the committed ones are {sorted(COMMITTED)}")
    return checkpoint.PACKAGED / COMMITTED[name]


@lru_cache(maxsize=None)
def _load_packaged(name: str):
    model, _, _ = checkpoint.load(_packaged_path(name))
    return model.eval()


def load_model(name: str = "paper", device=None):
    """A trained LeNet-5 from a committed checkpoint (``MODELS``): ``"paper"`` is the faithful
    reproduction. Each call returns a copy of its own, in eval mode, which the caller may move
    to another device or train further without affecting the next caller's."""
    model = copy.deepcopy(_load_packaged(name))
    return model.to(device) if device is not None else model


def load_history(name: str = "paper") -> dict:
    """The per-pass history and configuration stored beside a committed checkpoint."""
    return json.loads(checkpoint.history_path(_packaged_path(name)).read_text())


def checkpoint_hashes(names) -> dict:
    """The sha256 of each named committed network's ``.pt`` file: what a study's result was
    made from (``lenet_nb.provenance``)."""
    return {name: hashlib.sha256(_packaged_path(name).read_bytes()).hexdigest() for name in names}
