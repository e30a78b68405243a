"""The assembled network against the paper's numbers (Section II-B)."""

import torch

from lenet_nb import LeNet5, summary
from lenet_nb.network.model import LAYER_NAMES

PAPER = {  # layer: (output shape, trainable parameters, connections)
    "C1": ((6, 28, 28), 156, 122_304),
    "S2": ((6, 14, 14), 12, 5_880),
    "C3": ((16, 10, 10), 1_516, 151_600),
    "S4": ((16, 5, 5), 32, 2_000),
    "C5": ((120, 1, 1), 48_120, 48_120),
    "F6": ((84,), 10_164, 10_164),
    "output": ((10,), 0, 840),
}


def test_summary_equals_the_papers_counts():
    rows = summary(LeNet5())
    assert {r.name: (r.output_shape, r.parameters, r.connections) for r in rows} == PAPER
    assert sum(r.parameters for r in rows) == 60_000
    assert sum(r.connections for r in rows) == 340_908


def test_all_parameters_are_the_60000_of_the_paper():
    assert sum(p.numel() for p in LeNet5().parameters()) == 60_000


def test_forward_returns_ten_penalties_and_activations_keep_the_graph():
    model = LeNet5()
    x = torch.randn(2, 1, 32, 32)
    acts = model.activations(x)
    assert list(acts) == list(LAYER_NAMES)
    assert torch.equal(acts["output"], model(x)) and acts["output"].shape == (2, 10)
    assert all(a.requires_grad for a in acts.values())
    assert (acts["output"] >= -1e-4).all()  # squared distances


def test_c5_is_a_convolution_its_maps_widen_with_the_input():
    acts = LeNet5().activations(torch.randn(1, 1, 32, 60), upto="C5")
    assert acts["C5"].shape == (1, 120, 1, 8)


def test_f6_units_stay_in_the_squashing_range():
    f6 = LeNet5().activations(torch.randn(4, 1, 32, 32))["F6"]
    assert f6.abs().max() <= 1.7159
