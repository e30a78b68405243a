"""The fused SDLM step computes what the plain path computes, and the authors' code's options
(``lenet_nb.training.steps``, ``lenet_nb.studies.procedure``) do what they say.

In float64 the two paths agree to rounding over several updates (measured at most 2e-15). In
float32 they agree to rounding after one update (measured 2.5e-7) and then drift apart as any
two roundings of this training do: early training amplifies a difference of 1e-7 about tenfold
per update (two plain runs, one in the layers' fast forms and one in their formulas, differ by
1.7e-5 after 10 batch-8 updates and by 80% after 50), so only the first updates can be
compared weight for weight.
"""

from dataclasses import replace

import pytest
import torch

from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.network.layers import SubsamplingLayer
from lenet_nb.network.model import LeNet5
from lenet_nb.runtime import aten_convolutions_on_one_thread, in_order_on_one_thread
from lenet_nb.studies.bench import RUNNING
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.curvature import curvature_backward
from lenet_nb.training.fused import UPDATES_PER_CALL, FusedSteps, Network
from lenet_nb.training.recipes import RECIPES
from lenet_nb.training.sdlm import SDLM, gauss_newton_diagonal
from lenet_nb.training.steps import PlainSteps
from lenet_nb.training.train import batch_loss, train

OPTIONS = [
    {},
    dict(energy="half"),
    dict(subsampling_curvature="square-of-sum"),
    dict(curvature_gamma=0.05),
    dict(loss="ml"),
    dict(c3="full"),
]


@pytest.fixture(scope="module")
def digits():
    x, y = mnist_tensors(True)
    return x[:600], y[:600]


def _relative(a, b) -> float:
    return max(((u - v).abs().max() / v.abs().max()).item() for u, v in zip(a, b))


def _pair(config, dtype, fused_compile=False):
    """A plain and a fused trainer of the same freshly drawn network."""
    torch.manual_seed(0)
    plain_model = config.build_model().to(dtype)
    fused_model = config.build_model().to(dtype)
    fused_model.load_state_dict(plain_model.state_dict())
    made = []
    for model in (plain_model, fused_model):
        optimizer = SDLM(model.parameters(), lr=config.learning_rate(0), mu=config.mu)
        steps = (
            PlainSteps(model, optimizer, batch_loss(model, config, True), config)
            if model is plain_model
            else FusedSteps(model, config, compile=fused_compile)
        )
        made.append((model, optimizer, steps))
    return made


def _start(model, optimizer, steps, config, x):
    h = steps.curvature(x[:100])
    optimizer.set_curvature(h)
    steps.set_steps(optimizer.step_sizes())
    if config.curvature_gamma:
        steps.set_running(h, config.learning_rate(0), config.mu)


def _run(trainer, config, x, y, patterns):
    model, optimizer, steps = trainer
    _start(model, optimizer, steps, config, x)
    starts = list(range(0, patterns, config.batch_size))
    if isinstance(steps, PlainSteps):
        return steps.run(x, y, starts)
    return sum(steps(x[s : s + config.batch_size], y[s : s + config.batch_size]) for s in starts)


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("batch_size", [1, 8])
def test_fused_steps_are_the_plain_steps_in_float64(digits, options, batch_size):
    x, y = (digits[0].double(), digits[1])
    config = TrainConfig(batch_size=batch_size, eta_scale=1.0, **options)
    plain, fused = _pair(config, torch.float64)
    assert _relative(fused[2].curvature(x[:100]), plain[2].curvature(x[:100])) < 1e-12
    loss_plain = _run(plain, config, x, y, 4 * batch_size)
    loss_fused = _run(fused, config, x, y, 4 * batch_size)
    assert abs(float(loss_fused) - loss_plain) < 1e-10 * abs(loss_plain)
    assert _relative(list(fused[0].parameters()), list(plain[0].parameters())) < 1e-12
    assert not torch.equal(fused[0].C1.weight, _pair(config, torch.float64)[0][0].C1.weight)


@pytest.fixture
def threads():
    """``torch.set_num_threads``, with the thread count and deterministic algorithms' setting
    put back afterwards."""
    before = (
        torch.get_num_threads(),
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
    )
    yield torch.set_num_threads
    torch.set_num_threads(before[0])
    torch.use_deterministic_algorithms(before[1], warn_only=before[2])


