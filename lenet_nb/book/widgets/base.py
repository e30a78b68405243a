"""What the book's anywidgets share: their front end, and how their data travels to it.

Feature maps travel quantised to one byte per value and base64-encoded, colour tables as 256 RGB
triples of the matplotlib colormaps the static figures use (``lenet_nb.book.figures``).
"""

import base64
from pathlib import Path

import anywidget
import numpy as np
import torch
import traitlets
from matplotlib import colormaps

STATIC = Path(__file__).with_name("static")
# The front end's ES modules, which import each other (tests run them under node), and what
# esbuild makes of them (`npm run build`, scripts/build_front_end.mjs): one ES module with no
# imports and one style sheet, since an anywidget's module cannot import files. The bundle is
# committed, so neither the package nor the book needs node; tests/test_bundle.py checks that it
# is current.
SOURCES = STATIC / "src"
BUNDLE = STATIC / "bundle"


def front_end() -> str:
    """The widgets' ES module, as bundled from ``static/src/index.js``."""
    return (BUNDLE / "lenet_widgets.js").read_text(encoding="utf-8")


def styles() -> str:
    """The widgets' style sheet, as bundled from the CSS that ``static/src/index.js`` imports."""
    return (BUNDLE / "lenet_widgets.css").read_text(encoding="utf-8")


def quantise(values, lo: float, hi: float) -> str:
    """``values`` mapped linearly from ``[lo, hi]`` onto the bytes 0..255 (clipped), in C order,
    as base64 text: what the front end decodes and looks up in a 256-entry colour table."""
    scaled = (np.asarray(values, dtype=np.float64) - lo) / (hi - lo) * 255
    return base64.b64encode(np.clip(np.rint(scaled), 0, 255).astype(np.uint8).tobytes()).decode()


def colour_table(cmap: str) -> str:
    """A matplotlib colormap as 256 RGB triples (768 bytes), base64."""
    rgb = colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    return base64.b64encode(np.rint(rgb * 255).astype(np.uint8).tobytes()).decode()


def layer_data(name: str, caption: str, values: torch.Tensor, value_range, cmap: str) -> dict:
    """One stage for the front end: ``values`` is ``N x maps x H x W`` (digits first)."""
    n, maps, height, width = values.shape
    lo, hi = value_range
    return {
        "name": name,
        "caption": caption,
        "maps": maps,
        "height": height,
        "width": width,
        "lo": round(float(lo), 4),
        "hi": round(float(hi), 4),
        "cmap": cmap,
        "data": quantise(values.numpy(), lo, hi),
    }


def colour_tables(*names: str) -> dict:
    return {name: colour_table(name) for name in names}


class BookWidget(anywidget.AnyWidget):
    """Front end shared by the book's widgets; ``_kind`` picks which one it draws."""

    _esm = front_end()
    _css = styles()
    _kind = traitlets.Unicode().tag(sync=True)
    data = traitlets.Dict().tag(sync=True)

    def _summary(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        # The notebook's text/plain output: short and stable, never the data.
        return f"{type(self).__name__}({self._summary()})"


def digits_data(images: torch.Tensor) -> str:
    """uint8 ``N x 28 x 28`` digits as base64 bytes, row by row, for a front end to transform."""
    return base64.b64encode(images.to(torch.uint8).contiguous().numpy().tobytes()).decode()
