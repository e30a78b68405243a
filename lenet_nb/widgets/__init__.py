"""The book's interactive widgets.

Each widget is an ``anywidget`` whose front end (``static/lenet_widgets.js``, styled by
``static/lenet_widgets.css``) draws from the widget's own synced state. The feature-map explorer
and the C3 table draw everything from data computed once in Python: feature maps quantised to one
byte per value and base64-encoded, colour tables taken from the same matplotlib colormaps the
static figures use (``lenet_nb.figures``), and small lists of numbers. Clicking never calls back
into Python, so they respond the same way in Jupyter and in the built HTML book, where the
notebook's saved widget state is all there is. The selection is still a synced trait (``index``,
``selected_kind``/``selected_index``), so with a live kernel Python sees it and can set it. The
distortion explorer is the exception: Python redraws its picture, so without a kernel its
controls move but the picture stays as saved (the widget says so).
"""
import base64
from pathlib import Path

import anywidget
import numpy as np
import torch
import traitlets
from matplotlib import colormaps

from ..figures import (ACTIVATION_CMAP, ACTIVATION_RANGE, INPUT_CMAP, INPUT_RANGE, WEIGHT_CMAP,
                      activations)
from ..prototypes import HEIGHT, WIDTH

STATIC = Path(__file__).with_name("static")


def quantise(values, lo: float, hi: float) -> str:
    """``values`` mapped linearly from ``[lo, hi]`` onto the bytes 0..255 (clipped), in C order,
    as base64 text: what the front end decodes and looks up in a 256-entry colour table."""
    scaled = (np.asarray(values, dtype=np.float64) - lo) / (hi - lo) * 255
    return base64.b64encode(np.clip(np.rint(scaled), 0, 255).astype(np.uint8).tobytes()).decode()


def dequantise(text: str, lo: float, hi: float) -> np.ndarray:
    """The inverse of ``quantise`` (flat), to within half a step, ``(hi - lo) / 510``."""
    codes = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
    return lo + codes.astype(np.float64) * (hi - lo) / 255


def colour_table(cmap: str) -> str:
    """A matplotlib colormap as 256 RGB triples (768 bytes), base64."""
    rgb = colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    return base64.b64encode(np.rint(rgb * 255).astype(np.uint8).tobytes()).decode()


