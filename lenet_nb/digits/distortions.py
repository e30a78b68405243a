"""The paper's distortions (Section III): random planar affine maps of the training digits.

The paper adds, to each training digit, nine copies under random combinations of planar affine
maps: horizontal and vertical translation, scaling, squeezing (horizontal compression with
vertical elongation, or the reverse) and horizontal shearing. It names the maps and gives no
ranges. Ours are measured (``lenet_nb.digits.variation``): ``natural_variation`` computes, on the
60,000 training digits, the spread *within each class* of the quantity each map changes, and every
range is two pooled within-class standard deviations of that quantity (``ranges_from_variation``),
so a distorted digit is displaced, resized, squeezed or slanted no further than real writers' digits
of the same class already are from one another.

Geometry. Coordinates are pixel centres measured from the centre of the 28x28 field (``-13.5 ...
13.5``, ``y`` pointing down), the convention of ``torchvision.transforms.v2.functional.affine``.
A point ``p`` of the digit moves to ``L p + t`` with

    L = scale * Shear(shear) * Squeeze(squeeze),  Shear(h) = [[1, -h], [0, 1]],
    Squeeze(k) = [[sqrt(k), 0], [0, 1 / sqrt(k)]],  t = (translate_x, translate_y).

``squeeze`` multiplies the digit's width-to-height ratio by ``k`` at constant area (``k < 1``
compresses horizontally and elongates vertically); ``shear`` adds ``h`` to the slant (horizontal
pixels per pixel of height, positive leaning right).

Two paths apply it. :func:`distort` is the reference: one call of ``v2.functional.affine`` per
image (bilinear), with ``L`` rewritten as torchvision's rotation/scale/shear parameters.
:func:`distorted_copies`, which makes the 540,000 training copies, builds the same sampling grid
for a whole batch with ``torch.nn.functional.affine_grid`` and ``grid_sample``; the tests check the
two agree to within one grey level (a rounding difference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torchvision.transforms import v2
from tqdm.auto import tqdm

SIZE = 28
CENTRE = (SIZE - 1) / 2  # 13.5: pixel i sits at i - 13.5 from the field's centre


@dataclass(frozen=True)
class DistortionParams:
    """One distortion: translation in pixels, isotropic scale, squeeze (aspect-ratio factor at
    constant area) and horizontal shear (added slant, pixels per pixel). The defaults are the
    identity."""

    translate_x: float = 0.0
    translate_y: float = 0.0
    scale: float = 1.0
    squeeze: float = 1.0
    shear: float = 0.0

    def matrix(self) -> torch.Tensor:
        """The 2x2 linear part ``L`` (float64)."""
        return _linear_parts(
            torch.tensor(
                [[self.translate_x, self.translate_y, self.scale, self.squeeze, self.shear]],
                dtype=torch.float64,
            )
        )[0]


@dataclass(frozen=True)
class DistortionRanges:
    """Ranges to draw distortions from: translations uniform in ``[-t, t]`` pixels, scale and
    squeeze log-uniform in ``[low, high]``, shear uniform in ``[-h, h]``."""

    translate_x: float
    translate_y: float
    scale: tuple[float, float]
    squeeze: tuple[float, float]
    shear: float


PAPER_DISTORTIONS = DistortionRanges(
    translate_x=1.7, translate_y=1.4, scale=(0.87, 1.15), squeeze=(0.60, 1.68), shear=0.52
)
"""The ranges we train with: two pooled within-class standard deviations of MNIST's own variation.

Measured by ``variation.natural_variation`` on the 60,000 training digits
(``tests/test_distortions.py`` recomputes them and checks these rounded values against the
measurement):

* translation -- MNIST centres each digit by its centre of mass, so that does not vary (it only
  moves within the centre pixel, s.d. 0.29 px); the *ink box* does: its centre sits 0.845 px (x)
  and 0.686 px (y) s.d. from the field centre within a class -> +-1.7 px and +-1.4 px;
* scale -- radius of gyration of the ink, s.d. of its log 0.072 -> factor 0.87 to 1.15;
* squeeze -- width-to-height ratio from second moments after removing the slant, s.d. of its log
  0.258 -> factor 0.60 to 1.68 (width x0.77..1.30, height x1.29..0.77);
* shear -- slant (``-cov(x, y) / var(y)``), s.d. 0.262 -> +-0.52 (about 27 degrees).

