"""LeNet-5 assembled from its layers (Section II-B, Fig. 2), its layers' output shapes and
prediction."""

from collections import OrderedDict

import torch
from torch import nn

from lenet_nb.network import fast
from lenet_nb.network.layers import (
    C3_TABLE,
    ConvolutionLayer,
    EuclideanRBF,
    FullConnectionLayer,
    SparseConvolutionLayer,
    SubsamplingLayer,
    TrainableLayer,
)
from lenet_nb.network.prototypes import prototype_matrix
from lenet_nb.network.substitutes import FixedPooling, SoftmaxOutput

LAYER_NAMES = ("C1", "S2", "C3", "S4", "C5", "F6", "output")
INPUT_SHAPE = (1, 32, 32)


class LayeredNetwork(nn.Module):
    """A network that is its layers in order, each by its name in the paper: LeNet-5 here, its
    family in ``lenet_nb.network.family``. Subclasses set ``layer_names`` and the layers as
    attributes of those names, and ``input_size`` (the side of the square input).

    ``fast`` chooses how the layers compute: by default in the faster forms of
    ``lenet_nb.network.fast`` (what training and the chapters run), with ``fast = False`` each
    layer's own ``forward``, the paper's formula as written; the two agree to float rounding.
    """

    fast = True
    layer_names: tuple = ()
    input_size: int = 32
    digit_size: int = 20  # the side of the box MNIST scales its digits into

    def layers(self):
        """The layers in the paper's order, by the paper's names."""
        return [(name, getattr(self, name)) for name in self.layer_names]

    def trainable_layers(self):
        return [(name, layer) for name, layer in self.layers() if isinstance(layer, TrainableLayer)]

    def decide(self, outputs: torch.Tensor) -> torch.Tensor:
        """The predicted classes from ``forward``'s outputs (argmin of the RBF penalties)."""
        return self.output.decide(outputs)

    def run(self, layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """One layer's output, in the form ``fast`` chooses."""
        return fast.forward(layer, x) if self.fast else layer(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _, layer in self.layers():
            x = self.run(layer, x)
        return x

    def activations(
        self, x: torch.Tensor, upto: str = "output"
    ) -> "OrderedDict[str, torch.Tensor]":
        """Every layer's output for one forward pass, keyed by the paper's names (not detached).

        ``upto`` stops after that layer, e.g. ``"C5"`` for an input wider than 32x32.
        """
        out = OrderedDict()
        for name, layer in self.layers():
            x = out[name] = self.run(layer, x)
            if name == upto:
                break
        return out


class LeNet5(LayeredNetwork):
    """LeNet-5: "comprises 7 layers, not counting the input, all of which contain trainable
    parameters" (the output layer's are fixed by hand). ``forward`` returns the ten RBF penalties;
    the prediction is their argmin.

    The keyword options exist for the ablations of ``lenet_nb.training.recipes``, each one of the
    common simplifications; their defaults are the paper's network:
    ``activation`` "relu" or "sigmoid" instead of the scaled tanh, ``pooling`` "max" or "avg"
    instead of trainable subsampling, ``output`` "linear" (scores for softmax cross-entropy) instead
    of the RBF, ``input_size`` 28 for unpadded digits, ``c1_padding`` 2 to pad them inside C1, and
    ``init`` "authors", "torch" or "xavier" instead of Appendix A's rule.
    """

    layer_names = LAYER_NAMES

    def __init__(
        self,
        c3_table=C3_TABLE,
        *,
        activation: str = "scaled_tanh",
        pooling: str = "trainable",
        output: str = "rbf",
        input_size: int = 32,
        c1_padding: int = 0,
        init: str = "paper",
    ):
        super().__init__()
        self.input_size = input_size
        self.C1 = ConvolutionLayer(1, 6, padding=c1_padding)
        self.S2 = _subsampling(pooling, 6)
        self.C3 = SparseConvolutionLayer(c3_table)
        self.S4 = _subsampling(pooling, 16)
        self.C5 = ConvolutionLayer(16, 120, kernel_size=_c5_kernel(input_size, c1_padding))
        self.F6 = FullConnectionLayer(120, 84)
        self.output = _output_layer(output)
        self._simplify(activation, init)

    def _simplify(self, activation: str, init: str) -> None:
        """The activation and initialisation options, applied to every trainable layer but the
        output (whose activation is part of its definition)."""
        for _, layer in self.trainable_layers():
            if layer is not self.output:
                layer.set_activation(activation)
            if init != "paper":
                layer.reset_parameters(init)


def output_shapes(model: LayeredNetwork) -> "OrderedDict[str, tuple]":
    """Each layer's output shape (without the batch), from one pattern of the model's input size."""
    device = next(model.parameters()).device
    probe = torch.zeros(1, 1, model.input_size, model.input_size, device=device)
    with torch.no_grad():
        acts = model.activations(probe)
    return OrderedDict((name, tuple(value.shape[1:])) for name, value in acts.items())


def _subsampling(pooling: str, maps: int) -> nn.Module:
    if pooling == "trainable":
        return SubsamplingLayer(maps)
    return FixedPooling(pooling)


def _c5_kernel(input_size: int, c1_padding: int) -> int:
    """C5 spans all of S4: 5x5 from 32x32 inputs, 4x4 from unpadded 28x28 ones."""
    s4_size = ((input_size + 2 * c1_padding - 4) // 2 - 4) // 2
    if s4_size < 1:
        raise ValueError(
            f"a {input_size}x{input_size} input (C1 padding {c1_padding}) is too "
            "small for LeNet-5's layers; use 28 or more"
        )
    return min(5, s4_size)


def _output_layer(output: str) -> nn.Module:
    if output in ("rbf", "rbf+blank"):  # rbf+blank: the SDNN's eleventh class (Section VII-B)
        return EuclideanRBF(prototype_matrix(blank=output == "rbf+blank"))
    if output == "linear":
        return SoftmaxOutput(84, 10)
    raise ValueError(f"output must be 'rbf', 'rbf+blank' or 'linear', not {output!r}")