def c3_links(mask) -> dict:
    """Table I both ways, from a boolean ``C3 maps x S2 maps`` connection mask (as
    ``SparseConvolutionLayer.connection_mask()`` returns it): ``c3_inputs[j]``, the S2 maps that
    feed C3 map j, and ``s2_outputs[i]``, the C3 maps that S2 map i feeds. The C3 widget
    highlights exactly these lists."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or mask.shape[0] <= mask.shape[1]:
        raise ValueError(f"expected a C3 maps x S2 maps mask (16 x 6), got shape {mask.shape}")
    return {"c3_inputs": [np.flatnonzero(row).tolist() for row in mask],
            "s2_outputs": [np.flatnonzero(col).tolist() for col in mask.T]}


def _layer(name: str, caption: str, values: torch.Tensor, value_range, cmap: str) -> dict:
    """One stage for the front end: ``values`` is ``N x maps x H x W`` (digits first)."""
    n, maps, height, width = values.shape
    lo, hi = value_range
    return {"name": name, "caption": caption, "maps": maps, "height": height, "width": width,
            "lo": round(float(lo), 4), "hi": round(float(hi), 4), "cmap": cmap,
            "data": quantise(values.numpy(), lo, hi)}


def _colour_tables(*names: str) -> dict:
    return {name: colour_table(name) for name in names}


def explorer_data(model, images: torch.Tensor, labels: torch.Tensor, numbers=None) -> dict:
    """Everything the feature-map explorer draws, for the digits ``images`` (``N x 1 x 32 x 32``).

    ``numbers`` are the digits' indices in the test set, for the captions.
    """
    acts = activations(model, images)
    n = len(images)
    penalties = acts["output"]
    layers = [
        _layer("input", "input 32x32", images.cpu(), INPUT_RANGE, INPUT_CMAP),
        _layer("C1", "C1: 6 maps 28x28", acts["C1"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        _layer("S2", "S2: 6 maps 14x14", acts["S2"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        _layer("C3", "C3: 16 maps 10x10", acts["C3"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        _layer("S4", "S4: 16 maps 5x5", acts["S4"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        # 120 units of one pixel each, drawn as one 10x12 picture (row by row).
        _layer("C5", "C5: 120 units, as 10x12", acts["C5"].reshape(n, 1, 10, 12),
               ACTIVATION_RANGE, ACTIVATION_CMAP),
        _layer("F6", "F6: 84 units, as 7x12", acts["F6"].reshape(n, 1, HEIGHT, WIDTH),
               ACTIVATION_RANGE, ACTIVATION_CMAP),
        _layer("prototypes", "prototype", model.output.prototypes.cpu().reshape(10, 1, HEIGHT, WIDTH),
               ACTIVATION_RANGE, ACTIVATION_CMAP),
    ]
    return {
        "labels": labels.tolist(),
        "numbers": list(numbers) if numbers is not None else list(range(n)),
        "penalties": [[round(float(p), 1) for p in row] for row in penalties],
        "predictions": penalties.argmin(1).tolist(),
        "layers": layers,
        "colour_tables": _colour_tables(INPUT_CMAP, ACTIVATION_CMAP),
    }


def c3_data(model, images: torch.Tensor, labels: torch.Tensor, numbers=None) -> dict:
    """Everything the C3 connection table draws: Table I (from the model's own connection mask),
    the S2 and C3 maps of the digits ``images``, and the 60 learned 5x5 kernels of C3."""
    acts = activations(model, images)
    mask = model.C3.connection_mask()
    dense = model.C3.dense_weight(model.C3.weight).detach().cpu()  # 16 x 6 x 5 x 5
    bound = float(dense.abs().max())
    return {
        **c3_links(mask),
        "labels": labels.tolist(),
        "numbers": list(numbers) if numbers is not None else list(range(len(images))),
        "layers": [
            _layer("input", "input", images.cpu(), INPUT_RANGE, INPUT_CMAP),
            _layer("S2", "S2", acts["S2"], ACTIVATION_RANGE, ACTIVATION_CMAP),
            _layer("C3", "C3", acts["C3"], ACTIVATION_RANGE, ACTIVATION_CMAP),
            # One "digit" of 96 maps: kernel (j, i) at map 6 j + i, zero where Table I has none.
            _layer("kernels", "kernels", dense.reshape(1, 96, 5, 5), (-bound, bound), WEIGHT_CMAP),
        ],
        "colour_tables": _colour_tables(INPUT_CMAP, ACTIVATION_CMAP, WEIGHT_CMAP),
    }


class _BookWidget(anywidget.AnyWidget):
    """Front end shared by the book's widgets; ``_kind`` picks which one it draws."""

    _esm = STATIC / "lenet_widgets.js"
    _css = STATIC / "lenet_widgets.css"
    _kind = traitlets.Unicode().tag(sync=True)
    data = traitlets.Dict().tag(sync=True)

    def _summary(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        # The notebook's text/plain output: short and stable, never the data.
        return f"{type(self).__name__}({self._summary()})"


class FeatureMapExplorer(_BookWidget):
    """Pick one of a few dozen test digits; see every layer's output for it, from the input to
    the ten penalties, and the prediction. ``index`` is the digit shown."""

    _kind = traitlets.Unicode("explorer").tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)

    def __init__(self, model, images, labels, numbers=None, index: int = 0):
        super().__init__(data=explorer_data(model, images, labels, numbers), index=index)

    def _summary(self) -> str:
        return f"{len(self.data['labels'])} digits, showing digit {self.index}"


class C3ConnectionTable(_BookWidget):
    """Table I as a clickable grid. Click a C3 map (a column) to light up the S2 maps that feed it
    and see its inputs, kernels and feature map; click an S2 map (a row) to light up the C3 maps
    it feeds. ``selected_kind`` is ``"C3"`` or ``"S2"``, ``selected_index`` the map, ``digit``
    which of the digits supplies the maps."""

    _kind = traitlets.Unicode("c3table").tag(sync=True)
    selected_kind = traitlets.Unicode("C3").tag(sync=True)
    selected_index = traitlets.Int(0).tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)

    def __init__(self, model, images, labels, numbers=None, c3_map: int = 0, digit: int = 0):
        super().__init__(data=c3_data(model, images, labels, numbers), selected_kind="C3",
                         selected_index=c3_map, digit=digit)

    def _summary(self) -> str:
        return (f"{len(self.data['labels'])} digits, selected {self.selected_kind} map "
                f"{self.selected_index}")


# ---------------------------------------------------------------------------------------------
# Distortions: the picture is recomputed in Python, so it follows the sliders only with a live
# kernel; in the HTML book the controls move but the picture (and its caption) stay as saved.

import io  # noqa: E402

from PIL import Image as _PILImage  # noqa: E402

from ..distortions import FIELDS, PAPER_DISTORTIONS, DistortionParams, distort  # noqa: E402


def distortion_png(original: torch.Tensor, distorted: torch.Tensor, zoom: int = 6) -> bytes:
    """A uint8 28x28 digit and its distortion side by side, ink dark, enlarged ``zoom`` times
    (nearest neighbour), as PNG bytes."""
    gap = torch.full((original.shape[0], 2), 255, dtype=torch.uint8)
    strip = torch.cat([255 - original, gap, 255 - distorted], dim=1).numpy()
    image = _PILImage.fromarray(strip, mode="L")
    image = image.resize((strip.shape[1] * zoom, strip.shape[0] * zoom), _PILImage.NEAREST)
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


class DistortionExplorer(_BookWidget):
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
