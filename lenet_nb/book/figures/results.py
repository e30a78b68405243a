"""The Results chapter: confusion, misclassified digits, the classifiers compared."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import as_array, image_grid, show


def confusion_matrix(labels, predicted, classes: int = 10) -> Figure:
    """Counts of (true class, predicted class); the off-diagonal cells (the errors) coloured, the
    diagonal written in grey."""
    labels, predicted = as_array(labels).astype(int), as_array(predicted).astype(int)
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (labels, predicted), 1)
    errors = counts.copy()
    np.fill_diagonal(errors, 0)
    fig = Figure(figsize=(5.6, 4.8), layout="constrained")
    ax = fig.add_subplot()
    shown = ax.imshow(np.ma.masked_equal(errors, 0), cmap="Reds", vmin=0, vmax=max(errors.max(), 1))
    dark = errors.max() / 2
    for i in range(classes):
        for j in range(classes):
            if i == j or counts[i, j]:
                colour = "0.5" if i == j else "white" if counts[i, j] > dark else "black"
                ax.text(
                    j,
                    i,
                    str(counts[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7 if i == j else 9,
                    color=colour,
                )
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set(
        xlabel="predicted class",
        ylabel="true class",
        title=f"confusion matrix: {errors.sum()} errors in {counts.sum():,} test digits",
    )
    fig.colorbar(shown, ax=ax, shrink=0.8, label="misclassified digits")
    return fig


def misclassified(images, labels, predicted, penalties, ncols: int = 8) -> Figure:
    """Fig. 8 style: every digit given, titled "true->predicted", with the penalty of the true
    class and of the predicted one under it. Eight to a row at 8 points: text no smaller than
    9 pixels where the book's 688-pixel column shows the figure."""
    images = as_array(images).reshape(len(images), *np.shape(images)[-2:])
    labels, predicted = as_array(labels).astype(int), as_array(predicted).astype(int)
    penalties = as_array(penalties)
    fig, _, used = image_grid(len(images), ncols, cell=(1.0, 1.3), extra=(0, 0.45))
    for k, ax in enumerate(used):
        t, p = labels[k], predicted[k]
        show(ax, images[k], "input", interpolation=None, title=f"{t}->{p}", pad=2, fontsize=8)
        ax.set_xlabel(f"{penalties[k, t]:.1f} | {penalties[k, p]:.1f}", fontsize=8, labelpad=1)
    fig.suptitle(
        "misclassified test digits: true->predicted;\nbelow, penalty of the true class | "
        "of the predicted class",
        fontsize=9,
    )
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
    ax.set(
        xscale="log",
        xlim=(values.min() / 1.5, values.max() * 1.6),
        xlabel="test error (%)",
        title="test error on MNIST: the paper's Fig. 9 (grey) and our measurements (red)",
    )
    ax.grid(axis="x", which="both", alpha=0.3)
    return fig
