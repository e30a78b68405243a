"""The layers' arithmetic in the forms CPUs run faster: what the assembled network runs.

Each function computes what a layer of ``lenet_nb.network.layers`` writes as the paper does, to
float rounding (``tests/test_fast.py`` holds every one to the plain formula, values and
gradients, and the whole committed network both ways):

* the squashing function as 2A sigmoid(2S a) - A (tanh z = 2 sigmoid(2z) - 1): PyTorch's float32
  sigmoid runs 2-3x faster than its tanh on CPUs;
* S2's and S4's 2x2 sums as a sum over row pairs and an addition of column pairs (about 1.6x
  faster than average pooling at batch 64, forward and backward);
* C5, where its kernels cover the whole input (a 32x32 digit: one position), as the matrix
  product the convolution then equals, several times faster on CPUs (LeNet-4's sparse
  120-unit layer too);
* the RBF's squared distances expanded, sum x^2 - 2 x.w + sum w^2: one matrix product instead of
  a 10 x 84 difference per pattern.

``LeNet5.fast`` (True by default) chooses between ``forward(layer, x)`` here and ``layer(x)``; the
Gauss-Newton recursion (``lenet_nb.training.curvature``) uses ``preactivation`` to follow the
forward pass training runs.
"""

from functools import singledispatch

import torch
import torch.nn.functional as F

from lenet_nb.network.layers import (
    ACTIVATIONS,
    SQUASH_A,
    SQUASH_S,
    ConvolutionLayer,
    EuclideanRBF,
    SparseConvolutionLayer,
    SubsamplingLayer,
    TrainableLayer,
)


def squash(a: torch.Tensor) -> torch.Tensor:
    """A tanh(S a) (Eq. 6) as 2A sigmoid(2S a) - A; rsub(s, c, alpha=k) is c - k s: the affine
    map in one operation."""
    return torch.rsub(torch.sigmoid((2 * SQUASH_S) * a), -SQUASH_A, alpha=-2 * SQUASH_A)


# The activations by name, the paper's in its faster form; the tutorials' are already one kernel.
ACTIVATION_FORMS = {name: f for name, (f, _) in ACTIVATIONS.items()} | {"scaled_tanh": squash}


def block_sum(x: torch.Tensor) -> torch.Tensor:
    """The sum of each non-overlapping 2x2 block of ``x`` (batch x maps x rows x columns), a
    trailing odd row or column dropped: rows 2i and 2i + 1 added, then columns 2j and 2j + 1."""
    n, c, h, w = x.shape
    if h % 2 or w % 2:
        h, w = h - h % 2, w - w % 2
        x = x[:, :, :h, :w]
    rows = x.reshape(n, c, h // 2, 2, w).sum(3)
    columns = rows.view(n, c, h // 2, w // 2, 2)
    return columns[..., 0] + columns[..., 1]


@singledispatch
def preactivation(layer: TrainableLayer, x: torch.Tensor) -> torch.Tensor:
    """A trainable layer's weighted sums a, in the fastest form we have: by default its own."""
    return layer.preactivation(x)


@preactivation.register
def _(layer: SubsamplingLayer, x: torch.Tensor) -> torch.Tensor:
    return block_sum(layer.select(x)) * layer.weight.view(1, -1, 1, 1) + layer.bias.view(
        1, -1, 1, 1
    )


@preactivation.register
def _(layer: ConvolutionLayer, x: torch.Tensor) -> torch.Tensor:
    if layer.padding == 0 and x.shape[-2:] == layer.weight.shape[-2:]:  # one position: C5
        return F.linear(x.flatten(1), layer.weight.flatten(1), layer.bias)[:, :, None, None]
    return layer.preactivation(x)


@preactivation.register
def _(layer: SparseConvolutionLayer, x: torch.Tensor) -> torch.Tensor:
    if x.shape[-2:] == layer.weight.shape[-2:]:  # one position: LeNet-4's 120-unit layer
        weight = layer.dense_weight(layer.weight).flatten(1)
        return F.linear(x.flatten(1), weight, layer.bias)[:, :, None, None]
    return layer.preactivation(x)


@singledispatch
def forward(layer, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` in its faster form; a layer without one (the tutorials' pooling) runs itself."""
    return layer(x)


@forward.register
def _(layer: TrainableLayer, x: torch.Tensor) -> torch.Tensor:
    return ACTIVATION_FORMS[layer.activation](preactivation(layer, x))


@forward.register
def _(layer: EuclideanRBF, x: torch.Tensor) -> torch.Tensor:
    w = layer.prototypes
    return (x * x).sum(1, keepdim=True) - 2 * x @ w.T + (w * w).sum(1)
