"""Recognition of any digit image a reader brings: ``predict`` and its command line.

    python -m lenet_nb predict my_digit.png [more.png ...] [--model distorted] [--polarity ...]

prints, for each file, the class and the margin of its penalties (the second-smallest minus the
smallest), or "not sure" when the image holds no ink or the margin is below the committed
threshold (``lenet_nb.reading.rejection``). Every image is normalised (``lenet_nb.digits.normalise``), whatever
its size: a file is a reader's digit, not one of MNIST's. A file that is not a readable image gets a one-line error,
and the command then exits with status 1.
"""
import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from lenet_nb.reading import rejection
from lenet_nb.digits.inputs import as_model_input
from lenet_nb.training.committed import MODELS, load_model
from lenet_nb.digits.normalise import POLARITIES, normalise

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
    p = argparse.ArgumentParser(prog="python -m lenet_nb predict", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", type=Path, help="image files (PNG, JPEG, ...), any size")
    p.add_argument("--model", choices=sorted(MODELS), default="paper",
                   help="committed network (default: %(default)s)")
    p.add_argument("--polarity", choices=POLARITIES, default="auto",
                   help="ink lighter or darker than the paper; auto: a light border means dark "
                   "ink (default: %(default)s)")
    args = p.parse_args(argv)
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
