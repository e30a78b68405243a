"""SDLM's step sizes by parameter tensor (Training chapter, "Watch it learn")."""

import numpy as np
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import SERIES_COLOURS, as_array


def step_sizes_by_parameter(steps: dict, connections: dict, eta: float, mu: float) -> Figure:
    """One box per series for each parameter tensor (quartiles; whiskers from the smallest to the
    largest step), on a log scale, at one eta, the tensors labelled with how many connections share each of
    their values; the ceiling eta / mu drawn as a line. ``steps``: {label: {tensor name: steps}}."""
    names = list(next(iter(steps.values())))
    fig = Figure(figsize=(9.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(steps)
    for s, (colour, (label, by_name)) in enumerate(zip(SERIES_COLOURS, steps.items())):
        positions = np.arange(len(names)) + (s - (len(steps) - 1) / 2) * width
        box = ax.boxplot(
            [as_array(by_name[name]).ravel() for name in names],
            positions=positions,
            widths=width * 0.85,
            whis=(0, 100),
            patch_artist=True,
            showfliers=False,
        )
        for patch in box["boxes"]:
            patch.set(facecolor=colour, alpha=0.6)
        for median in box["medians"]:
            median.set_color("black")
        ax.plot([], [], "s", color=colour, alpha=0.6, label=label)
    ax.axhline(eta / mu, color="tab:red", linestyle="--", linewidth=0.9, label="eta / mu")
    labels = [
        f"{name.replace('.weight', ' w').replace('.bias', ' b')}\n{connections[name]}"
        for name in names
    ]
    ax.set_xticks(range(len(names)), labels, fontsize=8)
    ax.set(
        yscale="log",
        ylabel="step eta / (mu + h)",
        xlabel="parameter tensor (w: weights, b: biases) and the connections sharing each value",
    )
    # Above the boxes, where it hides none of them.
    ax.legend(fontsize=8, ncols=4, loc="lower left", bbox_to_anchor=(0, 1), frameon=False)
    return fig
