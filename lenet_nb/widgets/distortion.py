"""The distortion sliders: a plain ipywidgets panel that recomputes in Python, so it responds only
with a live kernel."""
import io

import ipywidgets
import numpy as np
import torch
from PIL import Image

from ..distortions import FIELDS, PAPER_DISTORTIONS, DistortionParams, distort


def distortion_png(original: torch.Tensor, distorted: torch.Tensor, zoom: int = 6) -> bytes:
    """A uint8 28x28 digit and its distortion side by side, ink dark, enlarged ``zoom`` times
    (nearest neighbour), as PNG bytes."""
    gap = torch.full((original.shape[0], 2), 255, dtype=torch.uint8)
    strip = torch.cat([255 - original, gap, 255 - distorted], dim=1).numpy()
    image = Image.fromarray(strip, mode="L")
    image = image.resize((strip.shape[1] * zoom, strip.shape[0] * zoom), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class DistortionExplorer(ipywidgets.HBox):
    """A digit and a slider per distortion (translate x and y in pixels, scale, squeeze, shear),
    each over the range the distortions are drawn from; the original and the distorted digit are
    drawn side by side with :func:`lenet_nb.distortions.distort`. ``params`` is the distortion
    shown; ``value(name)`` / ``set(**values)`` read and move the sliders.

    The labels are separate HTML widgets, not the controls' ``description``: the HTML book's
    widget manager typesets descriptions with the MathJax 2 API, which the book's MathJax 3 lacks.
    """

    LABELS = {"digit": "digit", "translate_x": "translate x (px)", "translate_y": "translate y (px)",
              "scale": "scale", "squeeze": "squeeze", "shear": "shear"}

    def __init__(self, images: torch.Tensor, labels, ranges=PAPER_DISTORTIONS, index: int = 0):
        self._images = images
        labels = [int(v) for v in labels]
        self.digit = ipywidgets.Dropdown(
            options=[(f"digit {k}: a {label}", k) for k, label in enumerate(labels)], value=index)
        self.sliders = {
            "translate_x": ipywidgets.FloatSlider(0.0, min=-ranges.translate_x,
                                                  max=ranges.translate_x, step=0.1),
            "translate_y": ipywidgets.FloatSlider(0.0, min=-ranges.translate_y,
                                                  max=ranges.translate_y, step=0.1),
            "scale": self._log_slider(*ranges.scale),
            "squeeze": self._log_slider(*ranges.squeeze),
            "shear": ipywidgets.FloatSlider(0.0, min=-ranges.shear, max=ranges.shear, step=0.02),
        }
        rows = []
        for name, control in [("digit", self.digit), *self.sliders.items()]:
            control.layout.width = "260px"
            label = ipywidgets.HTML(self.LABELS[name], layout=ipywidgets.Layout(width="120px"))
            rows.append(ipywidgets.HBox([label, control]))
        self.reset = ipywidgets.Button(description="identity")
        self.reset.on_click(lambda _: self.set(**DistortionParams().__dict__))
        self.image = ipywidgets.Image(format="png")
        self.image.layout.width = f"{(2 * 28 + 2) * 5}px"  # reference size, enlarged in the PNG
        controls = ipywidgets.VBox([*rows, self.reset])
        super().__init__([controls, self.image])
        for widget in (self.digit, *self.sliders.values()):
            widget.observe(self._redraw, names="value")
        self._redraw()

    @staticmethod
    def _log_slider(lo: float, hi: float) -> ipywidgets.FloatLogSlider:
        """A log slider from ``lo`` to ``hi`` (``lo < 1 < hi``) whose grid holds 1 exactly."""
        lo_exp, hi_exp = float(np.log10(lo)), float(np.log10(hi))
        return ipywidgets.FloatLogSlider(1.0, base=10, min=lo_exp, max=hi_exp, step=-lo_exp / 20,
                                         readout_format=".3f")

    @property
    def params(self) -> DistortionParams:
        return DistortionParams(**{name: float(self.sliders[name].value) for name in FIELDS})

    def value(self, name: str) -> float:
        return float(self.sliders[name].value)

    def set(self, **values) -> None:
        """Move sliders (by field name); the image is redrawn once, at the end."""
        with self.hold_trait_notifications():
            self._hold = True
            try:
                for name, v in values.items():
                    self.sliders[name].value = v
            finally:
                self._hold = False
        self._redraw()

    def shown(self) -> torch.Tensor:
        """The distorted digit currently drawn (uint8 28x28)."""
        return distort(self._images[self.digit.value], self.params)

    def _redraw(self, *_):
        if getattr(self, "_hold", False):
            return
        original = self._images[self.digit.value]
        self.image.value = distortion_png(original, distort(original, self.params))

    def __repr__(self) -> str:
        p = self.params
        return (f"DistortionExplorer(digit {self.digit.value}, translate ({p.translate_x:+.1f}, "
                f"{p.translate_y:+.1f}) px, scale {p.scale:.3f}, squeeze {p.squeeze:.3f}, "
                f"shear {p.shear:+.2f})")
