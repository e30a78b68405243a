"""Any digit image made into the 28x28 digit LeNet-5 was trained on, as MNIST's were made.

Section III-A: "The original black and white (bilevel) images were size normalized to fit in a
20x20 pixel box while preserving their aspect ratio. The resulting images contain grey levels as
a result of the anti-aliasing technique used by the normalization algorithm. The images were
centered in a 28x28 image by computing the center of mass of the pixels, and translating the
image so as to position this point at the center of the 28x28 field." Ink is high (255),
background 0.

A digit a reader draws or scans goes through the same steps, in this order:

1. grey levels 0-255; an image longer than ``MAX_SIDE`` pixels is first shrunk by an integer
   factor f (the mean of each f x f block; the last rows and columns that do not fill a block
   are dropped), so the work and the memory stay bounded;
2. polarity: with ``polarity="auto"``, the image is inverted (255 - v) when the median of its
   border pixels (the outermost rows and columns) is above 127.5: a light border is paper, so the
   ink is dark. ``"dark-on-light"`` always inverts, ``"light-on-dark"`` never does;
3. background and ink: the border's median (after step 2) is the paper's level and is
   subtracted (negative values become 0); ink is every pixel more than ``INK_THRESHOLD`` above
   it. No ink: the image is empty, and the result is a blank field;
4. crop to the bounding box of the ink pixels (keeping the fainter pixels inside it), and scale
   the values so that the strongest ink is 255, as in MNIST (whose every test digit peaks at
   254 or 255);
5. resize so the longer side is ``BOX`` (20) pixels and the shorter one keeps the aspect ratio
   (rounded half up, at least 1), with PIL's ``Image.resize`` and the BILINEAR filter on a float
   ('F') image, so nothing is rounded in between: the triangle filter of support 1, widened by
   the reduction factor when shrinking (which is the anti-aliasing), applied separably,
   horizontal pass first (``resize`` below spells it out);
6. place in a 28x28 field shifted by whole pixels so that the centre of mass of the intensities
   is at (14, 14) in pixel indices, to within half a pixel (the shift is 14 - centre, rounded
   half up; it is then clamped so that the digit stays inside the field). MNIST's own test
   digits all have their centre of mass within half a pixel of (14, 14) (measured: 13.51 to
   14.49 on both axes), which is what an integer shift gives;
7. round half up to uint8.

``lenet_nb/book/widgets/static/src/normalise.js`` implements the same steps for the browser, with
PIL's filter arithmetic; ``tests/test_normalise.py`` checks that both agree to within one grey
level.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from lenet_nb.digits.pixels import as_pixel_tensor

FIELD = 28  # MNIST's field
BOX = 20  # the size-normalisation box
CENTRE = 14  # where the centre of mass goes, in pixel indices (row, column)
INK_THRESHOLD = 32  # grey levels above the paper's that count as ink (of 255)
MAX_SIDE = 1024  # longer images are block-averaged down first
POLARITIES = ("auto", "light-on-dark", "dark-on-light")
RESAMPLE = Image.Resampling.BILINEAR


@dataclass(frozen=True)
class NormalisedDigit:
    """The 28x28 uint8 digit (white on black, centred as MNIST's), whether the image held no
    ink at all (then ``pixels`` is blank), and whether it was inverted (dark ink on paper)."""

    pixels: np.ndarray
    empty: bool
    inverted: bool


def as_scan(digit, zoom: int = 3, margin: int = 16) -> np.ndarray:
    """A 28x28 MNIST digit as a reader might scan one: dark ink on white paper, ``zoom`` times
    larger (PIL's BILINEAR, rounded to uint8), off centre on a wider sheet (``margin`` pixels of
    paper left and above, twice that right and below). For the chapter, the tests and the
    browser test's upload."""
    big = np.asarray(
        Image.fromarray(np.asarray(digit, dtype=np.uint8)).resize(
            (FIELD * zoom, FIELD * zoom), Image.Resampling.BILINEAR
        )
    )
    sheet = np.full((FIELD * zoom + 3 * margin, FIELD * zoom + 3 * margin), 255, np.uint8)
    sheet[margin : margin + big.shape[0], margin : margin + big.shape[1]] = 255 - big
    return sheet


def normalise_digit(image, polarity: str = "auto") -> np.ndarray:
    """The 28x28 uint8 digit that LeNet-5 expects, made from ``image`` as MNIST's digits were
    made (the module's docstring gives every step). Blank for an image with no ink."""
    return normalise(image, polarity).pixels


def normalise(image, polarity: str = "auto") -> NormalisedDigit:
    """``normalise_digit`` with what it found: ``empty`` (no ink) and ``inverted``.

    ``image``: one grey image of any size, as a PIL image (mode 'L', or 'LA', whose transparency
    ``pixels.flatten_alpha`` composites onto a contrasting background), or a 2-D uint8 (0-255)
    or float (0-1) NumPy array or torch tensor.
    """
    return normalise_grey_levels(grey_levels(image), polarity)


def grey_levels(image) -> np.ndarray:
    """One image as a 2-D float64 array of grey levels in [0, 255], checked, and shrunk by
    ``bounded`` when it is longer than ``MAX_SIDE``."""
    pixels = as_pixel_tensor(image)
    if pixels.dim() == 3 and pixels.shape[0] == 1:
        pixels = pixels[0]  # 1 x H x W, one image with its channel axis
    if pixels.dim() != 2:
        raise ValueError(
            f"an image of shape {tuple(pixels.shape)}: normalise one grey image "
            "H x W at a time (predict() takes batches)"
        )
    if pixels.dtype in (torch.float16, torch.bfloat16):
        pixels = pixels.float()  # NumPy has no bfloat16
    grey = bounded(pixels.detach().cpu().numpy())
    return grey * 255 if pixels.is_floating_point() else grey


def normalise_grey_levels(grey: np.ndarray, polarity: str = "auto") -> NormalisedDigit:
    """The steps of the module's docstring, on a 2-D array of grey levels in [0, 255]."""
    found = stages(grey, polarity)
    if "centred" not in found:
        return NormalisedDigit(
            np.zeros((FIELD, FIELD), np.uint8), empty=True, inverted=found["inverted"]
        )
    return NormalisedDigit(found["centred"], empty=False, inverted=found["inverted"])


def stages(grey: np.ndarray, polarity: str = "auto") -> dict:
    """Every step's result, for a figure: ``"bounded"`` (step 1), ``"inverted"`` (whether step 2
    inverted), ``"ink"`` (steps 2-3: ink high, the paper at 0), and, when there is ink,
    ``"cropped"`` (step 4), ``"resized"`` (step 5) and ``"centred"`` (steps 6-7, the digit)."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity {polarity!r}: expected one of {', '.join(POLARITIES)}")
    grey = bounded(np.asarray(grey, dtype=np.float64))
    inverted = polarity == "dark-on-light" or (
        polarity == "auto" and np.median(border(grey)) > 127.5
    )
    if inverted:
        grey = 255 - grey
    lifted = np.maximum(grey - np.median(border(grey)), 0)
    found = {"bounded": grey, "inverted": inverted, "ink": lifted}
    box = ink_box(lifted)
    if box is None:
        return found
    found["cropped"] = lifted[box] * (255 / lifted.max())
    found["resized"] = resize(found["cropped"])
    found["centred"] = centre(found["resized"])
    return found


def bounded(grey: np.ndarray) -> np.ndarray:
    """Step 1: as float64; an image longer than ``MAX_SIDE`` shrunk by the integer factor f that
    brings it within it, each output pixel the mean of an f x f block (a side shorter than f is
    one block)."""
    height, width = grey.shape
    f = math.ceil(max(height, width) / MAX_SIDE)
    if f == 1:
        return grey.astype(np.float64)
    fy, fx = min(f, height), min(f, width)
    h, w = height // fy, width // fx
    out = np.empty((h, w))
    for top in range(0, h, _BAND):  # a band of rows at a time: the float64 copies stay small
        rows = grey[top * fy : min(top + _BAND, h) * fy, : w * fx].astype(np.float64)
        out[top : top + _BAND] = rows.reshape(-1, fy, w, fx).mean(axis=(1, 3))
    return out


_BAND = 64


def border(grey: np.ndarray) -> np.ndarray:
    """The outermost rows and columns, each pixel once."""
    edge = np.zeros(grey.shape, dtype=bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    return grey[edge]


def ink_box(lifted: np.ndarray) -> tuple[slice, slice] | None:
    """Step 4's box: the rows and columns holding ink (pixels more than ``INK_THRESHOLD`` above
    the paper), or None when there is none."""
    ink = lifted > INK_THRESHOLD
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return None
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def resize(ink: np.ndarray) -> np.ndarray:
    """Step 5: the longer side to ``BOX`` pixels, the aspect ratio kept; float32 values.

    PIL's resampling (ImagingResample, for a float image): for each output pixel x of one axis,
    with scale = input size / output size, the filter's support is 1 x max(scale, 1) input
    pixels, centred at (x + 0.5) x scale; the input pixels i from round(centre - support) to
    round(centre + support) (exclusive, clipped to the image; "round" is int(v + 0.5)) are
    weighted by the triangle 1 - |(i - centre + 0.5) / max(scale, 1)| (0 outside), the weights
    normalised to sum to 1. The horizontal pass runs first and its result is stored as float32;
    an axis whose size does not change is not resampled.
    """
    height, width = ink.shape
    longer = max(height, width)
    size = (_scaled(width, longer), _scaled(height, longer))  # PIL's (width, height)
    image = Image.fromarray(ink.astype(np.float32))
    return np.asarray(image.resize(size, RESAMPLE), dtype=np.float32)


def _scaled(side: int, longer: int) -> int:
    return max(1, math.floor(side * BOX / longer + 0.5))


def centre(digit: np.ndarray) -> np.ndarray:
    """Steps 6 and 7: ``digit`` placed in the 28x28 field with its centre of mass at (14, 14)
    to within half a pixel, rounded to uint8."""
    values = digit.astype(np.float64)
    mass = values.sum()
    height, width = values.shape
    row = (values.sum(axis=1) * np.arange(height)).sum() / mass
    col = (values.sum(axis=0) * np.arange(width)).sum() / mass
    top = _shift(row, height)
    left = _shift(col, width)
    field = np.zeros((FIELD, FIELD), np.float64)
    field[top : top + height, left : left + width] = values
    return np.clip(np.floor(field + 0.5), 0, 255).astype(np.uint8)


def _shift(centre_of_mass: float, side: int) -> int:
    """The whole-pixel offset that brings ``centre_of_mass`` to ``CENTRE``, kept in the field."""
    offset = math.floor(CENTRE - centre_of_mass + 0.5)
    return min(max(offset, 0), FIELD - side)
