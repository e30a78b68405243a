"""The book's notebooks are committed executed, all listed in _toc.yml, and carry the widget
state their widget outputs need (the HTML build renders widgets from that state alone).

Each check is a function that returns what it finds wrong; the last tests feed it broken copies,
so a check that cannot fail does not go unnoticed.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from sphinx_external_toc.parsing import parse_toc_yaml

from lenet_nb.book.notebooks import ROOT, _merge_streams, toc_notebooks
from lenet_nb.book.widgets.base import front_end, styles

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def unexecuted(nb) -> list[str]:
    """Code cells that a top-to-bottom run in one fresh kernel would have numbered 1, 2, 3, ...
    but that are not: never run, run out of order, or stopped by an error."""
    problems = []
    code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    for expected, cell in enumerate(code, start=1):
        if cell.execution_count != expected:
            problems.append(
                f"cell {expected}: execution_count {cell.execution_count}, expected {expected}"
            )
        problems += [
            f"cell {expected}: raised {out.ename}"
            for out in cell.outputs
            if out.output_type == "error"
        ]
    if code and not any(cell.outputs for cell in code):
        problems.append("no code cell has any output")
    return problems


def missing_widget_state(nb) -> list[str]:
    """Widget views whose model has no saved state in the notebook's metadata."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return [
        f"widget model {out.data[WIDGET_VIEW]['model_id']} has no saved state"
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if WIDGET_VIEW in out.get("data", {}) and out.data[WIDGET_VIEW]["model_id"] not in state
    ]