def test_deterministic_algorithms_are_lifted_on_one_cpu_thread_only(threads):
    torch.use_deterministic_algorithms(True, warn_only=True)
    inside = {}
    for count, device in ((1, "cpu"), (2, "cpu"), (1, "cuda")):
        threads(count)
        with in_order_on_one_thread(torch.device(device)):
            inside[count, device] = torch.are_deterministic_algorithms_enabled()
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()
    assert inside == {(1, "cpu"): False, (2, "cpu"): True, (1, "cuda"): True}


def test_onednn_is_off_on_one_cpu_thread_only(threads):
    inside = {}
    for count, device in ((1, "cpu"), (2, "cpu"), (1, "cuda")):
        threads(count)
        with aten_convolutions_on_one_thread(torch.device(device)):
            inside[count, device] = torch.backends.mkldnn.enabled
        assert torch.backends.mkldnn.enabled
    assert inside == {(1, "cpu"): False, (2, "cpu"): True, (1, "cuda"): True}


@pytest.mark.filterwarnings("error:torch.compile failed")
@pytest.mark.parametrize(
    "config", [RECIPES["per-pattern"].config, RUNNING, RECIPES["batch-8"].config]
)
def test_compiled_fused_step_agrees_with_the_plain_one_in_float32(digits, config, threads):
    """Per-pattern, at the paper's eta, compiled, after the first update: measured 5.3e-6 to
    5.8e-6 (AVX2 kernels; 7.0e-6 with ATEN_CPU_CAPABILITY=default), in C1's biases, which start
    at 0, so that their value is the step itself, a float32 sum over C1's 784 units; the rest
    within 1.2e-6. With the curvature a running average (``procedure-all-but-eta``): 5.1e-6 to
    5.4e-6 (default kernels 6.7e-6), in C1's biases too. At batch 8, ATen's convolutions:
    1.2e-6 (default kernels 1.9e-6). Compiling must not have failed (it would run eagerly)."""
    threads(1)
    x, y = digits
    plain, fused = _pair(config, torch.float32, fused_compile=True)
    _run(plain, config, x, y, config.batch_size)
    _run(fused, config, x, y, config.batch_size)
    assert _relative(list(fused[0].parameters()), list(plain[0].parameters())) < 2e-5


def test_fused_batch_8_step_runs_aten_convolutions_on_one_thread(digits, threads):
    """Compiled, on one thread, the 8-pattern step's convolutions are ATen's (im2col and a
    matrix product), not oneDNN's, which cost more on a few patterns."""
    threads(1)
    x, y = digits
    config = RECIPES["batch-8"].config
    fused = _pair(config, torch.float32, fused_compile=True)[1]
    _run(fused, config, x, y, 8)  # compiles
    with torch.profiler.profile() as profile:
        fused[2](x[8:16], y[8:16])
    names = {event.name for event in profile.events()}
    assert "aten::_slow_conv2d_forward" in names and "aten::_slow_conv2d_backward" in names
    assert not any("mkldnn" in name for name in names)


def test_compiled_per_pattern_steps_repeat_bit_for_bit_on_one_thread(digits, threads):
    """On one thread the compiled step runs without deterministic algorithms (its scatters in
    inductor's own loops): two runs of the running-average step from the same start end in the
    same weights, to the bit."""
    threads(1)
    x, y = digits
    weights = []
    for _ in range(2):
        fused = _pair(RUNNING, torch.float32, fused_compile=True)[1]
        _run(fused, RUNNING, x, y, 50)
        weights.append([p.clone() for p in fused[0].parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*weights))
    assert not torch.equal(weights[0][0], _pair(RUNNING, torch.float32)[1][0].C1.weight)


@pytest.mark.filterwarnings("error:torch.compile failed")
@pytest.mark.parametrize("config", [RECIPES["paper"].config, RUNNING])
def test_updates_made_several_per_call_are_the_updates_one_per_call(digits, config, threads):
    """``run`` makes ``UPDATES_PER_CALL`` per-pattern updates per compiled call (and single
    ones for what is left): on one thread its weights and summed loss are those of one update
    per call, to the bit."""
    threads(1)
    x, y = digits
    ends = []
    for per_call in (UPDATES_PER_CALL, 1):
        model, optimizer, steps = _pair(config, torch.float32, fused_compile=True)[1]
        _start(model, optimizer, steps, config, x)
        steps.per_call = per_call
        loss = steps.run(x, y, range(4 * UPDATES_PER_CALL + 3))
        ends.append((loss, [p.clone() for p in model.parameters()]))
    (loss, weights), (loss_1, weights_1) = ends
    assert loss == loss_1 and all(torch.equal(a, b) for a, b in zip(weights, weights_1))
    assert not torch.equal(weights[0], _pair(config, torch.float32)[1][0].C1.weight)


