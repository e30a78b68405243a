"""The invariance panel, in the manner of LeCun's LeNet-5 demonstrations: a digit translated,
rotated, scaled, squeezed, drawn thinner or thicker and buried in noise, and both networks
reading it, with the layers' maps, as the sliders move.

Computed in the page (``static/src/distort.js``, the twin of ``lenet_nb.digits.transformations``,
and ``static/src/lenet5.js``), so it works in the built book with no kernel. ``strengths`` (a synced
dict) holds the sliders; ``shown()`` is the transformed digit as Python computes it.
"""

import math

import torch
import traitlets

from lenet_nb.book.widgets.base import digits_data
from lenet_nb.book.widgets.network import NetworkWidget, network_data
from lenet_nb.digits.transformations import TRANSFORMATIONS, compose

# Slider steps, in each transformation's own unit (log ones: in base-10 exponents).
STEPS = {
    "translation": 0.5,
    "rotation": 1.0,
    "scale": 0.01,
    "squeeze": 0.01,
    "stroke": 0.25,
    "noise": 0.01,
}
DECIMALS = {"translation": 1, "rotation": 0, "scale": 2, "squeeze": 2, "stroke": 2, "noise": 2}


def invariance_controls() -> list:
    """One slider per transformation, over the strengths ``lenet_nb.studies.invariance``
    measures."""
    controls = []
    for name, t in TRANSFORMATIONS.items():
        lo, hi = t.strengths[0], t.strengths[-1]
        if t.log:
            lo, hi = math.log10(lo), math.log10(hi)
        controls.append(
            {
                "name": name,
                "label": f"{t.label} ({t.unit})",
                "min": lo,
                "max": hi,
                "step": STEPS[name],
                "log": t.log,
                "decimals": DECIMALS[name],
                "signed": not t.log and lo < 0,
                "identity": t.identity,
            }
        )
    return controls


class InvariancePanel(NetworkWidget):
    """A digit and one slider per demonstration; both networks' answers and penalties, and the
    layers of the chosen network, for the transformed digit."""

    _kind = traitlets.Unicode("invariance").tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)
    strengths = traitlets.Dict().tag(sync=True)

    def __init__(self, images: torch.Tensor, labels, index: int = 0):
        self._images = images
        data = {
            "labels": [int(v) for v in labels],
            "digits": digits_data(images),
            "controls": invariance_controls(),
            **network_data(),
        }
        identity = {name: t.identity for name, t in TRANSFORMATIONS.items()}
        super().__init__(data=data, digit=index, strengths=identity)

    def shown(self) -> torch.Tensor:
        """The transformed digit (uint8 28x28), as ``lenet_nb.digits.transformations.compose`` makes
        it."""
        return compose(self._images[self.digit], self.strengths)

    def _summary(self) -> str:
        moved = {n: v for n, v in self.strengths.items() if v != TRANSFORMATIONS[n].identity}
        return f"digit {self.digit}, " + (
            ", ".join(f"{n} {v:g}" for n, v in moved.items()) or "no transformation"
        )