:func:`distorted_copies` also keeps every copy's ink inside the field
(:func:`keep_inside`: a smaller scale where the box would not fit, then a shift), so digits are not
cut.
"""

# The five columns of a parameter table, in the order of DistortionParams' fields.
FIELDS = ("translate_x", "translate_y", "scale", "squeeze", "shear")


# --- where the ink is ----------------------------------------------------------------------


def ink_span(ink: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """First and last inked index along the last axis, in centred pixel coordinates."""
    idx = torch.arange(SIZE, dtype=torch.float64) - CENTRE
    lo = torch.where(ink, idx, torch.tensor(math.inf, dtype=torch.float64)).amin(-1)
    hi = torch.where(ink, idx, torch.tensor(-math.inf, dtype=torch.float64)).amax(-1)
    return lo, hi


# --- drawing parameters ------------------------------------------------------------------------


def random_table(generator: torch.Generator, ranges: DistortionRanges, n: int) -> torch.Tensor:
    """``n`` random distortions as an ``n x 5`` float64 table (columns :data:`FIELDS`)."""
    u = torch.rand(n, 5, generator=generator, dtype=torch.float64)
    return torch.stack(
        [
            ranges.translate_x * (2 * u[:, 0] - 1),
            ranges.translate_y * (2 * u[:, 1] - 1),
            _log_uniform(u[:, 2], *ranges.scale),
            _log_uniform(u[:, 3], *ranges.squeeze),
            ranges.shear * (2 * u[:, 4] - 1),
        ],
        dim=1,
    )


def _log_uniform(u: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """Uniform draws ``u`` in [0, 1) mapped log-uniformly onto [lo, hi)."""
    return torch.exp(math.log(lo) + u * math.log(hi / lo))


# --- the geometry ------------------------------------------------------------------------------


def _linear_parts(table: torch.Tensor) -> torch.Tensor:
    """``n x 2 x 2`` linear parts ``L = scale * Shear(shear) * Squeeze(squeeze)`` of a table."""
    s, k, h = table[:, 2], table[:, 3].sqrt(), table[:, 4]
    L = torch.zeros(len(table), 2, 2, dtype=torch.float64)
    L[:, 0, 0] = s * k
    L[:, 0, 1] = -s * h / k
    L[:, 1, 1] = s / k
    return L


def _torchvision_args(m: torch.Tensor) -> tuple[float, float, list[float]]:
    """``(angle, scale, [shear_x, shear_y])`` in degrees such that torchvision's
    ``scale * R(angle) SHy SHx`` (``_get_inverse_affine_matrix``) equals the 2x2 matrix ``m``.

    torchvision's factor of determinant one has first column ``(cos(a - sy), sin(a - sy)) /
    cos(sy)``, of length at least one; ``m`` must satisfy that after dividing out its scale
    (:func:`distort` transposes the image when it does not).
    """
    scale = math.sqrt(float(torch.linalg.det(m)))
    a, b, c, d = (m / scale).flatten().tolist()
    rho = math.hypot(a, c)
    sy = math.acos(min(1.0, 1.0 / rho))
    angle = math.atan2(c, a) + sy
    # b = -(a tan sx + sin angle),  d = cos angle - c tan sx: use the better-conditioned one.
    tan_sx = -(b + math.sin(angle)) / a if abs(a) >= abs(c) else (math.cos(angle) - d) / c
    return math.degrees(angle), scale, [math.degrees(math.atan(tan_sx)), math.degrees(sy)]


def distort(image: torch.Tensor, params: DistortionParams) -> torch.Tensor:
    """Apply one distortion to a uint8 ``28 x 28`` image with ``v2.functional.affine`` (bilinear,
    background 0). The reference path; exactly what the chapter's sliders show."""
    return warp(image, params.matrix(), [params.translate_x, params.translate_y])


def warp(images: torch.Tensor, m: torch.Tensor, translate) -> torch.Tensor:
    """Move every point ``p`` of uint8 ``28 x 28`` (or ``N x 28 x 28``) images to ``m p +
    translate`` with one ``v2.functional.affine`` call (bilinear, background 0), for any 2x2
    ``m`` of positive determinant. :func:`distort` is this with the distortion's own matrix;
    ``lenet_nb.digits.transformations`` uses it for rotations too."""
    m = torch.as_tensor(m, dtype=torch.float64)
    translate = [float(t) for t in translate]
    shape = images.shape
    img = images.reshape(-1, 1, SIZE, SIZE)
    # torchvision's parameters reach every 2x2 map whose first column, scale divided out, is at
    # least unit length; a horizontal compression (squeeze < 1) is not one of them, but its
    # transpose is: warp the transposed image with the transposed map (exact on a square grid).
    transpose = math.hypot(m[0, 0], m[1, 0]) < math.sqrt(float(torch.linalg.det(m))) - 1e-12
    if transpose:
        img, m, translate = img.transpose(-1, -2), m.flip(0).flip(1), translate[::-1]
    angle, scale, shear = _torchvision_args(m)
    out = v2.functional.affine(
        img,
        angle=angle,
        translate=translate,
        scale=scale,
        shear=shear,
        interpolation=v2.InterpolationMode.BILINEAR,
    )
    if transpose:
        out = out.transpose(-1, -2)
    return out.reshape(shape).contiguous()


