"""The distortion sliders: a digit and a slider per distortion of Section III-C, each over the
range the distortions are drawn from."""
import base64
import io

import numpy as np
import torch
import traitlets
from PIL import Image

from ..distortions import FIELDS, PAPER_DISTORTIONS, DistortionParams, distort
from .base import BookWidget


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


def distortion_controls(ranges=PAPER_DISTORTIONS) -> list:
    """The five sliders the front end draws, in :data:`FIELDS` order: name, label, range, step,
    the decimals and sign of the readout, and whether the slider moves on a log scale (scale and
    squeeze: ``min``/``max``/``step`` are then base-10 exponents, and 1 lies on the grid)."""
    def linear(name, label, bound, step, decimals):
        return {"name": name, "label": label, "min": -bound, "max": bound, "step": step,
                "log": False, "decimals": decimals, "signed": True}

    def log(name, label, lo, hi):
        lo_exp, hi_exp = float(np.log10(lo)), float(np.log10(hi))
        return {"name": name, "label": label, "min": lo_exp, "max": hi_exp, "step": -lo_exp / 20,
                "log": True, "decimals": 3, "signed": False}

    return [linear("translate_x", "translate x (px)", ranges.translate_x, 0.1, 1),
            linear("translate_y", "translate y (px)", ranges.translate_y, 0.1, 1),
            log("scale", "scale", *ranges.scale),
            log("squeeze", "squeeze", *ranges.squeeze),
            linear("shear", "shear", ranges.shear, 0.02, 2)]


def describe_distortion(params: DistortionParams) -> str:
    """A distortion in words, as the widget's caption and its picture's text alternative."""
    p = params
    return (f"translate ({p.translate_x:+.1f}, {p.translate_y:+.1f}) px, scale {p.scale:.3f}, "
            f"squeeze {p.squeeze:.3f}, shear {p.shear:+.2f}")


class DistortionExplorer(BookWidget):
    """A digit and a slider per distortion (translate x and y in pixels, scale, squeeze, shear),
    each over the range the distortions are drawn from; the original and the distorted digit are
    drawn side by side with :func:`lenet_nb.distortions.distort`.

    ``digit`` is the digit shown and ``translate_x`` ... ``shear`` the distortion (synced traits:
    the front end's controls set them); ``params`` reads them as one
    :class:`~lenet_nb.distortions.DistortionParams`, ``set(**values)`` moves several at once and
    ``reset()`` returns to the identity. ``image`` is the PNG drawn (base64) and ``caption`` says in
    words what it shows. The controls are the front end's own (lenet_widgets.js): labelled native
    inputs that reflow on a narrow screen and follow the page's light or dark theme.
    """

    _kind = traitlets.Unicode("distortions").tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)
    translate_x = traitlets.Float(0.0).tag(sync=True)
    translate_y = traitlets.Float(0.0).tag(sync=True)
    scale = traitlets.Float(1.0).tag(sync=True)
    squeeze = traitlets.Float(1.0).tag(sync=True)
    shear = traitlets.Float(0.0).tag(sync=True)
    image = traitlets.Unicode("").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)

    def __init__(self, images: torch.Tensor, labels, ranges=PAPER_DISTORTIONS, index: int = 0):
        self._images = images
        self._hold = False
        data = {"labels": [int(v) for v in labels], "controls": distortion_controls(ranges)}
        super().__init__(data=data, digit=index)
        self.observe(self._redraw, names=["digit", *FIELDS])
        self._redraw()

    @property
    def params(self) -> DistortionParams:
        return DistortionParams(**{name: float(getattr(self, name)) for name in FIELDS})

    def value(self, name: str) -> float:
        if name not in FIELDS:
            raise ValueError(f"unknown distortion {name!r}; expected one of {', '.join(FIELDS)}")
        return float(getattr(self, name))

    def set(self, **values) -> None:
        """Move sliders (by field name); the image is redrawn once, at the end."""
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown distortion {unknown[0]!r}; expected one of "
                             f"{', '.join(FIELDS)}")
        self._hold = True
        try:
            with self.hold_sync():
                for name, v in values.items():
                    setattr(self, name, float(v))
        finally:
            self._hold = False
        self._redraw()

    def reset(self) -> None:
        """Back to the identity (what the front end's "identity" button does)."""
        self.set(**DistortionParams().__dict__)

    def shown(self) -> torch.Tensor:
        """The distorted digit currently drawn (uint8 28x28)."""
        return distort(self._images[self.digit], self.params)

    @property
    def png(self) -> bytes:
        """The picture drawn: the digit and its distortion side by side (PNG bytes)."""
        return base64.b64decode(self.image)

    def _redraw(self, *_):
        if self._hold:
            return
        original = self._images[self.digit]
        params = self.params
        with self.hold_sync():
            self.image = base64.b64encode(
                distortion_png(original, distort(original, params))).decode()
            self.caption = (f"Digit {self.digit} (a {self.data['labels'][self.digit]}) as written, "
                            f"and distorted: {describe_distortion(params)}")

    def _summary(self) -> str:
        return f"digit {self.digit}, {describe_distortion(self.params)}"
