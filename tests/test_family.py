"""LeNet-5's family (Section III-C-2): LeNet-1 and LeNet-4 built from LeNet-5's layers."""

import pytest
import torch
import torch.nn.functional as F

from lenet_nb.digits.mnist import input_transform, preprocess
from lenet_nb.network.family import (
    LENET1_C3_TABLE,
    LENET4_C3_TABLE,
    LENET4_C5_TABLE,
    LENET4_S2_SOURCES,
    LeNet1,
    LeNet4,
)
from lenet_nb.network.layers import SubsamplingLayer
from lenet_nb.studies.operations import summary
from lenet_nb.training.config import TrainConfig


def _counts(model):
    layers = [s for s in summary(model) if s.name != "output"]  # the loss's distances
    return sum(s.parameters for s in layers), sum(s.connections for s in layers)


def test_lenet1_has_the_nips_1990_papers_counts():
    # LeCun et al. 1990: "98,442 connections" and "2,578 independent parameters".
    assert _counts(LeNet1()) == (2_578, 98_442)


def test_lenet4_is_near_the_papers_counts():
    parameters, connections = _counts(LeNet4())
    assert (parameters, connections) == (15_098, 266_306)
    assert abs(parameters / 17_000 - 1) < 0.15 and abs(connections / 260_000 - 1) < 0.05


def test_the_tables_connect_as_their_comments_say():
    pairs = [(i, o) for o, inputs in enumerate(LENET1_C3_TABLE) for i in inputs]
    assert len(pairs) == 20 and len(set(pairs)) == 20
    assert [sum(i == m for i, _ in pairs) for m in range(4)] == [5, 5, 5, 5]
    # LeNet-4's C3: one of the two subsamplings of every first-level map, all 16 choices.
    assert len(set(LENET4_C3_TABLE)) == 16
    for inputs in LENET4_C3_TABLE:
        assert sorted(LENET4_S2_SOURCES[i] for i in inputs) == [0, 1, 2, 3]
    assert len(LENET4_C5_TABLE) == 120 and {len(set(t)) for t in LENET4_C5_TABLE} == {4}


def test_paired_subsampling_subsamples_each_source_with_its_own_coefficient():
    torch.manual_seed(0)
    layer = SubsamplingLayer(8, sources=LENET4_S2_SOURCES)
    x = torch.randn(2, 4, 28, 28)
    expected = torch.stack(
        [
            F.avg_pool2d(x[:, s : s + 1], 2)[:, 0] * 4 * layer.weight[i] + layer.bias[i]
            for i, s in enumerate(LENET4_S2_SOURCES)
        ],
        1,
    )
    assert torch.allclose(layer.preactivation(x), expected, atol=1e-5)
    with pytest.raises(ValueError, match="8 subsampling maps need 8 sources"):
        SubsamplingLayer(8, sources=(0, 1))


@pytest.mark.parametrize("network", [LeNet1, LeNet4])
def test_smallest_penalty_is_the_largest_output_and_fast_equals_plain(network):
    torch.manual_seed(0)
    model = network()
    x = torch.randn(64, 1, model.input_size, model.input_size)
    penalties = model(x)
    outputs = model.activations(x)[model.layer_names[-2]]
    assert torch.equal(model.decide(penalties), outputs.argmax(1))
    model.fast = False
    assert torch.allclose(model(x), penalties, rtol=1e-5, atol=1e-4)


def test_lenet1_reads_16x16_digits_centred_in_28x28():
    square = torch.zeros(1, 28, 28, dtype=torch.uint8)
    square[0, 4:24, 4:24] = 255  # MNIST's 20x20 digit box, centred
    x = preprocess(square, input_transform("paper", 28, 16))[0, 0]
    ink = (x > 0.5).nonzero()
    assert ink.min(0).values.tolist() == [6, 6] and ink.max(0).values.tolist() == [21, 21]


def test_the_family_takes_only_the_papers_options():
    assert isinstance(TrainConfig(network="lenet1", input_size=28).build_model(), LeNet1)
    assert isinstance(TrainConfig(network="lenet4").build_model(), LeNet4)
    with pytest.raises(ValueError, match="--input-size 28"):
        TrainConfig(network="lenet1")
    with pytest.raises(ValueError, match="takes none of LeNet-5's variant options"):
        TrainConfig(network="lenet4", pooling="max")
    with pytest.raises(ValueError, match="network .--network. must be"):
        TrainConfig(network="lenet7")
