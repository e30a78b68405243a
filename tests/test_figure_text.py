"""Text in the book's figures is readable where the page shows it: no smaller than 9 pixels in
the 688-pixel column at 1280 px (matplotlib's inline PNGs are 100 dots per inch, drawn with a
tight bounding box, and scaled down to the column when wider)."""

import io

import torch
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from lenet_nb import LeNet5
from lenet_nb.book import chapter, figures
from lenet_nb.network.prototypes import prototype_matrix

COLUMN = 688
SMALLEST = 9.0


def smallest_text_px(fig: Figure, column: int = COLUMN) -> float:
    """The size in pixels, as displayed in ``column``, of the figure's smallest visible text."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    width = Image.open(buffer).size[0]
    scale = min(1.0, column / width)
    sizes = [
        t.get_fontsize() * 100 / 72 * scale
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes)


def test_smallest_text_finds_small_text():
    fig = Figure(figsize=(6, 2))
    fig.add_subplot().set_title("tiny", fontsize=5)
    assert smallest_text_px(fig) < SMALLEST


def test_whole_network_figure_is_readable():
    torch.manual_seed(0)
    model = LeNet5().eval()
    image = -0.1 + 1.275 * torch.rand(1, 1, 32, 32)
    values = chapter.activations(model, image)
    fig = figures.network(image[0], {k: v[0] for k, v in values.items()}, 4, prototype_matrix())
    assert smallest_text_px(fig) >= SMALLEST


def test_misclassified_digits_figure_is_readable():
    torch.manual_seed(0)
    images = torch.rand(20, 1, 32, 32)
    labels, predicted = torch.arange(20) % 10, (torch.arange(20) + 1) % 10
    fig = figures.misclassified(images, labels, predicted, 200 * torch.rand(20, 10))
    assert smallest_text_px(fig) >= SMALLEST


def test_invariance_curves_are_readable_on_a_phone_too():
    """One panel to a row: readable in the 688-pixel column and in a 390-pixel phone's column
    (about 358 pixels inside the page's margins)."""
    from lenet_nb.digits.mnist import mnist
    from lenet_nb.studies import invariance

    digit = mnist(False, transform=None).data[1]
    fig = figures.invariance_curves(invariance.load_results(), digit)
    assert smallest_text_px(fig) >= SMALLEST
    assert smallest_text_px(fig, column=358) >= SMALLEST


def test_layer_chapters_figures_are_readable_in_the_column():
    """The figures of the layer chapters (S2, S4, C5, F6) and Distortions' spread within classes,
    at full size in the 688-pixel column."""
    torch.manual_seed(0)
    maps = torch.rand(6, 28, 28) * 3.4 - 1.7
    prototypes = prototype_matrix()
    figs = {
        "map_panels": figures.map_panels([(f"map {k}", maps[k], "activation") for k in range(4)]),
        "S2": figures.subsampling_maps(
            torch.rand(6), torch.rand(6), torch.rand(20, 6, 14, 14), "S2"
        ),
        "S4": figures.subsampling_maps(
            torch.rand(16), torch.rand(16), torch.rand(20, 16, 5, 5), "S4"
        ),
        "wide_input": figures.wide_input(torch.rand(32, 60), torch.rand(120, 8), [7] * 8, [7, 2]),
        "squashing": figures.squashing_function(),
        "spread": figures.within_class_spread(
            [(f"statistic {k}\nits label", "px", torch.randn(500), 1.0) for k in range(5)]
        ),
        "F6": figures.f6_bitmaps(
            torch.rand(5, 84), [7, 2, 1, 0, 4], torch.tensor([7, 2, 1, 0, 4]), prototypes
        ),
    }
    assert {
        name: round(smallest_text_px(fig), 1)
        for name, fig in figs.items()
        if smallest_text_px(fig) < SMALLEST
    } == {}
