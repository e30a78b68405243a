"""Stochastic diagonal Levenberg-Marquardt (Section III-B, Appendix C).

Each parameter w_k has its own step eps_k = eta / (mu + h_kk), where h_kk estimates the diagonal
of the Hessian with the Gauss-Newton approximation, back-propagated like a gradient but with
squared weights and squared derivatives (Eqs. 22-27). The h_kk are re-estimated on 500 training
patterns before each pass and held fixed during it. This is not a running average of squared
gradients (as in Adam or RMSprop): it is curvature, computed from the network's own structure.
"""

import torch

from lenet_nb.training.curvature import curvature_backward

MU = 0.02  # "mu = 0.02"
CURVATURE_PATTERNS = 500  # "re-estimated on 500 patterns before each pass"

# The global learning rate eta for each of the 20 passes: 0.0005 for the first two, 0.0002 for
# the next three, 0.0001 for the next three, 0.00005 for the next four, 0.00001 for the rest.
PAPER_SCHEDULE = (5e-4,) * 2 + (2e-4,) * 3 + (1e-4,) * 3 + (5e-5,) * 4 + (1e-5,) * 8
# The authors' own LeNet-5 demonstration as QMNIST reran it: 1e-4, 1e-5, 1e-6, ten passes each.
AUTHORS_SCHEDULE = (1e-4,) * 10 + (1e-5,) * 10 + (1e-6,) * 10
SCHEDULES = dict(paper=PAPER_SCHEDULE, authors=AUTHORS_SCHEDULE)


def learning_rate(pass_index: int, schedule=PAPER_SCHEDULE) -> float:
    """eta for pass ``pass_index`` (0-based); passes beyond the schedule keep its last value."""
    return schedule[min(pass_index, len(schedule) - 1)]


def gauss_newton_diagonal(
    model, images: torch.Tensor, energy_scale: float = 1.0, square_of_sum: bool = False
) -> list[torch.Tensor]:
    """h_kk for every trainable parameter, averaged over the patterns in ``images``.

    For a unit with pre-activation a_i = sum_j w_ij x_j + b_i the paper's recursion is
        d2E/da_i^2 = f'(a_i)^2 sum_k w_ki^2 d2E/da_k^2           (back-propagation, Eq. 27)
        d2E/dw_k^2 = sum over connections sharing w_k of d2E/da_i^2 x_j^2   (Eqs. 23 and 25)
    ``lenet_nb.training.curvature`` takes one step of it per layer, from its output to its input
    and its parameters; the output layer starts it (for the paper's RBF, d2y_D/dx_j^2 = 2).

    ``energy_scale`` multiplies the energy (1/2 for the authors' half squared distance, whose
    output seeds the recursion with 1): the recursion is linear in its seed, so every h_kk
    scales with it. ``square_of_sum``: see ``lenet_nb.training.curvature._weighted_sums``.

    Returns one tensor per parameter, in ``model.parameters()`` order.
    """
    layers = [layer for _, layer in model.layers()]
    with torch.no_grad():
        inputs, x = [], images
        for layer in layers:
            inputs.append(x)
            x = model.run(layer, x)
    second, by_param = None, {}
    for i in reversed(range(len(layers))):
        pairs, second = curvature_backward(
            layers[i], inputs[i], second, need_input=i > 0, square_of_sum=square_of_sum
        )
        by_param.update((id(p), h / len(images) * energy_scale) for p, h in pairs)
    return [by_param[id(p)] for p in model.parameters()]


def by_layer(model, values) -> dict[str, torch.Tensor]:
    """One value per parameter (in ``model.parameters()`` order, as ``gauss_newton_diagonal``
    returns them) gathered by layer, weights and bias together, as float64 on the CPU."""
    layers = {}
    for (name, _), v in zip(model.named_parameters(), values):
        layers.setdefault(name.split(".")[0], []).append(v.detach().cpu().flatten())
    return {layer: torch.cat(parts).double() for layer, parts in layers.items()}


class SDLM(torch.optim.Optimizer):
    """w_k <- w_k - eps_k dE/dw_k (Eq. 18) with eps_k = eta / (mu + h_kk) (Eq. 21).

    Call ``set_curvature`` with ``gauss_newton_diagonal``'s result before each pass; ``lr`` is the
    global eta. The gradient of a shared weight is already the sum over the connections that share
    it (autograd sums them), as the paper requires.
    """

    def __init__(self, params, lr: float = PAPER_SCHEDULE[0], mu: float = MU):
        super().__init__(params, dict(lr=lr, mu=mu))
        self._eps = {}  # group index -> ((eta, mu, curvature version), eps list)
        self._curvature_version = 0

    @torch.no_grad()
    def set_curvature(self, hessian_diagonal: list[torch.Tensor]) -> None:
        params = [p for group in self.param_groups for p in group["params"]]
        if len(params) != len(hessian_diagonal):
            raise ValueError("one Hessian diagonal per parameter is needed")
        for p, h in zip(params, hessian_diagonal):
            self.state[p]["h"] = h.detach().clone()
        self._curvature_version += 1

    def step_sizes(self, group_index: int = 0) -> list[torch.Tensor]:
        """eps_k = eta / (mu + h_kk) (Eq. 21) for every parameter of a group, with the current eta.

        Cached until eta, mu or the curvature changes: computing it once per pass rather than
        per update takes the optimizer off the profile of a small-batch step.
        """
        group = self.param_groups[group_index]
        key = (group["lr"], group["mu"], self._curvature_version)
        if self._eps.get(group_index, (None,))[0] != key:
            if any("h" not in self.state[p] for p in group["params"]):
                raise RuntimeError("SDLM needs set_curvature(gauss_newton_diagonal(...)) first")
            self._eps[group_index] = (
                key,
                [group["lr"] / (group["mu"] + self.state[p]["h"]) for p in group["params"]],
            )
        return self._eps[group_index][1]

    @torch.no_grad()
    def step(self, closure=None):
        for index, group in enumerate(self.param_groups):
            live = [
                (p, eps)
                for p, eps in zip(group["params"], self.step_sizes(index))
                if p.grad is not None
            ]
            torch._foreach_addcmul_(
                [p for p, _ in live],
                [p.grad for p, _ in live],
                [eps for _, eps in live],
                value=-1.0,
            )


def step_sizes_by_layer(
    model, hessian_diagonal: list[torch.Tensor], eta: float, mu: float = MU
) -> dict[str, torch.Tensor]:
    """The steps eps_k = eta / (mu + h_kk) SDLM takes with this curvature, by layer."""
    sdlm = SDLM(model.parameters(), lr=eta, mu=mu)
    sdlm.set_curvature(hessian_diagonal)
    return by_layer(model, sdlm.step_sizes())
