"""What tutorials put in place of the paper's layers: not the paper's, the ablations' (Ablation).

``LeNet5(pooling="max")`` or ``"avg"`` puts ``FixedPooling`` where S2 and S4 are, and
``LeNet5(output="linear")`` puts ``SoftmaxOutput`` where the RBF is (``lenet_nb.training.recipes``
names every network built from them). Their curvature rules are in
``lenet_nb.training.curvature``, their operation counts in ``lenet_nb.studies.operations``.
"""

import torch
import torch.nn.functional as F
from torch import nn

from lenet_nb.network.layers import FullConnectionLayer


class FixedPooling(nn.Module):
    """2x2 max- or average-pooling with nothing to train: what tutorials put where S2 and S4 are.

    Unlike the paper's subsampling it has no coefficient, no bias and no squashing function.
    """

    def __init__(self, kind: str):
        super().__init__()
        if kind not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg', not {kind!r}")
        self.kind = kind

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(x, 2) if self.kind == "max" else F.avg_pool2d(x, 2)


class SoftmaxOutput(FullConnectionLayer):
    """The linear 10-way output tutorials use, trained with softmax cross-entropy.

    ``decide`` takes the largest score. For SDLM the recursion starts from the Gauss-Newton
    curvature of cross-entropy in the scores, p_i (1 - p_i).
    """

    activation = "identity"

    @staticmethod
    def decide(scores: torch.Tensor) -> torch.Tensor:
        return scores.argmax(1)
