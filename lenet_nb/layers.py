"""The layers of LeNet-5, each as the paper describes it (Section II-B, Appendix A).

Every trainable layer computes its pre-activation through ``linear(x, weight, bias)``, a pure
function of its parameters: the forward pass uses it, and so does the Gauss-Newton estimate of
Appendix C (``lenet_nb.optim``), which feeds it squared inputs and squared weights.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

# Appendix A, Eq. 6: f(a) = A tanh(S a), A = 1.7159, S = 2/3, so that f(1) = 1 and f(-1) = -1.
SQUASH_A = 1.7159
SQUASH_S = 2.0 / 3.0

# Table I: the S2 feature maps combined by each C3 feature map.
C3_TABLE = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)

INIT_RANGE = 2.4  # Appendix A: weights uniform in [-2.4/F, 2.4/F], F the unit's fan-in


def squash(a: torch.Tensor) -> torch.Tensor:
    """The squashing function f(a) = A tanh(S a) of Appendix A (Eq. 6)."""
    return SQUASH_A * torch.tanh(SQUASH_S * a)


def squash_derivative(a: torch.Tensor) -> torch.Tensor:
    """f'(a) = A S (1 - tanh^2(S a)), used by the Gauss-Newton back-propagation."""
    return SQUASH_A * SQUASH_S * (1 - torch.tanh(SQUASH_S * a) ** 2)


class ScaledTanh(nn.Module):
    """f(a) = 1.7159 tanh(2a/3) (Appendix A, Eq. 6): f(1) = 1, f(-1) = -1, gain near 1 at 0."""

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return squash(a)


def _uniform_(tensor: torch.Tensor, fan_in: torch.Tensor | float) -> None:
    """U(-2.4/F, 2.4/F) in place; ``fan_in`` broadcasts along the first dimension (one per unit)."""
    bound = INIT_RANGE / torch.as_tensor(fan_in, dtype=tensor.dtype)
    bound = bound.reshape(-1, *([1] * (tensor.dim() - 1)))
    with torch.no_grad():
        tensor.uniform_(-1, 1).mul_(bound)


class TrainableLayer(nn.Module):
    """A layer computing ``squash(linear(x))``, with the bookkeeping the paper's counts need.

    ``fan_in`` holds one number per feature map: the inputs of one unit of that map. A unit has
    ``fan_in + 1`` connections (its bias counts once), and ``connections`` multiplies by units.
    """

    fan_in: torch.Tensor

    def linear(self, x, weight, bias):  # pragma: no cover - abstract
        raise NotImplementedError

    def preactivation(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x, self.weight, self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return squash(self.preactivation(x))

    def connections(self, output_shape: torch.Size) -> int:
        """Connections of one pattern, given this layer's output shape (without batch)."""
        units_per_map = math.prod(output_shape[1:]) if len(output_shape) > 1 else 1
        return int((self.fan_in + 1).sum()) * units_per_map

    def reset_parameters(self) -> None:
        # The paper states no rule for biases: we draw them from each unit's weight range too.
        _uniform_(self.bias, self.fan_in)
        _uniform_(self.weight, self._weight_fan_in())

    def _weight_fan_in(self) -> torch.Tensor:
        return self.fan_in


class ConvolutionLayer(TrainableLayer):
    """A convolutional layer of shared 5x5 kernels (Section II-A), as C1 and C5 use it.

    "Units in a layer are organized in planes within which all the units share the same set of
    weights": one kernel and one bias per feature map.
    """

    def __init__(self, in_maps: int, out_maps: int, kernel_size: int = 5):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_maps, in_maps, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(out_maps))
        self.register_buffer("fan_in", torch.full((out_maps,), in_maps * kernel_size**2),
                             persistent=False)
        self.reset_parameters()

    def linear(self, x, weight, bias):
        return F.conv2d(x, weight, bias)


