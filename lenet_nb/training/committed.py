"""The committed networks: the faithful reproduction and the one trained with distortions."""
import json
from functools import lru_cache

from lenet_nb.training import checkpoint

# Committed checkpoints, by name: the faithful reproduction, and the same network trained with
# 9 distorted copies of every training digit (Section III-C, `--distortions`).
MODELS = {"paper": "paper.pt", "distorted": "distorted.pt"}


def _packaged_path(name: str):
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; the committed ones are {sorted(MODELS)}")
    return checkpoint.PACKAGED / MODELS[name]


@lru_cache(maxsize=None)
def _load_packaged(name: str):
    model, _, _ = checkpoint.load(_packaged_path(name))
    return model.eval()


def load_model(name: str = "paper", device=None):
    """A trained LeNet-5 from a committed checkpoint: ``"paper"`` is the faithful reproduction."""
    model = _load_packaged(name)
    return model.to(device) if device is not None else model


def load_history(name: str = "paper") -> dict:
    """The per-pass history and configuration stored beside a committed checkpoint."""
    return json.loads(checkpoint.history_path(_packaged_path(name)).read_text())