def toc_mismatches(root: Path) -> list[str]:
    """Notebooks under book/ that _toc.yml does not list, and _toc.yml entries with no file."""
    on_disk = {p for p in (root / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    listed = set(toc_notebooks(root))
    problems = [f"{p.relative_to(root)} is not in _toc.yml" for p in sorted(on_disk - listed)]
    problems += [
        f"_toc.yml lists {doc}, which has no .md or .ipynb file"
        for doc in parse_toc_yaml(root / "_toc.yml")
        if not any((root / f"{doc}{ext}").is_file() for ext in (".md", ".ipynb"))
    ]
    return problems


NOTEBOOKS = toc_notebooks()


def test_the_toc_lists_notebooks():
    assert NOTEBOOKS, "_toc.yml lists no notebook"


def test_toc_and_book_folder_agree():
    assert toc_mismatches(ROOT) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed(path):
    assert unexecuted(nbformat.read(path, as_version=4)) == [], (
        f"re-run it: python scripts/execute_notebooks.py {path.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_state_saved(path):
    assert missing_widget_state(nbformat.read(path, as_version=4)) == [], (
        f"re-run it: python scripts/execute_notebooks.py {path.relative_to(ROOT)}"
    )


def compared_output_text(nb) -> str:
    """The printed text of every code cell whose output nbval compares."""
    return "\n".join(
        out.get("text", "") + out.get("data", {}).get("text/plain", "")
        for cell in nb.cells
        if cell.cell_type == "code" and "nbval-ignore-output" not in cell.metadata.get("tags", [])
        for out in cell.outputs
    )


def volatile_prints(text: str) -> list[str]:
    """Raw tensors, devices and timings: what a compared output must never show."""
    patterns = (
        r"tensor\(",
        r"device\(|cuda:\d|\bcpu\b",
        r"\d+(\.\d+)?\s?(ms|s|seconds|minutes|microseconds)\b(?! per|\.d\.)",
    )
    return [m.group(0) for pattern in patterns for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_compared_outputs_hold_no_raw_tensors_devices_or_timings(path):
    assert volatile_prints(compared_output_text(nbformat.read(path, as_version=4))) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_keeps_plotting_code_in_the_package(path):
    code = "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"
    )
    assert not re.search(r"import matplotlib|matplotlib\.pyplot|\bplt\.|imshow", code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_opens_with_a_title_citing_the_paper(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "{cite}`lecun1998gradient`" in first.source


def test_index_links_every_chapter():
    index = (ROOT / "book" / "index.md").read_text()
    assert [p.stem for p in NOTEBOOKS if f"{{doc}}`{p.stem}`" not in index] == []


# The checks above must be able to fail.


def _executed_notebook():
    cells = [
        new_code_cell("x = 1", execution_count=1),
        new_code_cell(
            "print(x)", execution_count=2, outputs=[new_output("stream", name="stdout", text="1\n")]
        ),
    ]
    return new_notebook(cells=cells)


def test_unexecuted_finds_a_cell_never_run():
    nb = _executed_notebook()
    assert unexecuted(nb) == []
    nb.cells[1].execution_count = None
    nb.cells[1].outputs = []
    assert unexecuted(nb) == [
        "cell 2: execution_count None, expected 2",
        "no code cell has any output",
    ]


def test_unexecuted_finds_cells_run_out_of_order_and_errors():
    nb = _executed_notebook()
    nb.cells[1].execution_count = 5
    nb.cells[1].outputs.append(new_output("error", ename="ValueError", evalue="", traceback=[]))
    assert unexecuted(nb) == ["cell 2: execution_count 5, expected 2", "cell 2: raised ValueError"]


def test_missing_widget_state_finds_a_view_without_state():
    nb = _executed_notebook()
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    nb.cells[1].outputs.append(new_output("display_data", data={WIDGET_VIEW: view}))
    assert missing_widget_state(nb) == ["widget model abc has no saved state"]
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": {"abc": {}}}}
    assert missing_widget_state(nb) == []


def test_toc_mismatches_finds_unlisted_and_missing_files(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.md").write_text("# Index\n")
    nbformat.write(_executed_notebook(), tmp_path / "book" / "01_input.ipynb")
    toc = "format: jb-book\nroot: book/index\nchapters:\n  - file: book/01_input\n"
    (tmp_path / "_toc.yml").write_text(toc)
    assert toc_mismatches(tmp_path) == []
    nbformat.write(_executed_notebook(), tmp_path / "book" / "02_c1.ipynb")
    (tmp_path / "_toc.yml").write_text(toc + "  - file: book/03_s2\n")
    assert toc_mismatches(tmp_path) == [
        "book/02_c1.ipynb is not in _toc.yml",
        "_toc.yml lists book/03_s2, which has no .md or .ipynb file",
    ]


def test_split_stream_output_is_merged():
    chunks = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("stream", name="stdout", text="c\n"),
    ]
    assert [(out.name, out.text) for out in _merge_streams(chunks)] == [
        ("stdout", "a\nb\n"),
        ("stderr", "warning\n"),
        ("stdout", "c\n"),
    ]


def test_volatile_prints_finds_tensors_devices_and_timings():
    assert volatile_prints("tensor([1.])\ndevice(type='cpu')\ntook 3.2 s") != []
    assert volatile_prints("test error 0.92%, 5 passes, 3 ms per digit, ±2 s.d.") == []


def test_set_up_cells_are_folded():
    """The opening cell of a chapter is plumbing (imports, device, data): folded in the page."""
    for path in NOTEBOOKS:
        first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert "hide-input" in first.metadata.get("tags", []), path.stem


def test_every_figure_has_a_text_alternative():
    """myst-nb writes a figure's alt text from its cell's metadata (mystnb.image.alt): readers
    of the built book who cannot see the picture read that instead."""
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            if any("image/png" in out.get("data", {}) for out in cell.outputs):
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
                assert len(alt.split()) >= 8, (path.stem, cell.source[:60])


def test_saved_widgets_carry_the_current_front_end():
    """The built book draws each widget with the front end saved in its notebook: a change to the
    JavaScript or CSS needs the widget chapters re-executed (scripts/execute_notebooks.py)."""
    for path in NOTEBOOKS:
        state = nbformat.read(path, as_version=4).metadata.get("widgets", {})
        models = state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
        for model in models.values():
            if "_esm" in model["state"]:
                assert model["state"]["_esm"] == front_end(), f"{path.stem}: stale front end"
                assert model["state"]["_css"] == styles(), f"{path.stem}: stale styles"


# Issue 18, item 7: every chapter at most 110 lines of code, every cell at most 25 (non-blank
# lines, after ruff format).
MAX_CHAPTER_LINES, MAX_CELL_LINES = 110, 25


def code_lines(nb) -> list[int]:
    """Non-blank lines of each code cell."""
    return [
        sum(1 for line in cell.source.splitlines() if line.strip())
        for cell in nb.cells
        if cell.cell_type == "code"
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapters_are_thin(path):
    lines = code_lines(nbformat.read(path, as_version=4))
    thin = sum(lines) <= MAX_CHAPTER_LINES and max(lines) <= MAX_CELL_LINES
    assert thin, (path.stem, sum(lines), max(lines))


def test_code_lines_counts_non_blank_lines():
    nb = new_notebook(cells=[new_code_cell("a = 1\n\nb = 2\n"), new_code_cell("# why\nc = 3")])
    assert code_lines(nb) == [2, 2]