class SparseConvolutionLayer(TrainableLayer):
    """C3: 5x5 convolutions where each output map sees only the input maps Table I gives it.

    Only the 60 connected (input, output) kernels are parameters (1,500 weights + 16 biases =
    1,516); they are scattered into a dense kernel for ``conv2d``, so the unconnected entries are
    zeros that carry no parameter and receive no update.
    """

    def __init__(self, table=C3_TABLE, in_maps: int = 6, kernel_size: int = 5):
        super().__init__()
        out_idx = [o for o, inputs in enumerate(table) for _ in inputs]
        in_idx = [i for inputs in table for i in inputs]
        self.in_maps, self.out_maps = in_maps, len(table)
        self.register_buffer("out_index", torch.tensor(out_idx), persistent=False)
        self.register_buffer("in_index", torch.tensor(in_idx), persistent=False)
        self.register_buffer("fan_in", torch.tensor([len(t) * kernel_size**2 for t in table]),
                             persistent=False)
        self.weight = nn.Parameter(torch.empty(len(in_idx), kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(len(table)))
        self.reset_parameters()

    def _weight_fan_in(self) -> torch.Tensor:
        return self.fan_in[self.out_index]

    def dense_weight(self, weight: torch.Tensor) -> torch.Tensor:
        """The ``out x in x 5 x 5`` kernel, zero where Table I has no connection."""
        dense = weight.new_zeros(self.out_maps, self.in_maps, *weight.shape[1:])
        return dense.index_put((self.out_index, self.in_index), weight)

    def linear(self, x, weight, bias):
        return F.conv2d(x, self.dense_weight(weight), bias)

    def connection_mask(self) -> torch.Tensor:
        """Table I as a boolean ``out x in`` matrix."""
        mask = torch.zeros(self.out_maps, self.in_maps, dtype=torch.bool)
        mask[self.out_index.cpu(), self.in_index.cpu()] = True
        return mask


class SubsamplingLayer(TrainableLayer):
    """S2 and S4: "The four inputs to a unit ... are added, then multiplied by a trainable
    coefficient, and added to a trainable bias. The result is passed through a sigmoidal function."

    One coefficient and one bias per feature map; 2x2 receptive fields that do not overlap. The
    paper gives no fan-in for the initialisation; we use the natural 4.
    """

    def __init__(self, maps: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(maps))
        self.bias = nn.Parameter(torch.empty(maps))
        self.register_buffer("fan_in", torch.full((maps,), 4), persistent=False)
        self.reset_parameters()

    def linear(self, x, weight, bias):
        summed = F.avg_pool2d(x, 2) * 4  # the sum of each non-overlapping 2x2 block
        return summed * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)


class FullConnectionLayer(TrainableLayer):
    """F6: "computes a dot product between its input vector and its weight vector, to which a
    bias is added", then the squashing function. 84 units, one per pixel of a 7x12 bitmap."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        self.register_buffer("fan_in", torch.full((out_features,), in_features), persistent=False)
        self.reset_parameters()

    def linear(self, x, weight, bias):
        return F.linear(x.flatten(1), weight, bias)


class EuclideanRBF(nn.Module):
    """The output layer (Section II-B, Eq. 7): y_i = sum_j (x_j - w_ij)^2.

    Each output is a penalty, the squared distance between the F6 vector and a fixed prototype of
    +-1 components; the prediction is the class with the smallest penalty. The prototypes are
    chosen by hand and never trained, so they are a buffer, not parameters.
    """

    def __init__(self, prototypes: torch.Tensor):
        super().__init__()
        self.register_buffer("prototypes", prototypes.detach().clone().float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Expanded square: one matrix product instead of a 10 x 84 difference per pattern.
        w = self.prototypes
        return (x * x).sum(1, keepdim=True) - 2 * x @ w.T + (w * w).sum(1)

    def connections(self, output_shape: torch.Size) -> int:
        return self.prototypes.numel()
