"""The chapters Training and Results: their figures, and the conventions the notebooks keep. The
chapters' numbers are checked by their own assert cells under nbval."""

import io
import re

import nbformat
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from lenet_nb import load_history
from lenet_nb.book import figures
from lenet_nb.book.notebooks import ROOT, toc_notebooks
from lenet_nb.studies.outcomes import Outcome
from lenet_nb.training.sdlm import PAPER_SCHEDULE

CHAPTERS = ["09_training", "10_results"]


def drawn(fig: Figure) -> Figure:
    assert isinstance(fig, Figure)
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    return fig


def _by_layer(scale):
    g = torch.Generator().manual_seed(0)
    return {
        layer: scale * torch.rand(n, generator=g, dtype=torch.float64) + 1e-6
        for layer, n in (
            ("C1", 156),
            ("S2", 12),
            ("C3", 1516),
            ("S4", 32),
            ("C5", 480),
            ("F6", 100),
        )
    }


def test_sdlm_steps_one_panel_per_layer_with_the_paper_range():
    fig = drawn(
        figures.sdlm_steps(
            {"a": _by_layer(0.02), "b": _by_layer(0.001)}, paper_range=(7e-5, 0.016), title="t"
        )
    )
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().split()[0] for ax in panels] == ["C1", "S2", "C3", "S4", "C5", "F6"]
    assert panels[0].get_xscale() == "log"
    shaded = [p for p in panels[0].patches if p.get_label() == "paper, first pass"]
    assert len(shaded) == 1


def test_curvature_by_layer_marks_mu():
    fig = drawn(
        figures.curvature_by_layer({"fresh": _by_layer(1e-3), "trained": _by_layer(1.0)}, mu=0.02)
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["C1", "S2", "C3", "S4", "C5", "F6"]
    assert any(line.get_label() == "mu = 0.02" for line in ax.get_lines())


def test_learning_rate_schedule_draws_each_schedule():
    fig = drawn(
        figures.learning_rate_schedule(
            {"paper": PAPER_SCHEDULE, "ours": [e / 50 for e in PAPER_SCHEDULE]}
        )
    )
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["paper", "ours"]


def test_training_curves_mark_the_paper():
    history = [dict(pass_=p, train_error=0.02 / p, test_error=0.025 / p) for p in range(1, 6)]
    fig = drawn(figures.training_curves(history, 0.0095, 0.0035))
    lines, labels = fig.axes[0].get_legend_handles_labels()
    assert len(labels) == 4  # the two curves and the paper's two values, each named
    marked = [line.get_ydata()[0] for line in lines if line.get_xydata().shape[0] == 2]
    assert marked == pytest.approx([0.95, 0.35])


def test_confusion_matrix_counts_the_errors():
    labels = torch.tensor([0, 0, 1, 1, 2, 2, 2])
    predicted = torch.tensor([0, 1, 1, 1, 2, 0, 0])
    fig = drawn(figures.confusion_matrix(labels, predicted, classes=3))
    ax = fig.axes[0]
    assert ax.get_title() == "confusion matrix: 3 errors in 7 test digits"
    texts = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert texts == {(0, 0): "1", (0, 1): "1", (1, 1): "2", (2, 2): "1", (2, 0): "2"}


def test_misclassified_titles_and_penalties():
    images = -0.1 + 1.275 * torch.rand(13, 1, 32, 32)
    labels = torch.arange(13) % 10
    predicted = (labels + 1) % 10
    penalties = torch.arange(130, dtype=torch.float32).reshape(13, 10)
    fig = drawn(figures.misclassified(images, labels, predicted, penalties, ncols=5))
    shown = [ax for ax in fig.axes if ax.get_title()]
    assert len(shown) == 13 and len(fig.axes) == 15  # 3 rows of 5, two left blank
    assert shown[0].get_title() == "0->1"
    assert shown[0].get_xlabel() == "0.0 | 1.0"
    assert shown[12].get_title() == "2->3" and shown[12].get_xlabel() == "122.0 | 123.0"


def test_error_rates_colour_ours():
    rows = [("linear", 12.0, "paper"), ("ours: linear", 7.9, "ours"), ("LeNet-5", 0.95, "paper")]
    fig = drawn(figures.error_rates(rows))
    ax = fig.axes[0]
    bars = ax.patches
    assert [round(b.get_width(), 2) for b in bars] == [12.0, 7.9, 0.95]
    assert bars[1].get_facecolor() != bars[0].get_facecolor()
    assert ax.get_xscale() == "log"


# --- the notebooks --------------------------------------------------------------------------


def _chapter(stem):
    return nbformat.read(ROOT / "book" / f"{stem}.ipynb", as_version=4)


def test_training_and_results_follow_the_layer_chapters():
    stems = [path.stem for path in toc_notebooks()]
    # The paper's own procedure follows Training, as a closer look at its training runs.
    assert stems[8:11] == [CHAPTERS[0], "17_procedure", CHAPTERS[1]]


def test_timings_and_the_live_run_are_not_compared():
    for stem, marker in (
        ("09_training", "train(short,"),
        ("10_results", "seconds_per_digit(model"),
    ):
        cells = [cell for cell in _chapter(stem).cells if marker in cell.source]
        assert cells, (stem, marker)
        assert all("nbval-ignore-output" in cell.metadata.get("tags", []) for cell in cells)


def test_results_chapter_shows_every_misclassified_digit():
    nb = _chapter("10_results")
    code = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and "figures.misclassified(" in cell.source
    ]
    assert len(code) == 1
    text = "".join(out.get("text", "") for out in code[0].outputs)
    shown = int(re.search(r"^(\d+) misclassified", text, re.M).group(1))
    assert shown == round(10_000 * load_history("paper")["history"][-1]["test_error"])
    assert np.any([out.get("data", {}).get("image/png") for out in code[0].outputs])


