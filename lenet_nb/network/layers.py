"""The layers of LeNet-5, each as the paper describes it (Section II-B, Appendix A).

Every trainable layer computes its pre-activation through ``linear(x, weight, bias)``, a pure
function of its parameters: the forward pass uses it (C5, where it has one position, as the
equal matrix product), and so does the Gauss-Newton estimate of Appendix C (``lenet_nb.training.sdlm``),
which feeds it squared inputs and squared weights.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lenet_nb.network.blocks import block_sum

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

# What tutorials use instead of Table I: every C3 map sees all six S2 maps.
FULL_C3 = (tuple(range(6)),) * 16

RBF_CURVATURE = 2.0  # d^2/dx_j^2 of y_D = sum_j (x_j - w_Dj)^2, where Appendix C's recursion starts

INIT_RANGE = 2.4  # Appendix A: weights uniform in [-2.4/F, 2.4/F], F the unit's fan-in


@dataclass(frozen=True)
class LayerCost:
    """One layer's arithmetic for one pattern, counted by the conventions of ``lenet_nb.studies.cost``."""
    units: int  # output units
    macs: int  # multiply-accumulates
    bias_additions: int = 0  # one per unit that has a bias
    sum_additions: int = 0  # a subsampling unit's 4 inputs summed: 3 per unit
    subtractions: int = 0  # the RBF's differences x_j - w_ij
    squashings: int = 0  # evaluations of the squashing function
    name: str = ""

    @property
    def connections(self) -> int:
        """The paper's connection count: every input of a unit, and its bias, once."""
        return self.macs + self.bias_additions + self.sum_additions


def squash(a: torch.Tensor) -> torch.Tensor:
    """The squashing function f(a) = A tanh(S a) of Appendix A (Eq. 6).

    Evaluated as 2A sigmoid(2S a) - A, the same function (tanh z = 2 sigmoid(2z) - 1): PyTorch's
    float32 sigmoid runs 2-3x faster than its tanh on CPUs, and the two agree to about 4e-7.
    """
    # rsub(s, c, alpha=k) is c - k s: the affine map in one operation.
    return torch.rsub(torch.sigmoid((2 * SQUASH_S) * a), -SQUASH_A, alpha=-2 * SQUASH_A)


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
# "scaled_tanh" is the paper's; the others are what tutorials put in its place (lenet_nb.training.recipes).
ACTIVATIONS = {
    "scaled_tanh": (squash, squash_derivative),
    "relu": (F.relu, _relu_derivative),
    "sigmoid": (torch.sigmoid, _sigmoid_derivative),
    "identity": (_identity, torch.ones_like),
}
INITIALISATIONS = ("paper", "authors", "torch", "xavier")
# The authors' own LeNet-5 demo (Lush's gblearn2): subsampling coefficients start here.
AUTHORS_SUBSAMPLING_COEFFICIENT = 0.5


def _uniform_(tensor: torch.Tensor, bound: torch.Tensor) -> None:
    """U(-bound, bound) in place; ``bound`` broadcasts along the first dimension (one per unit)."""
    bound = bound.to(tensor.dtype).reshape(-1, *([1] * (tensor.dim() - 1)))
    with torch.no_grad():
        tensor.uniform_(-1, 1).mul_(bound)


