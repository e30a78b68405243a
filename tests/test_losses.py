"""The MAP criterion (Eq. 9) is softmax cross-entropy over the scores -y_i with one extra class
whose score is always -j (the Output chapter's bridge for PyTorch readers)."""

import pytest
import torch
import torch.nn.functional as F

from lenet_nb.training.losses import loss_and_gradient, map_criterion, maximum_likelihood


def _as_cross_entropy(penalties, targets, j, reduction="mean"):
    extra = torch.full((len(penalties), 1), -j, dtype=penalties.dtype)
    return F.cross_entropy(torch.cat([-penalties, extra], dim=1), targets, reduction=reduction)


@pytest.mark.parametrize("j", [0.5, 1.0, 10.0, 40.0])
def test_map_is_cross_entropy_with_a_constant_eleventh_class(j):
    g = torch.Generator().manual_seed(0)
    # Penalties as the network makes them: one small, the rest spread over tens to hundreds.
    penalties = torch.rand(500, 10, generator=g, dtype=torch.float64) * 200
    penalties[torch.arange(500), torch.randint(10, (500,), generator=g)] = (
        torch.rand(500, generator=g, dtype=torch.float64) * 5
    )
    targets = torch.randint(10, (500,), generator=g)
    for reduction in ("none", "mean", "sum"):
        ours = map_criterion(penalties, targets, j, reduction=reduction)
        theirs = _as_cross_entropy(penalties, targets, j, reduction)
        assert torch.allclose(ours, theirs, rtol=1e-12, atol=1e-12), reduction


def test_the_gradients_agree_too():
    g = torch.Generator().manual_seed(1)
    penalties = (torch.rand(64, 10, generator=g, dtype=torch.float64) * 50).requires_grad_()
    targets = torch.randint(10, (64,), generator=g)
    (ours,) = torch.autograd.grad(map_criterion(penalties, targets, 10.0), penalties)
    (theirs,) = torch.autograd.grad(_as_cross_entropy(penalties, targets, 10.0), penalties)
    assert torch.allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_without_the_extra_class_it_is_not_map():
    """The constant class matters: plain cross-entropy over the ten scores differs from Eq. 9
    (by the most where every penalty is well above j)."""
    penalties = torch.tensor([[30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0, 99.0, 100.0]])
    targets = torch.tensor([0])
    plain = F.cross_entropy(-penalties, targets)
    assert not torch.allclose(plain, map_criterion(penalties, targets, 10.0))
    assert torch.allclose(
        _as_cross_entropy(penalties, targets, 10.0), map_criterion(penalties, targets, 10.0)
    )


def test_ml_pulls_the_label_alone_and_map_never_pulls_a_wrong_class_down():
    """What the Output chapter's gradient table shows on four digits, on many penalty vectors."""
    g = torch.Generator().manual_seed(2)
    for _ in range(200):
        y = torch.rand(10, generator=g, dtype=torch.float64) * 150
        label = torch.randint(10, (), generator=g)
        others = torch.arange(10) != label
        _, ml = loss_and_gradient(maximum_likelihood, y, label)
        assert ml[label] == 1 and torch.all(ml[others] == 0)
        for j in (1.0, 10.0, 30.0):
            loss, grad = loss_and_gradient(lambda p, t, j=j: map_criterion(p, t, j), y, label)
            assert loss >= 0 and torch.all(grad[others] <= 0) and 0 <= grad[label] <= 1
