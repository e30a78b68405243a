"""One step of Appendix C's Gauss-Newton recursion for each kind of layer (Eqs. 23-27).

``curvature_backward(layer, x, second, need_input)`` goes from d2E/dy^2 at the layer's output
(``second``) to ``[(parameter, h_kk)]`` for its parameters and d2E/dx^2 at its input ``x``
(None unless ``need_input``); ``lenet_nb.training.sdlm.gauss_newton_diagonal`` chains the steps
from the output layer, where the recursion starts (``second`` is None there), back to C1.
Rules are registered by layer type; a layer without one cannot be trained by SDLM.
"""

from functools import singledispatch

import torch

from lenet_nb.network import fast
from lenet_nb.network.layers import ACTIVATIONS, EuclideanRBF, SubsamplingLayer, TrainableLayer
from lenet_nb.network.substitutes import FixedPooling, SoftmaxOutput

RBF_CURVATURE = 2.0  # d^2/dx_j^2 of y_D = sum_j (x_j - w_Dj)^2, where Appendix C's recursion starts


@singledispatch
def curvature_backward(layer, x: torch.Tensor, second, need_input: bool = True, **options):
    raise TypeError(
        f"no Gauss-Newton rule for {type(layer).__name__}: register one with "
        "lenet_nb.training.curvature.curvature_backward.register"
    )


@curvature_backward.register
def _weighted_sums(
    layer: TrainableLayer, x: torch.Tensor, second, need_input: bool = True, square_of_sum=False
):
    """y = f(a), a = linear(x; w, b). d2E/da^2 = f'(a)^2 d2E/dy^2 (Eq. 27). The weights' and the
    inputs' second derivatives are the transpose of the linear map applied to it with squared
    inputs (Eqs. 23 and 25), resp. squared weights (the sum over k of Eq. 27): we evaluate
    ``linear`` on squared quantities and let autograd transpose. f'(a) is taken at the
    pre-activation the forward pass computes (``lenet_nb.network.fast``), as training runs it.

    With ``square_of_sum`` a subsampling coefficient's term takes (sum_j x_j)^2 over its unit's
    four inputs instead of sum_j x_j^2: the exact Gauss-Newton term of one weight that four
    connections share, as the authors' code computes it (the paper's diagonal drops the
    cross terms between them)."""
    derivative = ACTIVATIONS[layer.activation][1]
    d2a = derivative(fast.preactivation(layer, x)) ** 2 * second
    w_probe = torch.zeros_like(layer.weight, requires_grad=True)
    b_probe = torch.zeros_like(layer.bias, requires_grad=True)
    wanted = [w_probe, b_probe]
    if square_of_sum and isinstance(layer, SubsamplingLayer):
        summed = fast.block_sum(layer.select(x))
        squared = summed**2 * w_probe.view(1, -1, 1, 1) + b_probe.view(1, -1, 1, 1)
    else:
        squared = layer.linear(x**2, w_probe, b_probe)
    surrogate = (squared * d2a).sum()
    if need_input:
        x_probe = torch.zeros_like(x, requires_grad=True)
        squared = layer.weight.detach() ** 2
        surrogate = (
            surrogate + (layer.linear(x_probe, squared, torch.zeros_like(b_probe)) * d2a).sum()
        )
        wanted.append(x_probe)
    grads = torch.autograd.grad(surrogate, wanted)
    second_in = grads[2] if need_input else None
    return [(layer.weight, grads[0]), (layer.bias, grads[1])], second_in


@curvature_backward.register
def _rbf(layer: EuclideanRBF, x: torch.Tensor, second, need_input: bool = True, **options):
    """Where the recursion starts: the curvature of the correct class's penalty (exact for Eq. 8;
    for Eq. 9 the competition term's, which can be negative, is dropped). No parameters."""
    return [], torch.full_like(x, RBF_CURVATURE)


@curvature_backward.register
def _softmax(layer: SoftmaxOutput, x: torch.Tensor, second, need_input: bool = True, **options):
    """Where the recursion starts for the tutorials' output: the Gauss-Newton curvature of
    cross-entropy in the scores, p_i (1 - p_i), then back through the linear map."""
    p = torch.softmax(layer.preactivation(x), dim=1)
    return _weighted_sums(layer, x, p * (1 - p), need_input)


@curvature_backward.register
def _pooling(layer: FixedPooling, x: torch.Tensor, second, need_input: bool = True, **options):
    """The recursion through a fixed linear map: its transpose with squared weights. Max-pooling
    selects one input per unit (a weight of 1, its own square), averaging weighs each by 1/4."""
    x = x.detach().requires_grad_(True)
    (back,) = torch.autograd.grad(layer(x), x, second)
    return [], back if layer.kind == "max" else back / 4
