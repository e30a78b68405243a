"""LeCun's demonstrations as transformations of uint8 digits: translated, rotated, scaled,
squeezed, drawn with thinner or thicker strokes, or buried in salt-and-pepper noise.

The authors' LeNet-5 web page showed the trained network reading a digit while it is transformed
so; ``lenet_nb.studies.invariance`` measures the committed networks' test error at every strength
of each range (:data:`TRANSFORMATIONS`), and the invariance panel applies them in the page.

The transformations act on uint8 ``28 x 28`` digits (or batches ``N x 28 x 28``). The geometric
ones are affine maps applied as the distortions are (:func:`lenet_nb.digits.distortions.warp`:
torchvision's ``v2.functional.affine``, bilinear, background 0); ``stroke`` is grey-level
dilation or erosion; ``noise`` is salt and pepper from a tiny generator (mulberry32) that the
browser's twin, ``lenet_nb/book/widgets/static/src/distort.js``, computes identically.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from lenet_nb.digits.distortions import PAPER_DISTORTIONS, SIZE, warp

NOISE_SEED = 0  # test digit i is buried in the noise of seed NOISE_SEED + i


def translation(images: torch.Tensor, pixels: float) -> torch.Tensor:
    """Shift right by ``pixels`` (left when negative)."""
    return warp(images, torch.eye(2, dtype=torch.float64), [pixels, 0.0])


def rotation(images: torch.Tensor, degrees: float) -> torch.Tensor:
    """Turn by ``degrees`` about the field's centre, anticlockwise as the reader sees it (with
    ``y`` pointing down, ``L = [[cos, sin], [-sin, cos]]``)."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return warp(images, torch.tensor([[c, s], [-s, c]], dtype=torch.float64), [0.0, 0.0])


