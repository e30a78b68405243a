"""Trained networks and recognition of any digit image a reader brings.

    python -m lenet_nb.predict my_digit.png [more.png ...] [--model distorted] [--polarity ...]

prints, for each file, the class and the margin of its penalties (the second-smallest minus the
smallest), or "not sure" when the image holds no ink or the margin is below the committed
threshold (``lenet_nb.rejection``). Every image is normalised (``lenet_nb.normalise``), whatever
its size: a file is a reader's digit, not one of MNIST's. A file that is not a readable image gets a one-line error,
and the command then exits with status 1.
"""
import argparse
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from . import checkpoint
from .data import pad_to_32, scale_to_paper_range
from .normalise import POLARITIES, normalise
from .pixels import COLOUR, as_pixel_tensor, to_unit

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


def _as_batch(images: torch.Tensor) -> torch.Tensor:
    """``H x W``, ``N x H x W`` or ``N x 1 x H x W`` -> ``N x 1 x H x W``."""
    shape = tuple(images.shape)
    if images.dim() >= 3 and shape[-1] in (3, 4) or images.dim() == 4 and shape[1] in (3, 4):
        raise ValueError(f"images of shape {shape}: {COLOUR}")
    if images.dim() == 3 and shape[-1] == 1:
        raise ValueError(f"images of shape {shape}: a trailing channel axis; pass the grey "
                         "image H x W (image[..., 0]), or a batch N x H x W")
    if images.dim() == 2:
        images = images[None, None]
    elif images.dim() == 3:
        images = images[:, None]
    elif images.dim() != 4 or shape[1] != 1:
        raise ValueError(f"images of shape {shape}: expected one image H x W, a batch N x H x W "
                         "or N x 1 x H x W")
    return images


def _mnist_ready(batch: torch.Tensor) -> bool:
    """28x28 or 32x32: taken as MNIST's own form (white on black, size-normalised, centred)."""
    return batch.shape[-1] == batch.shape[-2] and batch.shape[-1] in SIZES


def as_model_input(images, polarity: str | None = None) -> torch.Tensor:
    """Any digit image(s) -> the paper's preprocessed ``N x 1 x 32 x 32`` input.

    Accepts a PIL grey image ('L', or 'LA' composited by ``pixels.flatten_alpha``), a uint8
    (0-255) or float (0-1) array or tensor, one image or a batch, of any size. With ``polarity``
    None, 28x28 images (padded to 32x32 with background) and 32x32 ones are taken as they are,
    white digits on black as in MNIST; every other size goes through ``normalise`` (dark ink on
    light paper detected and inverted, cropped, size-normalised and centred as MNIST's digits
    were). A polarity ("auto", "light-on-dark", "dark-on-light") sends every image through it.
    Anything else raises an error that says what was expected.
    """
    batch = _as_batch(as_pixel_tensor(images))
    transparent = isinstance(images, Image.Image) and images.mode == "LA"  # never MNIST's form
    if polarity is None and _mnist_ready(batch) and not transparent:
        pixels = to_unit(batch)
    else:
        digits = [normalise(image[0], polarity or "auto").pixels for image in batch]
        pixels = to_unit(torch.from_numpy(np.stack(digits))[:, None])
    if pixels.shape[-1] == 28:
        pixels = pad_to_32(pixels)
    return scale_to_paper_range(pixels)


@torch.no_grad()
def predict(images, model=None, polarity: str | None = None):
    """(classes, penalties) for any input ``as_model_input`` accepts; class = argmin penalty."""
    model = model if model is not None else load_model("paper")
    x = as_model_input(images, polarity).to(next(model.parameters()).device)
    penalties = model(x)
    return penalties.argmin(1), penalties


@dataclass(frozen=True)
class Reading:
    """What the network made of one image. ``digit``: the class, or None for "not sure";
    ``guess``: the class of the smallest penalty, even when not sure; ``margin``: the
    second-smallest penalty minus the smallest. ``empty``: the image held no ink (then nothing
    was recognised and ``guess`` and ``margin`` are None)."""

    digit: int | None
    guess: int | None
    margin: float | None
    empty: bool


def read_digit(image, model: str = "paper", polarity: str = "auto") -> Reading:
    """One image of any size, as a reader brings it: normalised as MNIST's digits were
    (``normalise``), recognised by the committed network ``model``, and rejected as "not sure"
    when it holds no ink or the margin of its penalties is below that network's committed
    threshold (``rejection.decide``)."""
    from . import rejection  # which imports this module

    found = normalise(image, polarity)
    if found.empty:
        return Reading(digit=None, guess=None, margin=None, empty=True)
    _, penalties = predict(found.pixels, load_model(model))
    penalties = penalties[0].cpu()
    return Reading(digit=rejection.decide(penalties, model=model), guess=int(penalties.argmin()),
                   margin=float(rejection.margins(penalties)), empty=False)


def open_image(path) -> Image.Image:
    """An image file as grey, PIL mode 'L' (colour by PIL's convert, ITU-R 601-2 luma), or 'LA'
    when it has transparency, which ``pixels.flatten_alpha`` then composites. A photo is turned
    upright first, as its EXIF orientation says (a phone's JPEG is often stored sideways)."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        if "A" in image.getbands() or "transparency" in image.info:
            return image.convert("RGBA").convert("LA")
        return image.convert("L")


def _unreadable(path: Path, err: Exception) -> str:
    if isinstance(err, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(err, IsADirectoryError):
        return f"{path}: a directory, not an image file"
    if isinstance(err, UnidentifiedImageError):
        return f"{path}: not an image file PIL can read (PNG, JPEG, GIF, BMP, TIFF, ...)"
    return f"{path}: cannot read the image ({type(err).__name__}: {err})"


def describe(reading: Reading, threshold: float) -> str:
    if reading.empty:
        return "not sure: no ink found (a blank image)"
    if reading.digit is None:
        return (f"not sure (margin {reading.margin:.1f}, below {threshold:.1f}; best guess "
                f"{reading.guess})")
    return f"{reading.digit} (margin {reading.margin:.1f})"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet_nb.predict", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", type=Path, help="image files (PNG, JPEG, ...), any size")
    p.add_argument("--model", choices=sorted(MODELS), default="paper",
                   help="committed network (default: %(default)s)")
    p.add_argument("--polarity", choices=POLARITIES, default="auto",
                   help="ink lighter or darker than the paper; auto: a light border means dark "
                   "ink (default: %(default)s)")
    args = p.parse_args(argv)
    from . import rejection  # which imports this module

    threshold = rejection.committed_threshold(args.model)
    failed = 0
    for path in args.files:
        try:
            image = open_image(path)
        except Exception as err:  # PIL's decoders raise many types (OSError, SyntaxError, ...)
            print(_unreadable(path, err), file=sys.stderr)
            failed += 1
            continue
        print(f"{path}: {describe(read_digit(image, args.model, args.polarity), threshold)}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
