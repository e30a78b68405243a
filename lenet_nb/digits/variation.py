"""MNIST's own variation, which the distortions' ranges are measured from (Section III-C).

:func:`natural_variation` computes, on the 60,000 training digits, the spread *within each
class* of the quantity each distortion changes (``STATISTICS``), and every range of
``lenet_nb.digits.distortions.PAPER_DISTORTIONS`` is two pooled within-class standard deviations of
that quantity (:func:`ranges_from_variation`), rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lenet_nb.digits.distortions import CENTRE, SIZE, DistortionRanges, ink_span


def shape_statistics(images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-image geometry of the ink of a uint8 batch ``N x 28 x 28`` (grey levels as mass).

    ``com_x/com_y``: centre of mass; ``box_x/box_y``: centre of the ink box (pixels > 0), both in
    pixels from the field centre; ``box_width/box_height`` in pixels; ``size``: radius of gyration
    ``sqrt(var x + var y)``; ``aspect``: ``sqrt(residual var x / var y)`` where the residual removes
    the part of x explained by y (the slant); ``slant``: ``-cov(x, y) / var(y)``.
    """
    x = images.to(torch.float64)
    c = torch.arange(SIZE, dtype=torch.float64) - CENTRE
    mass = x.sum((1, 2)).clamp_min(1e-12)
    cx = (x.sum(1) * c).sum(1) / mass
    cy = (x.sum(2) * c).sum(1) / mass
    dx = c.view(1, 1, SIZE) - cx.view(-1, 1, 1)
    dy = c.view(1, SIZE, 1) - cy.view(-1, 1, 1)
    vxx = (x * dx * dx).sum((1, 2)) / mass
    vyy = (x * dy * dy).sum((1, 2)) / mass
    vxy = (x * dx * dy).sum((1, 2)) / mass
    (x0, x1), (y0, y1) = ink_span(images.amax(1) > 0), ink_span(images.amax(2) > 0)
    return {
        "com_x": cx,
        "com_y": cy,
        "box_x": (x0 + x1) / 2,
        "box_y": (y0 + y1) / 2,
        "box_width": x1 - x0 + 1,
        "box_height": y1 - y0 + 1,
        "size": (vxx + vyy).sqrt(),
        "aspect": ((vxx - vxy**2 / vyy).clamp_min(1e-12) / vyy).sqrt(),
        "slant": -vxy / vyy,
    }


@dataclass(frozen=True)
class Statistic:
    """The shape statistic a distortion changes (a key of :func:`shape_statistics`), whether its
    spread is measured on a log scale, and how the chapter names it and its unit."""

    key: str
    log: bool
    label: str
    unit: str


STATISTICS = {
    "translate_x": Statistic("box_x", False, "ink-box centre x (px)", "pixels"),
    "translate_y": Statistic("box_y", False, "ink-box centre y (px)", "pixels"),
    "scale": Statistic("size", True, "log radius of gyration", "log"),
    "squeeze": Statistic("aspect", True, "log width/height (deslanted)", "log"),
    "shear": Statistic("slant", False, "slant (px per px)", "pixels per pixel"),
}


def natural_variation(
    images: torch.Tensor, labels: torch.Tensor | None = None
) -> dict[str, dict[str, float]]:
    """Mean and spread of each shape statistic over a uint8 batch ``N x 28 x 28``.

    For every statistic of :func:`shape_statistics` (and ``log_size``, ``log_aspect``) returns
    ``{"mean", "sd", "within_sd"}``: ``sd`` over all images; ``within_sd`` the pooled within-class
    standard deviation ``sqrt(sum_c n_c var_c / N)`` when ``labels`` are given (else equal to
    ``sd``) -- the variation among digits of one class, which is what a distortion must not exceed
    if the digit is to stay a plausible member of its class.
    """
    stats = shape_statistics(images)
    stats["log_size"] = stats["size"].log()
    stats["log_aspect"] = stats["aspect"].log()
    out = {}
    for name, v in stats.items():
        sd = v.std().item()
        within = sd
        if labels is not None:
            pooled = sum(
                ((labels == c).sum() - 1) * v[labels == c].var()
                for c in labels.unique()
                if (labels == c).sum() > 1
            )
            within = math.sqrt(pooled.item() / (len(v) - len(labels.unique())))
        out[name] = {"mean": v.mean().item(), "sd": sd, "within_sd": within}
    return out


