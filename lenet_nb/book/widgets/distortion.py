"""The distortion sliders: a digit and a slider per distortion of Section III-C, each over the
range the distortions are drawn from, and both networks reading the distorted digit.

Everything is computed in the page: the distortion by ``static/src/distort.js`` (the twin of
``lenet_nb.digits.distortions.distort``, held equal by ``tests/test_distort_js.py``) and both
networks by ``static/src/lenet5.js``, so the sliders work in the built book with no kernel. The
digit and the distortion are synced traits, so with a kernel Python reads (``params``, ``shown()``)
and moves (``set``, ``reset``) them.
"""

import numpy as np
import torch
import traitlets

from lenet_nb.book.widgets.base import digits_data
from lenet_nb.book.widgets.network import NetworkWidget, network_data
from lenet_nb.digits.distortions import FIELDS, PAPER_DISTORTIONS, DistortionParams, distort


def distortion_controls(ranges=PAPER_DISTORTIONS) -> list:
    """The five sliders the front end draws, in :data:`FIELDS` order: name, label, range, step,
    the decimals and sign of the readout, and whether the slider moves on a log scale (scale and
    squeeze: ``min``/``max``/``step`` are then base-10 exponents, and 1 lies on the grid)."""

    def linear(name, label, bound, step, decimals):
        return {
            "name": name,
            "label": label,
            "min": -bound,
            "max": bound,
            "step": step,
            "log": False,
            "decimals": decimals,
            "signed": True,
            "identity": 0.0,
        }

    def log(name, label, lo, hi):
        lo_exp, hi_exp = float(np.log10(lo)), float(np.log10(hi))
        return {
            "name": name,
            "label": label,
            "min": lo_exp,
            "max": hi_exp,
            "step": -lo_exp / 20,
            "log": True,
            "decimals": 3,
            "signed": False,
            "identity": 1.0,
        }

    return [
        linear("translate_x", "translate x (px)", ranges.translate_x, 0.1, 1),
        linear("translate_y", "translate y (px)", ranges.translate_y, 0.1, 1),
        log("scale", "scale", *ranges.scale),
        log("squeeze", "squeeze", *ranges.squeeze),
        linear("shear", "shear", ranges.shear, 0.02, 2),
    ]


class DistortionExplorer(NetworkWidget):
    """A digit, a slider per distortion (translate x and y in pixels, scale, squeeze, shear) and
    both networks' answers and penalties for the distorted digit, all computed in the page.

    ``digit`` is the digit shown and ``translate_x`` ... ``shear`` the distortion (the front
    end's controls set them); ``params`` reads them as one ``DistortionParams``,
    ``set(**values)`` moves several at once, ``reset()`` returns to the identity and ``shown()``
    is the distorted digit as Python computes it.
    """

    _kind = traitlets.Unicode("distortions").tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)
    translate_x = traitlets.Float(0.0).tag(sync=True)
    translate_y = traitlets.Float(0.0).tag(sync=True)
    scale = traitlets.Float(1.0).tag(sync=True)
    squeeze = traitlets.Float(1.0).tag(sync=True)
    shear = traitlets.Float(0.0).tag(sync=True)

    def __init__(self, images: torch.Tensor, labels, ranges=PAPER_DISTORTIONS, index: int = 0):
        self._images = images
        data = {
            "labels": [int(v) for v in labels],
            "digits": digits_data(images),
            "controls": distortion_controls(ranges),
            **network_data(),
        }
        super().__init__(data=data, digit=index)

    @property
    def params(self) -> DistortionParams:
        return DistortionParams(**{name: float(getattr(self, name)) for name in FIELDS})

    def value(self, name: str) -> float:
        if name not in FIELDS:
            raise ValueError(f"unknown distortion {name!r}; expected one of {', '.join(FIELDS)}")
        return float(getattr(self, name))

    def set(self, **values) -> None:
        """Move sliders (by field name), all in one message to the front end."""
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            raise ValueError(
                f"unknown distortion {unknown[0]!r}; expected one of {', '.join(FIELDS)}"
            )
        with self.hold_sync():
            for name, v in values.items():
                setattr(self, name, float(v))

    def reset(self) -> None:
        """Back to the identity (what the front end's "identity" button does)."""
        self.set(**DistortionParams().__dict__)

    def shown(self) -> torch.Tensor:
        """The distorted digit (uint8 28x28), as ``lenet_nb.digits.distortions.distort`` makes
        it."""
        return distort(self._images[self.digit], self.params)

    def _summary(self) -> str:
        p = self.params
        return (
            f"digit {self.digit}, translate ({p.translate_x:+.1f}, {p.translate_y:+.1f}) px, "
            f"scale {p.scale:.3f}, squeeze {p.squeeze:.3f}, shear {p.shear:+.2f}"
        )
