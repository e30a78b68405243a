"""What every figure of the book shares: colour scales, value ranges, and how a map is drawn.

Activations use one diverging colour scale over the squashing function's whole range [-A, A],
weights another, symmetric about 0, and the input its own, ink dark as on paper. The widgets
(lenet_nb.book.widgets) draw with the same colormaps, so a widget and the static figure beside it
read alike.
"""

import numpy as np
import torch
from matplotlib.figure import Figure

from lenet_nb.digits.mnist import BACKGROUND, FOREGROUND
from lenet_nb.network.layers import SQUASH_A

ACTIVATION_CMAP = "RdBu_r"
INPUT_CMAP = "gray_r"
WEIGHT_CMAP = "PuOr_r"
ACTIVATION_RANGE = (-SQUASH_A, SQUASH_A)
INPUT_RANGE = (BACKGROUND, FOREGROUND)
SERIES_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple")

# Each kind of map: its colour scale and the values at its two ends. "weight" is symmetric
# about 0 with a bound the caller gives.
KINDS = {
    "input": (INPUT_CMAP, INPUT_RANGE),  # the network's input, -0.1 to 1.175
    "raw": (INPUT_CMAP, (0, 255)),  # MNIST's own grey levels
    "prototype": (INPUT_CMAP, (-1, 1)),  # the RBF's +-1 bitmaps
    "activation": (ACTIVATION_CMAP, ACTIVATION_RANGE),
    "weight": (WEIGHT_CMAP, None),
    "free": ("BrBG_r", None),  # any signed map, on its own symmetric scale
}


def as_array(values) -> np.ndarray:
    return values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)


def paper_value(ax, error: float, colour: str, label: str) -> None:
    """A dashed line across ``ax`` at an error rate the paper reports (a fraction, drawn in %)."""
    ax.axhline(100 * error, color=colour, linestyle="--", linewidth=0.9, label=label)


def hide_ticks(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def show(
    ax,
    image,
    kind: str = "activation",
    bound: float | None = None,
    title=None,
    interpolation: str | None = "nearest",
    **title_kw,
):
    """One map on ``ax`` in the colours of its ``kind`` (see ``KINDS``; "weight" needs ``bound``).
    ``interpolation=None`` keeps matplotlib's smoothing, for digits drawn small."""
    cmap, value_range = KINDS[kind]
    lo, hi = value_range if value_range is not None else (-bound, bound)
    shown = ax.imshow(as_array(image), cmap=cmap, vmin=lo, vmax=hi, interpolation=interpolation)
    hide_ticks(ax)
    if title is not None:
        ax.set_title(title, **{"fontsize": 9, **title_kw})
    return shown


def image_grid(count: int, ncols: int, cell: tuple, extra: tuple = (0, 0)):
    """A figure of ``count`` image cells, ``ncols`` to a row, each ``cell`` = (width, height)
    inches, plus ``extra`` inches for titles or a colour bar. Returns the figure, every axes of
    the grid (rows x cols) and the ``count`` used ones (ticks hidden); the rest are switched off."""
    nrows = max(1, -(-count // ncols))
    fig = Figure(
        figsize=(cell[0] * ncols + extra[0], cell[1] * nrows + extra[1]), layout="constrained"
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_axis_off()
    for ax in axes.flat[:count]:
        hide_ticks(ax)
    return fig, axes, list(axes.flat[:count])


def activation_colorbar(fig, shown, axes, **kw):
    fig.colorbar(
        shown,
        ax=axes,
        label="activation",
        ticks=[-SQUASH_A, -1, 0, 1, SQUASH_A],
        format="{x:.4g}",
        **{"shrink": 0.8, **kw},
    )


def series_boxes(ax, series: dict) -> None:
    """Box plots side by side at x = 0, 1, 2, ...: for each series (label -> one array per x
    position) one box per position in its colour (quartiles; whiskers from the smallest to the
    largest value), and the series in the legend."""
    width = 0.8 / len(series)
    for s, (colour, (label, data)) in enumerate(zip(SERIES_COLOURS, series.items())):
        positions = np.arange(len(data)) + (s - (len(series) - 1) / 2) * width
        box = ax.boxplot(
            data,
            positions=positions,
            widths=width * 0.85,
            whis=(0, 100),
            patch_artist=True,
            showfliers=False,
        )
        for patch in box["boxes"]:
            patch.set(facecolor=colour, alpha=0.6)
        for median in box["medians"]:
            median.set_color("black")
        ax.plot([], [], "s", color=colour, alpha=0.6, label=label)
