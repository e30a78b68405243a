"""One pass of training: its updates, and when SDLM's curvature is estimated (Section III-B).

The paper re-estimates the h_kk on 500 patterns before each pass and holds them for the pass.
The authors' programs did otherwise (``lenet_nb.studies.procedure``): EBLearn re-estimated
every 4,000 patterns (``curvature_every``), SN kept a running average updated at every pattern
(``curvature_gamma``). The updates are ``PlainSteps`` (the modules, autograd and the
optimizer, as written) or ``lenet_nb.training.fused.FusedSteps`` (one compiled graph); both
take the same calls.
"""

import torch

from lenet_nb.training.sdlm import CURVATURE_PATTERNS, SDLM, gauss_newton_diagonal


def pass_generator(config, pass_index: int) -> torch.Generator:
    return torch.Generator().manual_seed(config.seed * 1_000_003 + pass_index)


def train_steps(loss, optimizer, images, labels, batch_size: int, starts=None) -> float:
    """One update per batch of ``batch_size`` patterns (batches beginning at ``starts``, by
    default all of ``images`` in order), each minimising ``loss(images, labels)`` (a
    ``batch_loss``); returns the loss summed over the patterns.

    The losses add up in a float64 tensor on the device, read once at the end: no step waits for
    the device. The benchmark times this same loop for both networks it compares.
    """
    total = torch.zeros((), dtype=torch.float64, device=images.device)
    for start in range(0, len(images), batch_size) if starts is None else starts:
        optimizer.zero_grad(set_to_none=True)
        batch = labels[start : start + batch_size]
        value = loss(images[start : start + batch_size], batch)
        value.backward()
        optimizer.step()
        total.add_(value.detach(), alpha=1 if loss.reduction == "sum" else len(batch))
    return total.item()


class PlainSteps:
    """The updates as written: ``loss`` (a ``batch_loss``), ``backward`` and ``optimizer``."""

    def __init__(self, model, optimizer, loss, config):
        self.model, self.optimizer, self.loss, self.config = model, optimizer, loss, config
        self.h = None

    def curvature(self, x) -> list[torch.Tensor]:
        square_of_sum = self.config.subsampling_curvature == "square-of-sum"
        return gauss_newton_diagonal(self.model, x, self.config.energy_scale, square_of_sum)

    def set_steps(self, eps) -> None:
        """The optimizer computes its steps from its own curvature."""

    def set_running(self, h, eta, mu) -> None:
        if self.h is None:
            self.h = [v.clone() for v in h]

    def run(self, images, labels, starts) -> float:
        """One update per batch beginning at ``starts`` (with a running-average curvature,
        updated first); returns the loss summed over the patterns."""
        batch = self.config.batch_size
        if not self.config.curvature_gamma:
            return train_steps(self.loss, self.optimizer, images, labels, batch, starts)
        total, gamma = 0.0, self.config.curvature_gamma
        for start in starts:
            x = images[start : start + batch]
            for h, new in zip(self.h, self.curvature(x)):
                h.mul_(1 - gamma).add_(new, alpha=gamma)
            self.optimizer.set_curvature(self.h)
            total += train_steps(self.loss, self.optimizer, images, labels, batch, [start])
        return total


def train_one_pass(model, optimizer, images, labels, config, pass_index, steps, monitor=None):
    """One pass over ``images`` (already in the run's constant random order) by ``steps``;
    returns the mean loss. With SDLM, the curvature is estimated on ``CURVATURE_PATTERNS``
    patterns of a per-pass random sample before the pass (and every ``config.curvature_every``
    patterns, each time on the sample's next ones), or kept as a running average.

    ``monitor(model, pass_index, seen, h, event)``, where given, is called after each estimate
    (event "curvature") and every ``monitor.every`` patterns (event "progress").
    """
    eta = config.learning_rate(pass_index)
    for group in optimizer.param_groups:
        group["lr"] = eta
    sdlm = isinstance(optimizer, SDLM)
    sample = torch.randperm(len(images), generator=pass_generator(config, pass_index))
    h = None
    if sdlm and not (config.curvature_gamma and steps.h is not None):
        h = estimate_curvature(steps, optimizer, images, sample, 0)
    if sdlm and config.curvature_gamma:
        steps.set_running(h, eta, config.mu)
    starts = list(range(0, len(images), config.batch_size))
    total, seen = 0.0, 0
    if monitor is not None and h is not None:
        monitor(model, pass_index, 0, h, "curvature")
    for segment, events in _segments(starts, config, monitor, sdlm):
        total += steps.run(images, labels, segment)
        seen = min(segment[-1] + config.batch_size, len(images))
        if "curvature" in events:
            h = estimate_curvature(steps, optimizer, images, sample, seen // config.curvature_every)
        for event in events if monitor is not None else ():
            monitor(model, pass_index, seen, steps.h if config.curvature_gamma else h, event)
    return total / len(images)


def estimate_curvature(steps, optimizer, images, sample, k: int) -> list[torch.Tensor]:
    """Appendix C's third approximation: h_kk averaged over ``CURVATURE_PATTERNS`` (500)
    patterns, the ``k``-th 500 of the pass's random ``sample`` (the paper estimates once, before
    the pass: k = 0), handed to the optimizer, whose steps eta / (mu + h_kk) follow from it."""
    chosen = sample.roll(-k * CURVATURE_PATTERNS)[:CURVATURE_PATTERNS]
    h = steps.curvature(images[chosen.to(images.device)])
    optimizer.set_curvature(h)
    steps.set_steps(optimizer.step_sizes())
    return h


def _segments(starts, config, monitor, sdlm):
    """The batch starts cut where something happens after them: (starts, events), an event
    "curvature" (a re-estimate) or "progress" (a monitor's report; also at the pass's end)."""
    every = dict(curvature=config.curvature_every if sdlm else 0)
    every["progress"] = monitor.every if monitor is not None else 0
    segment, last = [], len(starts) - 1
    for index, start in enumerate(starts):
        segment.append(start)
        end = start + config.batch_size
        due = [e for e, n in every.items() if n and end // n > start // n and index < last]
        if due or index == last:
            yield segment, due or (["progress"] if monitor is not None else [])
            segment = []
