"""What the distortions do, measured (lenet_nb.digits.copies and the ranges' comparison)."""

import torch

from lenet_nb.book import figures
from lenet_nb.digits import copies, distortions, variation
from lenet_nb.digits.distortions import PAPER_DISTORTIONS, DistortionRanges
from lenet_nb.digits.mnist import mnist


def _digits(n=4):
    return mnist(False, transform=None).data[:n]


def test_range_extremes_distort_each_end_and_keep_the_original_between():
    digit = _digits(1)[0]
    rows = copies.range_extremes(digit, PAPER_DISTORTIONS)
    assert [name for name, _ in rows] == ["translate x", "translate y", "scale", "squeeze", "shear"]
    for _, row in rows:
        assert [caption for caption, _ in row][1] == "original"
        assert torch.equal(row[1][1], digit)
        assert not torch.equal(row[0][1], digit) and not torch.equal(row[2][1], digit)
    assert rows[2][1][0][0] == "×0.87" and rows[4][1][2][0] == "+0.52"


def test_shares_inside_counts_deviations_within_half_the_range():
    deviations = {"shear": torch.tensor([-0.6, -0.5, 0.0, 0.52, 0.7])}
    assert copies.shares_inside(deviations, {"shear": 0.52}) == {"shear": 0.6}


def test_ink_kept_is_one_for_copies_that_keep_their_ink():
    images = _digits()
    made = distortions.distorted_copies(images, copies=2, seed=3, progress=False)
    kept = copies.ink_kept(images, made, seed=3)
    assert kept.shape == (8,) and ((kept - 1).abs() < 0.05).all()
    # A copy with half its ink erased keeps about half.
    made[0, :, :14] = 0
    assert copies.ink_kept(images, made, seed=3)[0] < 0.9


def test_batch_disagreement_is_within_a_grey_level():
    assert copies.batch_disagreement(_digits(3), copies=2, seed=0) <= 1


def test_range_differences_compare_the_ends():
    other = DistortionRanges(
        translate_x=1.8, translate_y=1.4, scale=(0.85, 1.15), squeeze=(0.6, 1.7), shear=0.5
    )
    gaps = variation.range_differences(PAPER_DISTORTIONS, other)
    assert abs(gaps["translate_x"] - 0.1) < 1e-9 and gaps["translate_y"] == 0
    assert abs(gaps["scale"] - 0.02) < 1e-9 and abs(gaps["squeeze"] - 0.02) < 1e-9
    assert abs(gaps["shear"] - 0.02) < 1e-9


def test_with_answers_adds_each_networks_answer_to_its_caption():
    image = torch.zeros(28, 28, dtype=torch.uint8)
    rows = [("a", [("lo", image), ("hi", image)]), ("b", [("x", image)])]
    answered = figures.with_answers(rows, {"paper": [1, 2, 3], "distorted": [4, 5, 6]})
    assert [c for _, row in answered for c, _ in row] == [
        "lo\npaper 1, distorted 4",
        "hi\npaper 2, distorted 5",
        "x\npaper 3, distorted 6",
    ]


def test_spread_panels_one_per_statistic():
    deviations = {field: torch.zeros(3) for field in variation.STATISTICS}
    halves = variation.half_ranges(PAPER_DISTORTIONS)
    panels = figures.spread_panels(deviations, halves)
    assert [p[3] for p in panels] == list(halves.values())
    assert panels[0][0].startswith("translate x\n")
