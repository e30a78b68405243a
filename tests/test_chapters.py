"""The layer chapters (C1 to Output): the figures they draw, the helpers they share, and the
conventions every chapter keeps. The chapters' own numbers are checked by their assert cells
under nbval; these tests check the code and the notebooks' shape without running a kernel."""

import io
import sys

import nbformat
import pytest
import torch
from matplotlib.figure import Figure

import lenet_nb
from lenet_nb import C3_TABLE, LeNet5
from lenet_nb.book import chapter, figures
from lenet_nb.book.figures.architecture import OUT, architecture_svg
from lenet_nb.book.notebooks import ROOT, toc_notebooks
from lenet_nb.network.layers import (
    ConvolutionLayer,
    EuclideanRBF,
    FullConnectionLayer,
    SparseConvolutionLayer,
    SubsamplingLayer,
    squash,
)
from lenet_nb.network.prototypes import prototype_matrix

LAYER_CHAPTERS = ["02_c1", "03_s2", "04_c3", "05_s4", "06_c5", "07_f6", "08_output"]


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return LeNet5().eval()


@pytest.fixture(scope="module")
def acts(model):
    torch.manual_seed(1)
    images = -0.1 + 1.275 * torch.rand(3, 1, 32, 32)
    return images, chapter.activations(model, images)


def drawn(fig: Figure) -> Figure:
    """Render the figure (as the notebook would), so layout errors surface here."""
    assert isinstance(fig, Figure)
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    return fig


def table_mask():
    mask = torch.zeros(16, 6, dtype=torch.bool)
    for j, inputs in enumerate(C3_TABLE):
        mask[j, list(inputs)] = True
    return mask


def test_example_digits_are_the_first_of_each_class():
    labels = torch.tensor([3, 1, 3, 0, 1, 1, 2, 0, 2, 3])
    assert chapter.example_digits(labels, classes=range(4)).tolist() == [3, 1, 6, 0]
    assert chapter.example_digits(labels, per_class=2, classes=[1, 3]).tolist() == [1, 4, 0, 2]


def test_activations_come_back_on_the_cpu(acts):
    _, values = acts
    assert list(values) == ["C1", "S2", "C3", "S4", "C5", "F6", "output"]
    assert all(v.device.type == "cpu" and not v.requires_grad for v in values.values())


def _listed(block: str):
    """The header and the function a ``chapter.source`` block lists, executed in its module."""
    assert block.startswith("```python\n# ") and block.endswith("\n```")
    header, _, code = block[len("```python\n# ") : -len("\n```")].partition("\n")
    module_name, _, qualname = header.partition(": ")
    namespace = dict(vars(sys.modules[module_name]))
    exec(compile(code, "<listing>", "exec"), namespace)
    return module_name, qualname, namespace[qualname.rpartition(".")[2]]


def test_source_lists_the_code_that_runs():
    """Each listing the layer chapters show, executed, computes what the layer computes."""
    torch.manual_seed(0)
    x = torch.randn(2, 16, 5, 5)
    c5, s2, f6 = ConvolutionLayer(16, 120), SubsamplingLayer(16), FullConnectionLayer(400, 84)
    c3, rbf = SparseConvolutionLayer(), EuclideanRBF(prototype_matrix())
    f6_out = squash(torch.randn(2, 84))
    cases = [
        (ConvolutionLayer.linear, (c5, x, c5.weight, c5.bias), c5.preactivation(x)),
        (SubsamplingLayer.linear, (s2, x, s2.weight, s2.bias), s2.preactivation(x)),
        (FullConnectionLayer.linear, (f6, x, f6.weight, f6.bias), f6.preactivation(x)),
        (
            SparseConvolutionLayer.linear,
            (c3, x[:, :6], c3.weight, c3.bias),
            c3.preactivation(x[:, :6]),
        ),
        (EuclideanRBF.forward, (rbf, f6_out), rbf(f6_out)),
        (squash, (x,), squash(x)),
    ]
    for obj, args, expected in cases:
        module_name, qualname, listed = _listed(chapter.source(obj).data)
        assert (module_name, qualname) == (obj.__module__, obj.__qualname__)
        assert torch.equal(listed(*args), expected), qualname
    two = chapter.source(ConvolutionLayer.linear, squash).data
    assert two.count("```") == 2 and "\n\n# lenet_nb.network.layers: squash\n" in two


