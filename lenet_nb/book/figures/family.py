"""LeNet-5's family beside the paper's Figs. 9-12: each network's measures over its seeds, and
the paper's value, one panel per figure of the paper."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lenet_nb.studies.family_table import Member
from lenet_nb.studies.published import PAPER_FAMILY

# Row labels short enough to leave the panels their width on a phone.
SHORT_NAMES = {
    "lenet5": "LeNet-5, 10 passes",
    "lenet1": "LeNet-1",
    "lenet4": "LeNet-4",
    "lenet4-distorted": "LeNet-4, distorted",
    "lenet4-knn": "LeNet-4 + K-NN",
    "boosted-lenet4": "boosted LeNet-4",
}
# (the paper's figure, what it charts, our measure per seed, the paper's key, log scale)
PANELS = (
    ("Fig. 9", "test error (%)", lambda m: 100 * np.array(m.errors), "error", False),
    (
        "Fig. 10",
        "rejected for 0.5% error (%)",
        lambda m: 100 * np.array(m.rejected),
        "rejected",
        False,
    ),
    ("Fig. 11", "multiply-adds per digit", lambda m: np.array([m.macs]), "macs", True),
    (
        "Fig. 12",
        "parameters (memory, values)",
        lambda m: np.array([m.parameters]),
        "parameters",
        True,
    ),
)


def family_figure(found: dict[str, Member]) -> Figure:
    """Four stacked panels, one network per row: our seeds as dots, the paper's value as a
    black diamond. Laid out one column wide, so that its text stays readable on a phone."""
    fig = Figure(figsize=(5.2, 10), layout="constrained")
    axes = fig.subplots(len(PANELS), 1)
    rows = list(found)
    for ax, (figure, label, ours, key, log) in zip(axes, PANELS):
        for y, name in enumerate(rows):
            values = ours(found[name])
            ax.plot(values, np.full(len(values), y), "o", color="tab:blue", alpha=0.75, ms=6)
            paper = PAPER_FAMILY.get(name, {}).get(key)
            if paper is not None:
                ax.plot([paper], [y], "D", color="black", ms=6, mfc="none", mew=1.5)
        ax.set_yticks(range(len(rows)), [SHORT_NAMES[n] for n in rows], fontsize=11)
        ax.invert_yaxis()
        ax.set_title(f"{label} ({figure})", fontsize=11)
        ax.grid(alpha=0.3, axis="x", which="both")
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(_count))
        ax.tick_params(labelsize=10)
    axes[0].plot([], [], "o", color="tab:blue", label="ours, one dot per seed or ensemble")
    axes[0].plot([], [], "D", color="black", mfc="none", label="the paper")
    fig.legend(loc="outside lower center", ncols=1, fontsize=10)
    return fig


def _count(value, _position) -> str:
    return (
        f"{value / 1e6:g}M"
        if value >= 1e6
        else f"{value / 1e3:g}k"
        if value >= 1e3
        else f"{value:g}"
    )
