"""One SDLM update of the paper's network as one compiled graph (Section III-B, Appendix C).

The plain path (``lenet_nb.training.train.train_steps``) runs each layer's module, autograd's
engine and ``SDLM.step``: some hundred small operations per update, most of a per-pattern step's
time on a CPU. Here the network is one pure function of its twelve parameter tensors, in the
forms of ``lenet_nb.network.fast`` (C3's Table I a fixed scatter into a dense kernel); its
gradient comes from ``torch.func``, and forward, backward, the Gauss-Newton curvature where the
step needs it (a running average, Appendix C's recursion as ``lenet_nb.training.curvature``
takes it) and the update w <- w - eps dE/dw are traced into one graph by ``torch.compile``. At
one or two patterns the convolutions are matrix products on unfolded inputs (im2col), which
beat the CPU convolution kernels' fixed costs there, and one compiled call makes eight updates
in turn; up to eight patterns the convolutions are ATen's own kernels rather than oneDNN's
(``lenet_nb.runtime.aten_convolutions_on_one_thread``); on one CPU thread the compiled steps
run without deterministic algorithms (``in_order_on_one_thread`` there says why that still
repeats). The arithmetic is the plain path's to float rounding (``tests/test_fused.py``);
where compiling fails the same functions run eagerly.

It covers what the paper's procedure needs: LeNet5's own layers (Table I or full C3, 10 or 11
RBF outputs, 32x32 input) trained by SDLM with Eq. 8 or Eq. 9; ``supports`` says so.
"""

from contextlib import contextmanager, nullcontext

import torch
import torch.nn.functional as F

from lenet_nb.network import fast
from lenet_nb.network.layers import squash_derivative
from lenet_nb.runtime import (
    CompiledOrEager,
    aten_convolutions_on_one_thread,
    in_order_on_one_thread,
)
from lenet_nb.training.curvature import RBF_CURVATURE
from lenet_nb.training.losses import criterion

# At most this batch the convolutions run as matrix products on unfolded inputs. Compiled, one
# thread: per pattern 1.1x the convolution kernels' speed (fixed curvature), 1.3-1.5x (running
# average); level at 2; at 4 and 8 oneDNN's kernels 1.8x and 2.5x faster (MAINTAINERS.md, Speed).
UNFOLD_MAX_BATCH = 2
# Beyond that, up to this batch, ATen's convolution kernels instead of oneDNN's: compiled, one
# thread, 1.44x at 3 patterns, 1.33x at 4, 1.12x at 8, 1.04x at 12 (MAINTAINERS.md, Speed).
ATEN_CONVOLUTIONS_MAX_BATCH = 8
# At those batches ``run`` makes this many updates, one after another, per compiled call: there
# Python's and torch.compile's cost per call is a large part of a step's. Compiled, one thread,
# per pattern: 1.24x at 4, 1.31x at 8, 1.38x at 16, with the same weights to the bit; compiling
# takes longer the more there are (MAINTAINERS.md, Speed).
UPDATES_PER_CALL = 8
KINDS = ("conv", "sub", "sparse", "sub", "dense", "dense")  # C1 S2 C3 S4 C5 F6


def supports(config) -> bool:
    """Whether ``config``'s network and training are the ones this module computes."""
    return (
        config.network == "lenet5"
        and config.optimizer == "sdlm"
        and config.loss in ("map", "ml")
        and (config.activation, config.pooling, config.input_size, config.c1_padding)
        == ("scaled_tanh", "trainable", 32, 0)
    )


