"""The book's figures. Each function returns a ``matplotlib.figure.Figure``.

Figures are built without pyplot, so a chapter shows one exactly once, by returning it as the
last expression of a cell. A few helpers the chapters share sit here too: the example digits,
the activations brought to the CPU, and the display of a function's source.
"""
import inspect
import textwrap

import numpy as np
import torch
from IPython.display import Markdown
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .data import BACKGROUND, FOREGROUND, PAD
from .layers import SQUASH_A, SQUASH_S, squash, squash_derivative
from .prototypes import HEIGHT, WIDTH

# Activations use one diverging colour scale over the squashing function's whole range [-A, A],
# weights another, symmetric about 0, and the input its own, ink dark as on paper. The widgets
# (lenet_nb.widgets) draw with the same colormaps, so a widget and the static figure beside it
# read alike.
ACTIVATION_CMAP = "RdBu_r"
INPUT_CMAP = "gray_r"
WEIGHT_CMAP = "PuOr_r"
ACTIVATION_RANGE = (-SQUASH_A, SQUASH_A)
INPUT_RANGE = (BACKGROUND, FOREGROUND)


def example_digits(labels: torch.Tensor, per_class: int = 1, classes=range(10)) -> torch.Tensor:
    """Indices of the first ``per_class`` test digits of each class, class by class: the digits
    the chapters show, the same in every chapter."""
    return torch.tensor([int(i) for c in classes
                         for i in (labels == c).nonzero().flatten()[:per_class]])


@torch.no_grad()
def activations(model, images: torch.Tensor, upto: str = "output") -> dict:
    """``model.activations`` on the model's device, every result moved to the CPU."""
    device = next(model.parameters()).device
    return {name: value.cpu() for name, value in
            model.activations(images.to(device), upto=upto).items()}


def source(*objects) -> Markdown:
    """The source code of functions or classes, as a highlighted block in the chapter."""
    parts = []
    for obj in objects:
        name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
        module = inspect.getmodule(obj).__name__
        parts.append(f"# {module}: {name}\n" + textwrap.dedent(inspect.getsource(obj)).rstrip())
    return Markdown("```python\n" + "\n\n".join(parts) + "\n```")


