"""What one recognition costs: arithmetic counted from the modules themselves (Fig. 11).

The paper says LeNet-5 needs about 401 thousand multiply-accumulate operations per recognition.
``multiply_accumulates`` counts them layer by layer from the weight shapes, C3's connection table
and the output sizes of a forward pass, with these conventions:

* a multiply-accumulate (MAC) is one product added into a running sum;
* a convolution (C1, C3, C5) or the full connection F6: one MAC per weight per output position,
  i.e. per output unit the kernel taps of every input map connected to it (C3: only the maps of
  Table I); the sum starts from the bias, so the bias costs one addition per unit;
* a subsampling unit (S2, S4) adds its 4 inputs (3 additions), multiplies the sum by the
  coefficient and adds the bias: 1 MAC plus the 3 additions, and the bias as 1 more addition;
* an RBF output unit (Eq. 7) forms 84 differences x_j - w_ij (84 subtractions) and accumulates
  their squares (84 MACs).

The squashing function (one per unit of C1 to F6) is counted separately, as ``squashings``.
With these conventions the paper's "connections" are exactly MACs plus bias and subsampling
additions: the count below splits its 340,908 into operations.

``seconds_per_digit`` measures the other cost, wall time, on whatever runs it.
"""
import math
import time
from dataclasses import dataclass

import torch

from .layers import (ConvolutionLayer, EuclideanRBF, FullConnectionLayer, SparseConvolutionLayer,
                     SubsamplingLayer)
from .model import INPUT_SHAPE
from .train import predict_classes


@dataclass(frozen=True)
class LayerCost:
    name: str
    units: int  # output units of one pattern
    macs: int  # multiply-accumulates
    bias_additions: int  # one per unit that has a bias
    sum_additions: int  # a subsampling unit's 4 inputs summed: 3 per unit
    subtractions: int  # the RBF's differences x_j - w_ij: 84 per class
    squashings: int  # evaluations of the squashing function

    @property
    def connections(self) -> int:
        """The paper's connection count: every input of a unit, and its bias, once."""
        return self.macs + self.bias_additions + self.sum_additions


def _layer_cost(name: str, layer, output: torch.Tensor) -> LayerCost:
    shape = tuple(output.shape[1:])  # one pattern
    units = math.prod(shape)
    positions = math.prod(shape[1:]) if len(shape) > 1 else 1  # per feature map
    if isinstance(layer, SparseConvolutionLayer):
        # weight: one 5x5 kernel per connected (C3 map, S2 map) pair of Table I.
        return LayerCost(name, units, layer.weight.numel() * positions, units, 0, 0, units)
    if isinstance(layer, ConvolutionLayer):
        # weight: out maps x in maps x 5 x 5; every out map sees every in map.
        return LayerCost(name, units, layer.weight.numel() * positions, units, 0, 0, units)
    if isinstance(layer, SubsamplingLayer):
        return LayerCost(name, units, units, units, 3 * units, 0, units)
    if isinstance(layer, FullConnectionLayer):
        return LayerCost(name, units, layer.weight.numel(), units, 0, 0, units)
    if isinstance(layer, EuclideanRBF):
        n = layer.prototypes.numel()  # classes x 84
        return LayerCost(name, units, n, 0, 0, n, 0)
    raise TypeError(f"no cost rule for layer {name} ({type(layer).__name__})")


def multiply_accumulates(model) -> list[LayerCost]:
    """The cost of recognising one 32x32 digit, layer by layer (the output sizes come from a
    forward pass of one blank pattern)."""
    device = next(model.buffers()).device
    with torch.no_grad():
        acts = model.activations(torch.zeros(1, *INPUT_SHAPE, device=device))
    return [_layer_cost(name, layer, acts[name]) for name, layer in model.layers()]


def total_macs(model) -> int:
    return sum(row.macs for row in multiply_accumulates(model))


@torch.no_grad()
def seconds_per_digit(model, images: torch.Tensor, batch_size: int | None = None,
                      repeats: int = 3) -> float:
    """Wall time to recognise ``images`` (preprocessed, on the model's device) divided by their
    number: ``batch_size`` digits per forward pass (None: all at once), the best of ``repeats``
    timed runs after one untimed warm-up. Varies with the machine and its load."""
    batch_size = batch_size or len(images)
    device = images.device

    def recognise():
        predict_classes(model, images, batch_size)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    recognise()
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        recognise()
        best = min(best, time.perf_counter() - began)
    return best / len(images)
