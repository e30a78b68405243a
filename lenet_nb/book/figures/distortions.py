"""The Distortions chapter (Section III-C), and LeCun's invariance demonstrations measured: test
error against the strength of each transformation, for the network trained as Section III-B
(``paper``) and the one trained with distortions (``distorted``)."""

import numpy as np
import torch
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnnotationBbox, OffsetImage

from lenet_nb.book.figures.style import INPUT_CMAP, as_array, hide_ticks, image_grid, show
from lenet_nb.digits.transformations import TRANSFORMATIONS, transform
from lenet_nb.digits.variation import STATISTICS
from lenet_nb.studies.invariance import NETWORKS, error_rates


def within_class_spread(panels, ranges_label: str = "our range") -> Figure:
    """One histogram per statistic of the training digits' deviations from their class mean,
    three to a row. ``panels``: list of ``(title, xlabel, deviations, half_range)``; the range
    ``+-half_range`` the distortions draw from is shaded."""
    ncols = min(len(panels), 3)  # 6.9 inches at most: the book's column shows it at full size
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(2.3 * ncols, 2.5 * nrows + 0.3), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
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


def spread_panels(deviations: dict, halves: dict) -> list[tuple]:
    """The panels of ``within_class_spread``, one per distortion of
    ``variation.STATISTICS``: each statistic's deviations from its class mean and the range's
    half-width."""
    return [
        (f"{field.replace('_', ' ')}\n{stat.label}", stat.unit, deviations[field], halves[field])
        for field, stat in STATISTICS.items()
    ]


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


def with_answers(rows, answers: dict[str, list]) -> list:
    """``rows`` of ``distortion_extremes`` with each caption followed by what each network
    answered for that image: ``answers`` maps a network's name to its answers, one per image of
    ``rows``, row by row."""
    answered = iter(zip(*answers.values()))
    return [
        (
            name,
            [
                (
                    f"{caption}\n" + ", ".join(f"{n} {a}" for n, a in zip(answers, next(answered))),
                    image,
                )
                for caption, image in images
            ],
        )
        for name, images in rows
    ]


def error_overlap(only_a: int, both: int, only_b: int, chance: float, names=("a", "b")) -> Figure:
    """Two networks' misclassified test digits: those only the first gets wrong, both, only the
    second, as one bar each, with the overlap expected if their errors were independent."""
    fig = Figure(figsize=(6.5, 2.6), layout="constrained")
    ax = fig.add_subplot()
    labels = [f"only {names[0]}", "both", f"only {names[1]}"]
    counts = [only_a, both, only_b]
    bars = ax.barh(labels, counts, color=["tab:blue", "tab:purple", "tab:orange"])
    ax.bar_label(bars, fontsize=8, padding=2)
    ax.plot(
        [chance],
        [1],
        marker="|",
        markersize=22,
        color="k",
        mew=2,
        linestyle="none",
        label=f"both, if errors were independent ({chance:.1f})",
    )
    ax.invert_yaxis()
    ax.set_xlim(0, 1.18 * max(counts + [chance]))
    ax.set_xlabel("misclassified test digits")
    fig.legend(
        *ax.get_legend_handles_labels(), fontsize=8, loc="outside lower center", frameon=False
    )  # below the bars, never over one
    return fig


# --- invariance, measured ---------------------------------------------------------------------

COLOURS = {"paper": "tab:blue", "distorted": "tab:red"}
ERROR_TICKS = (0.5, 1, 2, 5, 10, 20, 50, 100)  # test error in %, on a log axis


def _spread(strengths, log: bool, gap: float) -> list:
    """The strengths, first and last kept, at least ``gap`` of the axis' width apart."""
    x = np.log(strengths) if log else np.asarray(strengths, dtype=float)
    u = (x - x[0]) / (x[-1] - x[0])
    kept = [0]
    for k in range(1, len(u)):
        if u[k] - u[kept[-1]] >= gap and 1 - u[k] >= gap or k == len(u) - 1:
            kept.append(k)
    return [strengths[k] for k in kept]


