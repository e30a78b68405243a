"""The screen of the paper's own procedure against the authors' code's departures
(``lenet_nb.studies.procedure``): training error every 6,000 patterns, and S2's curvature."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lenet_nb.book.figures.style import SERIES_COLOURS
from lenet_nb.training.recipes import PROCEDURE

_COLOURS = ("black", *SERIES_COLOURS, "tab:red", "tab:brown", "tab:grey")
_STYLES = ("-", "--", "-", "-.", ":", "-", "--", "-.")
_PLAIN = FuncFormatter(lambda value, _position: f"{value:g}")  # 0.2, not 2 x 10^-1
# Minor ticks labelled at 2, 3 and 5 times a power of ten only, so that labels do not collide.
_SPARSE = FuncFormatter(
    lambda value, _position: (
        f"{value:g}" if round(value / 10 ** np.floor(np.log10(value)), 6) in (2, 3, 5) else ""
    )
)


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


def _label(runs: list[dict], run: dict, labelled: set) -> str:
    """One legend entry per recipe, naming its seeds; its other runs' lines go unlabelled."""
    if run["recipe"] in labelled:
        return "_nolegend_"
    labelled.add(run["recipe"])
    seeds = [str(r["seed"]) for r in runs if r["recipe"] == run["recipe"]]
    name = run["recipe"].removeprefix("procedure-")
    return f"{name}, seed{'s' if len(seeds) > 1 else ''} {', '.join(seeds)}"


def twenty_passes(data: dict, reference: dict, paper: dict) -> Figure:
    """Training and test error after each pass (two stacked panels, log scale), one line per run
    of ``passes`` 20, coloured by recipe (one legend entry per recipe); ``reference`` adds runs of
    other studies ({label: history}) in black, ``paper`` the paper's final errors
    ({"train_error", "test_error"})."""
    fig = Figure(figsize=(5.2, 7.4), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    recipes = [r.name for r in PROCEDURE]
    runs = [r for r in data["runs"] if r["config"]["passes"] == 20]
    lines = [(label, history, "black", ":") for label, history in reference.items()]
    labelled = set()
    for run in runs:
        k = recipes.index(run["recipe"])
        lines.append((_label(runs, run, labelled), run["history"], _COLOURS[k], _STYLES[k]))
    for ax, key, what in zip(axes, ("train_error", "test_error"), ("training", "test")):
        for label, history, colour, style in lines:
            passes = [h["pass_"] for h in history]
            errors = [100 * h[key] for h in history]
            ax.plot(passes, errors, color=colour, linestyle=style, linewidth=1.4, label=label)
        ax.axhline(100 * paper[key], color="0.3", linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(_PLAIN)
        ax.yaxis.set_minor_formatter(_SPARSE)
        ax.set_ylabel(f"{what} error (%)", fontsize=11)
        ax.set_title(f"({'ab'[key == 'test_error']}) {what} error after each pass", fontsize=11)
        ax.tick_params(labelsize=10)
        ax.grid(alpha=0.3, which="both")
    axes[1].set_xlabel("pass", fontsize=11)
    axes[1].set_xticks([1, 5, 10, 15, 20])
    axes[1].plot([], [], color="0.3", linestyle="--", label="the paper's final value")
    fig.legend(
        *axes[1].get_legend_handles_labels(), loc="outside lower center", ncols=1, fontsize=10
    )
    return fig
