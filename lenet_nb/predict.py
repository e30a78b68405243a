"""Trained networks and recognition of any digit image a reader brings."""
import json
from functools import lru_cache

import numpy as np
import torch
from PIL import Image
from torchvision.transforms.v2.functional import to_dtype

from . import checkpoint
from .data import pad_to_32, scale_to_paper_range

# Committed checkpoints, by name: the faithful reproduction, and the same network trained with
# 9 distorted copies of every training digit (Section III-C, `--distortions`).
MODELS = {"paper": "paper.pt", "distorted": "distorted.pt"}
SIZES = (28, 32)


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


def _as_float_tensor(images) -> torch.Tensor:
    """Pixels as float in [0, 1], from uint8/integer (0-255) or float (0-1) input."""
    if isinstance(images, Image.Image):
        if images.mode != "L":
            raise ValueError(f"a PIL image in mode {images.mode!r}: LeNet-5 reads grey levels; "
                             "convert it first with image.convert('L') (digits white on black, "
                             "as in MNIST)")
        images = np.asarray(images)
    if isinstance(images, np.ndarray):
        if not (np.issubdtype(images.dtype, np.integer) or np.issubdtype(images.dtype, np.floating)):
            raise TypeError(f"images of dtype {images.dtype}: expected uint8 (0-255) or float "
                            "(0-1) pixel values")
        images = torch.from_numpy(np.array(images))  # a copy: PIL arrays are read-only
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"expected a PIL image, a NumPy array or a torch tensor, not "
                        f"{type(images).__name__}")
    if images.dtype == torch.bool or images.is_complex():
        raise TypeError(f"images of dtype {images.dtype}: expected uint8 (0-255) or float (0-1)")
    if images.is_floating_point():
        if not torch.isfinite(images).all():
            raise ValueError("images contain NaN or infinite pixel values")
        if images.min() < 0 or images.max() > 1:
            raise ValueError("float images must hold pixel values in [0, 1] (got "
                             f"[{images.min().item():.3g}, {images.max().item():.3g}]); pass "
                             "uint8 for 0-255, or divide by 255")
        return images.float()
    if images.min() < 0 or images.max() > 255:
        raise ValueError("integer images must hold pixel values in 0-255")
    # The same conversion as the training data's, to the last bit.
    return to_dtype(images.to(torch.uint8), torch.float32, scale=True)


COLOUR = ("colour images are refused: LeNet-5 reads grey levels; convert first, e.g. "
          "PIL's image.convert('L') or the mean over the channel axis")


def _as_batch(images: torch.Tensor) -> torch.Tensor:
    """``H x W``, ``N x H x W`` or ``N x 1 x H x W`` -> ``N x 1 x H x W``."""
    shape = tuple(images.shape)
    if images.dim() >= 3 and shape[-1] in (3, 4) or images.dim() == 4 and shape[1] in (3, 4):
        raise ValueError(f"images of shape {shape}: {COLOUR}")
    if images.dim() == 2:
        images = images[None, None]
    elif images.dim() == 3:
        images = images[:, None]
    elif images.dim() != 4 or shape[1] != 1:
        raise ValueError(f"images of shape {shape}: expected one image H x W, a batch N x H x W "
                         "or N x 1 x H x W")
    if images.shape[-1] != images.shape[-2] or images.shape[-1] not in SIZES:
        raise ValueError(f"images of shape {shape}: each image must be 28x28 (as MNIST) or "
                         "32x32 (already padded)")
    return images


def as_model_input(images) -> torch.Tensor:
    """Any digit image(s) -> the paper's preprocessed ``N x 1 x 32 x 32`` input.

    Accepts a PIL grey image, a uint8 (0-255) or float (0-1) array or tensor, one image or a
    batch, 28x28 (padded to 32x32 with background) or 32x32. Digits are white on black, as in
    MNIST. Anything else raises an error that says what was expected.
    """
    pixels = _as_batch(_as_float_tensor(images))
    if pixels.shape[-1] == 28:
        pixels = pad_to_32(pixels)
    return scale_to_paper_range(pixels)


@torch.no_grad()
def predict(images, model=None):
    """(classes, penalties) for any input ``as_model_input`` accepts; class = argmin penalty."""
    model = model if model is not None else load_model("paper")
    x = as_model_input(images).to(next(model.parameters()).device)
    penalties = model(x)
    return penalties.argmin(1), penalties