THUMBNAIL = 20  # points: a 28x28 digit drawn above its strength, inside the title's padding


def _thumbnails(ax, name: str, digit: torch.Tensor, gap: float) -> None:
    """``digit`` under strengths of ``name`` at least ``gap`` of the panel's width apart, each
    drawn just above the panel at its strength."""
    t = TRANSFORMATIONS[name]
    for s in _spread(t.strengths, t.log, gap):
        image = OffsetImage(
            transform(name, digit, s).numpy(),
            cmap=INPUT_CMAP,
            norm=Normalize(0, 255),
            zoom=THUMBNAIL / 28,
            interpolation="nearest",
        )
        box = AnnotationBbox(
            image,
            (s, 1.0),
            xycoords=("data", "axes fraction"),
            box_alignment=(0.5, 0.0),
            frameon=False,
            pad=0.1,
            annotation_clip=False,
        )
        ax.add_artist(box)


def invariance_curves(
    data: dict, digit: torch.Tensor | None = None, gap: float = 0.15, ncols: int = 1
) -> Figure:
    """One panel per transformation of ``data`` (``lenet_nb.studies.invariance.load_results()``):
    both networks' test error (%, log scale) against the strength, the range the ``distorted``
    network was trained on shaded where its distortions include the transformation, the identity
    dotted. With ``digit`` (uint8 28x28), each panel shows it transformed above a few of its
    strengths (at least ``gap`` of the panel's width apart).

    One panel to a row by default, 4.6 inches wide at 10 points and more: its text shows at no
    less than 9 pixels both in the book's 688-pixel column and on a 390-pixel phone."""
    names = list(data["transformations"])
    nrows = -(-len(names) // ncols)
    fig = Figure(
        figsize=(4.6 * ncols, (3.3 if digit is None else 3.8) * nrows + 0.6), layout="constrained"
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.set_axis_off()
    for ax, name in zip(axes.flat, names):
        t = TRANSFORMATIONS[name]
        strengths = np.array(data["transformations"][name]["strengths"])
        if t.trained is not None:
            ax.axvspan(*t.trained, color="0.85", lw=0, label="trained range (distorted)")
        ax.axvline(t.identity, color="0.5", ls=":", lw=1)
        for network in NETWORKS:
            rates = 100 * np.array(error_rates(data, name, network))
            ax.plot(strengths, rates, "o-", ms=3, lw=1.4, color=COLOURS[network], label=network)
        ax.set(yscale="log", ylim=(0.5, 100), xlabel=f"{t.label} ({t.unit})")
        ax.set_yticks(ERROR_TICKS, [f"{e:g}" for e in ERROR_TICKS], minor=False)
        ax.set_yticks([], minor=True)
        if t.log:
            ax.set_xscale("log")
            ax.set_xticks(strengths[::2], [f"{s:.2g}" for s in strengths[::2]])
            ax.minorticks_off()
        ax.set_ylabel("test error (%)")
        ax.grid(which="major", alpha=0.3)
        ax.tick_params(labelsize=10)
        ax.xaxis.label.set_size(10)
        ax.yaxis.label.set_size(10)
        ax.set_title(t.label, fontsize=11, pad=THUMBNAIL + 6 if digit is not None else 4)
        if digit is not None:
            _thumbnails(ax, name, digit, gap)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    # Above the panels: in one tall column, a legend at the bottom is a long scroll away. The
    # figure's title is the legend's own: constrained layout would draw a suptitle over it.
    fig.legend(
        handles,
        labels,
        loc="outside upper center",
        ncols=2,
        fontsize=10,
        frameon=False,
        title=f"test error on MNIST's {data['digits']:,} test digits\nunder LeCun's "
        "demonstrations' transformations",
        title_fontsize=11,
    )
    return fig