def _study():
    """Two recipes' runs, as lenet_nb.studies.seeds commits them: 3 seeds of 4 passes, and 1
    seed."""

    def run(recipe, seed, base):
        return dict(
            recipe=recipe,
            seed=seed,
            history=[
                dict(pass_=p + 1, train_error=base / (p + 1), test_error=2 * base / (p + 1))
                for p in range(4)
            ],
        )

    return dict(runs=[run("a", s, 0.01 * (s + 1)) for s in range(3)] + [run("b", 0, 0.05)])


def test_curves_over_seeds_draw_the_mean_and_the_band_of_each_recipe():
    fig = drawn(
        figures.curves_over_seeds(
            _study(), {"a": "A", "b": "B"}, paper={"train_error": 0.0035, "test_error": 0.0095}
        )
    )
    train_ax, test_ax = fig.axes
    mean_a = next(line for line in train_ax.lines if line.get_label().startswith("A (3 seeds)"))
    assert np.allclose(mean_a.get_ydata(), 100 * 0.02 / np.arange(1, 5))  # mean of 0.01..0.03
    assert len(train_ax.collections) == 1  # one band: "b" has one seed
    assert any(
        line.get_label() == "the paper: 0.35% training error, 0.95% test error"
        and line.get_ydata()[0] == 0.95
        for line in test_ax.lines
    )
    assert len(fig.legends) == 1  # one legend for both panels, below them
    assert train_ax.get_yscale() == "log"


def test_error_against_training_size_has_a_dot_per_seed_and_a_mean_line():
    def outcome(errors):
        return Outcome(
            "r",
            "g",
            "",
            1,
            tuple(range(len(errors))),
            tuple(errors),
            tuple(e / 2 for e in errors),
            float(np.mean(errors)),
            0.0,
            float(np.mean(errors)) / 2,
            0.0,
            1.0,
            None,
        )

    points = [
        (15_000, outcome([0.013, 0.012])),
        (30_000, outcome([0.010, 0.011])),
        (60_000, outcome([0.008, 0.009])),
    ]
    other = [(size, outcome([e + 0.001 for e in o.test_errors])) for size, o in points]
    fig = figures.error_against_training_size(points, 0.0095, beside=("batch-8", other))
    ax = drawn(fig).axes[0]
    test_mean = next(line for line in ax.lines if line.get_label().startswith("test error"))
    assert np.allclose(test_mean.get_ydata(), [1.25, 1.05, 0.85])
    beside = next(line for line in ax.lines if line.get_label().startswith("batch-8"))
    assert np.allclose(beside.get_ydata(), [1.35, 1.15, 0.95])
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert sum(len(line.get_xdata()) for line in dots) == 2 * 6  # training and test error
    assert [t.get_text() for t in ax.get_xticklabels()] == ["15,000", "30,000", "60,000"]