def test_layer_figures_draw(model, acts):
    images, values = acts
    labels = [4, 0, 9]
    drawn(figures.kernels(model.C1.weight, "C1"))
    drawn(figures.feature_maps(images, values["C1"], labels, "C1"))
    drawn(figures.feature_maps(images, values["S4"], labels, "S4", ncols=8))
    drawn(
        figures.map_panels(
            [
                ("a", values["C1"][0, 0], "activation"),
                ("b", values["C1"][0, 0] * 3, "free"),
                ("c", images[0, 0], "input"),
            ]
        )
    )
    drawn(figures.subsampling_maps(model.S2.weight, model.S2.bias, values["S2"], "S2"))
    drawn(figures.subsampling_maps(model.S4.weight, model.S4.bias, values["S4"], "S4"))
    dense = model.C3.dense_weight(model.C3.weight).detach()
    drawn(figures.c3_map(table_mask(), values["S2"][0], values["C3"][0], dense, 12, label=4))
    drawn(figures.squashing_function())
    drawn(figures.f6_bitmaps(values["F6"], labels, values["output"].argmin(1), prototype_matrix()))
    drawn(figures.prototype_bitmaps(prototype_matrix()))
    drawn(figures.penalty_bars(values["output"][0], label=4))
    drawn(figures.network(images[0], {k: v[0] for k, v in values.items()}, 4, prototype_matrix()))


def test_wide_input_figure(model):
    wide = torch.full((1, 1, 32, 60), -0.1)
    c5 = chapter.activations(model, wide, upto="C5")["C5"]
    assert c5.shape == (1, 120, 1, 8)
    drawn(figures.wide_input(wide[0, 0], c5[0, :, 0, :], torch.arange(8), [1, 2]))


def _x_marks(ax) -> set:
    return {
        (round(t.get_position()[1]), round(t.get_position()[0]))
        for t in ax.texts
        if t.get_text() == "X"
    }


def _lit(ax) -> dict:
    """Cells with a highlight patch, (S2 row, C3 column) -> alpha."""
    return {(round(p.get_y() + 0.5), round(p.get_x() + 0.5)): p.get_alpha() for p in ax.patches}


def test_c3_table_draws_table_one():
    fig = figures.c3_table(table_mask())
    ax = fig.axes[0]
    assert _x_marks(ax) == {(i, j) for j, inputs in enumerate(C3_TABLE) for i in inputs}
    assert not ax.patches


def test_c3_table_highlights_a_c3_map_and_its_inputs():
    fig = drawn(Figure())
    figures.c3_table(table_mask(), fig.add_subplot(), c3_map=12)
    lit = _lit(fig.axes[0])
    assert set(lit) == {(i, 12) for i in range(6)}  # the whole column ...
    assert {cell for cell, alpha in lit.items() if alpha > 0.5} == {
        (0, 12),
        (1, 12),
        (3, 12),
        (4, 12),
    }  # ... its X's strong


def test_c3_table_highlights_an_s2_map_and_what_it_feeds():
    fig = Figure()
    figures.c3_table(table_mask(), fig.add_subplot(), s2_map=2)
    lit = _lit(fig.axes[0])
    assert set(lit) == {(2, j) for j in range(16)}
    assert {j for (i, j), alpha in lit.items() if alpha > 0.5} == {
        j for j, inputs in enumerate(C3_TABLE) if 2 in inputs
    }


# --- conventions of the notebooks themselves -------------------------------------------------


def _chapter(stem):
    return nbformat.read(ROOT / "book" / f"{stem}.ipynb", as_version=4)


def test_layer_chapters_follow_the_input_chapter_in_paper_order():
    stems = [path.stem for path in toc_notebooks()]
    assert stems[:8] == ["01_input"] + LAYER_CHAPTERS


@pytest.mark.parametrize("stem", LAYER_CHAPTERS)
def test_chapter_ends_with_a_check(stem):
    nb = _chapter(stem)
    headings = [
        line
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    assert any(h.startswith("## Check") for h in headings), headings


def test_widgets_sit_beside_their_static_figures():
    for stem, widget, figure in (
        ("04_c3", "C3ConnectionTable(", "figures.c3_map("),
        ("08_output", "FeatureMapExplorer(", "figures.network("),
    ):
        sources = [cell.source for cell in _chapter(stem).cells if cell.cell_type == "code"]
        at = next(k for k, source in enumerate(sources) if widget in source)
        assert any(figure in source for source in sources[at - 1 : at + 2]), stem


def test_setup_gives_every_chapter_the_same_start():
    first = chapter.setup()
    drawn_first = torch.rand(3)
    model, images, labels, device = chapter.setup()
    assert torch.equal(torch.rand(3), drawn_first)  # seeded the same way each time
    assert device == lenet_nb.device() and next(model.parameters()).device.type == device.type
    reference = lenet_nb.load_model("paper")
    assert all(torch.equal(a.cpu(), b) for a, b in zip(model.parameters(), reference.parameters()))
    assert images.shape == (10_000, 1, 32, 32) and torch.equal(labels, first[2])


def test_landing_page_figure_is_the_models_own_drawing():
    assert OUT.read_text() == architecture_svg(LeNet5()) + "\n"
    svg = OUT.read_text()
    for stem in ("01_input", "02_c1", "03_s2", "04_c3", "05_s4", "06_c5", "07_f6", "08_output"):
        assert f'href="{stem}.html"' in svg
    assert "C3" in svg and "16@10x10" in svg and ">120<" in svg and "OUTPUT" in svg