def digit_grid(images: torch.Tensor, labels: torch.Tensor, ncols: int = 8) -> Figure:
    """Preprocessed digits (``N x 1 x 32 x 32``) on the paper's scale, ink dark as on paper.

    A red frame marks the original 28x28 field in each, so the padding band outside it shows.
    """
    images = images.reshape(len(images), *images.shape[-2:]).numpy()
    nrows = -(-len(images) // ncols)
    fig = Figure(figsize=(ncols + 0.9, 1.15 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    side = images.shape[-1] - 2 * PAD
    for ax, image, label in zip(axes.flat, images, labels.tolist()):
        shown = ax.imshow(image, cmap="gray_r", vmin=BACKGROUND, vmax=FOREGROUND)
        ax.add_patch(Rectangle((PAD - 0.5, PAD - 0.5), side, side, fill=False,
                               edgecolor="tab:red", linewidth=0.8))
        ax.set_title(str(label), fontsize=11)
    fig.colorbar(shown, ax=axes, shrink=0.8, label="input value", format="{x:g}",
                 ticks=[BACKGROUND, 0, 0.5, 1, FOREGROUND])
    return fig


def pixel_histograms(raw: torch.Tensor, scaled: torch.Tensor) -> Figure:
    """Counts of the 256 grey levels of the raw uint8 digits, and of the values the network gets.

    Both on a log scale: about four pixels in five are background, and would flatten the rest.
    """
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    levels = np.arange(256)
    left.bar(levels, np.bincount(raw.flatten().numpy(), minlength=256), width=1.0,
             color="tab:blue")
    left.set(title=f"raw MNIST ({raw.numel():,} pixels)", xlabel="grey level p (0 = background)",
             ylabel="pixels", yscale="log", xlim=(-3, 258))
    # Scaled values sit on the same 256 levels, mapped affinely; one bin per level.
    step = (FOREGROUND - BACKGROUND) / 255
    edges = BACKGROUND + step * (np.arange(257) - 0.5)
    counts, _ = np.histogram(scaled.flatten().numpy(), bins=edges)
    right.bar(edges[:-1] + step / 2, counts, width=step, color="tab:orange")
    mean = scaled.double().mean().item()
    right.axvline(mean, color="black", linewidth=0.8, linestyle="--")
    right.annotate(f"mean {mean:.3f}", (mean, 0.92), xycoords=("data", "axes fraction"),
                   xytext=(4, 0), textcoords="offset points", fontsize=9)
    right.set(title=f"network input, padded to 32x32 ({scaled.numel():,} values)",
              xlabel="x = -0.1 + 1.275 p / 255", ylabel="values", yscale="log")
    return fig


# ---------------------------------------------------------------------------------------------
# Chapters C1 to Output.


def _np(values) -> np.ndarray:
    return values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)


def _show(ax, image, kind: str = "activation", bound: float | None = None, title=None, **title_kw):
    """One map on ``ax``: ``kind`` 'input', 'activation' or 'weight' (symmetric, ``bound``)."""
    if kind == "input":
        cmap, (lo, hi) = INPUT_CMAP, INPUT_RANGE
    elif kind == "activation":
        cmap, (lo, hi) = ACTIVATION_CMAP, ACTIVATION_RANGE
    else:
        cmap, lo, hi = WEIGHT_CMAP, -bound, bound
    shown = ax.imshow(_np(image), cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, **{"fontsize": 9, **title_kw})
    return shown


def _activation_bar(fig, shown, axes, **kw):
    fig.colorbar(shown, ax=axes, label="activation", ticks=[-SQUASH_A, -1, 0, 1, SQUASH_A],
                 format="{x:.4g}", **{"shrink": 0.8, **kw})


def kernels(weight: torch.Tensor, title: str = "") -> Figure:
    """Learned kernels ``K x 1 x h x w`` side by side, on one colour scale symmetric about 0."""
    weight = _np(weight)[:, 0]
    bound = float(np.abs(weight).max())
    fig = Figure(figsize=(1.25 * len(weight) + 1, 1.9), layout="constrained")
    axes = fig.subplots(1, len(weight), squeeze=False)[0]
    for k, (ax, w) in enumerate(zip(axes, weight)):
        shown = _show(ax, w, "weight", bound, title=f"kernel {k}")
    fig.colorbar(shown, ax=axes, shrink=0.9, label="weight", format="{x:.2g}")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def feature_maps(images: torch.Tensor, maps: torch.Tensor, labels, layer: str,
                 ncols: int | None = None) -> Figure:
    """For each digit, a row: the input, then the maps of one layer (``N x M x H x W``)."""
    images, maps = _np(images), _np(maps)
    n, m = maps.shape[:2]
    ncols = ncols or m
    rows_per_digit = -(-m // ncols)
    size = 0.95 if m <= 6 else 0.62
    fig = Figure(figsize=(size * (ncols + 1) + 1.2, size * 1.12 * n * rows_per_digit + 0.4),
                 layout="constrained")
    grid = fig.add_gridspec(n * rows_per_digit, ncols + 1)
    map_axes = []
    for d in range(n):
        ax = fig.add_subplot(grid[d * rows_per_digit:(d + 1) * rows_per_digit, 0])
        _show(ax, images[d].reshape(images.shape[-2:]), "input",
              title=f"digit {labels[d]}")
        for k in range(m):
            r, c = divmod(k, ncols)
            ax = fig.add_subplot(grid[d * rows_per_digit + r, c + 1])
            shown = _show(ax, maps[d, k], title=f"{layer} map {k}" if d == 0 else None,
                          fontsize=8 if m <= 6 else 6.5)
            map_axes.append(ax)
    _activation_bar(fig, shown, map_axes, shrink=0.6 if n > 2 else 0.9)
    return fig


def map_panels(panels, title: str = "") -> Figure:
    """A row of maps, each ``(title, array, kind)``; ``kind`` as in ``_show``, or ``'free'`` for
    a map on its own diverging scale (with its own colour bar)."""
    fig = Figure(figsize=(2.3 * len(panels) + 0.6, 2.7), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, array, kind) in zip(axes, panels):
        array = _np(array)
        if kind == "free":
            bound = float(np.abs(array).max()) or 1.0
            shown = ax.imshow(array, cmap="BrBG_r", vmin=-bound, vmax=bound,
                              interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(name, fontsize=9)
            fig.colorbar(shown, ax=ax, shrink=0.75, format="{x:.3g}")
        else:
            shown = _show(ax, array, kind, title=name)
            if kind == "activation":
                fig.colorbar(shown, ax=ax, shrink=0.75, ticks=[-SQUASH_A, 0, SQUASH_A],
                             format="{x:.4g}")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def subsampling_maps(coefficients, biases, activations, layer: str,
                     threshold: float = 1.5) -> Figure:
    """What a subsampling layer's trainable coefficient and bias do, map by map.

    Left: coefficient and bias of each map. Middle: for each map, the share of its units (over
    all the digits given, ``N x M x H x W``) whose |activation| exceeds t, for every t up to the
    ceiling of the squashing function. Right: that share at t = ``threshold``.
    """
    coefficients, biases = _np(coefficients), _np(biases)
    act = np.abs(_np(activations))
    m = len(coefficients)
    index = np.arange(m)
    fig = Figure(figsize=(12, 3.4), layout="constrained")
    left, middle, right = fig.subplots(1, 3, width_ratios=[1, 1.3, 1])
    width = 0.38
    left.bar(index - width / 2, coefficients, width, label="coefficient", color="tab:blue")
    left.bar(index + width / 2, biases, width, label="bias", color="tab:orange")
    left.axhline(0, color="black", linewidth=0.6)
    left.set(title=f"{layer}: learned coefficient and bias", xlabel=f"{layer} map",
             xticks=index)
    left.legend(fontsize=8)
    per_map = np.sort(act.transpose(1, 0, 2, 3).reshape(m, -1), axis=1)
    t = np.linspace(0, SQUASH_A, 200)
    colours = colormaps["tab20" if m > 10 else "tab10"]
    for k, values in enumerate(per_map):
        share = 1 - np.searchsorted(values, t, side="right") / len(values)
        middle.plot(t, 100 * share, color=colours(k), linewidth=1.2,
                    label=str(k) if m <= 10 else None)
    middle.axvline(threshold, color="tab:red", linestyle="--", linewidth=0.8)
    middle.set(title="share of units beyond |activation| t, per map", xlabel="t",
               ylabel="% of units", xlim=(0, SQUASH_A * 1.01), ylim=(0, 100))
    if m <= 10:
        middle.legend(fontsize=7, title="map", title_fontsize=7, ncols=2)
    saturated = (per_map > threshold).mean(1)
    right.bar(index, 100 * saturated, color=[colours(k) for k in range(m)])
    right.set(title=f"units with |activation| > {threshold}", xlabel=f"{layer} map",
              ylabel="% of units", xticks=index, ylim=(0, 100))
    if m > 8:
        for ax in (left, right):
            ax.tick_params(axis="x", labelsize=7)
    return fig


def c3_table(mask, ax=None, c3_map: int | None = None, s2_map: int | None = None):
    """Table I drawn as the paper draws it: a grid of S2 maps (rows) by C3 maps (columns) with an
    X where a C3 map takes that S2 map. Optionally highlights one C3 map's column and its
    inputs, or one S2 map's row and the C3 maps it feeds."""
    mask = _np(mask).astype(bool)  # C3 x S2
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
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, color="#e8a317",
                                       alpha=0.55 if lit and mask[j, i] else 0.18, linewidth=0))
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
    mask = _np(mask).astype(bool)
    s2_maps, c3_maps, dense_kernels = _np(s2_maps), _np(c3_maps), _np(dense_kernels)
    inputs = np.flatnonzero(mask[j])
    bound = float(np.abs(dense_kernels).max())
    fig = Figure(figsize=(9.5, 5.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.15])
    c3_table(mask, top.add_subplot(), c3_map=j)
    axes = bottom.subplots(2, len(inputs) + 1, squeeze=False)
    for k, i in enumerate(inputs):
        shown = _show(axes[0, k], s2_maps[i], title=f"S2 map {i}")
        kern = _show(axes[1, k], dense_kernels[j, i], "weight", bound, title=f"kernel ({j}, {i})")
    _show(axes[0, -1], c3_maps[j], title=f"C3 map {j}", fontweight="bold")
    axes[1, -1].set_axis_off()
    _activation_bar(bottom, shown, axes[0, :], shrink=0.9)
    bottom.colorbar(kern, ax=axes[1, :], shrink=0.9, label="weight", format="{x:.2g}")
    bottom.suptitle(f"C3 map {j} = squash(sum over S2 maps {', '.join(map(str, inputs))} of "
                    f"map * kernel + bias)" + (f" -- digit {label}" if label is not None else ""),
                    fontsize=10)
    return fig


def wide_input(image, c5_maps, predictions, labels=None) -> Figure:
    """A wide input (``H x W``), the windows two of C5's positions see, and C5's output: 120 units
    by the positions its now wider maps have, with the class read at each position."""
    image, c5_maps = _np(image), _np(c5_maps)  # H x W, 120 x positions
    positions = c5_maps.shape[1]
    height, width = image.shape
    stride = (width - 32) // max(positions - 1, 1)
    fig = Figure(figsize=(9, 6.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[1, 1.5])
    _show(top, image, "input")
    top.set_frame_on(False)
    top.add_patch(Rectangle((-0.5, -0.5), width, height, fill=False, edgecolor="0.3",
                            linewidth=0.8))
    top.set_ylim(height + 7, -0.5)
    for p, colour, y, align in ((0, "tab:blue", height + 1.5, "left"),
                                (positions - 1, "tab:green", height + 4.5, "right")):
        start, end = p * stride - 0.5, p * stride + 31.5
        top.plot([start, start, end, end], [y - 1, y, y, y - 1], color=colour, linewidth=1.5,
                 clip_on=False)
        top.text(start if align == "left" else end, y + 0.4,
                 f"the 32x32 window of C5 position {p}", ha=align, va="top", color=colour,
                 fontsize=8)
    title = f"input {height}x{width}"
    if labels is not None:
        title += f": test digits {labels[0]} and {labels[1]} side by side"
    top.set_title(title, fontsize=9)
    shown = bottom.imshow(c5_maps, cmap=ACTIVATION_CMAP, vmin=-SQUASH_A, vmax=SQUASH_A,
                          aspect="auto", interpolation="nearest")
    bottom.set(xlabel=f"position along the width (stride {stride} input pixels)"
                      " -> class read there by F6 and the output layer",
               ylabel="C5 unit (feature map)", xticks=range(positions),
               title=f"C5: 120 maps of 1x{positions} (one column per position)")
    bottom.set_xticklabels([f"{p}\n-> {c}" for p, c in enumerate(_np(predictions).tolist())])
    _activation_bar(fig, shown, bottom, shrink=0.9)
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
    left.legend(fontsize=8, loc="upper left")
    # f''(a) = -2 S tanh(S a) f'(a): its extremes sit at a = +-0.99, almost exactly +-1.
    d2f = -2 * SQUASH_S * np.tanh(SQUASH_S * a.numpy()) * df
    right.plot(a, df, color="tab:orange", label="f'(a)")
    right.plot(a, d2f, color="tab:purple", label="f''(a)")
    right.axhline(0, color="black", linewidth=0.5)
    right.axvline(1, color="tab:red", linewidth=0.8, linestyle="--")
    right.axvline(-1, color="tab:red", linewidth=0.8, linestyle="--")
    right.set(title="derivatives (dashed: a = ±1)", xlabel="a")
    right.legend(fontsize=8)
    return fig


def f6_bitmaps(f6, labels, predictions, prototypes) -> Figure:
    """Each digit's 84 F6 outputs drawn as a 7x12 bitmap, beside the prototype of the class the
    network predicted, on the activation colour scale (prototype pixels are exactly +-1)."""
    f6, prototypes = _np(f6), _np(prototypes)
    labels, predictions = list(labels), _np(predictions).tolist()
    n = len(f6)
    fig = Figure(figsize=(1.15 * 2 * n + 1.2, 2.6), layout="constrained")
    axes = fig.subplots(1, 2 * n, squeeze=False)[0]
    for d in range(n):
        shown = _show(axes[2 * d], f6[d].reshape(HEIGHT, WIDTH),
                      title=f"F6, digit {labels[d]}", fontsize=8)
        _show(axes[2 * d + 1], prototypes[predictions[d]].reshape(HEIGHT, WIDTH),
              title=f"prototype {predictions[d]}", fontsize=8)
    _activation_bar(fig, shown, axes, shrink=0.8)
    return fig


def prototype_bitmaps(prototypes) -> Figure:
    """The ten fixed 7x12 prototypes of the output layer (+1 ink, -1 background)."""
    prototypes = _np(prototypes)
    fig = Figure(figsize=(8, 1.9), layout="constrained")
    axes = fig.subplots(1, len(prototypes))
    for digit, (ax, proto) in enumerate(zip(axes, prototypes)):
        ax.imshow(proto.reshape(HEIGHT, WIDTH), cmap="gray_r", vmin=-1, vmax=1,
                  interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(str(digit), fontsize=10)
    return fig


def penalty_bars(penalties, label=None, ax=None, title: str | None = None):
    """The ten output penalties of one digit, the smallest (the prediction) highlighted."""
    penalties = _np(penalties)
    fig = None
    if ax is None:
        fig = Figure(figsize=(5, 2.8), layout="constrained")
        ax = fig.add_subplot()
    winner = int(penalties.argmin())
    colours = ["#e8a317" if c == winner else "#9aa5b1" for c in range(len(penalties))]
    ax.barh(range(len(penalties)), penalties, color=colours)
    for c, p in enumerate(penalties):
        ax.text(p, c, f" {p:.1f}", va="center", fontsize=7)
    ax.set_yticks(range(len(penalties)))
    ax.invert_yaxis()
    ax.set_xlim(0, penalties.max() * 1.18)
    ax.set(xlabel="penalty y_i", ylabel="class i")
    default = f"penalties: predicted {winner}" + (f", label {label}" if label is not None else "")
    ax.set_title(title or default, fontsize=9)
    return fig


def network(image, activations: dict, label, prototypes) -> Figure:
    """One digit through the whole network, as the feature-map explorer shows it: the input,
    every map of C1, S2, C3 and S4, C5 (120 units as 10x12), F6 (as 7x12) beside the prototype of
    the predicted class, and the ten penalties."""
    acts = {name: _np(value) for name, value in activations.items()}
    prototypes = _np(prototypes)
    penalties = acts["output"].reshape(-1)
    predicted = int(penalties.argmin())
    fig = Figure(figsize=(11, 5.6), layout="constrained")
    outer = fig.add_gridspec(2, 5, height_ratios=[1, 1])
    _show(fig.add_subplot(outer[0, 0]), _np(image).reshape(32, 32), "input",
          title=f"input: label {label}")
    stages = [("C1", outer[0, 1], 3), ("S2", outer[0, 2], 3), ("C3", outer[0, 3], 4),
              ("S4", outer[0, 4], 4)]
    for name, cell, ncols in stages:
        maps = acts[name].reshape(-1, *acts[name].shape[-2:])
        nrows = -(-len(maps) // ncols)
        sub = cell.subgridspec(nrows + 1, ncols, height_ratios=[0.25] + [1] * nrows)
        head = fig.add_subplot(sub[0, :])
        head.set_axis_off()
        head.set_title(f"{name}: {len(maps)} maps {maps.shape[-2]}x{maps.shape[-1]}", fontsize=9)
        for k, m in enumerate(maps):
            r, c = divmod(k, ncols)
            shown = _show(fig.add_subplot(sub[r + 1, c]), m)
    bottom = [fig.add_subplot(outer[1, k]) for k in range(3)]
    _show(bottom[0], acts["C5"].reshape(10, 12), title="C5: 120 units as 10x12")
    _show(bottom[1], acts["F6"].reshape(HEIGHT, WIDTH), title="F6 as 7x12")
    _show(bottom[2], prototypes[predicted].reshape(HEIGHT, WIDTH),
          title=f"prototype of {predicted}")
    _activation_bar(fig, shown, bottom, shrink=0.9, location="left")
    penalty_bars(penalties, label, ax=fig.add_subplot(outer[1, 3:]))
    return fig


# ---------------------------------------------------------------------------------------------
# Chapters Training and Results.

SERIES_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple")


def sdlm_steps(steps: dict, paper_range=None, title: str = "") -> Figure:
    """Histograms of per-parameter steps (or any positive values), one panel per layer, log x.

    ``steps`` maps a series label to ``{layer name: values}``; ``paper_range`` (lo, hi), if
    given, is shaded in every panel.
    """
    series = {label: {layer: _np(v).ravel() for layer, v in by_layer.items()}
              for label, by_layer in steps.items()}
    layers = list(next(iter(series.values())))
    everything = np.concatenate([v for by_layer in series.values() for v in by_layer.values()])
    lo, hi = everything.min(), everything.max()
    if paper_range is not None:
        lo, hi = min(lo, paper_range[0]), max(hi, paper_range[1])
    bins = np.geomspace(lo / 1.5, hi * 1.5, 61)
    ncols = 3
    nrows = -(-len(layers) // ncols)
    fig = Figure(figsize=(10, 2.5 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax in axes.flat[len(layers):]:
        ax.set_axis_off()
    for ax, layer in zip(axes.flat, layers):
        if paper_range is not None:
            ax.axvspan(*paper_range, color="0.88", label="paper, first pass", zorder=0)
        for colour, (label, by_layer) in zip(SERIES_COLOURS, series.items()):
            values = by_layer[layer]
            ax.hist(values, bins=bins, color=colour, alpha=0.6, label=f"{label}")
        ax.set(xscale="log", yscale="log", ylim=(0.7, None),
               title=f"{layer} ({len(values):,} parameters)")
        ax.tick_params(labelsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("eta / (mu + h)", fontsize=9)
    for ax in axes[:, 0]:
        ax.set_ylabel("parameters", fontsize=9)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def curvature_by_layer(curvatures: dict, mu: float | None = None) -> Figure:
    """The Gauss-Newton diagonal h of every parameter, layer by layer, on a log scale: one box
    per series (whiskers from the smallest to the largest value); ``mu`` drawn as a line."""
    series = {label: {layer: _np(v).ravel() for layer, v in by_layer.items()}
              for label, by_layer in curvatures.items()}
    layers = list(next(iter(series.values())))
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(series)
    for s, (colour, (label, by_layer)) in enumerate(zip(SERIES_COLOURS, series.items())):
        positions = np.arange(len(layers)) + (s - (len(series) - 1) / 2) * width
        data = [np.clip(by_layer[layer], 1e-12, None) for layer in layers]
        box = ax.boxplot(data, positions=positions, widths=width * 0.85, whis=(0, 100),
                         patch_artist=True, showfliers=False)
        for patch in box["boxes"]:
            patch.set(facecolor=colour, alpha=0.6)
        for median in box["medians"]:
            median.set_color("black")
        ax.plot([], [], "s", color=colour, alpha=0.6, label=label)
    if mu is not None:
        ax.axhline(mu, color="tab:red", linestyle="--", linewidth=0.9, label=f"mu = {mu:g}")
    ax.set_xticks(range(len(layers)), layers)
    ax.set(yscale="log", ylabel="h (Gauss-Newton diagonal)",
           title="curvature of each parameter, by layer (box: quartiles; whiskers: min to max)")
    ax.legend(fontsize=8)
    return fig


def learning_rate_schedule(schedules: dict) -> Figure:
    """Global learning rate eta against pass, one step line per schedule, log y."""
    fig = Figure(figsize=(7, 3), layout="constrained")
    ax = fig.add_subplot()
    for colour, (label, etas) in zip(SERIES_COLOURS, schedules.items()):
        etas = list(etas)
        passes = np.arange(1, len(etas) + 2)
        ax.stairs(etas, passes - 0.5, color=colour, linewidth=2, label=label, baseline=None)
    ax.set(yscale="log", xlabel="pass", ylabel="global eta", xticks=range(1, len(etas) + 1),
           title="the global learning-rate schedule")
    ax.legend(fontsize=8)
    return fig


def training_curves(history: list, paper_test: float | None = None,
                    paper_train: float | None = None) -> Figure:
    """Fig. 5: training and test error (%) against passes, with the paper's values marked."""
    passes = [h["pass_"] for h in history]
    test = 100 * np.array([h["test_error"] for h in history])
    train = 100 * np.array([h["train_error"] for h in history])
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(passes, test, "o-", color="tab:blue", label="test error (10,000 digits)")
    ax.plot(passes, train, "s-", color="tab:orange", label="training error (60,000 digits)")
    if paper_test is not None:
        ax.axhline(100 * paper_test, color="tab:blue", linestyle="--", linewidth=0.9,
                   label=f"paper, test: {100 * paper_test:g}%")
    if paper_train is not None:
        ax.axhline(100 * paper_train, color="tab:orange", linestyle="--", linewidth=0.9,
                   label=f"paper, training: {100 * paper_train:g}%")
    ax.set(xlabel="pass over the training set", ylabel="error (%)", xticks=passes,
           ylim=(0, max(test.max(), train.max()) * 1.08),
           title="LeNet-5 without distortions: error against passes (the paper's Fig. 5)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def confusion_matrix(labels, predicted, classes: int = 10) -> Figure:
    """Counts of (true class, predicted class); the off-diagonal cells (the errors) coloured, the
    diagonal written in grey."""
    labels, predicted = _np(labels).astype(int), _np(predicted).astype(int)
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    errors = counts.copy()
    np.fill_diagonal(errors, 0)
    fig = Figure(figsize=(5.6, 4.8), layout="constrained")
    ax = fig.add_subplot()
    shown = ax.imshow(np.ma.masked_equal(errors, 0), cmap="Reds", vmin=0,
                      vmax=max(errors.max(), 1))
    dark = errors.max() / 2
    for i in range(classes):
        for j in range(classes):
            if i == j or counts[i, j]:
                colour = "0.5" if i == j else "white" if counts[i, j] > dark else "black"
                ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                        fontsize=7 if i == j else 9, color=colour)
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set(xlabel="predicted class", ylabel="true class",
           title=f"confusion matrix: {errors.sum()} errors in {counts.sum():,} test digits")
    fig.colorbar(shown, ax=ax, shrink=0.8, label="misclassified digits")
    return fig


def misclassified(images, labels, predicted, penalties, ncols: int = 10) -> Figure:
    """Fig. 8 style: every digit given, titled "true->predicted", with the penalty of the true
    class and of the predicted one under it."""
    images = _np(images).reshape(len(images), *np.shape(images)[-2:])
    labels, predicted = _np(labels).astype(int), _np(predicted).astype(int)
    penalties = _np(penalties)
    nrows = max(1, -(-len(images) // ncols))
    fig = Figure(figsize=(0.95 * ncols, 1.18 * nrows + 0.3), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for k, ax in enumerate(axes.flat[:len(images)]):
        t, p = labels[k], predicted[k]
        ax.set_axis_on()
        ax.imshow(images[k], cmap=INPUT_CMAP, vmin=BACKGROUND, vmax=FOREGROUND)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{t}->{p}", fontsize=9, pad=2)
        ax.set_xlabel(f"{penalties[k, t]:.1f} | {penalties[k, p]:.1f}", fontsize=6.5, labelpad=1)
    fig.suptitle("misclassified test digits: true->predicted; below, penalty of the true class | "
                 "of the predicted class", fontsize=9)
    return fig


def error_rates(rows) -> Figure:
    """Fig. 9 style: test error (%) of classifiers as horizontal bars on a log scale. ``rows``
    is a list of (label, error in %, kind), kind 'paper' or 'ours', drawn top to bottom."""
    labels = [r[0] for r in rows]
    values = np.array([r[1] for r in rows], dtype=float)
    colours = ["tab:red" if r[2] == "ours" else "0.65" for r in rows]
    fig = Figure(figsize=(8, 0.26 * len(rows) + 1.1), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    ax.barh(y, values, color=colours)
    for k, v in enumerate(values):
        ax.text(v * 1.03, k, f"{v:.2f}", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set(xscale="log", xlim=(values.min() / 1.5, values.max() * 1.6), xlabel="test error (%)",
           title="test error on MNIST: the paper's Fig. 9 (grey) and our measurements (red)")
    ax.grid(axis="x", which="both", alpha=0.3)
    return fig


# ---------------------------------------------------------------------------------------------
# Distortions (Section III).


def within_class_spread(panels, ranges_label: str = "our range") -> Figure:
    """One histogram per statistic of the training digits' deviations from their class mean.
    ``panels``: list of ``(title, xlabel, deviations, half_range)``; the range ``+-half_range``
    the distortions draw from is shaded."""
    fig = Figure(figsize=(2.6 * len(panels), 2.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, xlabel, deviations, half) in zip(axes, panels):
        values = _np(deviations)
        lim = max(4 * values.std(), 1.3 * half)
        ax.hist(values, bins=np.linspace(-lim, lim, 61), color="0.45")
        ax.axvspan(-half, half, color="tab:red", alpha=0.18, lw=0, label=ranges_label)
        inside = (np.abs(values) <= half).mean()
        ax.set_title(f"{title}\n{inside:.0%} of digits within", fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("training digits: deviation from the mean of their class", fontsize=10)
    return fig


def distortion_gallery(original, distorted, ncols: int = 10, title: str = "") -> Figure:
    """Fig. 7 style: a uint8 28x28 digit (framed, first) and its distorted copies."""
    images = [_np(original)] + [_np(d) for d in distorted]
    nrows = -(-len(images) // ncols)
    fig = Figure(figsize=(0.9 * ncols, 0.9 * nrows + 0.35), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for k, (ax, image) in enumerate(zip(axes.flat, images)):
        ax.imshow(image, cmap=INPUT_CMAP, vmin=0, vmax=255, interpolation="nearest")
        if k == 0:
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("tab:red")
                spine.set_linewidth(2)
    fig.suptitle(title, fontsize=10)
    return fig


def distortion_extremes(rows) -> Figure:
    """One row per distortion: ``rows`` is a list of ``(name, [(caption, uint8 28x28 image),
    ...])``, e.g. the two ends of its range with the original between them."""
    ncols = max(len(images) for _, images in rows)
    fig = Figure(figsize=(1.25 * ncols + 1.2, 1.3 * len(rows)), layout="constrained")
    axes = fig.subplots(len(rows), ncols, squeeze=False)
    for r, (name, images) in enumerate(rows):
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(images):
                ax.set_axis_off()
                continue
            caption, image = images[c]
            ax.imshow(_np(image), cmap=INPUT_CMAP, vmin=0, vmax=255, interpolation="nearest")
            ax.set_title(caption, fontsize=8, pad=2)
        axes[r, 0].set_ylabel(name, fontsize=9)
    return fig


def error_overlap(only_a: int, both: int, only_b: int, chance: float, names=("a", "b")) -> Figure:
    """Two networks' misclassified test digits: those only the first gets wrong, both, only the
    second, as one bar each, with the overlap expected if their errors were independent."""
    fig = Figure(figsize=(6.5, 2.2), layout="constrained")
    ax = fig.add_subplot()
    labels = [f"only {names[0]}", "both", f"only {names[1]}"]
    counts = [only_a, both, only_b]
    bars = ax.barh(labels, counts, color=["tab:blue", "tab:purple", "tab:orange"])
    ax.bar_label(bars, fontsize=8, padding=2)
    ax.plot([chance], [1], marker="|", markersize=22, color="k", mew=2, linestyle="none",
            label=f"both, if errors were independent ({chance:.1f})")
    ax.invert_yaxis()
    ax.set_xlim(0, 1.18 * max(counts + [chance]))
    ax.set_xlabel("misclassified test digits")
    ax.legend(fontsize=8, loc="lower right")
    return fig


# ---------------------------------------------------------------------------------------------
# The ablation chapter.


def ablation_results(outcomes, baseline: str = "ablation-faithful") -> Figure:
    """Test error of each recipe over its seeds (dots; the bar is the mean), the error its authors
    report (a hollow diamond), and the mean training time beside; log error scale, so 1% and 90%
    both read. ``outcomes`` are ``lenet_nb.ablation.Outcome``s, drawn top to bottom."""
    fig = Figure(figsize=(9, 0.36 * len(outcomes) + 1.3), layout="constrained")
    errors_ax, time_ax = fig.subplots(1, 2, sharey=True, width_ratios=(3, 1))
    y = np.arange(len(outcomes))
    colours = ["tab:blue" if o.group == "ablation" else "tab:green" for o in outcomes]
    errors_ax.barh(y, [100 * o.mean for o in outcomes], color=colours, alpha=0.35)
    for k, o in enumerate(outcomes):
        errors_ax.plot(100 * np.array(o.test_errors), [k] * len(o.test_errors), "o",
                       color=colours[k], markersize=4)
        if o.reported_error is not None:
            errors_ax.plot(100 * o.reported_error, k, "D", mfc="none", color="black")
    base = next(o for o in outcomes if o.recipe == baseline)
    errors_ax.axvline(100 * base.mean, color="tab:blue", linestyle="--", linewidth=0.9,
                      label=f"{baseline}, mean")
    errors_ax.plot([], [], "D", mfc="none", color="black", label="reported by its authors")
    errors_ax.plot([], [], "o", color="0.4", markersize=4, label="one seed (bar: mean)")
    errors_ax.set_yticks(y, [o.recipe for o in outcomes], fontsize=8)
    errors_ax.invert_yaxis()
    errors_ax.set(xscale="log", xlabel="test error (%)",
                  title="test error: tutorial recipes (green), one change each (blue)")
    errors_ax.grid(axis="x", which="both", alpha=0.3)
    errors_ax.legend(fontsize=7, loc="lower right")
    time_ax.barh(y, [o.train_seconds for o in outcomes], color=colours, alpha=0.6)
    time_ax.set(xlabel="seconds, mean over the seeds", title="time to train (one thread)")
    time_ax.grid(axis="x", alpha=0.3)
    return fig
