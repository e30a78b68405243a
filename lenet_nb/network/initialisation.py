"""How a trainable layer's weights and biases start: Appendix A's rule, and the rules others use.

A layer declares what a rule needs and nothing here knows the layer classes: ``fan_in`` (one
number per feature map, the inputs of one unit), ``weight_fan_in()`` and ``weight_fan_out()`` (one
per row of ``weight``; a fan-out of None means Glorot's rule is not defined for the layer), and
``authors_weight`` (a constant the authors' code starts the weights at, or None for their uniform
draw).
"""

import torch
from torch import nn

INIT_RANGE = 2.4  # Appendix A: weights uniform in [-2.4/F, 2.4/F], F the unit's fan-in
INITIALISATIONS = ("paper", "authors", "torch", "xavier")
# The authors' own LeNet-5 demo (Lush's gblearn2): subsampling coefficients start here.
AUTHORS_SUBSAMPLING_COEFFICIENT = 0.5


def _uniform_(tensor: torch.Tensor, bound: torch.Tensor) -> None:
    """U(-bound, bound) in place; ``bound`` broadcasts along the first dimension (one per unit)."""
    bound = bound.to(tensor.dtype).reshape(-1, *([1] * (tensor.dim() - 1)))
    with torch.no_grad():
        tensor.uniform_(-1, 1).mul_(bound)


def initialise(layer, scheme: str = "paper") -> None:
    """Draw ``layer``'s weight and bias afresh.

    "paper": U(-2.4/F, 2.4/F) (Appendix A); "authors": what the authors' own demo code did,
    weights U(-1/sqrt F, 1/sqrt F) (or the layer's ``authors_weight``), biases 0; "torch":
    PyTorch's default U(-1/sqrt F, 1/sqrt F) for weights and biases; "xavier": Glorot's uniform
    weights and zero biases (Keras's default).
    """
    if scheme == "paper":
        # The paper states no rule for biases: we draw them from each unit's weight range too.
        _uniform_(layer.bias, INIT_RANGE / layer.fan_in)
        _uniform_(layer.weight, INIT_RANGE / layer.weight_fan_in())
    elif scheme == "authors":
        nn.init.zeros_(layer.bias)
        if layer.authors_weight is not None:
            nn.init.constant_(layer.weight, layer.authors_weight)
        else:
            _uniform_(layer.weight, layer.weight_fan_in().float().rsqrt())
    elif scheme == "torch":
        _uniform_(layer.bias, layer.fan_in.float().rsqrt())
        _uniform_(layer.weight, layer.weight_fan_in().float().rsqrt())
    elif scheme == "xavier" and layer.weight_fan_out() is not None:
        fans = layer.weight_fan_in() + layer.weight_fan_out()
        _uniform_(layer.weight, (6.0 / fans.float()).sqrt())
        nn.init.zeros_(layer.bias)
    else:
        raise ValueError(
            f"initialisation {scheme!r} is not defined for {type(layer).__name__};"
            f" choose one of {INITIALISATIONS}"
        )
