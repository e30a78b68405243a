"""The faster forms of ``lenet_nb.network.fast`` compute what the layers' plain formulas compute.

Tolerances are relative to the largest value compared (``_relative``), set a few times above
what was measured on the development machine (noted beside each): float32 rounding, no more.
"""

import pytest
import torch

from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.network import fast
from lenet_nb.network.layers import ConvolutionLayer, EuclideanRBF, SubsamplingLayer, squash
from lenet_nb.network.model import LeNet5
from lenet_nb.network.prototypes import prototype_matrix
from lenet_nb.training.committed import load_model
from lenet_nb.training.losses import map_criterion


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    """The largest difference, over the largest magnitude of ``b``."""
    return ((a - b).abs().max() / b.abs().max()).item()


def _both_ways(fast_fn, plain_fn, inputs):
    """Outputs and the gradients of a random projection of them, w.r.t. ``inputs``, both ways."""
    out_fast, out_plain = fast_fn(), plain_fn()
    g = torch.randn_like(out_plain)
    return (
        out_fast,
        out_plain,
        torch.autograd.grad(out_fast, inputs, g),
        torch.autograd.grad(out_plain, inputs, g),
    )


@pytest.fixture(scope="module")
def test_set():
    return mnist_tensors(train=False)


def test_squash_as_a_sigmoid_is_a_tanh():
    torch.manual_seed(0)
    a = (3 * torch.randn(100_000)).requires_grad_(True)
    f, p, (gf,), (gp,) = _both_ways(lambda: fast.squash(a), lambda: squash(a), [a])
    assert _relative(f, p) < 1e-6  # measured 2.1e-7
    assert _relative(gf, gp) < 1e-6  # measured 3.0e-7
    assert _relative(fast.squash(a.double()), squash(a.double())) < 1e-14  # measured 3.9e-16


def test_block_sums_are_the_four_inputs_added_bit_for_bit():
    """The plain S2 adds (top-left + bottom-left) + (top-right + bottom-right), the order the
    row-pair sums then column-pair additions take: the same bits, values and gradients."""
    torch.manual_seed(0)
    layer = SubsamplingLayer(3)
    for shape in [(4, 3, 28, 28), (2, 3, 7, 9)]:
        x = torch.randn(*shape, requires_grad=True)
        inputs = [x, layer.weight, layer.bias]
        f, p, gf, gp = _both_ways(
            lambda: fast.preactivation(layer, x), lambda: layer.preactivation(x), inputs
        )
        assert torch.equal(f, p)
        assert all(torch.equal(u, v) for u, v in zip(gf, gp))


def test_c5_as_a_matrix_product_is_the_convolution():
    torch.manual_seed(0)
    layer = ConvolutionLayer(16, 120)
    x = torch.randn(64, 16, 5, 5).mul(1.7).requires_grad_(True)
    inputs = [x, layer.weight, layer.bias]
    f, p, gf, gp = _both_ways(
        lambda: fast.preactivation(layer, x), lambda: layer.preactivation(x), inputs
    )
    assert f.shape == p.shape == (64, 120, 1, 1)
    assert _relative(f, p) < 3e-6  # measured 6.8e-7 (sums of 400 products)
    assert max(_relative(u, v) for u, v in zip(gf, gp)) < 1e-6  # measured 3.5e-7
    wide = torch.randn(2, 16, 5, 9)  # more than one position: the convolution itself
    assert torch.equal(fast.preactivation(layer, wide), layer.preactivation(wide))


def test_rbf_expanded_is_the_sum_of_squared_differences():
    torch.manual_seed(0)
    rbf = EuclideanRBF(prototype_matrix())
    x = (1.7159 * torch.tanh(2 * torch.randn(256, 84))).requires_grad_(True)
    f, p, (gf,), (gp,) = _both_ways(lambda: fast.forward(rbf, x), lambda: rbf(x), [x])
    assert _relative(f, p) < 1e-6  # measured 1.9e-7
    assert _relative(gf, gp) < 1e-6  # measured 1.3e-7


# Each layer's fast form against its formula on the committed network's own activations. C5's
# outputs differ most: its pre-activations reach 40, and rounding them (conv2d against a matrix
# product, 9.9e-7 of the largest) moves a squashed unit by up to 9.6e-6.
LAYER_TOLERANCE = {"C5": 3e-5}  # measured 5.6e-6; every other layer 2.0e-7 to 2.3e-7


def test_every_layer_both_ways_on_the_committed_networks_activations(test_set):
    test_digits, _ = test_set
    model = load_model("paper")
    with torch.no_grad():
        acts = model.activations(test_digits[:500])
    inputs = dict(
        zip([name for name, _ in model.layers()], [test_digits[:500], *list(acts.values())[:-1]])
    )
    for name, layer in model.layers():
        x = inputs[name].clone().requires_grad_(True)
        f, p, gf, gp = _both_ways(
            lambda: fast.forward(layer, x), lambda: layer(x), [x, *layer.parameters()]
        )
        assert _relative(f, p) < LAYER_TOLERANCE.get(name, 1e-6), name
        assert max(_relative(u, v) for u, v in zip(gf, gp)) < 1e-5, name  # measured <= 1.3e-6


@pytest.mark.parametrize("name", ["paper", "distorted"])
def test_committed_network_decides_the_same_either_way(name, test_set):
    """On all 10,000 test digits: the same class, penalties within 2e-6 of each digit's largest
    (measured 6.1e-7, 1.2e-4 absolute; the closest two penalties of any digit are 0.23 apart)."""
    test_digits, _ = test_set
    model = LeNet5()
    model.load_state_dict(load_model(name).state_dict())
    with torch.no_grad():
        fast_penalties = torch.cat([model(test_digits[i : i + 500]) for i in range(0, 10_000, 500)])
        model.fast = False
        plain = torch.cat([model(test_digits[i : i + 500]) for i in range(0, 10_000, 500)])
    assert torch.equal(fast_penalties.argmin(1), plain.argmin(1))
    assert ((fast_penalties - plain).abs().amax(1) / plain.amax(1)).max() < 2e-6
    assert not torch.equal(fast_penalties, plain)  # two computations, not one run twice


def test_training_gradients_agree_either_way(test_set):
    """The MAP loss's gradient over 500 digits, every parameter (measured at most 6.7e-6)."""
    test_digits, labels = test_set[0], test_set[1][:500]
    model = LeNet5()
    model.load_state_dict(load_model("paper").state_dict())
    grads = []
    for flag in (True, False):
        model.fast = flag
        model.zero_grad()
        map_criterion(model(test_digits[:500]), labels, reduction="sum").backward()
        grads.append([p.grad.clone() for p in model.parameters()])
    assert max(_relative(u, v) for u, v in zip(*grads)) < 3e-5
