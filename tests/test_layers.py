"""Each layer does what its paper sentence says."""

import itertools

import pytest
import torch
import torch.nn.functional as F

from lenet_nb.network.fast import block_sum
from lenet_nb.network.initialisation import INIT_RANGE
from lenet_nb.network.layers import (
    C3_TABLE,
    ConvolutionLayer,
    EuclideanRBF,
    SparseConvolutionLayer,
    SubsamplingLayer,
    squash,
    squash_derivative,
)
from lenet_nb.network.prototypes import HEIGHT, WIDTH, min_hamming_distance, prototype_matrix


def test_squash_maps_plus_minus_one_to_themselves():
    assert squash(torch.tensor([1.0, -1.0, 0.0])).tolist() == pytest.approx([1, -1, 0], abs=1e-4)


def test_squash_derivative_matches_autograd():
    a = torch.linspace(-4, 4, 101, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(squash(a).sum(), a)
    assert torch.allclose(squash_derivative(a.detach()), grad)


def _contiguous(inputs, n=6):
    return any(sorted((s + k) % n for k in range(len(inputs))) == sorted(inputs) for s in range(n))


def test_c3_table_is_table_one():
    sizes = [len(t) for t in C3_TABLE]
    assert sizes == [3] * 6 + [4] * 9 + [6]
    assert all(_contiguous(t) for t in C3_TABLE[:12])
    assert not any(_contiguous(t) for t in C3_TABLE[12:15])
    assert C3_TABLE[15] == tuple(range(6))
    assert sum(sizes) == 60 and len(set(C3_TABLE)) == 16


def test_c3_map_ignores_the_s2_maps_table_one_does_not_give_it():
    torch.manual_seed(0)
    layer = SparseConvolutionLayer()
    x = torch.randn(1, 6, 14, 14)
    for out_map, inputs in enumerate(C3_TABLE):
        unused = [i for i in range(6) if i not in inputs]
        changed = x.clone()
        changed[:, unused] = torch.randn(1, len(unused), 14, 14)
        assert torch.equal(layer(x)[:, out_map], layer(changed)[:, out_map])
    assert layer.connection_mask().sum() == 60
    assert sum(p.numel() for p in layer.parameters()) == 1516


@pytest.mark.parametrize("shape", [(2, 3, 28, 28), (2, 3, 7, 9)])
def test_block_sum_adds_each_2x2_block_as_average_pooling_does(shape):
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    summed = block_sum(x)
    pooled = F.avg_pool2d(x, 2, divisor_override=1)
    assert torch.allclose(summed, pooled)
    grad = torch.randn_like(pooled)
    assert torch.equal(
        torch.autograd.grad(summed, x, grad)[0], torch.autograd.grad(pooled, x, grad)[0]
    )


def test_subsampling_is_average_pooling_with_coefficient_times_four():
    torch.manual_seed(0)
    layer = SubsamplingLayer(6)
    x = torch.randn(3, 6, 14, 14)
    pooled = F.avg_pool2d(x, 2) * (4 * layer.weight).view(1, -1, 1, 1) + layer.bias.view(
        1, -1, 1, 1
    )
    assert torch.allclose(layer(x), squash(pooled), atol=1e-6)


@pytest.mark.parametrize(
    "layer, fan_ins",
    [
        (ConvolutionLayer(1, 6), [25] * 6),
        (ConvolutionLayer(16, 120), [400] * 120),
        (SparseConvolutionLayer(), [25 * len(t) for t in C3_TABLE]),
        (SubsamplingLayer(16), [4] * 16),
    ],
)
def test_initialisation_is_uniform_within_2_4_over_fan_in(layer, fan_ins):
    assert layer.fan_in.tolist() == fan_ins
    bound = INIT_RANGE / torch.tensor(fan_ins, dtype=torch.float32)
    assert (layer.bias.abs() <= bound).all()
    weight = layer.weight
    if isinstance(layer, SparseConvolutionLayer):
        bound = bound[layer.out_index]
    bound = bound.view(-1, *[1] * (weight.dim() - 1))
    assert (weight.abs() <= bound).all()
    assert (weight.abs() > bound / 2).any()  # really spread over the range, not tiny


def test_rbf_output_is_squared_euclidean_distance_to_fixed_prototypes():
    rbf = EuclideanRBF(prototype_matrix())
    x = torch.randn(5, 84, dtype=torch.float64)
    expected = ((x[:, None, :] - rbf.prototypes.double()[None]) ** 2).sum(-1)
    assert torch.allclose(rbf.double()(x), expected)
    assert list(rbf.parameters()) == [] and "prototypes" in dict(rbf.named_buffers())


def test_prototypes_are_plus_minus_one_bitmaps_far_apart():
    p = prototype_matrix()
    assert p.shape == (10, HEIGHT * WIDTH) == (10, 84)
    assert set(p.unique().tolist()) == {-1.0, 1.0}
    # Stated in the book: the closest two prototypes differ in 19 of 84 pixels.
    assert min_hamming_distance(p) == 19
    assert all((a != b).any() for a, b in itertools.combinations(p, 2))


@pytest.mark.parametrize(
    "layer",
    [
        ConvolutionLayer(1, 6),
        SparseConvolutionLayer(),
        SubsamplingLayer(6),
        ConvolutionLayer(16, 120),
    ],
)
def test_authors_initialisation_zero_biases_uniform_weights_coefficients_at_one_half(layer):
    torch.manual_seed(0)
    layer.reset_parameters("authors")
    assert torch.equal(layer.bias, torch.zeros_like(layer.bias))
    if isinstance(layer, SubsamplingLayer):
        assert torch.equal(layer.weight, torch.full_like(layer.weight, 0.5))
        return
    bound = layer.weight_fan_in().float().rsqrt().view(-1, *[1] * (layer.weight.dim() - 1))
    assert (layer.weight.abs() <= bound).all() and (layer.weight.abs() > bound / 2).any()


def test_glorot_initialisation_uses_each_kernels_fan_out_and_is_refused_for_subsampling():
    torch.manual_seed(0)
    c3 = SparseConvolutionLayer()
    c3.reset_parameters("xavier")
    # S2 map 0 feeds 10 C3 maps (Table I): a kernel from it has fan-out 250, fan-in 25 x inputs.
    users = torch.tensor([sum(i in t for t in C3_TABLE) for i in range(6)])
    fans = c3.fan_in[c3.out_index] + users[c3.in_index] * 25
    bound = (6.0 / fans.float()).sqrt().view(-1, 1, 1)
    assert (c3.weight.abs() <= bound).all() and (c3.weight.abs() > 0.9 * bound).any()
    assert torch.equal(c3.bias, torch.zeros(16))
    with pytest.raises(ValueError, match="'xavier' is not defined for SubsamplingLayer"):
        SubsamplingLayer(6).reset_parameters("xavier")
    with pytest.raises(ValueError, match="'lecun' is not defined"):
        ConvolutionLayer(1, 6).reset_parameters("lecun")


def test_the_plain_layers_compute_the_papers_sums_unit_by_unit():
    """One unit of each layer, from its own inputs and weights (Section II-B)."""
    torch.manual_seed(0)
    s2, c3 = SubsamplingLayer(6), SparseConvolutionLayer()
    x = torch.randn(1, 6, 14, 14, dtype=torch.float64)
    s2, c3 = s2.double(), c3.double()
    block = x[0, 2, 4:6, 8:10].sum()
    assert torch.allclose(s2(x)[0, 2, 2, 4], squash(block * s2.weight[2] + s2.bias[2]))
    out_map, inputs = 7, C3_TABLE[7]
    kernels = c3.weight[c3.out_index == out_map]
    a = sum((x[0, i, 3:8, 5:10] * k).sum() for i, k in zip(inputs, kernels)) + c3.bias[out_map]
    assert torch.allclose(c3(x)[0, out_map, 3, 5], squash(a))
