"""The chapter Your own digits: how an image is made into an MNIST digit, and the rejection
figure (Section III, Fig. 10) from the committed measurements of ``lenet_nb.reading.rejection``."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import image_grid
from lenet_nb.reading.rejection import TARGET_ERROR


def normalisation_stages(found: dict, title: str = "") -> Figure:
    """The steps of ``lenet_nb.digits.normalise.stages(image)`` side by side, each at its own size,
    ink dark as on paper."""
    panels = [
        ("the image", found["bounded"] if not found["inverted"] else 255 - found["bounded"]),
        ("ink, paper removed", found["ink"]),
    ]
    panels += [
        (caption, found[key])
        for key, caption in (
            ("cropped", "cropped to the ink"),
            ("resized", "longer side 20 px"),
            ("centred", "centred in 28x28"),
        )
        if key in found
    ]
    fig, _, used = image_grid(len(panels), len(panels), cell=(1.9, 2.1), extra=(0, 0.3))
    for ax, (caption, image) in zip(used, panels):
        height, width = np.shape(image)
        # The scanned image as it looks; every later step with its ink dark too.
        shown = image if caption == "the image" else 255 - np.asarray(image)
        ax.imshow(shown, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(f"{caption}\n{width}x{height}", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


COLOURS = {"paper": "tab:blue", "distorted": "tab:orange"}
LABELS = {"paper": "LeNet-5", "distorted": "LeNet-5, trained with distortions"}


def kept_error_curve(result: dict) -> tuple[np.ndarray, np.ndarray]:
    """(share rejected, error on the kept digits), both in %, from one network's results."""
    errors = np.asarray(result["curve_errors_kept"], dtype=np.float64)
    n = result["test_digits"]
    rejected = np.arange(len(errors))
    return 100 * rejected / n, 100 * errors / (n - rejected)


def rejection_curves(results: dict, paper_shares: dict | None = None) -> Figure:
    """Error on the kept test digits (%) against the share rejected (%), least confident first,
    for every network in ``results`` (``rejection.load_results()``); the 0.5% line, and where
    each curve reaches it: the share the paper compares. ``paper_shares`` (label -> %), the
    paper's own figures for other classifiers, are marked on the line when given."""
    target = 100 * TARGET_ERROR
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    for name, result in results["models"].items():
        share, error = kept_error_curve(result)
        colour = COLOURS.get(name, "tab:green")
        reached, kept = 100 * result["rejected_share"], 100 * result["kept_error"]
        ax.plot(
            share,
            error,
            color=colour,
            label=f"{LABELS.get(name, name)}: "
            f"{100 * result['test_error']:.2f}% with nothing rejected; {target:g}% after "
            f"rejecting {reached:.2f}% (margin < {result['threshold']:.1f})",
        )
        ax.plot([reached], [kept], "o", color=colour)
        ax.vlines(reached, 0, kept, color=colour, linestyle=":", linewidth=1)
        ax.annotate(
            f"{reached:.2f}%",
            (reached, 0),
            textcoords="offset points",
            xytext=(3, 3),
            fontsize=8,
            color=colour,
        )
    ax.axhline(
        target,
        color="0.3",
        linestyle="--",
        linewidth=0.9,
        label=f"{target:g}% error, the paper's comparison (Fig. 10)",
    )
    for label, value in (paper_shares or {}).items():
        ax.plot([value], [target], "|", color="0.4", markersize=12)
        ax.annotate(
            label,
            (value, target),
            textcoords="offset points",
            xytext=(0, -14),
            fontsize=7,
            color="0.3",
            ha="center",
        )
    ax.set(
        xlabel="test digits rejected, least confident first (%)",
        ylabel="error on the kept digits (%)",
        xlim=(0, 4),
        ylim=(0, None),
        title="rejecting the least confident digits: the smallest RBF margins first",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper right")
    return fig
