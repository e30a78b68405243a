"""Stochastic diagonal Levenberg-Marquardt (Section III-B, Appendix C).

Each parameter w_k has its own step eps_k = eta / (mu + h_kk), where h_kk estimates the diagonal
of the Hessian with the Gauss-Newton approximation, back-propagated like a gradient but with
squared weights and squared derivatives (Eqs. 23-27). The h_kk are re-estimated on 500 training
patterns before each pass and held fixed during it. This is not a running average of squared
gradients (as in Adam or RMSprop): it is curvature, computed from the network's own structure.
"""
import torch

from .layers import squash, squash_derivative

MU = 0.02  # "mu = 0.02"
CURVATURE_PATTERNS = 500  # "re-estimated on 500 patterns before each pass"
RBF_CURVATURE = 2.0  # d^2/dx_j^2 of y_D = sum_j (x_j - w_Dj)^2

# The global learning rate eta for each of the 20 passes: 0.0005 for the first two, 0.0002 for
# the next three, 0.0001 for the next three, 0.00005 for the next four, 0.00001 for the rest.
PAPER_SCHEDULE = (5e-4,) * 2 + (2e-4,) * 3 + (1e-4,) * 3 + (5e-5,) * 4 + (1e-5,) * 8


def learning_rate(pass_index: int, schedule=PAPER_SCHEDULE) -> float:
    """eta for pass ``pass_index`` (0-based); passes beyond the schedule keep its last value."""
    return schedule[min(pass_index, len(schedule) - 1)]


def gauss_newton_diagonal(model, images: torch.Tensor) -> list[torch.Tensor]:
    """h_kk for every trainable parameter, averaged over the patterns in ``images``.

    For a unit with pre-activation a_i = sum_j w_ij x_j + b_i the paper's recursion is
        d2E/da_i^2 = f'(a_i)^2 sum_k w_ki^2 d2E/da_k^2           (back-propagation, Eq. 25)
        d2E/dw_k^2 = sum over connections sharing w_k of d2E/da_i^2 x_j^2   (Eq. 23-24)
    Both are the transpose of the layer's linear map, applied with squared weights to the
    second derivatives, or with squared inputs for the weights: so we evaluate each layer's own
    ``linear`` on squared quantities and let autograd take the transpose. The output layer seeds
    the recursion with the RBF's curvature, d2y_D/dx_j^2 = 2 (exact for Eq. 8; for Eq. 9 the
    curvature of the competition term is dropped, as it can be negative).

    Returns one tensor per parameter, in ``model.parameters()`` order.
    """
    layers = [layer for _, layer in model.trainable_layers()]
    with torch.no_grad():
        inputs, preacts, x = [], [], images
        for layer in layers:
            inputs.append(x)
            preacts.append(layer.preactivation(x))
            x = squash(preacts[-1])
    second = torch.full_like(x, RBF_CURVATURE)  # d2E/dx^2 at F6's output
    per_layer = []
    for i in reversed(range(len(layers))):
        layer, x_in = layers[i], inputs[i]
        d2a = squash_derivative(preacts[i]) ** 2 * second
        w_probe = torch.zeros_like(layer.weight, requires_grad=True)
        b_probe = torch.zeros_like(layer.bias, requires_grad=True)
        wanted = [w_probe, b_probe]
        surrogate = (layer.linear(x_in ** 2, w_probe, b_probe) * d2a).sum()
        if i > 0:
            x_probe = torch.zeros_like(x_in, requires_grad=True)
            w2 = layer.weight.detach() ** 2
            surrogate = surrogate + (layer.linear(x_probe, w2, torch.zeros_like(b_probe)) * d2a).sum()
            wanted.append(x_probe)
        grads = torch.autograd.grad(surrogate, wanted)
        per_layer.append([g / len(images) for g in grads[:2]])
        if i > 0:
            second = grads[2]
    by_param = {id(p): h for layer, hs in zip(layers, reversed(per_layer))
                for p, h in zip((layer.weight, layer.bias), hs)}
    return [by_param[id(p)] for p in model.parameters()]


class SDLM(torch.optim.Optimizer):
    """w_k <- w_k - eps_k dE/dw_k with eps_k = eta / (mu + h_kk) (Appendix C).

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
        """eps_k = eta / (mu + h_kk) for every parameter of a group, with the current eta.

        Cached until eta, mu or the curvature changes: computing it once per pass rather than
        per update takes the optimizer off the profile of a small-batch step.
        """
        group = self.param_groups[group_index]
        key = (group["lr"], group["mu"], self._curvature_version)
        if self._eps.get(group_index, (None,))[0] != key:
            if any("h" not in self.state[p] for p in group["params"]):
                raise RuntimeError("SDLM needs set_curvature(gauss_newton_diagonal(...)) first")
            self._eps[group_index] = (key, [group["lr"] / (group["mu"] + self.state[p]["h"])
                                            for p in group["params"]])
        return self._eps[group_index][1]

    @torch.no_grad()
    def step(self, closure=None):
        for index, group in enumerate(self.param_groups):
            live = [(p, eps) for p, eps in zip(group["params"], self.step_sizes(index))
                    if p.grad is not None]
            torch._foreach_addcmul_([p for p, _ in live], [p.grad for p, _ in live],
                                    [eps for _, eps in live], value=-1.0)