class Network:
    """LeNet-5 as pure functions of its parameters (``model.parameters()`` order)."""

    def __init__(self, model, batch_size: int):
        self.out_index, self.in_index = model.C3.out_index, model.C3.in_index
        self.c3_shape = (model.C3.out_maps, model.C3.in_maps)
        self.prototypes = model.output.prototypes
        self.unfold = batch_size <= UNFOLD_MAX_BATCH

    def conv(self, x, w, b):
        if not self.unfold:
            return F.conv2d(x, w, b)
        n, _, rows, columns = x.shape
        k = w.shape[-1]
        out = w.flatten(1) @ F.unfold(x, k) + b.view(1, -1, 1)  # (n, maps, positions)
        return out.view(n, w.shape[0], rows - k + 1, columns - k + 1)

    def linear(self, i: int, x, w, b):
        """Layer ``i``'s pre-activations a = linear(x; w, b)."""
        kind = KINDS[i]
        if kind == "conv":
            return self.conv(x, w, b)
        if kind == "sparse":
            dense = w.new_zeros(*self.c3_shape, *w.shape[1:])
            return self.conv(x, dense.index_put((self.out_index, self.in_index), w), b)
        if kind == "sub":
            return fast.block_sum(x) * w.view(1, -1, 1, 1) + b.view(1, -1, 1, 1)
        return F.linear(x.flatten(1), w.flatten(1), b)

    def layers(self, params, x):
        """Each layer's input and pre-activation, and F6's output."""
        inputs, pre = [], []
        for i in range(len(KINDS)):
            inputs.append(x)
            pre.append(self.linear(i, x, params[2 * i], params[2 * i + 1]))
            x = fast.squash(pre[-1])
        return inputs, pre, x

    def penalties(self, params, x):
        """The RBF outputs y_i = sum_j (x_j - w_ij)^2 (Eq. 7), expanded as in ``fast``."""
        f6 = self.layers(params, x)[2]
        w = self.prototypes
        return (f6 * f6).sum(1, keepdim=True) - 2 * f6 @ w.T + (w * w).sum(1)

    def curvature(self, params, x, seed: float, square_of_sum: bool = False):
        """h_kk summed over the patterns of ``x``: Appendix C's recursion (Eqs. 23-27) as
        ``lenet_nb.training.curvature`` computes it, the output seeding d2E/dx^2 = ``seed``.

        A subsampling coefficient's term is sum over its units of d2E/da^2 sum_j x_j^2, the
        paper's diagonal, or, with ``square_of_sum``, d2E/da^2 (sum_j x_j)^2: the exact
        Gauss-Newton term of one weight used by four connections, as the authors' code has it.
        """
        with torch.no_grad():
            inputs, pre, f6 = self.layers(params, x)
        second, h = torch.full_like(f6, seed), [None] * len(params)
        for i in reversed(range(len(KINDS))):
            d2a = squash_derivative(pre[i]) ** 2 * second
            w, b = params[2 * i], params[2 * i + 1]
            if KINDS[i] == "sub" and square_of_sum:
                squares = fast.block_sum(inputs[i]) ** 2
            else:
                squares = inputs[i] ** 2
            _, transpose = torch.func.vjp(
                lambda w_, b_: self._squared_linear(i, inputs[i], squares, w_, b_), w, b
            )
            h[2 * i], h[2 * i + 1] = transpose(d2a)
            if i > 0:
                _, transpose = torch.func.vjp(
                    lambda x_: self.linear(i, x_, w * w, torch.zeros_like(b)), inputs[i]
                )
                (second,) = transpose(d2a)
        return h

    def _squared_linear(self, i, x, squares, w, b):
        """linear(x^2; w, b), or for a subsampling layer given (sum x)^2: its weighted sums."""
        if KINDS[i] == "sub" and squares.shape != x.shape:
            return squares * w.view(1, -1, 1, 1) + b.view(1, -1, 1, 1)
        return self.linear(i, squares, w, b)


@contextmanager
def compiled_calls(device: torch.device, patterns: int):
    """What compiled code whose convolutions see ``patterns`` patterns at a time runs inside,
    its compilation too: in program order on one CPU thread, and with ATen's convolutions at the
    batch sizes above."""
    aten = UNFOLD_MAX_BATCH < patterns <= ATEN_CONVOLUTIONS_MAX_BATCH
    with in_order_on_one_thread(device):
        with aten_convolutions_on_one_thread(device) if aten else nullcontext():
            yield


