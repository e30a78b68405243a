"""SDLM's steps at three moments of a network's life (Training chapter, "Watch it learn").

A fresh network, the same network after one pass over the page's 10,000 training digits
(``lenet_nb.book.widgets.training_data``), and the committed network (20 passes over 60,000):
each one's curvature h_kk on the same 500 of those digits, turned into steps eta / (mu + h_kk) at
batch-8's first-pass eta (the paper's / 8), so that only h differs between the three.
"""

from dataclasses import dataclass, replace

import torch

from lenet_nb.book.widgets.training_data import TEST_DIGITS, TRAIN_DIGITS, training_subset
from lenet_nb.digits.mnist import preprocess
from lenet_nb.runtime import seed_everything
from lenet_nb.training.recipes import recipe
from lenet_nb.training.sdlm import PAPER_SCHEDULE, gauss_newton_diagonal
from lenet_nb.training.step_sizes import by_parameter, connections, step_sizes_by_parameter
from lenet_nb.training.train import train

MOMENTS = ("start", "after one pass", "trained (20 passes)")
CURVATURE_DIGITS = 500


@dataclass
class StepSizes:
    """h_kk and steps by moment (``MOMENTS``), then by parameter tensor name."""

    eta: float
    shared: dict[str, int]  # connections sharing each value of a tensor (step_sizes.connections)
    h: dict[str, dict[str, torch.Tensor]]
    steps: dict[str, dict[str, torch.Tensor]]
    first_pass_test_error: float  # the one-pass network's, on the first TEST_DIGITS test digits

    def medians(self, moment: str) -> dict[str, float]:
        """Each tensor's median step at ``moment``."""
        return {name: s.median().item() for name, s in self.steps[moment].items()}

    def median_h(self, moment: str) -> dict[str, float]:
        """Each tensor's median h_kk at ``moment``."""
        return {name: h.median().item() for name, h in self.h[moment].items()}

    def per_connection(self) -> dict[str, float]:
        """Each tensor's median h at the start, divided by the connections sharing a value."""
        return {n: h / self.shared[n] for n, h in self.median_h("start").items()}

    def table(self) -> str:
        """The medians as text: h at the start, per connection, and the steps at each moment."""
        lines = [
            "                     h at start          median step",
            "tensor     shared  median  /connection  start    1 pass   trained",
        ]
        h, medians = self.median_h("start"), [self.medians(m) for m in MOMENTS]
        for name, n in self.shared.items():
            s = [m[name] for m in medians]
            lines.append(
                f"{name:9s}  {n:6d}  {h[name]:6.2g}  {h[name] / n:11.2g}  "
                f"{s[0]:7.2g}  {s[1]:7.2g}  {s[2]:7.2g}"
            )
        return "\n".join(lines)


def three_moments(trained, device, mnist) -> StepSizes:
    """Train a fresh network for one pass over the page's digits with the page's default mode
    (recipe batch-8), and compare its steps, and the fresh one's, with those of ``trained``.
    ``mnist``: the training and test images and labels as ``mnist_tensors`` gives them."""
    one_pass = replace(recipe("batch-8").config, train_size=TRAIN_DIGITS, passes=1)
    seed_everything(one_pass.seed)
    start = one_pass.build_model().to(device)  # what train() starts from, with the same seed
    train_x, train_y, test_x, test_y = mnist
    data = (train_x, train_y, test_x[:TEST_DIGITS], test_y[:TEST_DIGITS])
    after, history = train(one_pass, device=device, progress=False, data=data, compile=False)
    digits = training_subset()[0][:CURVATURE_DIGITS]
    digits = preprocess(torch.from_numpy(digits)).to(device)
    eta = PAPER_SCHEDULE[0] * one_pass.eta_scale
    diagonals = [gauss_newton_diagonal(m, digits) for m in (start, after, trained)]
    return StepSizes(
        eta=eta,
        shared=connections(start),
        h={m: by_parameter(start, d) for m, d in zip(MOMENTS, diagonals)},
        steps={m: step_sizes_by_parameter(start, d, eta) for m, d in zip(MOMENTS, diagonals)},
        first_pass_test_error=history[0]["test_error"],
    )
