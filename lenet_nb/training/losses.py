"""The two training criteria of Section II-C, on the output layer's penalties ``y``; and the
softmax cross-entropy tutorials use on a linear output instead."""

import torch
import torch.nn.functional as F

DEFAULT_J = (
    10.0  # the paper gives no value for j; README "What differs from the paper" measures ours
)


def _correct_penalty(penalties: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return penalties.gather(1, targets.view(-1, 1)).squeeze(1)


def maximum_likelihood(
    penalties: torch.Tensor, targets: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    """Eq. 8: E = (1/P) sum_p y_{D_p}, the penalty of each pattern's correct class."""
    return _reduce(_correct_penalty(penalties, targets), reduction)


def map_criterion(
    penalties: torch.Tensor, targets: torch.Tensor, j: float = DEFAULT_J, reduction: str = "mean"
) -> torch.Tensor:
    """Eq. 9, the MAP criterion: E = (1/P) sum_p [ y_{D_p} + log(e^-j + sum_i e^-y_i) ].

    The second term pulls up the penalties of the wrong classes (it is a competition between
    classes); the constant e^-j keeps penalties already larger than about j from being pushed
    further.
    """
    rejection = penalties.new_full((penalties.shape[0], 1), -j)
    competition = torch.logsumexp(torch.cat([rejection, -penalties], dim=1), dim=1)
    return _reduce(_correct_penalty(penalties, targets) + competition, reduction)


def _reduce(per_pattern: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return per_pattern.mean()
    if reduction == "sum":
        return per_pattern.sum()
    if reduction == "none":
        return per_pattern
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def loss_and_gradient(loss, penalties: torch.Tensor, target: torch.Tensor):
    """``loss`` (a criterion of this module) on one pattern's ten penalties, and its gradient
    dE/dy in float64: how hard the criterion pushes each penalty, and which way."""
    y = penalties.detach().clone().double().requires_grad_(True)
    value = loss(y[None], target.view(1))
    (grad,) = torch.autograd.grad(value, y)
    return value.item(), grad


def criterion(name: str, j: float = DEFAULT_J):
    """The loss called ``name`` as ``f(outputs, targets, reduction)``: 'map' (Eq. 9) or 'ml'
    (Eq. 8) on RBF penalties, 'cross_entropy' on the scores of a linear output."""
    if name == "map":
        return lambda y, t, reduction="mean": map_criterion(y, t, j, reduction)
    if name == "ml":
        return maximum_likelihood
    if name == "cross_entropy":
        return F.cross_entropy
    raise ValueError(
        f"unknown loss {name!r}: choose 'map' (Eq. 9), 'ml' (Eq. 8) or 'cross_entropy'"
    )
