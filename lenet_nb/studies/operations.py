"""Each layer's arithmetic for one pattern, counted by kind of layer, and the per-layer summary.

``layer_cost(layer, output_shape)`` counts one pattern's operations in ``layer`` by the
conventions of ``lenet_nb.studies.cost``, from its weight shapes, C3's connection table and the
output shape (without the batch) of a forward pass; rules are registered by layer type.
``summary`` gives each layer's output shape, trainable parameters and the paper's connections
(Section II-B), computed from the modules.
"""

import math
from dataclasses import dataclass, replace
from functools import singledispatch

from lenet_nb.network.layers import EuclideanRBF, SubsamplingLayer, TrainableLayer
from lenet_nb.network.model import LeNet5, output_shapes
from lenet_nb.network.substitutes import FixedPooling


@dataclass(frozen=True)
class LayerCost:
    """One layer's arithmetic for one pattern, counted by the conventions of
    ``lenet_nb.studies.cost``."""

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


@singledispatch
def layer_cost(layer, output_shape) -> LayerCost:
    raise TypeError(
        f"no cost rule for {type(layer).__name__}: register one with "
        "lenet_nb.studies.operations.layer_cost.register"
    )


def named_cost(name: str, layer, output_shape) -> LayerCost:
    """``layer_cost`` of the layer called ``name``, which it carries; refused by that name."""
    if layer_cost.dispatch(type(layer)) is layer_cost.dispatch(object):
        raise TypeError(
            f"no cost rule for layer {name} ({type(layer).__name__}): register one "
            "with lenet_nb.studies.operations.layer_cost.register"
        )
    return replace(layer_cost(layer, output_shape), name=name)


@layer_cost.register
def _weighted_sums(layer: TrainableLayer, output_shape) -> LayerCost:
    """A weighted sum (convolution or full connection) takes one MAC per weight per position,
    starts from the bias, and is squashed (unless its activation is the identity)."""
    units = math.prod(output_shape)
    positions = math.prod(output_shape[1:]) if len(output_shape) > 1 else 1
    squashings = 0 if layer.activation == "identity" else units
    return LayerCost(
        units, layer.weight.numel() * positions, bias_additions=units, squashings=squashings
    )


@layer_cost.register
def _subsampling(layer: SubsamplingLayer, output_shape) -> LayerCost:
    """Per unit: 3 additions sum the 4 inputs, 1 MAC applies the coefficient, 1 adds the bias."""
    units = math.prod(output_shape)
    return LayerCost(units, units, bias_additions=units, sum_additions=3 * units, squashings=units)


@layer_cost.register
def _pooling(layer: FixedPooling, output_shape) -> LayerCost:
    """Per unit: 4 inputs, combined by 3 additions (or comparisons) and one scaling."""
    units = math.prod(output_shape)
    return LayerCost(units, units, sum_additions=3 * units)


@layer_cost.register
def _rbf(layer: EuclideanRBF, output_shape) -> LayerCost:
    """Per class: 84 differences x_j - w_ij, and 84 MACs accumulating their squares."""
    n = layer.prototypes.numel()
    return LayerCost(math.prod(output_shape), n, subtractions=n)


@dataclass(frozen=True)
class LayerSummary:
    name: str
    output_shape: tuple
    parameters: int
    connections: int


def summary(model: LeNet5) -> list[LayerSummary]:
    """Output shape, trainable parameters and connections of each layer, computed from the modules
    on one pattern of the model's input size."""
    shapes = output_shapes(model)
    return [
        LayerSummary(
            name,
            shapes[name],
            sum(p.numel() for p in layer.parameters() if p.requires_grad),
            named_cost(name, layer, shapes[name]).connections,
        )
        for name, layer in model.layers()
    ]