def _inverse_thetas(table: torch.Tensor) -> torch.Tensor:
    """``n x 2 x 3`` thetas for ``F.affine_grid`` (``align_corners=False``): the inverse map from
    output to input, in units of half the field (14 px), as torchvision builds it."""
    L = _linear_parts(table)
    inv = torch.linalg.inv(L)
    t = table[:, :2].unsqueeze(-1)
    return torch.cat([inv, -(inv @ t) / (SIZE / 2)], dim=2)


def apply_table(images: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """The batched path: distort uint8 ``N x 28 x 28`` images, row ``i`` of ``table`` for image
    ``i``, with one ``affine_grid`` + ``grid_sample`` (bilinear, zero background) -- the sampling
    ``v2.functional.affine`` does, for a whole batch of different maps at once."""
    theta = _inverse_thetas(table).to(torch.float32)
    grid = F.affine_grid(theta, [len(images), 1, SIZE, SIZE], align_corners=False)
    out = F.grid_sample(
        images.unsqueeze(1).to(torch.float32),
        grid,
        mode="bilinear",
        padding_mode="zeros",
        align_corners=False,
    )
    return out.round_().clamp_(0, 255).to(torch.uint8).squeeze(1)


def keep_inside(images: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Adjust each row of ``table`` as little as possible so that no ink of the matching image
    leaves the field: first, where the distorted ink would be taller or wider than the field,
    shrink the row's scale until it fits (squeeze and shear are kept); then shift its translation
    back inside. Returns a new table.

    Bilinear resampling spreads an inked pixel centre over one input pixel around it, so the
    region that must map inside is the ink box grown by one pixel, and "inside" means that no
    pixel centre beyond the field (at +-14.5) falls strictly within it.
    """
    (x0, x1), (y0, y1) = ink_span(images.amax(1) > 0), ink_span(images.amax(2) > 0)
    x0, y0, x1, y1 = x0 - 1, y0 - 1, x1 + 1, y1 + 1
    corners = torch.stack(
        [
            torch.stack([x0, y0], 1),
            torch.stack([x1, y0], 1),
            torch.stack([x0, y1], 1),
            torch.stack([x1, y1], 1),
        ],
        1,
    )  # n x 4 x 2
    corners = torch.nan_to_num(corners, posinf=0.0, neginf=0.0)  # blank images: no box
    edge = CENTRE + 1
    table = table.clone()
    linear = corners @ _linear_parts(table).transpose(1, 2)
    extent = (linear.amax(1) - linear.amin(1)).amax(1)
    table[:, 2] *= (2 * edge / extent.clamp_min(1e-12)).clamp(max=1.0)
    moved = corners @ _linear_parts(table).transpose(1, 2) + table[:, None, :2]
    lo, hi = moved.amin(1), moved.amax(1)
    table[:, :2] += (-edge - lo).clamp_min(0) - (hi - edge).clamp_min(0)
    return table


def distorted_copies(
    images: torch.Tensor,
    copies: int = 9,
    seed: int = 0,
    progress: bool = True,
    ranges: DistortionRanges = PAPER_DISTORTIONS,
    batch_size: int = 10_000,
) -> torch.Tensor:
    """``copies`` random distortions of every image of a uint8 ``N x 28 x 28`` batch.

    Returns uint8 ``(N * copies) x 28 x 28``; copy ``k`` of pattern ``i`` is at index ``k * N + i``
    (so ``labels.repeat(copies)`` labels it). Deterministic given ``seed``: the parameters are one
    ``random_table`` of ``N * copies`` rows drawn from ``torch.Generator().manual_seed(seed)``,
    nudged by :func:`keep_inside`, then applied in batches with :func:`apply_table`.
    """
    n = len(images)
    table = random_table(torch.Generator().manual_seed(seed), ranges, n * copies)
    out = torch.empty(n * copies, SIZE, SIZE, dtype=torch.uint8)
    starts = range(0, n * copies, batch_size)
    for start in tqdm(starts, desc="distorting", unit="batch", disable=not progress):
        stop = min(start + batch_size, n * copies)
        source = images[torch.arange(start, stop) % n]
        rows = keep_inside(source, table[start:stop])
        out[start:stop] = apply_table(source, rows)
    return out


def distortion_table(
    images: torch.Tensor,
    copies: int = 9,
    seed: int = 0,
    ranges: DistortionRanges = PAPER_DISTORTIONS,
) -> torch.Tensor:
    """The ``(N * copies) x 5`` parameters :func:`distorted_copies` applies (after
    :func:`keep_inside`), for inspection and tests."""
    n = len(images)
    table = random_table(torch.Generator().manual_seed(seed), ranges, n * copies)
    return keep_inside(images[torch.arange(n * copies) % n], table)
