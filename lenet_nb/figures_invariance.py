"""The invariance chapter's figure: test error against the strength of each of LeCun's
demonstrations, for the network trained as the paper's Section III-B (``paper``) and the one
trained with its distortions (``distorted``, Section III-C). Returns a ``matplotlib.figure.Figure``
built without pyplot, as ``lenet_nb.figures`` does."""
import numpy as np
import torch
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnnotationBbox, OffsetImage

from .invariance import NETWORKS, TRANSFORMATIONS, error_rates, transform

INPUT_CMAP = "gray_r"  # ink dark, as lenet_nb.figures shows digits
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
        image = OffsetImage(transform(name, digit, s).numpy(), cmap=INPUT_CMAP,
                            norm=Normalize(0, 255), zoom=THUMBNAIL / 28, interpolation="nearest")
        box = AnnotationBbox(image, (s, 1.0), xycoords=("data", "axes fraction"),
                             box_alignment=(0.5, 0.0), frameon=False, pad=0.1,
                             annotation_clip=False)
        ax.add_artist(box)


def invariance_curves(data: dict, digit: torch.Tensor | None = None, gap: float = 0.15,
                      ncols: int = 3) -> Figure:
    """One panel per transformation of ``data`` (``lenet_nb.invariance.load_results()``): both
    networks' test error (%, log scale) against the strength, the range the ``distorted`` network
    was trained on shaded where its distortions include the transformation, the identity dotted.
    With ``digit`` (uint8 28x28), each panel shows it transformed above a few of its strengths
    (at least ``gap`` of the panel's width apart)."""
    names = list(data["transformations"])
    nrows = -(-len(names) // ncols)
    fig = Figure(figsize=(4.0 * ncols, (3.4 if digit is None else 3.7) * nrows),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[len(names):]:
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
        ax.tick_params(labelsize=7)
        ax.xaxis.label.set_size(8)
        ax.yaxis.label.set_size(8)
        ax.set_title(t.label, fontsize=9, pad=THUMBNAIL + 6 if digit is not None else 4)
        if digit is not None:
            _thumbnails(ax, name, digit, gap)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(f"test error on MNIST's {data['digits']:,} test digits under LeCun's "
                 "demonstrations' transformations", fontsize=10)
    return fig
