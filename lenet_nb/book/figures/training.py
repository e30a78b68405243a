"""The Training chapter: SDLM steps, curvature, the schedule, error against passes."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import SERIES_COLOURS, as_array, paper_value, series_boxes


def sdlm_steps(steps: dict, paper_range=None, title: str = "") -> Figure:
    """Histograms of per-parameter steps (or any positive values), one panel per layer, log x.

    ``steps`` maps a series label to ``{layer name: values}``; ``paper_range`` (lo, hi), if
    given, is shaded in every panel.
    """
    series = {
        label: {layer: as_array(v).ravel() for layer, v in by_layer.items()}
        for label, by_layer in steps.items()
    }
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
    for ax in axes.flat[len(layers) :]:
        ax.set_axis_off()
    for ax, layer in zip(axes.flat, layers):
        if paper_range is not None:
            ax.axvspan(*paper_range, color="0.88", label="paper, first pass", zorder=0)
        for colour, (label, by_layer) in zip(SERIES_COLOURS, series.items()):
            values = by_layer[layer]
            ax.hist(values, bins=bins, color=colour, alpha=0.6, label=f"{label}")
        ax.set(
            xscale="log",
            yscale="log",
            ylim=(0.7, None),
            title=f"{layer} ({len(values):,} parameters)",
        )
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
    series = {
        label: {layer: as_array(v).ravel() for layer, v in by_layer.items()}
        for label, by_layer in curvatures.items()
    }
    layers = list(next(iter(series.values())))
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax = fig.add_subplot()
    series_boxes(
        ax,
        {
            label: [np.clip(by_layer[layer], 1e-12, None) for layer in layers]
            for label, by_layer in series.items()
        },
    )
    if mu is not None:
        ax.axhline(mu, color="tab:red", linestyle="--", linewidth=0.9, label=f"mu = {mu:g}")
    ax.set_xticks(range(len(layers)), layers)
    ax.set(
        yscale="log",
        ylabel="h (Gauss-Newton diagonal)",
        title="curvature of each parameter, by layer (box: quartiles; whiskers: min to max)",
    )
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
    ax.set(
        yscale="log",
        xlabel="pass",
        ylabel="global eta",
        xticks=range(1, len(etas) + 1),
        title="the global learning-rate schedule",
    )
    ax.legend(fontsize=8)
    return fig


def training_curves(
    history: list, paper_test: float | None = None, paper_train: float | None = None
) -> Figure:
    """Fig. 5: training and test error (%) against passes, with the paper's values marked."""
    passes = [h["pass_"] for h in history]
    test = 100 * np.array([h["test_error"] for h in history])
    train = 100 * np.array([h["train_error"] for h in history])
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(passes, test, "o-", color="tab:blue", label="test error (10,000 digits)")
    ax.plot(passes, train, "s-", color="tab:orange", label="training error (60,000 digits)")
    if paper_test is not None:
        paper_value(ax, paper_test, "tab:blue", f"paper, test: {100 * paper_test:g}%")
    if paper_train is not None:
        paper_value(ax, paper_train, "tab:orange", f"paper, training: {100 * paper_train:g}%")
    ax.set(
        xlabel="pass over the training set",
        ylabel="error (%)",
        xticks=passes,
        ylim=(0, max(test.max(), train.max()) * 1.08),
        title="LeNet-5 without distortions: error against passes (the paper's Fig. 5)",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
