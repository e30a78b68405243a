"""Recognition of any digit image a reader brings: ``predict`` and its command line.

    python -m lenet_nb predict my_digit.png [more.png ...] [--model distorted] [--polarity ...]

prints, for each file, the class and the margin of its penalties (the second-smallest minus the
smallest); "not a digit" when the normalised image does not look like one (``not_a_digit``: too
little or too much ink, too many loops or pieces, for MNIST's training digits); or "not sure" when
the image holds no ink or the margin is below the committed threshold
(``lenet_nb.reading.rejection``). Every image is normalised (``lenet_nb.digits.normalise``),
whatever its size: a file is a reader's digit, not one of MNIST's. Every file must exist before any
is read (else one line, exit status 2); a file that is not a readable image gets a one-line error,
and the command then exits with status 1.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import UnidentifiedImageError

from lenet_nb.cli import Parser, existing_file
from lenet_nb.digits.inputs import as_digit_pixels, network_input
from lenet_nb.digits.normalise import POLARITIES, normalise
from lenet_nb.digits.pixels import open_image
from lenet_nb.reading import not_a_digit, rejection
from lenet_nb.training.committed import DIGIT_READERS, MODELS, load_model

__all__ = ["NOT_A_DIGIT", "Reading", "describe", "main", "open_image", "predict", "read_digit"]

NOT_A_DIGIT = -1  # predict's class for an image that the not-a-digit rule refuses


@torch.no_grad()
def predict(images, model=None, polarity: str | None = None, refuse: bool = True):
    """(classes, penalties) for any input ``as_model_input`` accepts; the class is the model's
    own decision (``decide``: the smallest RBF penalty, Eq. 7, or a variant's largest score),
    except that with ``refuse`` an image that is not a digit gets ``NOT_A_DIGIT`` (-1): the
    rule of ``lenet_nb.reading.not_a_digit`` (amount of strong ink and its pieces minus holes
    within the range of MNIST's training digits), applied to the digit the network reads (28x28 and
    32x32 arrays as they are, any other size after ``normalise``). ``refuse=False`` gives the
    network's own answer for every image. The penalties are the network's either way."""
    model = load_model(_digit_reader(model or "paper")) if isinstance(model, str | None) else model
    pixels = as_digit_pixels(images, polarity)
    x = network_input(pixels, model.input_size, model.digit_size)
    penalties = model(x.to(next(model.parameters()).device))
    classes = model.decide(penalties)
    if refuse:
        mask = torch.from_numpy(not_a_digit.refused(pixels.numpy())).to(classes.device)
        classes = classes.masked_fill(mask, NOT_A_DIGIT)
    return classes, penalties


def _digit_reader(name: str) -> str:
    if name not in DIGIT_READERS:
        raise ValueError(f"model {name!r} does not read digits: choose one of {DIGIT_READERS}")
    return name


@dataclass(frozen=True)
class Reading:
    """What the network made of one image. ``digit``: the class, or None for no answer;
    ``guess``: the class of the smallest penalty, even without an answer; ``margin``: the
    second-smallest penalty minus the smallest. ``empty``: the image held no ink (then nothing
    was recognised and ``guess`` and ``margin`` are None). ``not_a_digit``: why the normalised
    image does not look like a digit (``lenet_nb.reading.not_a_digit``), or None; then
    ``digit`` is None whatever the margin."""

    digit: int | None
    guess: int | None
    margin: float | None
    empty: bool
    not_a_digit: str | None = None


def read_digit(image, model: str = "paper", polarity: str = "auto") -> Reading:
    """One image of any size, as a reader brings it: normalised as MNIST's digits were
    (``normalise``), refused when it holds no ink or does not look like a digit
    (``not_a_digit.reasons``), recognised by the committed network ``model``, and rejected as
    "not sure" when the margin of its penalties is below that network's committed threshold
    (``rejection.decide``)."""
    found = normalise(image, polarity)
    if found.empty:
        return Reading(digit=None, guess=None, margin=None, empty=True)
    reason = not_a_digit.reasons(found.pixels[None])[0]
    _, penalties = predict(found.pixels, load_model(model), refuse=False)
    penalties = penalties[0].cpu()
    digit = None if reason else rejection.decide(penalties, model=model)
    return Reading(
        digit=digit,
        guess=int(penalties.argmin()),
        margin=float(rejection.margins(penalties)),
        empty=False,
        not_a_digit=reason,
    )


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
    if reading.not_a_digit:
        return f"not a digit: {reading.not_a_digit}"
    if reading.digit is None:
        return (
            f"not sure (margin {reading.margin:.1f}, below {threshold:.1f}; best guess "
            f"{reading.guess})"
        )
    return f"{reading.digit} (margin {reading.margin:.1f})"


def main(argv=None) -> None:
    p = Parser(
        prog="python -m lenet_nb predict",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files", nargs="+", type=existing_file, help="image files (PNG, JPEG, ...), any size"
    )
    p.add_argument(
        "--model",
        choices=sorted(MODELS),
        default="paper",
        help="committed network (default: %(default)s)",
    )
    p.add_argument(
        "--polarity",
        choices=POLARITIES,
        default="auto",
        help="ink lighter or darker than the paper; auto: a light border means dark "
        "ink (default: %(default)s)",
    )
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
