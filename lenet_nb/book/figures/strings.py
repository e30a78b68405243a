"""Figures of the chapter "Reading strings without segmentation" (Section VII)."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import SERIES_COLOURS, image_grid, show
from lenet_nb.digits.strings import BLANK, output_centres


def _label(c: int) -> str:
    return "blank" if c == BLANK else str(c)


def _show_string(ax, image, title: str, truth: str | None) -> None:
    """A string image, ink dark on paper, one unit per column, titled with what was read."""
    ax.imshow(
        image,
        cmap="gray_r",
        vmin=0,
        vmax=255,
        interpolation="nearest",
        extent=(0, image.shape[1], image.shape[0], 0),
    )
    ax.set_yticks([])
    ax.set_title(title + (f"   (written: {truth})" if truth is not None else ""), fontsize=11)


def string_windows(windows, labels, ncols: int = 8):
    """Section VII-B's training images, each with the class it is trained to give."""
    fig, _, used = image_grid(len(windows), ncols, (0.95, 1.15))
    for ax, window, label in zip(used, windows, labels):
        show(ax, window, kind="raw", title=_label(int(label)), fontsize=10)
    return fig


def string_reading(reading, truth: str | None = None):
    """Figs. 25-26 in our style: the input; under it the winning class of every output position,
    darker for a lower penalty; the penalties of all eleven classes at every position, with the
    path the character model chose; and the answer."""
    image, penalties = reading.image, reading.penalties
    centres = output_centres(image.shape[1])
    fig = Figure(figsize=(7, 4.6), layout="constrained")
    top, labels, grid = fig.subplots(3, 1, height_ratios=[2.2, 0.6, 2.4], sharex=True)
    _show_string(top, image, f"read: {reading.text or '(nothing)'}", truth)
    best = penalties.min(1)
    shade = np.clip(best / max(float(np.percentile(best, 90)), 1e-6), 0, 1)
    for x, c, s in zip(centres, reading.winners, shade):
        labels.text(
            x,
            0.5,
            "·" if c == BLANK else str(c),
            ha="center",
            va="center",
            fontsize=12,
            color=str(0.75 * s),
        )
    labels.set_yticks([])
    labels.set_ylabel("winner", rotation=0, ha="right", va="center", fontsize=10)
    for spine in labels.spines.values():
        spine.set_visible(False)
    shown = grid.imshow(
        penalties.T,
        cmap="viridis_r",
        aspect="auto",
        interpolation="nearest",
        extent=(centres[0] - 2, centres[-1] + 2, 10.5, -0.5),
    )
    grid.plot(centres, reading.path, "o", color="white", markeredgecolor="black", markersize=6)
    grid.set_yticks(range(11), [_label(c) for c in range(11)], fontsize=9)
    grid.set_ylabel("class", fontsize=10)
    grid.set_xlabel("column of the string (one output every 4 columns)", fontsize=10)
    fig.colorbar(shown, ax=grid, label="RBF penalty", shrink=0.9)
    return fig


def segmentation_cuts(image, segmentation, truth: str | None = None):
    """HOS on one string: the candidate cuts (thin lines), the segments of the best path
    (shaded) and the digit read in each."""
    fig = Figure(figsize=(7, 1.9), layout="constrained")
    ax = fig.subplots()
    _show_string(ax, image, f"HOS read: {segmentation.text or '(nothing)'}", truth)
    for x in segmentation.cuts:
        ax.axvline(x, color="tab:red", linewidth=0.8, alpha=0.6)
    for i, (first, end, digit) in enumerate(segmentation.segments):
        ax.axvspan(first, end, color=SERIES_COLOURS[i % 2], alpha=0.18)
        ax.text((first + end) / 2, -2, str(digit), ha="center", va="bottom", fontsize=12)
    ax.set_ylim(image.shape[0], -9)
    return fig


def _errors(rows, reader, key):
    return [100 * row[reader][key] for row in rows]


def string_reading_errors(results):
    """String error of both readers against the gap (5-digit noisy strings), and against the
    length, with and without noise."""
    fig = Figure(figsize=(7, 3.3), layout="constrained")
    by_gap, by_length = fig.subplots(1, 2)
    gaps = [row["gap"] for row in results["by_gap"]]
    names = {"sdnn": "SDNN", "hos": "HOS"}
    for colour, reader in zip(SERIES_COLOURS, names):
        by_gap.plot(
            gaps,
            _errors(results["by_gap"], reader, "string_error"),
            "o-",
            color=colour,
            label=names[reader],
        )
        for noise, style in ((0.0, "--"), (0.1, "-")):
            rows = [r for r in results["by_length"] if r["noise"] == noise]
            by_length.plot(
                [r["length"] for r in rows],
                _errors(rows, reader, "string_error"),
                style,
                marker="o",
                color=colour,
                label=f"{names[reader]}, {'10% noise' if noise else 'clean'}",
            )
    by_gap.set_xlabel("gap between digits (pixels)")
    by_gap.set_ylabel("strings misread (%)")
    by_gap.set_title("5 digits, 10% noise", fontsize=10)
    by_length.set_xlabel("digits in the string")
    by_length.set_title("gaps -1 to 4 pixels", fontsize=10)
    for ax in (by_gap, by_length):
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    fig.legend(
        *by_length.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=2,
        fontsize=9,
        frameon=False,
    )
    return fig
