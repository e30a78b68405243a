"""The chapters C1 to C5: kernels, feature maps, Table I, the squashing function."""

import math

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lenet_nb.book.figures.style import ACTIVATION_CMAP, activation_colorbar, as_array, show
from lenet_nb.network.layers import SQUASH_A, SQUASH_S, squash, squash_derivative


def kernels(weight: torch.Tensor, title: str = "") -> Figure:
    """Learned kernels ``K x 1 x h x w`` side by side, on one colour scale symmetric about 0."""
    weight = as_array(weight)[:, 0]
    bound = float(np.abs(weight).max())
    fig = Figure(figsize=(1.25 * len(weight) + 1, 1.9), layout="constrained")
    axes = fig.subplots(1, len(weight), squeeze=False)[0]
    for k, (ax, w) in enumerate(zip(axes, weight)):
        shown = show(ax, w, "weight", bound, title=f"kernel {k}")
    fig.colorbar(shown, ax=axes, shrink=0.9, label="weight", format="{x:.2g}")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def feature_maps(
    images: torch.Tensor, maps: torch.Tensor, labels, layer: str, ncols: int | None = None
) -> Figure:
    """For each digit, a row: the input, then the maps of one layer (``N x M x H x W``)."""
    images, maps = as_array(images), as_array(maps)
    n, m = maps.shape[:2]
    ncols = ncols or m
    rows_per_digit = -(-m // ncols)
    size = 0.95 if m <= 6 else 0.62
    fig = Figure(
        figsize=(size * (ncols + 1) + 1.2, size * 1.12 * n * rows_per_digit + 0.4),
        layout="constrained",
    )
    grid = fig.add_gridspec(n * rows_per_digit, ncols + 1)
    map_axes = []
    for d in range(n):
        ax = fig.add_subplot(grid[d * rows_per_digit : (d + 1) * rows_per_digit, 0])
        show(ax, images[d].reshape(images.shape[-2:]), "input", title=f"digit {labels[d]}")
        for k in range(m):
            r, c = divmod(k, ncols)
            ax = fig.add_subplot(grid[d * rows_per_digit + r, c + 1])
            shown = show(
                ax,
                maps[d, k],
                title=f"{layer} map {k}" if d == 0 else None,
                fontsize=8 if m <= 6 else 6.5,
            )
            map_axes.append(ax)
    activation_colorbar(fig, shown, map_axes, shrink=0.6 if n > 2 else 0.9)
    return fig


def map_panels(panels, title: str = "") -> Figure:
    """Maps in a row (two rows of two or more for four or more, to fit the book's column), each
    ``(title, array, kind)``; ``kind`` as in ``style.KINDS``, or ``'free'`` for a map on its own
    diverging scale (with its own colour bar)."""
    ncols = len(panels) if len(panels) <= 3 else math.ceil(len(panels) / 2)
    nrows = math.ceil(len(panels) / ncols)
    height = 2.7 if nrows == 1 else 2.3 * nrows
    fig = Figure(figsize=(2.3 * ncols + 0.6, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
    for ax, (name, array, kind) in zip(axes, panels):
        array = as_array(array)
        bound = (float(np.abs(array).max()) or 1.0) if kind == "free" else None
        shown = show(ax, array, kind, bound, title=name)
        if kind == "free":
            fig.colorbar(shown, ax=ax, shrink=0.75, format="{x:.3g}")
        elif kind == "activation":
            fig.colorbar(
                shown, ax=ax, shrink=0.75, ticks=[-SQUASH_A, 0, SQUASH_A], format="{x:.4g}"
            )
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def subsampling_maps(
    coefficients, biases, activations, layer: str, threshold: float = 1.5
) -> Figure:
    """What a subsampling layer's trainable coefficient and bias do, map by map.

    Top left: coefficient and bias of each map. Bottom: for each map, the share of its units
    (over all the digits given, ``N x M x H x W``) whose |activation| exceeds t, for every t up
    to the ceiling of the squashing function. Top right: that share at t = ``threshold``. The
    book's column width (6.88 inches), so that its text is shown at full size.
    """
    coefficients, biases = as_array(coefficients), as_array(biases)
    act = np.abs(as_array(activations))
    m = len(coefficients)
    index = np.arange(m)
    fig = Figure(figsize=(6.88, 6.4), layout="constrained")
    panels = fig.subplot_mosaic([["left", "right"], ["middle", "middle"]])
    left, middle, right = panels["left"], panels["middle"], panels["right"]
    width = 0.38
    left.bar(index - width / 2, coefficients, width, label="coefficient", color="tab:blue")
    left.bar(index + width / 2, biases, width, label="bias", color="tab:orange")
    left.axhline(0, color="black", linewidth=0.6)
    left.set(title=f"{layer}: coefficient and bias", xlabel=f"{layer} map", xticks=index)
    left.legend(fontsize=8)
    per_map = np.sort(act.transpose(1, 0, 2, 3).reshape(m, -1), axis=1)
    t = np.linspace(0, SQUASH_A, 200)
    colours = colormaps["tab20" if m > 10 else "tab10"]
    for k, values in enumerate(per_map):
        share = 1 - np.searchsorted(values, t, side="right") / len(values)
        middle.plot(
            t, 100 * share, color=colours(k), linewidth=1.2, label=str(k) if m <= 10 else None
        )
    middle.axvline(threshold, color="tab:red", linestyle="--", linewidth=0.8)
    middle.set(
        title="share of units beyond |activation| t, per map",
        xlabel="t",
        ylabel="% of units",
        xlim=(0, SQUASH_A * 1.01),
        ylim=(0, 100),
    )
    if m <= 10:
        middle.legend(fontsize=8, title="map", title_fontsize=8, ncols=2)
    saturated = (per_map > threshold).mean(1)
    right.bar(index, 100 * saturated, color=[colours(k) for k in range(m)])
    right.set(
        title=f"units with |activation| > {threshold}",
        xlabel=f"{layer} map",
        ylabel="% of units",
        xticks=index,
        ylim=(0, 100),
    )
    for ax in (left, middle, right):
        ax.title.set_fontsize(10)
    if m > 8:
        for ax in (left, right):
            ax.tick_params(axis="x", labelsize=7)
    return fig


def c3_table(mask, ax=None, c3_map: int | None = None, s2_map: int | None = None):
    """Table I drawn as the paper draws it: a grid of S2 maps (rows) by C3 maps (columns) with an
    X where a C3 map takes that S2 map. Optionally highlights one C3 map's column and its
    inputs, or one S2 map's row and the C3 maps it feeds."""
    mask = as_array(mask).astype(bool)  # C3 x S2
    n_c3, n_s2 = mask.shape
    fig = None
    if ax is None:
        fig = Figure(figsize=(7.2, 2.7), layout="constrained")
        ax = fig.add_subplot()
    rows = set(np.flatnonzero(mask[c3_map])) if c3_map is not None else set()
    cols = set(np.flatnonzero(mask[:, s2_map])) if s2_map is not None else set()
    if c3_map is not None:
        cols.add(c3_map)
    if s2_map is not None:
        rows.add(s2_map)
    for i in range(n_s2):
        for j in range(n_c3):
            lit = i in rows and j in cols
            if lit or (c3_map is not None and j == c3_map) or (s2_map is not None and i == s2_map):
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        color="#e8a317",
                        alpha=0.55 if lit and mask[j, i] else 0.18,
                        linewidth=0,
                    )
                )
            if mask[j, i]:
                ax.text(j, i, "X", ha="center", va="center", fontsize=10, fontweight="bold")
    ax.set_xlim(-0.5, n_c3 - 0.5)
    ax.set_ylim(n_s2 - 0.5, -0.5)
    ax.set_xticks(range(n_c3))
    ax.set_yticks(range(n_s2))
    ax.set_xticks(np.arange(n_c3 + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_s2 + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.6)
    ax.tick_params(which="both", length=0)
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    ax.set(xlabel="C3 feature map", ylabel="S2 feature map")
    ax.set_aspect("equal")
    return fig


def c3_map(mask, s2_maps, c3_maps, dense_kernels, j: int, label=None) -> Figure:
    """One C3 map and where it comes from: Table I with its column lit, the S2 maps that feed it,
    each with the 5x5 kernel applied to it, and the resulting C3 map (one digit)."""
    mask = as_array(mask).astype(bool)
    s2_maps, c3_maps, dense_kernels = as_array(s2_maps), as_array(c3_maps), as_array(dense_kernels)
    inputs = np.flatnonzero(mask[j])
    bound = float(np.abs(dense_kernels).max())
    fig = Figure(figsize=(9.5, 5.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.15])
    c3_table(mask, top.add_subplot(), c3_map=j)
    axes = bottom.subplots(2, len(inputs) + 1, squeeze=False)
    for k, i in enumerate(inputs):
        shown = show(axes[0, k], s2_maps[i], title=f"S2 map {i}")
        kern = show(axes[1, k], dense_kernels[j, i], "weight", bound, title=f"kernel ({j}, {i})")
    show(axes[0, -1], c3_maps[j], title=f"C3 map {j}", fontweight="bold")
    axes[1, -1].set_axis_off()
    activation_colorbar(bottom, shown, axes[0, :], shrink=0.9)
    bottom.colorbar(kern, ax=axes[1, :], shrink=0.9, label="weight", format="{x:.2g}")
    bottom.suptitle(
        f"C3 map {j} = squash(sum over S2 maps {', '.join(map(str, inputs))} of "
        f"map * kernel + bias)" + (f" -- digit {label}" if label is not None else ""),
        fontsize=10,
    )
    return fig


def wide_input(image, c5_maps, predictions, labels=None) -> Figure:
    """A wide input (``H x W``), the windows two of C5's positions see, and C5's output: 120 units
    by the positions its now wider maps have, with the class read at each position."""
    image, c5_maps = as_array(image), as_array(c5_maps)  # H x W, 120 x positions
    positions = c5_maps.shape[1]
    height, width = image.shape
    stride = (width - 32) // max(positions - 1, 1)
    fig = Figure(figsize=(9, 6.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[1, 1.5])
    show(top, image, "input")
    top.set_frame_on(False)
    top.add_patch(
        Rectangle((-0.5, -0.5), width, height, fill=False, edgecolor="0.3", linewidth=0.8)
    )
    top.set_ylim(height + 7, -0.5)
    for p, colour, y, align in (
        (0, "tab:blue", height + 1.5, "left"),
        (positions - 1, "tab:green", height + 4.5, "right"),
    ):
        start, end = p * stride - 0.5, p * stride + 31.5
        top.plot(
            [start, start, end, end],
            [y - 1, y, y, y - 1],
            color=colour,
            linewidth=1.5,
            clip_on=False,
        )
        top.text(
            start if align == "left" else end,
            y + 0.4,
            f"the 32x32 window of C5 position {p}",
            ha=align,
            va="top",
            color=colour,
            fontsize=9,
        )
    title = f"input {height}x{width}"
    if labels is not None:
        title += f": test digits {labels[0]} and {labels[1]} side by side"
    top.set_title(title, fontsize=9)
    shown = bottom.imshow(
        c5_maps,
        cmap=ACTIVATION_CMAP,
        vmin=-SQUASH_A,
        vmax=SQUASH_A,
        aspect="auto",
        interpolation="nearest",
    )
    bottom.set(
        xlabel=f"position along the width (stride {stride} input pixels)"
        " -> class read there by F6 and the output layer",
        ylabel="C5 unit (feature map)",
        xticks=range(positions),
        title=f"C5: 120 maps of 1x{positions} (one column per position)",
    )
    bottom.set_xticklabels([f"{p}\n-> {c}" for p, c in enumerate(as_array(predictions).tolist())])
    activation_colorbar(fig, shown, bottom, shrink=0.9)
    return fig


def squashing_function() -> Figure:
    """f(a) = A tanh(S a) and its derivative, with f(1) = 1 and f(-1) = -1 marked."""
    a = torch.linspace(-4, 4, 801)
    f, df = squash(a).numpy(), squash_derivative(a).numpy()
    fig = Figure(figsize=(9, 3.3), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(a, f, color="tab:blue", label="f(a) = 1.7159 tanh(2a/3)")
    left.plot(a, a, color="0.6", linewidth=0.8, linestyle=":", label="a (gain 1)")
    left.axhline(SQUASH_A, color="0.5", linestyle="--", linewidth=0.8)
    left.axhline(-SQUASH_A, color="0.5", linestyle="--", linewidth=0.8)
    left.plot([-1, 1], [-1, 1], "o", color="tab:red", label="f(±1) = ±1")
    left.set(title="squashing function", xlabel="a", ylabel="f(a)", ylim=(-2.1, 2.1))
    left.legend(fontsize=9, loc="upper left")
    # f''(a) = -2 S tanh(S a) f'(a): its extremes sit at a = +-0.99, almost exactly +-1.
    d2f = -2 * SQUASH_S * np.tanh(SQUASH_S * a.numpy()) * df
    right.plot(a, df, color="tab:orange", label="f'(a)")
    right.plot(a, d2f, color="tab:purple", label="f''(a)")
    right.axhline(0, color="black", linewidth=0.5)
    right.axvline(1, color="tab:red", linewidth=0.8, linestyle="--")
    right.axvline(-1, color="tab:red", linewidth=0.8, linestyle="--")
    right.set(title="derivatives (dashed: a = ±1)", xlabel="a")
    right.legend(fontsize=9)
    return fig
