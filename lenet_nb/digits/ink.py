"""What a digit's ink looks like once it is in MNIST's form: two statistics of a 28x28 field
(or the paper's 32x32, which only adds background), computed the same way on any batch, both of
its strong ink, the pixels of grey level ``INK_LEVEL`` (128) or more of 255.

* ``ink_pixels``: how many pixels hold strong ink. A digit's strokes cover a few dozen to a few
  hundred of the field's 784 pixels; a blank field none, a solid fill all of them, uniform noise
  taken as it is about half, and a patch of noise shrunk to the 20-pixel box (a flat grey) none.
* ``euler_number``: the strong ink's pieces minus its holes (8-connected ink, 4-connected
  background), counted from its 2x2 neighbourhoods (Gray's bit quads: (Q1 - Q3 - 2 QD) / 4,
  where Q1 and Q3 are the 2x2 windows with one and three ink pixels and QD those with two on a
  diagonal). A digit is one piece with at most two holes (1, 0 or -1); a tangle of random
  strokes encloses many holes.

``lenet_nb.reading.not_a_digit`` bounds both by their range over MNIST's training digits.
"""

import numpy as np

INK_LEVEL = 128  # strong ink: the core of a stroke


def grey_levels_of(pixels) -> np.ndarray:
    """A batch ``N x H x W`` (or ``N x 1 x H x W``) of pixels as float64 grey levels 0-255:
    uint8 as they are, floats in [0, 1] scaled by 255 and rounded (as ``pixels.to_unit`` made
    them from uint8, so the levels come back exactly)."""
    values = np.asarray(pixels)
    if values.ndim == 4:
        values = values[:, 0]
    if values.ndim != 3:
        raise ValueError(f"a batch of shape {values.shape}: expected N x H x W or N x 1 x H x W")
    if np.issubdtype(values.dtype, np.floating):
        return np.rint(values.astype(np.float64) * 255)
    return values.astype(np.float64)


def euler_number(ink: np.ndarray) -> np.ndarray:
    """Pieces minus holes of each boolean image of a batch ``N x H x W`` (the module's
    docstring)."""
    quads = np.pad(ink, ((0, 0), (1, 1), (1, 1))).astype(np.int8)
    a, b, c, d = quads[:, :-1, :-1], quads[:, :-1, 1:], quads[:, 1:, :-1], quads[:, 1:, 1:]
    n = a + b + c + d
    diagonal = (n == 2) & (a == d)
    return (
        (n == 1).sum(axis=(1, 2)) - (n == 3).sum(axis=(1, 2)) - 2 * diagonal.sum(axis=(1, 2))
    ) // 4


def ink_statistics(pixels) -> dict[str, np.ndarray]:
    """``ink_pixels`` and ``euler_number`` (the module's docstring) of every image of a batch."""
    ink = grey_levels_of(pixels) >= INK_LEVEL
    return {"ink_pixels": ink.sum(axis=(1, 2)), "euler_number": euler_number(ink)}
