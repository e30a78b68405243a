"""The Distortions chapter (Section III-C)."""
import numpy as np
from matplotlib.figure import Figure

from .style import as_array, hide_ticks, image_grid, show


def within_class_spread(panels, ranges_label: str = "our range") -> Figure:
    """One histogram per statistic of the training digits' deviations from their class mean.
    ``panels``: list of ``(title, xlabel, deviations, half_range)``; the range ``+-half_range``
    the distortions draw from is shaded."""
    fig = Figure(figsize=(2.6 * len(panels), 2.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, xlabel, deviations, half) in zip(axes, panels):
        values = as_array(deviations)
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
    images = [as_array(original)] + [as_array(d) for d in distorted]
    fig, _, used = image_grid(len(images), ncols, cell=(0.9, 0.9), extra=(0, 0.35))
    for ax, image in zip(used, images):
        show(ax, image, "raw")
        ax.set_axis_off()
    used[0].set_axis_on()  # the original: framed in red
    for spine in used[0].spines.values():
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
            hide_ticks(ax)
            if c >= len(images):
                ax.set_axis_off()
                continue
            caption, image = images[c]
            show(ax, image, "raw", title=caption, fontsize=8, pad=2)
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