def ranges_from_variation(
    variation: dict[str, dict[str, float]], k: float = 2.0
) -> DistortionRanges:
    """Ranges of ``k`` within-class standard deviations of the statistic each distortion changes
    (translation: ink-box centre; scale: log radius of gyration; squeeze: log deslanted aspect;
    shear: slant). Unrounded; :data:`PAPER_DISTORTIONS` is this, rounded, for ``k = 2``."""
    sd = {name: variation[_variation_key(stat)]["within_sd"] for name, stat in STATISTICS.items()}
    return DistortionRanges(
        translate_x=k * sd["translate_x"],
        translate_y=k * sd["translate_y"],
        scale=(math.exp(-k * sd["scale"]), math.exp(k * sd["scale"])),
        squeeze=(math.exp(-k * sd["squeeze"]), math.exp(k * sd["squeeze"])),
        shear=k * sd["shear"],
    )


def _variation_key(stat: Statistic) -> str:
    return ("log_" if stat.log else "") + stat.key


def half_ranges(ranges: DistortionRanges) -> dict[str, float]:
    """Each range as a half-width on its statistic's scale (log for scale and squeeze)."""
    return {
        "translate_x": ranges.translate_x,
        "translate_y": ranges.translate_y,
        "scale": math.log(ranges.scale[1]),
        "squeeze": math.log(ranges.squeeze[1]),
        "shear": ranges.shear,
    }


def range_ends(ranges: DistortionRanges) -> dict[str, tuple[float, float]]:
    """The two ends of each distortion's range, as parameter values."""
    return {
        "translate_x": (-ranges.translate_x, ranges.translate_x),
        "translate_y": (-ranges.translate_y, ranges.translate_y),
        "scale": ranges.scale,
        "squeeze": ranges.squeeze,
        "shear": (-ranges.shear, ranges.shear),
    }


def range_differences(a: DistortionRanges, b: DistortionRanges) -> dict[str, float]:
    """For each distortion, the larger difference between the two ends of its range in ``a``
    and in ``b`` (pixels for a translation, factors for scale and squeeze)."""
    ends_a, ends_b = range_ends(a), range_ends(b)
    return {
        field: max(abs(x - y) for x, y in zip(ends_a[field], ends_b[field])) for field in ends_a
    }


def describe(field: str, value: float) -> str:
    """One parameter value as the chapter writes it: +1.70 for a shift or shear, x0.87 for a
    factor."""
    return f"×{value:.2f}" if field in ("scale", "squeeze") else f"{value:+.2f}"


def within_class_deviations(images: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """For each distortion, every digit's statistic (on its scale) minus its class's mean."""
    stats = shape_statistics(images)
    counts = torch.bincount(labels, minlength=10)
    out = {}
    for field, stat in STATISTICS.items():
        values = stats[stat.key].log() if stat.log else stats[stat.key]
        means = torch.zeros(len(counts), dtype=values.dtype).index_add_(0, labels, values)
        out[field] = values - (means / counts)[labels]
    return out


def range_table(variation: dict, measured: DistortionRanges, ours: DistortionRanges) -> str:
    """Each distortion's statistic, its spread overall and within a class, the range that two
    within-class standard deviations give (``measured``), and ``ours``, as a text table."""
    lines = [
        f"{'distortion':12s} {'statistic':29s} {'s.d., all':>9s} {'within class':>12s}  "
        f"{'±2 sd within class':22s} our range"
    ]
    for field, stat in STATISTICS.items():
        v = variation[_variation_key(stat)]
        lines.append(
            f"{field.replace('_', ' '):12s} {stat.label:29s} {v['sd']:9.3f} "
            f"{v['within_sd']:12.3f}  {_range_text(measured, field, True):22s} "
            f"{_range_text(ours, field, False)}"
        )
    return "\n".join(lines)


def _range_text(ranges: DistortionRanges, field: str, measured: bool) -> str:
    """Ours rounded as we state them; measured ones with one more digit."""
    lo, hi = range_ends(ranges)[field]
    digits = 3 if measured else 2
    if field in ("scale", "squeeze"):
        return f"×{lo:.{digits}f} to ×{hi:.{digits}f}"
    if field == "shear":
        return f"±{hi:.{digits}f}"
    return f"±{hi:.{digits - 1}f}" + ("" if measured else " px")
