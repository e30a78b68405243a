"""The chapters F6 and Output: bitmaps, prototypes, penalties, the whole network."""

from matplotlib import rc_context
from matplotlib.figure import Figure

from lenet_nb.book.figures.style import activation_colorbar, as_array, image_grid, show
from lenet_nb.network.prototypes import HEIGHT, WIDTH


def f6_bitmaps(f6, labels, predictions, prototypes) -> Figure:
    """Each digit's 84 F6 outputs drawn as a 7x12 bitmap (top row), above the prototype of the
    class the network predicted (bottom row), on the activation colour scale (prototype pixels
    are exactly +-1). One column per digit: about 7 inches for five, so that the book's column
    shows the text at full size."""
    f6, prototypes = as_array(f6), as_array(prototypes)
    labels, predictions = list(labels), as_array(predictions).tolist()
    n = len(f6)
    fig = Figure(figsize=(1.15 * n + 1.2, 4.4), layout="constrained")
    axes = fig.subplots(2, n, squeeze=False)
    for d in range(n):
        shown = show(
            axes[0, d], f6[d].reshape(HEIGHT, WIDTH), title=f"F6, digit {labels[d]}", fontsize=9
        )
        show(
            axes[1, d],
            prototypes[predictions[d]].reshape(HEIGHT, WIDTH),
            title=f"prototype {predictions[d]}",
            fontsize=9,
        )
    activation_colorbar(fig, shown, axes.ravel(), shrink=0.8)
    return fig


def prototype_bitmaps(prototypes) -> Figure:
    """The ten fixed 7x12 prototypes of the output layer (+1 ink, -1 background)."""
    prototypes = as_array(prototypes)
    fig, _, used = image_grid(len(prototypes), len(prototypes), cell=(0.8, 1.9))
    for digit, (ax, proto) in enumerate(zip(used, prototypes)):
        show(ax, proto.reshape(HEIGHT, WIDTH), "prototype", title=str(digit), fontsize=10)
    return fig


def penalty_bars(penalties, label=None, ax=None, title: str | None = None, fontsize: float = 7):
    """The ten output penalties of one digit, the smallest (the prediction) highlighted;
    ``fontsize`` for the values beside the bars (the title is 2 points larger)."""
    penalties = as_array(penalties)
    fig = None
    if ax is None:
        fig = Figure(figsize=(5, 2.8), layout="constrained")
        ax = fig.add_subplot()
    winner = int(penalties.argmin())
    colours = ["#e8a317" if c == winner else "#9aa5b1" for c in range(len(penalties))]
    ax.barh(range(len(penalties)), penalties, color=colours)
    for c, p in enumerate(penalties):
        ax.text(p, c, f" {p:.1f}", va="center", fontsize=fontsize)
    ax.set_yticks(range(len(penalties)))
    ax.invert_yaxis()
    ax.set_xlim(0, penalties.max() * 1.18)
    ax.set(xlabel="penalty y_i", ylabel="class i")
    default = f"penalties: predicted {winner}" + (f", label {label}" if label is not None else "")
    ax.set_title(title or default, fontsize=fontsize + 2)
    return fig


# The whole-network figure is 11 inches wide, shown in the book's 688-pixel column at about 0.62
# of its size: at 11.5 points its smallest text still shows at about 9.9 pixels.
NETWORK_FONT = 11.5


def network(image, activations: dict, label, prototypes) -> Figure:
    """One digit through the whole network, as the feature-map explorer shows it: the input,
    every map of C1, S2, C3 and S4, C5 (120 units as 10x12), F6 (as 7x12) beside the prototype of
    the predicted class, and the ten penalties."""
    with rc_context({"font.size": NETWORK_FONT}):
        return _network(image, activations, label, prototypes)


def _network(image, activations: dict, label, prototypes) -> Figure:
    acts = {name: as_array(value) for name, value in activations.items()}
    prototypes = as_array(prototypes)
    penalties = acts["output"].reshape(-1)
    predicted = int(penalties.argmin())
    fig = Figure(figsize=(11, 6), layout="constrained")
    outer = fig.add_gridspec(2, 5, height_ratios=[1, 1])
    font = dict(fontsize=NETWORK_FONT)
    image = as_array(image).reshape(32, 32)
    show(fig.add_subplot(outer[0, 0]), image, "input", title=f"input: label {label}", **font)
    for name, cell, ncols in (
        ("C1", outer[0, 1], 3),
        ("S2", outer[0, 2], 3),
        ("C3", outer[0, 3], 4),
        ("S4", outer[0, 4], 4),
    ):
        maps = acts[name].reshape(-1, *acts[name].shape[-2:])
        nrows = -(-len(maps) // ncols)
        sub = cell.subgridspec(nrows + 1, ncols, height_ratios=[0.35] + [1] * nrows)
        head = fig.add_subplot(sub[0, :])
        head.set_axis_off()
        head.set_title(f"{name}: {len(maps)} maps\n{maps.shape[-2]}x{maps.shape[-1]}", **font)
        for k, m in enumerate(maps):
            r, c = divmod(k, ncols)
            shown = show(fig.add_subplot(sub[r + 1, c]), m)
    bottom = [fig.add_subplot(outer[1, k]) for k in range(3)]
    show(bottom[0], acts["C5"].reshape(10, 12), title="C5: 120 units\nas 10x12", **font)
    show(bottom[1], acts["F6"].reshape(HEIGHT, WIDTH), title="F6 as 7x12", **font)
    prototype = prototypes[predicted].reshape(HEIGHT, WIDTH)
    show(bottom[2], prototype, title=f"prototype\nof {predicted}", **font)
    activation_colorbar(fig, shown, bottom, shrink=0.9, location="left")
    penalty_bars(penalties, label, ax=fig.add_subplot(outer[1, 3:]), fontsize=NETWORK_FONT)
    return fig
