"""The committed networks: the faithful reproduction, the one trained with distortions, the SDNN
that reads strings (Section VII), and LeNet-5's family (Section III-C-2)."""

import copy
import hashlib
import json
from functools import lru_cache

from lenet_nb.network.family import BoostedEnsemble
from lenet_nb.training import checkpoint

# Committed checkpoints, by name: the faithful reproduction, and the same network trained with
# 9 distorted copies of every training digit (Section III-C, `--distortions`): the digit readers.
MODELS = {"paper": "paper.pt", "distorted": "distorted.pt"}
# LeNet-5 with an eleventh, blank output, trained on Section VII-B's string windows
# (`--output rbf+blank`): it reads strings when replicated (lenet_nb.reading.strings).
STRING_READERS = {"sdnn": "sdnn.pt"}
# LeNet-5's family (lenet_nb.network.family; seed 0 of `python -m lenet_nb family`), and boosted
# LeNet-4: three nets, with the first net's margin above which the other two are skipped.
FAMILY_MODELS = {"lenet1": "lenet1.pt", "lenet4": "lenet4.pt"}
ENSEMBLES = {"boosted-lenet4": "boosted-lenet4.json"}
COMMITTED = {**MODELS, **STRING_READERS, **FAMILY_MODELS}
DIGIT_READERS = (*MODELS, *FAMILY_MODELS, *ENSEMBLES)  # what predict(model=NAME) takes


def _packaged_path(name: str):
    if name not in COMMITTED and name not in ENSEMBLES:
        known = sorted([*COMMITTED, *ENSEMBLES])
        raise ValueError(f"unknown model {name!r}; the committed ones are {known}")
    return checkpoint.PACKAGED / {**COMMITTED, **ENSEMBLES}[name]


@lru_cache(maxsize=None)
def _load_packaged(name: str):
    if name in ENSEMBLES:
        return _load_ensemble(_packaged_path(name))
    model, _, _ = checkpoint.load(_packaged_path(name))
    return model.eval()


def _load_ensemble(path):
    """An ensemble's description (its nets' checkpoints beside it, and the first net's margin
    above which the others are skipped) made into a ``BoostedEnsemble``."""
    spec = json.loads(path.read_text())
    nets = [checkpoint.load(path.parent / net)[0] for net in spec["nets"]]
    return BoostedEnsemble(nets, spec["confident_margin"]).eval()


def load_model(name: str = "paper", device=None):
    """A trained network from a committed checkpoint: ``"paper"`` is the faithful reproduction
    (``MODELS``; also ``STRING_READERS``, ``FAMILY_MODELS`` and ``ENSEMBLES``). Each call returns a
    copy of its own, in eval mode, which the caller may move to another device or train further
    without affecting the next caller's."""
    model = copy.deepcopy(_load_packaged(name))
    return model.to(device) if device is not None else model


def load_history(name: str = "paper") -> dict:
    """The per-pass history and configuration stored beside a committed checkpoint."""
    return json.loads(checkpoint.history_path(_packaged_path(name)).read_text())


def checkpoint_hashes(names) -> dict:
    """The sha256 of each named committed network's ``.pt`` file (for an ensemble, of its
    description and of each of its nets' files): what a study's result was made from
    (``lenet_nb.provenance``)."""
    return {name: _sha256(_packaged_path(name)) for name in names}


def _sha256(path) -> str | list:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if path.suffix != ".json":
        return digest
    nets = json.loads(path.read_text())["nets"]
    return [digest, *(_sha256(path.parent / net) for net in nets)]
