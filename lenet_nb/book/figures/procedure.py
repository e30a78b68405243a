"""The screen of the paper's own procedure against the authors' code's departures
(``lenet_nb.studies.procedure``): training error every 6,000 patterns, and the curvature."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import SERIES_COLOURS

_COLOURS = (*SERIES_COLOURS, "tab:red", "tab:brown", "tab:grey", "tab:olive")
_LAYERS = ("S2", "C5")  # a subsampling layer (difference 1) and a convolution (the others)


def screen(data: dict, passes: int = 2, seed: int = 0) -> Figure:
    """Per recipe of the screen: the error on the training sample against patterns seen (the
    dotted line marks a pass's end), and the median h_kk of ``_LAYERS`` at each estimate."""
    runs = [r for r in data["runs"] if r["config"]["passes"] == passes and r["seed"] == seed]
    fig = Figure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, 1 + len(_LAYERS))
    for colour, run in zip(_COLOURS, runs):
        label = run["recipe"].removeprefix("procedure-")
        seen = np.array([p["patterns"] for p in run["progress"]]) / 1000
        error = 100 * np.array([p["train_error"] for p in run["progress"]])
        axes[0].plot(seen, error, color=colour, label=label, linewidth=1.6)
        at = np.array([c["patterns"] for c in run["curvature"]]) / 1000
        for ax, layer in zip(axes[1:], _LAYERS):
            h = [c["median_h"][layer] for c in run["curvature"]]
            ax.plot(at, h, color=colour, marker=".", linewidth=1.2, label=label)
    axes[0].set(
        xlabel="patterns seen (thousands)",
        ylabel=f"error on {data['sample']:,} training digits (%)",
        title="training error",
    )
    for ax, layer in zip(axes[1:], _LAYERS):
        ax.set(xlabel="patterns seen (thousands)", ylabel="median $h_{kk}$", title=layer)
        ax.set_yscale("log")
    for ax in axes:
        for end in range(1, passes):
            ax.axvline(60 * end, color="0.5", linestyle=":", linewidth=1)
    axes[0].legend(fontsize="small")
    return fig
