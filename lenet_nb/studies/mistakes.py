"""What a trained network gets wrong on the test set: which digits, which classes it confuses,
how often the true class is its second choice, and which errors two networks share (the Results
and Distortions chapters)."""

from dataclasses import dataclass

import torch

from lenet_nb.training import evaluation


@dataclass(frozen=True)
class Reading:
    """A network's reading of preprocessed digits: its ten penalties for each, the class of the
    smallest, and the indices of the digits where that class is not the label."""

    penalties: torch.Tensor
    predicted: torch.Tensor
    wrong: torch.Tensor

    @property
    def error(self) -> float:
        """The share of the digits it gets wrong."""
        return len(self.wrong) / len(self.predicted)


def read(model, images: torch.Tensor, labels: torch.Tensor) -> Reading:
    """``model``'s reading of ``images`` (on the CPU), against ``labels``."""
    penalties = evaluation.penalties(model, images)
    predicted = penalties.argmin(1)
    return Reading(penalties, predicted, (predicted != labels).nonzero().flatten())


def confusions(labels: torch.Tensor, predicted: torch.Tensor, classes: int = 10) -> torch.Tensor:
    """``classes x classes`` counts: row the true class, column the predicted one."""
    counts = torch.bincount(classes * labels + predicted, minlength=classes * classes)
    return counts.reshape(classes, classes)


def top_confusions(counts: torch.Tensor, k: int = 3) -> list[tuple[int, int, int]]:
    """The ``k`` most frequent errors of a confusion matrix, as (true class, predicted class,
    count), most frequent first (the diagonal, the digits read right, left out)."""
    errors = counts - torch.diag(counts.diag())
    top = errors.flatten().topk(k)
    classes = counts.shape[1]
    return [(int(i) // classes, int(i) % classes, int(n)) for n, i in zip(top.values, top.indices)]


def second_choices(penalties: torch.Tensor, labels: torch.Tensor) -> int:
    """Of digits read wrong (their penalties and labels), how many have their true class as the
    second smallest penalty: the network's runner-up answer."""
    second = penalties.topk(2, dim=1, largest=False).indices[:, 1]
    return int((second == labels).sum())


@dataclass(frozen=True)
class Overlap:
    """Two networks' errors on the same ``total`` digits: how many each gets wrong alone, the
    digits both get wrong (sorted), and how many both would get wrong by chance, were their
    mistakes independent (``a * b / total``)."""

    total: int
    only_a: int
    only_b: int
    both: list[int]
    chance: float

    @property
    def right_both(self) -> int:
        """Digits that neither network gets wrong."""
        return self.total - self.only_a - self.only_b - len(self.both)


def overlap(wrong_a: torch.Tensor, wrong_b: torch.Tensor, total: int) -> Overlap:
    """The overlap of two networks' errors, given the indices of the digits each gets wrong."""
    a, b = set(wrong_a.tolist()), set(wrong_b.tolist())
    return Overlap(total, len(a - b), len(b - a), sorted(a & b), len(a) * len(b) / total)
