"""What one recognition costs: arithmetic counted from the modules themselves (Fig. 11).

The paper says LeNet-5 needs about 401 thousand multiply-accumulate operations per recognition.
``multiply_accumulates`` collects them layer by layer, each kind of layer counted by its own rule
(``layer_cost`` in ``lenet_nb.studies.operations``) from its weight shapes, C3's connection table
and the output sizes of a forward pass, with these conventions:

* a multiply-accumulate (MAC) is one product added into a running sum;
* a convolution (C1, C3, C5) or the full connection F6: one MAC per weight per output position,
  i.e. per output unit the kernel taps of every input map connected to it (C3: only the maps of
  Table I); the sum starts from the bias, so the bias costs one addition per unit;
* a subsampling unit (S2, S4) adds its 4 inputs (3 additions), multiplies the sum by the
  coefficient and adds the bias: 1 MAC plus the 3 additions, and the bias as 1 more addition;
* an RBF output unit (Eq. 7) forms 84 differences x_j - w_ij (84 subtractions) and accumulates
  their squares (84 MACs).

The squashing function (one per unit of C1 to F6) is counted separately, as ``squashings``.
With these conventions the paper's "connections" are exactly MACs plus bias and subsampling
additions: the count below splits its 340,908 into operations.

``seconds_per_digit`` measures the other cost, wall time, on whatever runs it.
"""

import time

import torch

from lenet_nb.network.model import INPUT_SHAPE
from lenet_nb.studies.operations import LayerCost, named_cost
from lenet_nb.training.evaluation import predict_classes


def multiply_accumulates(model) -> list[LayerCost]:
    """The cost of recognising one digit (32x32 for LeNet-5), layer by layer, each by its kind's
    rule (the output sizes come from a forward pass of one blank pattern)."""
    device = next(model.buffers()).device
    with torch.no_grad():
        size = getattr(model, "input_size", INPUT_SHAPE[-1])
        acts = model.activations(torch.zeros(1, 1, size, size, device=device))
    return [named_cost(name, layer, acts[name].shape[1:]) for name, layer in model.layers()]


FIELDS = ("macs", "bias_additions", "sum_additions", "subtractions", "squashings", "connections")


def totals(costs: list[LayerCost]) -> dict[str, int]:
    """Each count of ``FIELDS`` summed over the layers."""
    return {field: sum(getattr(c, field) for c in costs) for field in FIELDS}


def table(costs: list[LayerCost]) -> str:
    """The counts layer by layer and in total, as a text table."""
    lines = ["layer   units     MACs  bias adds  sum adds  RBF subs  squashings  connections"]
    for c in costs:
        lines.append(
            f"{c.name:6s} {c.units:6,} {c.macs:8,} {c.bias_additions:10,} "
            f"{c.sum_additions:9,} {c.subtractions:9,} {c.squashings:11,} "
            f"{c.connections:12,}"
        )
    t = totals(costs)
    lines.append(
        f"total  {'':6s} {t['macs']:8,} {t['bias_additions']:10,} {t['sum_additions']:9,} "
        f"{t['subtractions']:9,} {t['squashings']:11,} {t['connections']:12,}"
    )
    return "\n".join(lines)


@torch.no_grad()
def seconds_per_digit(
    model, images: torch.Tensor, batch_size: int | None = None, repeats: int = 3
) -> float:
    """Wall time to recognise ``images`` (preprocessed, on the model's device) divided by their
    number: ``batch_size`` digits per forward pass (None: all at once), the best of ``repeats``
    timed runs after one untimed warm-up. Varies with the machine and its load."""
    batch_size = batch_size or len(images)
    device = images.device

    def recognise():
        predict_classes(model, images, batch_size)
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    recognise()
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        recognise()
        best = min(best, time.perf_counter() - began)
    return best / len(images)