def test_square_of_sum_is_the_exact_curvature_of_a_shared_coefficient():
    """With E = 1/2 sum_u c_u a_u^2 on a subsampling layer's weighted sums a_u = w sum_j x_j + b,
    the Hessian in the coefficients (exact: a is linear in them) is sum_u c_u (sum_j x_j)^2;
    the paper's diagonal instead sums c_u x_j^2 over the connections."""
    torch.manual_seed(0)
    layer = SubsamplingLayer(3).double()
    layer.set_activation("identity")  # d2E/da^2 = d2E/dy^2 = c: the layer's own term alone
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    c = torch.rand(2, 3, 3, 3, dtype=torch.float64)

    def energy(w):
        return 0.5 * (c * layer.linear(x, w, layer.bias.detach()) ** 2).sum()

    exact = torch.autograd.functional.hessian(energy, layer.weight.detach()).diagonal()
    ours = curvature_backward(layer, x, c, need_input=False, square_of_sum=True)[0][0][1]
    papers = curvature_backward(layer, x, c, need_input=False)[0][0][1]
    assert torch.allclose(ours, exact, rtol=1e-12)
    ones, zeros = torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    assert torch.allclose(papers, (c * layer.linear(x**2, ones, zeros)).sum((0, 2, 3)))
    assert not torch.allclose(papers, exact, rtol=0.1)


def test_half_energy_halves_every_curvature_exactly(digits):
    model = LeNet5().double()
    x = digits[0][:50].double()
    full, half = gauss_newton_diagonal(model, x), gauss_newton_diagonal(model, x, 0.5)
    assert all(torch.equal(h, f / 2) for h, f in zip(half, full))
    fused = Network(model, 50).curvature(list(model.parameters()), x, seed=1.0)
    assert _relative([h / 50 for h in fused], half) < 1e-12


@pytest.mark.parametrize("steps_kind", ["plain", "fused", "compiled"])
def test_running_average_follows_its_recursion(digits, steps_kind):
    """h_k = (1 - gamma) h_(k-1) + gamma h(pattern k), each h(pattern) at the weights before
    that pattern's update. Compiled, F6's term once lost its gamma (``FusedSteps._running_step``).
    """
    x, y = digits[0][:6].double(), digits[1][:6]
    config = TrainConfig(batch_size=1, eta_scale=1.0, curvature_gamma=0.05)
    pair = _pair(config, torch.float64, fused_compile=steps_kind == "compiled")
    trainer = pair[0 if steps_kind == "plain" else 1]
    model, optimizer, steps = trainer
    _start(model, optimizer, steps, config, x)
    expected = [h.clone() for h in steps.h]
    initial = [h.clone() for h in steps.h]
    for k in range(len(x)):
        new = gauss_newton_diagonal(model, x[k : k + 1])
        expected = [0.95 * e + 0.05 * n for e, n in zip(expected, new)]
        if steps_kind == "plain":
            steps.run(x, y, [k])
        else:
            steps(x[k : k + 1], y[k : k + 1])
        assert _relative(steps.h, expected) < 1e-12
    assert _relative(steps.h, initial) > 1e-3


def test_curvature_is_re_estimated_every_n_patterns(digits):
    x, y = digits
    events = []

    def monitor(model, pass_index, seen, h, event):
        events.append((pass_index, seen, event, len(h)))

    monitor.every = 48
    config = TrainConfig(passes=2, batch_size=4, train_size=96, curvature_every=32)
    train(config, device="cpu", progress=False, data=(x, y, x[:50], y[:50]), monitor=monitor)
    for p in (0, 1):
        assert [s for q, s, e, _ in events if q == p and e == "curvature"] == [0, 32, 64]
        assert [s for q, s, e, _ in events if q == p and e == "progress"] == [48, 96]
    assert {n for *_, n in events} == {12}


def test_authors_schedule():
    config = TrainConfig(schedule="authors", eta_scale=1.0)
    etas = [config.learning_rate(p) for p in range(30)]
    assert etas == [1e-4] * 10 + [1e-5] * 10 + [1e-6] * 10
    assert replace(config, schedule="paper").learning_rate(0) == 5e-4


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(energy="quarter"), "energy"),
        (dict(subsampling_curvature="cubes"), "subsampling_curvature"),
        (dict(curvature_gamma=1.0), "must be < 1"),
        (dict(curvature_gamma=0.05, curvature_every=4000), "leave --curvature-every"),
        (dict(curvature_every=-1), "curvature_every"),
    ],
)
def test_procedure_options_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**options)
