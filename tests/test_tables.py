"""The chapters' tables (lenet_nb.book.tables): their rows, their numbers, and their width."""

import torch

from lenet_nb.book import tables
from lenet_nb.studies import seeds

LAYERS = ("C1", "S2", "C3", "S4", "C5", "F6")


def _rows(markdown) -> list[list[str]]:
    lines = markdown.data.splitlines()
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_markdown_table_aligns_the_first_column_left():
    rows = _rows(tables.markdown_table(["a", "b", "c"], [["x", "1", "2"]]))
    assert rows == [["a", "b", "c"], ["---", "--:", "--:"], ["x", "1", "2"]]


def test_loss_table_reads_each_digits_penalties():
    penalties = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 0.5]])
    labels = torch.tensor([0, 1])
    rows = _rows(
        tables.loss_table(penalties, labels, torch.tensor([0, 1]), [1.0, 2.0], [0.1, 1.5], 10.0)
    )
    assert rows[0][-1] == "MAP, j = 10"
    assert rows[2] == ["0", "0", "0", "1.00", "3.00", "1.00", "0.10"]
    assert rows[3] == ["1", "1", "2", "2.00", "0.50", "2.00", "1.50"]  # read as 2: wrong


def _by_layer(value):
    return {layer: torch.full((4,), value, dtype=torch.float64) for layer in LAYERS}


def test_in_range_and_the_initialisation_table():
    h = {layer: torch.tensor([0.001, 0.1, 1.0, 10.0], dtype=torch.float64) for layer in LAYERS}
    steps = {layer: 5e-4 / (0.02 + v) for layer, v in h.items()}
    inside, below = tables.in_range(h, steps, (7e-5, 0.016), 0.01125)
    # steps: 0.0239 (outside), 0.0042, 0.00049, 0.00005 (outside); one h in four below 0.01125
    assert inside == 0.5 and below == 0.25
    rows = _rows(tables.initialisation_table({"a": (h, steps)}, (7e-5, 0.016), 0.01125))
    assert rows[2] == ["steps in the paper's range", "50.0%"]
    assert rows[3] == ["h below 0.011", "25.0%"]
    assert rows[4] == ["C1: median h / 0.011", "8.9"]  # torch.median: the lower middle, 0.1


def test_growth_table_divides_the_trained_medians():
    rows = _rows(tables.growth_table({"a": _by_layer(0.01), "t": _by_layer(30.0)}, "t", ("a",)))
    assert rows[0] == ["layer", "a", "t", "t ÷ a"]
    assert rows[2] == ["C1", "1.0e-02", "3.0e+01", "3,000x"]


def test_training_study_table_names_every_recipe_in_words():
    outs = seeds.outcomes(seeds.load_results())
    rows = _rows(tables.training_study_table(outs))
    assert len(rows) == 2 + len(tables.TRAINING_STUDY)
    assert set(tables.TRAINING_STUDY) <= set(seeds.STUDY.seeds)
    paper = outs["paper"]
    book = next(row for row in rows if "(`paper`)" in row[0])
    assert book[1:3] == [
        str(len(paper.seeds)),
        f"{100 * paper.mean:.2f}%\u00a0±\u00a0{100 * paper.std:.2f}",
    ]
    assert len(rows[0]) == 5  # narrow enough for the book's column


def test_layer_table_totals_the_layers():
    from lenet_nb.network.family import LeNet1
    from lenet_nb.studies.operations import summary

    rows = [r for r in summary(LeNet1()) if r.name != "output"]
    text = tables.layer_table(rows).data
    assert text.splitlines()[-1] == "| **total** |  | **2,578** | **98,442** |"
    assert len(text.splitlines()) == 2 + len(rows) + 1
