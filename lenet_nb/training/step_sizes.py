"""SDLM's step sizes parameter by parameter, and what sets them (Appendix C; the Training
chapter's "Watch it learn").

A parameter's curvature h_kk sums, over every connection that shares it, that connection's
d2E/da^2 x^2 (Eqs. 23-24): a weight shared by many connections collects many terms, so sharing
raises h and lowers the step eta / (mu + h). ``connections`` counts them.
"""

import torch

from lenet_nb.network.layers import ConvolutionLayer, SparseConvolutionLayer, SubsamplingLayer
from lenet_nb.network.model import output_shapes
from lenet_nb.training.sdlm import MU, by_layer, gauss_newton_diagonal, step_sizes_by_layer


def connections(model) -> dict[str, int]:
    """For each parameter tensor (by its name in ``model.named_parameters()``): how many
    connections share each of its values. A kernel weight and a map's bias are used once per
    unit of its output map (784 in C1, 100 in C3, 1 in C5); a subsampling coefficient once per
    input, four per unit; a weight of F6 once."""
    shapes = output_shapes(model)
    counts = {}
    for name, layer in model.trainable_layers():
        units = int(torch.tensor(shapes[name][1:]).prod()) if len(shapes[name]) > 1 else 1
        shared = isinstance(layer, (ConvolutionLayer, SparseConvolutionLayer, SubsamplingLayer))
        per_unit = 4 if isinstance(layer, SubsamplingLayer) else 1
        counts[f"{name}.weight"] = units * per_unit if shared else 1
        counts[f"{name}.bias"] = units if shared else 1
    return counts


def step_sizes_by_parameter(
    model, hessian_diagonal: list[torch.Tensor], eta: float, mu: float = MU
) -> dict[str, torch.Tensor]:
    """eps_k = eta / (mu + h_kk) for every value of every parameter tensor, by tensor name
    (``hessian_diagonal`` in ``model.parameters()`` order, as ``gauss_newton_diagonal`` gives)."""
    return {
        name: (eta / (mu + h.detach().cpu().double())).flatten()
        for (name, _), h in zip(model.named_parameters(), hessian_diagonal)
    }


def by_parameter(model, hessian_diagonal: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    """The h_kk by parameter tensor name, flattened, float64."""
    return {
        name: h.detach().cpu().double().flatten()
        for (name, _), h in zip(model.named_parameters(), hessian_diagonal)
    }


def curvature_and_steps(model, patterns: torch.Tensor, eta: float, mu: float = MU):
    """``model``'s h_kk on ``patterns`` and the steps eta / (mu + h_kk) SDLM takes with them,
    each gathered by layer (``sdlm.by_layer``)."""
    diagonal = gauss_newton_diagonal(model.to(patterns.device), patterns)
    return by_layer(model, diagonal), step_sizes_by_layer(model, diagonal, eta, mu)
