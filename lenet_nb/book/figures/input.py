"""The Input chapter: the digits as the network gets them."""

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lenet_nb.book.figures.style import image_grid, show
from lenet_nb.digits.mnist import BACKGROUND, FOREGROUND, PAD


def digit_grid(images: torch.Tensor, labels: torch.Tensor, ncols: int = 8) -> Figure:
    """Preprocessed digits (``N x 1 x 32 x 32``) on the paper's scale, ink dark as on paper.

    A red frame marks the original 28x28 field in each, so the padding band outside it shows.
    """
    images = images.reshape(len(images), *images.shape[-2:]).numpy()
    fig, axes, used = image_grid(len(images), ncols, cell=(1, 1.15), extra=(0.9, 0))
    side = images.shape[-1] - 2 * PAD
    for ax, image, label in zip(used, images, labels.tolist()):
        shown = show(ax, image, "input", interpolation=None, title=str(label), fontsize=11)
        ax.set_axis_off()
        ax.add_patch(
            Rectangle(
                (PAD - 0.5, PAD - 0.5), side, side, fill=False, edgecolor="tab:red", linewidth=0.8
            )
        )
    fig.colorbar(
        shown,
        ax=axes,
        shrink=0.8,
        label="input value",
        format="{x:g}",
        ticks=[BACKGROUND, 0, 0.5, 1, FOREGROUND],
    )
    return fig


def pixel_histograms(raw: torch.Tensor, scaled: torch.Tensor) -> Figure:
    """Counts of the 256 grey levels of the raw uint8 digits, and of the values the network gets.

    Both on a log scale: about four pixels in five are background, and would flatten the rest.
    """
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    levels = np.arange(256)
    left.bar(levels, np.bincount(raw.flatten().numpy(), minlength=256), width=1.0, color="tab:blue")
    left.set(
        title=f"raw MNIST ({raw.numel():,} pixels)",
        xlabel="grey level p (0 = background)",
        ylabel="pixels",
        yscale="log",
        xlim=(-3, 258),
    )
    # Scaled values sit on the same 256 levels, mapped affinely; one bin per level.
    step = (FOREGROUND - BACKGROUND) / 255
    edges = BACKGROUND + step * (np.arange(257) - 0.5)
    counts, _ = np.histogram(scaled.flatten().numpy(), bins=edges)
    right.bar(edges[:-1] + step / 2, counts, width=step, color="tab:orange")
    mean = scaled.double().mean().item()
    right.axvline(mean, color="black", linewidth=0.8, linestyle="--")
    right.annotate(
        f"mean {mean:.3f}",
        (mean, 0.92),
        xycoords=("data", "axes fraction"),
        xytext=(4, 0),
        textcoords="offset points",
        fontsize=9,
    )
    right.set(
        title=f"network input, padded to 32x32 ({scaled.numel():,} values)",
        xlabel="x = -0.1 + 1.275 p / 255",
        ylabel="values",
        yscale="log",
    )
    return fig