def scale(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Enlarge by ``factor`` about the field's centre (shrink when below 1)."""
    return warp(images, factor * torch.eye(2, dtype=torch.float64), [0.0, 0.0])


def squeeze(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Multiply the width-to-height ratio by ``factor`` at constant area (the distortions'
    squeeze): below 1 compresses horizontally and elongates vertically, above 1 the reverse."""
    k = math.sqrt(factor)
    return warp(images, torch.tensor([[k, 0.0], [0.0, 1 / k]], dtype=torch.float64), [0.0, 0.0])


def _cross(images: torch.Tensor, dilate: bool) -> torch.Tensor:
    """One grey-level dilation (max) or erosion (min) over each pixel and its four neighbours,
    pixels beyond the field reading 0 (background): the smallest disk, so strokes grow or shrink
    by one pixel on each side, horizontally and vertically alike."""
    p = F.pad(images, (1, 1, 1, 1))
    shifted = torch.stack(
        [
            p[..., 1:-1, 1:-1],
            p[..., 1:-1, :-2],
            p[..., 1:-1, 2:],
            p[..., :-2, 1:-1],
            p[..., 2:, 1:-1],
        ]
    )
    return shifted.amax(0) if dilate else shifted.amin(0)


def stroke(images: torch.Tensor, width: float) -> torch.Tensor:
    """Thicker strokes for ``width > 0`` (dilation), thinner for ``width < 0`` (erosion), in
    pixels added to each side: ``floor(|width|)`` whole steps of :func:`_cross`, then the fraction
    ``f`` left over blends one step more, ``a + f (b - a)`` in float64, rounded half to even --
    operations IEEE arithmetic makes identical in JavaScript."""
    steps, f = int(abs(width)), abs(width) - int(abs(width))
    a = images.clone()
    for _ in range(steps):
        a = _cross(a, width > 0)
    if f == 0:
        return a
    b = _cross(a, width > 0).double()
    a = a.double()
    return (a + f * (b - a)).round().to(torch.uint8)


def mulberry32(seeds, n: int) -> np.ndarray:
    """The first ``n`` numbers in ``[0, 1)`` of mulberry32 for each integer seed:
    ``len(seeds) x n`` float64. Its state after ``k`` draws is ``seed + k * 0x6D2B79F5`` (mod
    2^32), so every draw is computed at once; ``distort.js`` runs the same generator one draw at
    a time."""
    seeds = np.asarray(seeds, dtype=np.int64).reshape(-1) % 2**32
    steps = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)
    a = ((seeds.astype(np.uint64)[:, None] + steps) % 2**32).astype(np.uint32)
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps mod 2^32, as Math.imul does
        t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
        t = (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))) ^ t
        return (t ^ (t >> np.uint32(14))).astype(np.float64) / 2**32


def noise(images: torch.Tensor, fraction: float, seed: int = NOISE_SEED) -> torch.Tensor:
    """Salt-and-pepper noise: image ``k`` of a batch draws from ``mulberry32(seed + k)`` two
    numbers ``u, v`` per pixel, row by row; the pixel is hit when ``u < fraction`` and a hit
    becomes ink (255) when ``v < 1/2``, background (0) otherwise. Both are drawn for every pixel,
    so a larger fraction adds hits to a smaller one's."""
    flat = images.reshape(-1, SIZE * SIZE)
    uv = torch.from_numpy(mulberry32(seed + np.arange(len(flat)), 2 * SIZE * SIZE))
    u, v = uv[:, 0::2], uv[:, 1::2]
    hits = torch.where(v < 0.5, 255, 0).to(torch.uint8)
    return torch.where(u < fraction, hits, flat).reshape(images.shape)


@dataclass(frozen=True)
class Transformation:
    """One of LeCun's demonstrations with its range: ``apply(images, strength)``, the strengths
    measured, the identity's strength, the part of the range the ``distorted`` network was trained
    on (``None`` when the paper's distortions do not include it) and whether the range is
    geometric (plotted on a log axis)."""

    name: str
    label: str
    unit: str
    apply: Callable[[torch.Tensor, float], torch.Tensor]
    strengths: tuple
    identity: float
    trained: tuple | None = None
    log: bool = False


_SQUEEZES = tuple(round(2 ** (j / 4), 4) for j in range(-6, 7))

TRANSFORMATIONS = {
    t.name: t
    for t in (
        Transformation(
            "translation",
            "horizontal translation",
            "pixels",
            translation,
            tuple(float(k) for k in range(-6, 7)),
            0.0,
            (-PAPER_DISTORTIONS.translate_x, PAPER_DISTORTIONS.translate_x),
        ),
        Transformation(
            "rotation",
            "rotation",
            "degrees, anticlockwise",
            rotation,
            tuple(float(d) for d in range(-60, 61, 10)),
            0.0,
        ),
        Transformation(
            "scale",
            "scale",
            "factor",
            scale,
            tuple(round(0.5 + 0.1 * k, 1) for k in range(11)),
            1.0,
            PAPER_DISTORTIONS.scale,
            log=True,
        ),
        Transformation(
            "squeeze",
            "squeeze",
            "width-to-height factor",
            squeeze,
            _SQUEEZES,
            1.0,
            PAPER_DISTORTIONS.squeeze,
            log=True,
        ),
        Transformation(
            "stroke",
            "stroke width",
            "pixels each side",
            stroke,
            (-1.5, -1.25, -1.0, -0.75, -0.5, -0.25, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0),
            0.0,
        ),
        Transformation(
            "noise",
            "salt-and-pepper noise",
            "fraction of pixels",
            noise,
            (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5),
            0.0,
        ),
    )
}
"""The demonstrations by name, each with its named range of strengths."""


def transform(name: str, images: torch.Tensor, strength: float) -> torch.Tensor:
    """``TRANSFORMATIONS[name]`` applied to uint8 ``28 x 28`` or ``N x 28 x 28`` digits."""
    if name not in TRANSFORMATIONS:
        raise ValueError(
            f"unknown transformation {name!r}; the ones measured are {', '.join(TRANSFORMATIONS)}"
        )
    if images.dtype != torch.uint8 or tuple(images.shape[-2:]) != (SIZE, SIZE):
        raise ValueError(
            f"images of dtype {images.dtype} and shape {tuple(images.shape)}: "
            "expected uint8 grey levels, 28 x 28 or N x 28 x 28 (MNIST's own)"
        )
    return TRANSFORMATIONS[name].apply(images, strength)


def compose(image: torch.Tensor, strengths: dict) -> torch.Tensor:
    """Several demonstrations at once, as the invariance panel applies them: each named in
    ``strengths`` and not at its identity, in the order of ``TRANSFORMATIONS`` (the geometric
    ones, then the stroke, then the noise, with seed ``NOISE_SEED``)."""
    unknown = sorted(set(strengths) - set(TRANSFORMATIONS))
    if unknown:
        raise ValueError(
            f"unknown transformation {unknown[0]!r}; one of {', '.join(TRANSFORMATIONS)}"
        )
    for name, t in TRANSFORMATIONS.items():
        if strengths.get(name, t.identity) != t.identity:
            image = transform(name, image, strengths[name])
    return image
