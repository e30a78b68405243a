"""The layers of LeNet-5, each computing what Section II-B (and Appendix A) writes.

A trainable layer is its parameters and one ``linear(x, weight, bias)``, the pre-activation as a
pure function of its parameters; ``forward`` squashes what ``linear`` returns. These are the
formulas as the paper writes them, the code the chapters show. ``lenet_nb.network.fast`` holds
the same arithmetic in forms CPUs run faster, which the assembled network runs by default
(``LeNet5.fast``); tests hold the two equal. The ablations' substitutes (max-pooling, a softmax
output) are in ``lenet_nb.network.substitutes``; the Gauss-Newton recursion through these layers
is in ``lenet_nb.training.curvature``, their operation counts in ``lenet_nb.studies.operations``.
"""

import torch
import torch.nn.functional as F
from torch import nn

from lenet_nb.network.initialisation import AUTHORS_SUBSAMPLING_COEFFICIENT, initialise

# Appendix A, Eq. 6: f(a) = A tanh(S a), A = 1.7159, S = 2/3, so that f(1) = 1 and f(-1) = -1.
SQUASH_A = 1.7159
SQUASH_S = 2.0 / 3.0

# Table I: the S2 feature maps combined by each C3 feature map.
C3_TABLE = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (0, 4, 5),
    (0, 1, 5),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (0, 3, 4, 5),
    (0, 1, 4, 5),
    (0, 1, 2, 5),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)

# What tutorials use instead of Table I: every C3 map sees all six S2 maps.
FULL_C3 = (tuple(range(6)),) * 16


def squash(a: torch.Tensor) -> torch.Tensor:
    """The squashing function f(a) = A tanh(S a) of Appendix A (Eq. 6)."""
    return SQUASH_A * torch.tanh(SQUASH_S * a)


def squash_derivative(a: torch.Tensor) -> torch.Tensor:
    """f'(a) = A S (1 - tanh^2(S a)), used by the Gauss-Newton back-propagation."""
    return SQUASH_A * SQUASH_S * (1 - torch.tanh(SQUASH_S * a) ** 2)


def _relu_derivative(a: torch.Tensor) -> torch.Tensor:
    return (a > 0).to(a.dtype)


