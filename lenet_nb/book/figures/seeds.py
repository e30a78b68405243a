"""Training over seeds: error curves with their spread, and Fig. 6 (error against training-set
size). The data are ``lenet_nb.studies.seeds``' committed runs."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lenet_nb.book.figures.style import SERIES_COLOURS, paper_value

_ERRORS = (("train_error", "training error"), ("test_error", "test error"))


def _by_pass(data: dict, recipe: str, key: str) -> np.ndarray:
    """seeds x passes: ``key`` (an error) of every pass of every run of ``recipe``, in %."""
    return 100 * np.array(
        [[h[key] for h in run["history"]] for run in data["runs"] if run["recipe"] == recipe]
    )


def curves_over_seeds(data: dict, recipes: dict, paper: dict | None = None) -> Figure:
    """Training and test error against passes, one colour per recipe (``recipes`` maps a recipe
    to its label): the mean over its seeds as a line, the lowest to highest seed as a band.
    ``paper`` may give the paper's final ``train_error`` and ``test_error``, drawn dashed."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True)
    colours = (*SERIES_COLOURS, "tab:red", "tab:brown", "tab:grey")
    for ax, (key, name) in zip(axes, _ERRORS):
        for colour, (recipe, label) in zip(colours, recipes.items()):
            runs = _by_pass(data, recipe, key)
            passes = np.arange(1, runs.shape[1] + 1)
            ax.plot(
                passes,
                runs.mean(0),
                color=colour,
                linewidth=1.8,
                label=f"{label} ({len(runs)} seed{'s' if len(runs) > 1 else ''})",
            )
            if len(runs) > 1:
                ax.fill_between(passes, runs.min(0), runs.max(0), color=colour, alpha=0.2)
        if paper and key in paper:
            label = ", ".join(f"{100 * paper[k]:g}% {n}" for k, n in _ERRORS if k in paper)
            paper_value(ax, paper[key], "black", f"the paper: {label}")
        ax.set(
            yscale="log",
            xlabel="pass over the training set",
            ylabel=f"{name} (%)",
            title=f"{name} against passes",
            xticks=passes[::2],
        )
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(_two_three_five))
        ax.grid(alpha=0.3, which="both")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=9)
    return fig


def _two_three_five(value: float, _) -> str:
    """Minor log ticks labelled only at 2, 3 and 5 times a power of ten, which never collide."""
    return f"{value:g}" if f"{value:.0e}"[0] in "235" else ""


def error_against_training_size(
    points, paper_test: float | None = None, beside: tuple[str, list] | None = None
) -> Figure:
    """Fig. 6: training and test error after the last pass against the number of training
    digits. ``points`` are (size, ``lenet_nb.studies.outcomes.Outcome``) pairs; every seed is a
    dot, the mean a line. ``beside`` (a name, points) adds another recipe's mean test error,
    dashed grey."""
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.add_subplot()
    sizes = np.array([size for size, _ in points])
    for colour, (field, name) in zip(
        ("tab:orange", "tab:blue"),
        (("train_errors", "training error"), ("test_errors", "test error")),
    ):
        values = [100 * np.array(getattr(o, field)) for _, o in points]
        for size, v in zip(sizes, values):
            ax.plot(np.full(len(v), size), v, "o", color=colour, alpha=0.45, markersize=4)
        ax.plot(
            sizes,
            [v.mean() for v in values],
            "-",
            color=colour,
            linewidth=1.8,
            label=f"{name}, mean over seeds (dots: each seed)",
        )
    if beside is not None:
        name, other = beside
        other_test = [100 * o.mean for _, o in other]
        ax.plot(
            [size for size, _ in other],
            other_test,
            "--",
            color="0.45",
            linewidth=1.2,
            label=f"{name}, test error, mean over seeds",
        )
    if paper_test is not None:
        label = f"paper, test error with 60,000: {100 * paper_test:g}%"
        paper_value(ax, paper_test, "tab:blue", label)
    ax.set(
        xscale="log",
        xticks=sizes,
        xlabel="training digits",
        ylabel="error after 20 passes (%)",
        ylim=(0, None),
        title="error against the size of the training set (the paper's Fig. 6)",
    )
    ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
    ax.minorticks_off()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