class FusedSteps:
    """SDLM updates of ``model``'s own parameters (updated in place), one compiled graph per
    update, or in ``run`` per ``per_call`` updates.

    ``set_steps(eps)`` fixes eps_k for the steps that follow (a curvature held fixed, as the
    paper's per pass); with ``gamma`` > 0 each step instead first updates a running average of
    the curvature, h <- (1 - gamma) h + gamma h(batch), and steps with eta / (mu + h), as the
    authors' SN simulator did per pattern (``set_running(h, eta, mu)`` starts it).
    """

    def __init__(self, model, config, compile: bool = True):
        self.params = [p.detach() for p in model.parameters()]
        self.net = Network(model, config.batch_size)
        self.loss_fn = criterion(config.loss, config.j)
        self.energy = config.energy_scale
        self.seed = RBF_CURVATURE * self.energy  # the output's d2E/dx^2: 2 for d^2, 1 for d^2/2
        self.square_of_sum = config.subsampling_curvature == "square-of-sum"
        self.gamma = config.curvature_gamma
        self.eps = self.h = None
        self.batch_size = batch = config.batch_size
        self.per_call = UPDATES_PER_CALL if batch <= UNFOLD_MAX_BATCH else 1
        self.compile = compile
        step = self._running_step if self.gamma else self._fixed_step
        self._step = self._wrap(step, batch, batch)
        self._steps = self._wrap(self._in_turn(step), batch * self.per_call, batch)
        self._curvature = {}

    def _wrap(self, fn, length: int, patterns: int):
        """``fn`` compiled for calls on ``length`` patterns whose convolutions see ``patterns``
        at a time (or ``fn`` itself, not compiling)."""
        if not self.compile:
            return fn
        return CompiledOrEager(fn, length, lambda x: compiled_calls(x.device, patterns))

    def loss(self, params, x, y):
        return self.loss_fn(self.energy * self.net.penalties(params, x), y, reduction="sum")

    def curvature(self, x) -> list[torch.Tensor]:
        """h_kk averaged over ``x`` (compiled once per distinct number of patterns)."""
        if len(x) not in self._curvature:
            self._curvature[len(x)] = self._wrap(self._curvature_sum, len(x), len(x))
        return [h / len(x) for h in self._curvature[len(x)](x)]

    def _curvature_sum(self, x):
        return self.net.curvature(self.params, x, self.seed, self.square_of_sum)

    def set_steps(self, eps: list[torch.Tensor]) -> None:
        self.eps = [e.detach() for e in eps]

    def set_running(self, h, eta: float, mu: float) -> None:
        """Start the running average at ``h`` (the first time), with this pass's eta."""
        if self.h is None:
            self.h = [v.detach().clone() for v in h]
        # 0-d tensors, not constants: a new eta or mu is new data, not a new graph
        dtype = self.params[0].dtype
        self.eta, self.mu = (torch.tensor(float(v), dtype=dtype) for v in (eta, mu))

    def run(self, images, labels, starts) -> float:
        """One update per batch of ``images`` beginning at ``starts``, in order; returns the
        loss summed over the patterns (added up on the device, read once at the end). Runs of
        ``per_call`` consecutive batches are updated by one call."""
        total = torch.zeros((), dtype=torch.float64, device=images.device)
        starts, i, batch = list(starts), 0, self.batch_size
        while i < len(starts):
            start, n = starts[i], self.per_call
            if starts[i : i + n] != list(range(start, start + n * batch, batch)):
                n = 1
            x, y = images[start : start + n * batch], labels[start : start + n * batch]
            if n == 1:
                total.add_(self(x, y))
            else:
                self._steps(x, y, total, *self._step_args())
            i += n
        return total.item()

    def __call__(self, x, y) -> torch.Tensor:
        """One update on the batch ``x``, ``y``; returns its summed loss."""
        return self._step(x, y, *self._step_args())

    def _step_args(self):
        return (self.eta, self.mu) if self.gamma else ()

    def _in_turn(self, step):
        """``step`` on each batch of ``x`` in turn, adding each one's loss to ``total``."""

        def steps(x, y, total, *args):
            for at in range(0, len(x), self.batch_size):
                end = at + self.batch_size
                total.add_(step(x[at:end], y[at:end], *args))

        return steps

    def _fixed_step(self, x, y):
        grads, value = torch.func.grad_and_value(self.loss)(self.params, x, y)
        for p, g, eps in zip(self.params, grads, self.eps):
            p.sub_(eps * g)
        return value

    def _running_step(self, x, y, eta, mu):
        new = self.net.curvature(self.params, x, self.seed, self.square_of_sum)
        grads, value = torch.func.grad_and_value(self.loss)(self.params, x, y)
        for p, g, h, n in zip(self.params, grads, self.h, new):
            # gamma multiplies n itself: compiled on CPU, add_(n, alpha=gamma) with F6's n an
            # outer product (a matrix product) became one addmm that dropped alpha, so that
            # F6's h gained n instead of gamma n (tests/test_fused.py holds the recursion).
            h.mul_(1 - self.gamma).add_(n * (self.gamma / len(x)))
            p.sub_(eta / (mu + h) * g)
        return value