def _sigmoid_derivative(a: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(a)
    return s * (1 - s)


def _identity(a: torch.Tensor) -> torch.Tensor:
    return a


# Each activation with its derivative, which the Gauss-Newton recursion needs (Eq. 25). Only
# "scaled_tanh" is the paper's; the others are what tutorials put in its place
# (lenet_nb.training.recipes).
ACTIVATIONS = {
    "scaled_tanh": (squash, squash_derivative),
    "relu": (F.relu, _relu_derivative),
    "sigmoid": (torch.sigmoid, _sigmoid_derivative),
    "identity": (_identity, torch.ones_like),
}


class TrainableLayer(nn.Module):
    """A layer computing y = f(a), a = ``linear(x)`` its units' weighted sums (Section II-B).

    ``fan_in`` holds one number per feature map: the inputs of one unit of that map.
    ``activation`` names f; only the ablations of ``lenet_nb.training.recipes`` change it from
    the paper's. What an initialisation rule needs (``lenet_nb.network.initialisation``), each
    layer declares: ``weight_fan_in``, ``weight_fan_out`` and ``authors_weight``.
    """

    fan_in: torch.Tensor
    activation = "scaled_tanh"
    authors_weight = None  # the authors' code draws the weights uniformly

    def linear(self, x, weight, bias):  # pragma: no cover - abstract
        raise NotImplementedError

    def preactivation(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x, self.weight, self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f, _ = ACTIVATIONS[self.activation]  # squash (Eq. 6), unless an ablation changed it
        return f(self.preactivation(x))

    def set_activation(self, name: str) -> None:
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}: choose one of {sorted(ACTIVATIONS)}")
        self.activation = name

    def reset_parameters(self, scheme: str = "paper") -> None:
        """Draw the parameters by ``scheme`` (``lenet_nb.network.initialisation.initialise``)."""
        initialise(self, scheme)

    def weight_fan_in(self) -> torch.Tensor:
        """The fan-in of the unit each row of ``weight`` feeds."""
        return self.fan_in

    def weight_fan_out(self) -> torch.Tensor | None:
        """The outputs each row of ``weight`` feeds (Glorot's rule); None where it has no
        meaning."""
        return None


class ConvolutionLayer(TrainableLayer):
    """A convolutional layer of shared 5x5 kernels (Section II-A), as C1 and C5 use it.

    "Units in a layer are organized in planes within which all the units share the same set of
    weights": one kernel and one bias per feature map.
    """

    def __init__(self, in_maps: int, out_maps: int, kernel_size: int = 5, padding: int = 0):
        super().__init__()
        self.padding = padding  # 0 in the paper; tutorials feeding 28x28 digits pad C1 by 2
        self.weight = nn.Parameter(torch.empty(out_maps, in_maps, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(out_maps))
        self.register_buffer(
            "fan_in", torch.full((out_maps,), in_maps * kernel_size**2), persistent=False
        )
        self.reset_parameters()

    def weight_fan_out(self) -> torch.Tensor:
        return torch.full_like(self.fan_in, self.weight[:, 0].numel())

    def linear(self, x, weight, bias):
        return F.conv2d(x, weight, bias, padding=self.padding)


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
        self.register_buffer(
            "fan_in", torch.tensor([len(t) * kernel_size**2 for t in table]), persistent=False
        )
        self.weight = nn.Parameter(torch.empty(len(in_idx), kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.empty(len(table)))
        self.reset_parameters()

    def weight_fan_in(self) -> torch.Tensor:
        return self.fan_in[self.out_index]

    def weight_fan_out(self) -> torch.Tensor:
        """Per kernel: the outputs its input map feeds, (C3 maps using it) x 25."""
        users = torch.bincount(self.in_index, minlength=self.in_maps)
        return users[self.in_index] * self.weight[0].numel()

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

    Map i subsamples input map ``sources[i]`` (by default map i): LeNet-4 subsamples each of its
    four first-level maps twice, with coefficients of their own (Section III-C-2).
    """

    authors_weight = AUTHORS_SUBSAMPLING_COEFFICIENT  # the authors' code starts every one at 0.5

    def __init__(self, maps: int, sources=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(maps))
        self.bias = nn.Parameter(torch.empty(maps))
        self.register_buffer("fan_in", torch.full((maps,), 4), persistent=False)
        self.sources = None if sources is None else tuple(sources)
        if self.sources is not None and len(self.sources) != maps:
            raise ValueError(f"{maps} subsampling maps need {maps} sources, not {sources!r}")
        self.reset_parameters()

    def select(self, x: torch.Tensor) -> torch.Tensor:
        """The input map each of this layer's maps subsamples."""
        return x if self.sources is None else x[:, self.sources]

    def linear(self, x, weight, bias):
        x = self.select(x)
        rows, columns = x.shape[-2] // 2 * 2, x.shape[-1] // 2 * 2  # an odd last row or column
        x = x[..., :rows, :columns]  # belongs to no unit
        top_left, bottom_left = x[..., 0::2, 0::2], x[..., 1::2, 0::2]
        top_right, bottom_right = x[..., 0::2, 1::2], x[..., 1::2, 1::2]
        summed = (top_left + bottom_left) + (top_right + bottom_right)  # the four inputs added
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

    def weight_fan_out(self) -> torch.Tensor:
        return torch.full_like(self.fan_in, len(self.fan_in))

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
        differences = x[:, None, :] - self.prototypes[None, :, :]  # x_j - w_ij, for every class i
        return (differences**2).sum(2)

    @staticmethod
    def decide(penalties: torch.Tensor) -> torch.Tensor:
        """The class with the smallest penalty."""
        return penalties.argmin(1)