class TrainableLayer(nn.Module):
    """A layer computing ``squash(linear(x))``, with the bookkeeping the paper's counts need.

    ``fan_in`` holds one number per feature map: the inputs of one unit of that map. A unit has
    ``fan_in + 1`` connections (its bias counts once), and ``connections`` multiplies by units.
    ``activation`` names the squashing function; only the ablations of ``lenet_nb.training.recipes``
    change it from the paper's.
    """

    fan_in: torch.Tensor
    activation = "scaled_tanh"

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

    def curvature_backward(self, x: torch.Tensor, second: torch.Tensor, need_input: bool = True):
        """One step of Appendix C's recursion: from d2E/dy^2 at this layer's output (``second``)
        to ``[(parameter, h_kk)]`` for its weight and bias, and d2E/dx^2 at its input ``x``.

        d2E/da^2 = f'(a)^2 d2E/dy^2 (Eq. 25). The weights' and the inputs' second derivatives are
        the transpose of the linear map applied to it with squared inputs, resp. squared weights
        (Eqs. 23-24, 26): we evaluate ``linear`` on squared quantities and let autograd transpose.
        """
        d2a = ACTIVATIONS[self.activation][1](self.preactivation(x)) ** 2 * second
        w_probe = torch.zeros_like(self.weight, requires_grad=True)
        b_probe = torch.zeros_like(self.bias, requires_grad=True)
        wanted = [w_probe, b_probe]
        surrogate = (self.linear(x ** 2, w_probe, b_probe) * d2a).sum()
        if need_input:
            x_probe = torch.zeros_like(x, requires_grad=True)
            squared = self.weight.detach() ** 2
            surrogate = surrogate + (self.linear(x_probe, squared, torch.zeros_like(b_probe))
                                     * d2a).sum()
            wanted.append(x_probe)
        grads = torch.autograd.grad(surrogate, wanted)
        second_in = grads[2] if need_input else None
        return [(self.weight, grads[0]), (self.bias, grads[1])], second_in

    def cost(self, output_shape) -> LayerCost:
        """One pattern's arithmetic, given this layer's output shape (without batch): a weighted
        sum (convolution or full connection) takes one MAC per weight per position, starts from
        the bias, and is squashed."""
        units = math.prod(output_shape)
        positions = math.prod(output_shape[1:]) if len(output_shape) > 1 else 1
        squashings = 0 if self.activation == "identity" else units
        return LayerCost(units, self.weight.numel() * positions, bias_additions=units,
                         squashings=squashings)

    def connections(self, output_shape) -> int:
        """Connections of one pattern: every input of a unit, and its bias, once."""
        return self.cost(output_shape).connections

    def reset_parameters(self, scheme: str = "paper") -> None:
        """"paper": U(-2.4/F, 2.4/F) (Appendix A); "authors": what the authors' own demo code
        did, weights U(-1/sqrt F, 1/sqrt F), biases 0, subsampling coefficients 0.5; "torch":
        PyTorch's default U(-1/sqrt F, 1/sqrt F) for weights and biases; "xavier": Glorot's
        uniform weights and zero biases (Keras's default)."""
        if scheme == "paper":
            # The paper states no rule for biases: we draw them from each unit's weight range too.
            _uniform_(self.bias, INIT_RANGE / self.fan_in)
            _uniform_(self.weight, INIT_RANGE / self._weight_fan_in())
        elif scheme == "authors":
            nn.init.zeros_(self.bias)
            if isinstance(self, SubsamplingLayer):
                nn.init.constant_(self.weight, AUTHORS_SUBSAMPLING_COEFFICIENT)
            else:
                _uniform_(self.weight, self._weight_fan_in().float().rsqrt())
        elif scheme == "torch":
            _uniform_(self.bias, self.fan_in.float().rsqrt())
            _uniform_(self.weight, self._weight_fan_in().float().rsqrt())
        elif scheme == "xavier" and hasattr(self, "_weight_fan_out"):
            fans = self._weight_fan_in() + self._weight_fan_out()
            _uniform_(self.weight, (6.0 / fans.float()).sqrt())
            nn.init.zeros_(self.bias)
        else:
            raise ValueError(f"initialisation {scheme!r} is not defined for {type(self).__name__};"
                             f" choose one of {INITIALISATIONS}")

    def _weight_fan_in(self) -> torch.Tensor:
        return self.fan_in


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
        self.register_buffer("fan_in", torch.full((out_maps,), in_maps * kernel_size**2),
                             persistent=False)
        self.reset_parameters()

    def _weight_fan_out(self) -> torch.Tensor:
        return torch.full_like(self.fan_in, self.weight[:, 0].numel())

    def linear(self, x, weight, bias):
        return F.conv2d(x, weight, bias, padding=self.padding)

    def preactivation(self, x: torch.Tensor) -> torch.Tensor:
        """``linear``; where the kernel covers the whole input (C5 on a 32x32 digit: one
        position), the same weighted sums as one matrix product, several times faster on CPUs."""
        if self.padding == 0 and x.shape[-2:] == self.weight.shape[-2:]:
            return F.linear(x.flatten(1), self.weight.flatten(1), self.bias)[:, :, None, None]
        return self.linear(x, self.weight, self.bias)


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

    def _weight_fan_out(self) -> torch.Tensor:
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
    """

    def __init__(self, maps: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(maps))
        self.bias = nn.Parameter(torch.empty(maps))
        self.register_buffer("fan_in", torch.full((maps,), 4), persistent=False)
        self.reset_parameters()

    def linear(self, x, weight, bias):
        summed = block_sum(x)  # the four inputs of each unit added
        return summed * weight.view(1, -1, 1, 1) + bias.view(1, -1, 1, 1)

    def cost(self, output_shape) -> LayerCost:
        """Per unit: 3 additions sum the 4 inputs, 1 MAC applies the coefficient, 1 adds the bias."""
        units = math.prod(output_shape)
        return LayerCost(units, units, bias_additions=units, sum_additions=3 * units,
                         squashings=units)


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

    def cost(self, output_shape) -> LayerCost:
        """Per unit: 4 inputs, combined by 3 additions (or comparisons) and one scaling."""
        units = math.prod(output_shape)
        return LayerCost(units, units, sum_additions=3 * units)

    def connections(self, output_shape) -> int:
        return self.cost(output_shape).connections

    def curvature_backward(self, x: torch.Tensor, second: torch.Tensor, need_input: bool = True):
        """The recursion through a fixed linear map: its transpose with squared weights. Max-pooling
        selects one input per unit (a weight of 1, its own square), averaging weighs each by 1/4."""
        x = x.detach().requires_grad_(True)
        (back,) = torch.autograd.grad(self(x), x, second)
        return [], back if self.kind == "max" else back / 4


class FullConnectionLayer(TrainableLayer):
    """F6: "computes a dot product between its input vector and its weight vector, to which a
    bias is added", then the squashing function. 84 units, one per pixel of a 7x12 bitmap."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        self.register_buffer("fan_in", torch.full((out_features,), in_features), persistent=False)
        self.reset_parameters()

    def _weight_fan_out(self) -> torch.Tensor:
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
        # Expanded square: one matrix product instead of a 10 x 84 difference per pattern.
        w = self.prototypes
        return (x * x).sum(1, keepdim=True) - 2 * x @ w.T + (w * w).sum(1)

    def cost(self, output_shape) -> LayerCost:
        """Per class: 84 differences x_j - w_ij, and 84 MACs accumulating their squares."""
        n = self.prototypes.numel()
        return LayerCost(math.prod(output_shape), n, subtractions=n)

    def connections(self, output_shape) -> int:
        return self.cost(output_shape).connections

    @staticmethod
    def decide(penalties: torch.Tensor) -> torch.Tensor:
        """The class with the smallest penalty."""
        return penalties.argmin(1)

    def curvature_backward(self, x: torch.Tensor, second, need_input: bool = True):
        """Where Appendix C's recursion starts: the curvature of the correct class's penalty
        (exact for Eq. 8; for Eq. 9 the competition term's, which can be negative, is dropped)."""
        return [], torch.full_like(x, RBF_CURVATURE)


class SoftmaxOutput(FullConnectionLayer):
    """Not the paper's: the linear 10-way output tutorials use, trained with softmax cross-entropy.

    ``decide`` takes the largest score. For SDLM the recursion starts from the Gauss-Newton
    curvature of cross-entropy in the scores, p_i (1 - p_i).
    """

    activation = "identity"

    @staticmethod
    def decide(scores: torch.Tensor) -> torch.Tensor:
        return scores.argmax(1)

    def curvature_backward(self, x: torch.Tensor, second, need_input: bool = True):
        p = torch.softmax(self.preactivation(x), dim=1)
        return super().curvature_backward(x, p * (1 - p), need_input)
