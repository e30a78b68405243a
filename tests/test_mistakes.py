"""What a network gets wrong (lenet_nb.studies.mistakes) and how the Results and Distortions
chapters print it (lenet_nb.book.reports)."""

import torch
from torch import nn

from lenet_nb.book import reports
from lenet_nb.studies import mistakes
from lenet_nb.studies.outcomes import Outcome


class Fixed(nn.Module):
    """A 'network' whose penalties are its input's first ten values."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x.flatten(1)[:, :10]


def test_read_finds_the_smallest_penalty_and_the_digits_read_wrong():
    penalties = torch.tensor([[0.0, 5, 5], [5, 0, 5], [5, 5, 0], [0, 5, 5]])
    penalties = torch.cat([penalties, torch.full((4, 7), 9.0)], 1)
    reading = mistakes.read(Fixed(), penalties, torch.tensor([0, 1, 1, 2]))
    assert reading.predicted.tolist() == [0, 1, 2, 0]
    assert reading.wrong.tolist() == [2, 3] and reading.error == 0.5


def test_confusions_count_true_rows_and_predicted_columns():
    labels = torch.tensor([0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    predicted = torch.tensor([0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 2])
    counts = mistakes.confusions(labels, predicted, classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 3, 0], [2, 3, 1]]
    # The diagonal (1 x 1 read right 3 times) never counts as a confusion.
    assert mistakes.top_confusions(counts, 2) == [(2, 1, 3), (2, 0, 2)]


def test_second_choices_counts_true_classes_in_second_place():
    penalties = torch.tensor([[0.0, 1.0, 2.0], [0.0, 2.0, 1.0], [2.0, 0.0, 1.0]])
    assert mistakes.second_choices(penalties, torch.tensor([1, 1, 2])) == 2


def test_overlap_splits_two_error_sets():
    o = mistakes.overlap(torch.tensor([1, 2, 3, 4]), torch.tensor([3, 4, 5]), total=100)
    assert (o.only_a, o.only_b, o.both) == (2, 1, [3, 4])
    assert o.right_both == 95 and o.chance == 4 * 3 / 100
    table = reports.overlap(o)
    assert "paper network right" in table and "67% of the distorted network's errors" in table


def _outcome(name, errors, train):
    n = len(errors)
    mean, train_mean = sum(errors) / n, sum(train) / n
    return Outcome(
        name, "", "", 0, tuple(range(n)), errors, train, mean, 0.001, train_mean, 0.0002, 60.0, None
    )


def test_over_seeds_counts_the_seeds_above_the_paper():
    outs = {
        "paper": _outcome("paper", (0.0090, 0.0096, 0.0080), (0.002, 0.003, 0.002)),
        "distorted": _outcome("distorted", (0.007, 0.0072), (0.006, 0.007)),
    }
    assert reports.seeds_above(outs["paper"]) == 1
    text = reports.over_seeds(outs).splitlines()
    assert text[0].startswith("without distortions: test error 0.89%")
    assert text[2] == "seed 0: 0.90%, 1 of the 3 seeds lower; 1 seeds above the paper's 0.95%"


def test_growth_divides_within_class_spreads():
    before = {"a": {"within_sd": 0.5}, "b": {"within_sd": 2.0}}
    after = {"a": {"within_sd": 0.75}, "b": {"within_sd": 2.0}}
    text, ratios = reports.growth(before, after, ("a", "b"), 1.53)
    assert ratios == {"a": 1.5, "b": 1.0}
    assert "(expected 1.53)" in text and "0.500 -> 0.750  (x1.50)" in text


def test_passes_prints_one_line_a_pass():
    history = [
        {"pass_": 1, "test_error": 0.194, "train_error": 0.158},
        {"pass_": 2, "test_error": 0.086, "train_error": 0.059},
    ]
    assert reports.passes(history).splitlines() == [
        "pass 1: 15.80% training, 19.40% test error",
        "pass 2: 5.90% training, 8.60% test error",
    ]


def test_fig5_reads_the_last_and_the_best_pass():
    history = [
        {"pass_": 1, "test_error": 0.02, "train_error": 0.019},
        {"pass_": 2, "test_error": 0.008, "train_error": 0.003},
        {"pass_": 3, "test_error": 0.009, "train_error": 0.002},
    ]
    lines = reports.fig5(history).splitlines()
    assert lines[0].startswith("after pass 3: test error 0.90%")
    assert lines[1] == "lowest test error: 0.80%, after pass 2"
    assert lines[2] == "test minus training error, first and last pass: +0.10%, +0.70%"
