"""What the distortions do, measured (the Distortions chapter): one digit at the ends of every
range, the share of real digits that lie inside the ranges, the ink the training copies keep, and
how closely ``distorted_copies`` agrees with ``distort``."""

import torch

from lenet_nb.digits import distortions, variation
from lenet_nb.digits.distortions import DistortionParams, DistortionRanges


def range_extremes(digit: torch.Tensor, ranges: DistortionRanges) -> list[tuple[str, list]]:
    """For each distortion, ``digit`` (uint8 28x28) at the low end of its range, unchanged, and
    at the high end, as (name, [(caption, image), ...]): the rows of
    ``figures.distortion_extremes``."""
    rows = []
    for field, (lo, hi) in variation.range_ends(ranges).items():
        low, high = (distortions.distort(digit, DistortionParams(**{field: v})) for v in (lo, hi))
        rows.append(
            (
                field.replace("_", " "),
                [
                    (variation.describe(field, lo), low),
                    ("original", digit),
                    (variation.describe(field, hi), high),
                ],
            )
        )
    return rows


def shares_inside(deviations: dict[str, torch.Tensor], halves: dict[str, float]) -> dict:
    """For each distortion, the share of digits whose deviation from their class's mean
    (``variation.within_class_deviations``) lies within the range's half-width (``halves``)."""
    return {
        field: (d.abs() <= halves[field]).double().mean().item() for field, d in deviations.items()
    }


def ink_kept(images: torch.Tensor, copies: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """For each copy of ``distorted_copies(images, len(copies) // len(images), seed)``, its ink
    over its original's divided by the area factor scale² it was drawn with: 1 for a copy that
    keeps all its ink, since bilinear resampling keeps the ink times the area factor."""
    repeats = len(copies) // len(images)
    scale = distortions.distortion_table(images, copies=repeats, seed=seed)[:, 2]
    mass = copies.double().sum((1, 2)) / images.double().sum((1, 2)).repeat(repeats)
    return mass / scale**2


def batch_disagreement(images: torch.Tensor, copies: int = 2, seed: int = 0) -> int:
    """The largest difference, in grey levels, between the copies ``distorted_copies`` makes of
    ``images`` in one batch and ``distort`` applied to each with the same parameters."""
    batch = distortions.distorted_copies(images, copies=copies, seed=seed, progress=False)
    table = distortions.distortion_table(images, copies=copies, seed=seed)
    worst = 0
    for k in range(len(batch)):
        reference = distortions.distort(
            images[k % len(images)], DistortionParams(*table[k].tolist())
        )
        worst = max(worst, int((reference.int() - batch[k].int()).abs().max()))
    return worst
