"""LeNet-5 assembled from its layers (Section II-B, Fig. 2), its per-layer summary and prediction."""
from collections import OrderedDict
from dataclasses import dataclass

import torch
from torch import nn

from .layers import (C3_TABLE, ConvolutionLayer, EuclideanRBF, FullConnectionLayer,
                     SparseConvolutionLayer, SubsamplingLayer)
from .prototypes import prototype_matrix

LAYER_NAMES = ("C1", "S2", "C3", "S4", "C5", "F6", "output")
INPUT_SHAPE = (1, 32, 32)


class LeNet5(nn.Module):
    """LeNet-5: "comprises 7 layers, not counting the input, all of which contain trainable
    parameters" (the output layer's are fixed by hand). ``forward`` returns the ten RBF penalties;
    the prediction is their argmin."""

    def __init__(self, c3_table=C3_TABLE):
        super().__init__()
        self.C1 = ConvolutionLayer(1, 6)
        self.S2 = SubsamplingLayer(6)
        self.C3 = SparseConvolutionLayer(c3_table)
        self.S4 = SubsamplingLayer(16)
        self.C5 = ConvolutionLayer(16, 120)
        self.F6 = FullConnectionLayer(120, 84)
        self.output = EuclideanRBF(prototype_matrix())

    def layers(self):
        """The seven layers in the paper's order, by the paper's names."""
        return [(name, getattr(self, name)) for name in LAYER_NAMES]

    def trainable_layers(self):
        return [(name, layer) for name, layer in self.layers() if name != "output"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for _, layer in self.layers():
            x = layer(x)
        return x

    def activations(self, x: torch.Tensor, upto: str = "output") -> "OrderedDict[str, torch.Tensor]":
        """Every layer's output for one forward pass, keyed by the paper's names (not detached).

        ``upto`` stops after that layer, e.g. ``"C5"`` for an input wider than 32x32.
        """
        out = OrderedDict()
        for name, layer in self.layers():
            x = out[name] = layer(x)
            if name == upto:
                break
        return out


@dataclass(frozen=True)
class LayerSummary:
    name: str
    output_shape: tuple
    parameters: int
    connections: int


def summary(model: LeNet5, input_shape=INPUT_SHAPE) -> list[LayerSummary]:
    """Output shape, trainable parameters and connections of each layer, computed from the modules
    on one pattern of ``input_shape``."""
    probe = torch.zeros(1, *input_shape, device=model.output.prototypes.device)
    with torch.no_grad():
        acts = model.activations(probe)
    return [LayerSummary(name, tuple(acts[name].shape[1:]),
                         sum(p.numel() for p in layer.parameters() if p.requires_grad),
                         layer.connections(acts[name].shape[1:]))
            for name, layer in model.layers()]
