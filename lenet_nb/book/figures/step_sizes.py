"""SDLM's step sizes by parameter tensor (Training chapter, "Watch it learn")."""

from matplotlib.figure import Figure

from lenet_nb.book.figures.style import as_array, series_boxes


def step_sizes_by_parameter(steps: dict, connections: dict, eta: float, mu: float) -> Figure:
    """One box per series for each parameter tensor (quartiles; whiskers from the smallest to the
    largest step), on a log scale, at one eta, the tensors labelled with how many connections share
    each of their values; the ceiling eta / mu drawn as a line. ``steps``:
    {label: {tensor name: steps}}."""
    names = list(next(iter(steps.values())))
    fig = Figure(figsize=(9.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    series_boxes(
        ax, {label: [as_array(by[name]).ravel() for name in names] for label, by in steps.items()}
    )
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
