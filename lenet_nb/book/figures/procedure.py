"""The screen of the paper's own procedure against the authors' code's departures
(``lenet_nb.studies.procedure``): training error every 6,000 patterns, and S2's curvature."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import SERIES_COLOURS

_COLOURS = ("black", *SERIES_COLOURS, "tab:red", "tab:brown", "tab:grey")
_STYLES = ("-", "--", "-", "-.", ":", "-", "--", "-.")


def screen(data: dict, passes: int = 2, seed: int = 0, layer: str = "S2") -> Figure:
    """Two stacked panels, one line per recipe of the screen: (a) the error on the fixed sample
    of training digits against patterns seen, (b) ``layer``'s median h_kk at each estimate (a
    running average's at each report). A dotted line marks each pass's end. One column wide, so
    that its text stays readable on a phone."""
    runs = [r for r in data["runs"] if r["config"]["passes"] == passes and r["seed"] == seed]
    fig = Figure(figsize=(5.2, 7.4), layout="constrained")
    error_ax, h_ax = fig.subplots(2, 1, sharex=True)
    for colour, style, run in zip(_COLOURS, _STYLES, runs):
        label = run["recipe"].removeprefix("procedure-")
        seen = np.array([p["patterns"] for p in run["progress"]]) / 1000
        error = 100 * np.array([p["train_error"] for p in run["progress"]])
        error_ax.plot(seen, error, color=colour, linestyle=style, label=label, linewidth=1.6)
        at = np.array([c["patterns"] for c in run["curvature"]]) / 1000
        h = [c["median_h"][layer] for c in run["curvature"]]
        h_ax.plot(at, h, color=colour, linestyle=style, marker=".", linewidth=1.2)
    error_ax.set_ylabel(f"error on {data['sample']:,} training digits (%)", fontsize=11)
    error_ax.set_title("(a) training error, per-pattern SDLM", fontsize=11)
    h_ax.set_ylabel(f"median $h_{{kk}}$ of {layer}", fontsize=11)
    h_ax.set_xlabel("patterns seen (thousands)", fontsize=11)
    h_ax.set_title(f"(b) {layer}'s curvature where it is estimated", fontsize=11)
    h_ax.set_yscale("log")
    for ax in (error_ax, h_ax):
        ax.tick_params(labelsize=10)
        ax.grid(alpha=0.3, which="both")
        for end in range(1, passes):
            ax.axvline(60 * end, color="0.5", linestyle=":", linewidth=1)
    fig.legend(loc="outside lower center", ncols=2, fontsize=10)
    return fig
