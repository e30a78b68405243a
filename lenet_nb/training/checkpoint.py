"""Checkpoints: written atomically, read with ``weights_only=True``, checked to be a LeNet-5.

A checkpoint ``NAME.pt`` holds the weights, the training configuration (which also says which
variant of the network it is) and the per-pass history, plus what carries across passes: the
optimiser's state for SGD or Adam, and SDLM's running-average curvature where a run keeps one.
The history is also written beside it as ``NAME.json`` for people and plots.
"""

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import torch

from lenet_nb.network.model import LeNet5
from lenet_nb.paths import CHECKPOINTS
from lenet_nb.training.config import TrainConfig

ARCHITECTURE = "lenet_nb.LeNet5"
FORMAT_VERSION = 1
PACKAGED = CHECKPOINTS


class CheckpointError(ValueError):
    """A file that is not a LeNet-5 checkpoint of this package."""


def atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the result private
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def history_path(path: Path) -> Path:
    return Path(path).with_suffix(".json")


def save(path, model: LeNet5, config, history: list[dict], optimizer=None, curvature=None):
    """``optimizer``'s state is kept unless it is SDLM, whose curvature is re-estimated before a
    pass, or else carried as ``curvature`` (a running average, one tensor per parameter)."""
    path = Path(path)
    keep = optimizer is not None and config.optimizer != "sdlm"
    payload = dict(
        architecture=ARCHITECTURE,
        format_version=FORMAT_VERSION,
        state_dict={k: v.detach().cpu() for k, v in model.state_dict().items()},
        config=asdict(config),
        history=history,
        optimizer=optimizer.state_dict() if keep else None,
        curvature=None if curvature is None else [h.detach().cpu() for h in curvature],
    )
    atomic_write(path, lambda tmp: torch.save(payload, tmp))
    text = json.dumps(dict(config=asdict(config), history=history), indent=1) + "\n"
    atomic_write(history_path(path), lambda tmp: Path(tmp).write_text(text))


def load(path, map_location="cpu"):
    """(model, TrainConfig, history) from ``path``; a clear error for anything else."""
    payload = _payload(path, map_location)
    try:
        config = TrainConfig(**payload["config"])
    except (TypeError, ValueError) as err:
        raise CheckpointError(
            f"{path} holds a configuration this version cannot build ({err}); "
            "regenerate it with `python -m lenet_nb train`"
        ) from None
    model = config.build_model()
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise CheckpointError(f"{path} has weights of another architecture: {first}") from None
    return model, config, payload["history"]


def load_optimizer_state(path, map_location="cpu") -> dict:
    """The SGD or Adam state saved with ``path``, to resume a run exactly."""
    state = _payload(path, map_location).get("optimizer")
    if state is None:
        raise CheckpointError(f"{path} holds no optimiser state to resume from")
    return state


def load_curvature(path, map_location="cpu") -> list:
    """The running-average curvature saved with ``path``, to resume a run exactly."""
    curvature = _payload(path, map_location).get("curvature")
    if curvature is None:
        raise CheckpointError(
            f"{path} holds no running-average curvature to resume from (it was written before "
            "checkpoints kept one); start the run afresh"
        )
    return curvature


def _payload(path, map_location) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no checkpoint at {path}; train one with `python -m lenet_nb train --out {path}`"
        )
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # unpickling errors come in many types
        raise CheckpointError(
            f"{path} is not a readable checkpoint ({type(err).__name__}: "
            f"{err}); regenerate it with `python -m lenet_nb train`"
        ) from None
    if not isinstance(payload, dict) or payload.get("architecture") != ARCHITECTURE:
        raise CheckpointError(
            f"{path} is not a {ARCHITECTURE} checkpoint (a bare state_dict or "
            "another model's); regenerate it with `python -m lenet_nb train`"
        )
    return payload
