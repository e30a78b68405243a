"""The widgets' data: encoding, Table I both ways, what each widget stores, and that the front end
reads exactly the traits the Python side syncs. No browser here (see test_browser.py)."""

import base64
import json
import re

import numpy as np
import pytest
import torch
from matplotlib import colormaps

from lenet_nb import C3_TABLE, LeNet5
from lenet_nb.book.widgets import (
    C3ConnectionTable,
    DigitPad,
    DistortionExplorer,
    FeatureMapExplorer,
    InvariancePanel,
    StringPad,
    c3_data,
    c3_links,
    colour_table,
    explorer_data,
    quantise,
)
from lenet_nb.book.widgets.base import SOURCES, front_end


def dequantise(text: str, lo: float, hi: float) -> np.ndarray:
    """The inverse of ``quantise`` (flat), to within half a step, ``(hi - lo) / 510``."""
    codes = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
    return lo + codes.astype(np.float64) * (hi - lo) / 255


def table_mask(table=C3_TABLE):
    mask = np.zeros((len(table), 6), dtype=bool)
    for j, inputs in enumerate(table):
        mask[j, list(inputs)] = True
    return mask


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return LeNet5().eval()


@pytest.fixture(scope="module")
def digits():
    generator = torch.Generator().manual_seed(0)
    images = -0.1 + 1.275 * torch.rand(3, 1, 32, 32, generator=generator)
    return images, torch.tensor([4, 0, 9])


def test_quantise_round_trip_within_half_a_step():
    values = np.linspace(-1.7159, 1.7159, 1001)
    back = dequantise(quantise(values, -1.7159, 1.7159), -1.7159, 1.7159)
    assert back.shape == values.shape
    assert np.abs(back - values).max() <= 2 * 1.7159 / 510 + 1e-12


def test_quantise_clips_and_keeps_order():
    codes = base64.b64decode(quantise([[-5.0, 0.0], [0.5, 9.0]], 0.0, 1.0))
    assert list(codes) == [0, 0, 128, 255]  # C order, clipped at both ends


def test_colour_table_is_the_matplotlib_colormap():
    table = np.frombuffer(base64.b64decode(colour_table("RdBu_r")), dtype=np.uint8)
    assert table.shape == (768,)
    rgb = table.reshape(256, 3)
    expected = np.rint(colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3] * 255)
    assert np.array_equal(rgb, expected)


def test_c3_links_read_table_one_both_ways():
    links = c3_links(table_mask())
    assert links["c3_inputs"] == [list(inputs) for inputs in C3_TABLE]
    # Read off the paper's Table I, row by row (S2 map i: the C3 maps with an X in row i).
    assert links["s2_outputs"] == [
        [0, 4, 5, 6, 9, 10, 11, 12, 14, 15],
        [0, 1, 5, 6, 7, 10, 11, 12, 13, 15],
        [0, 1, 2, 6, 7, 8, 11, 13, 14, 15],
        [1, 2, 3, 6, 7, 8, 9, 12, 14, 15],
        [2, 3, 4, 7, 8, 9, 10, 12, 13, 15],
        [3, 4, 5, 8, 9, 10, 11, 13, 14, 15],
    ]
    pairs_down = {(i, j) for j, inputs in enumerate(links["c3_inputs"]) for i in inputs}
    pairs_across = {(i, j) for i, outputs in enumerate(links["s2_outputs"]) for j in outputs}
    assert pairs_down == pairs_across and len(pairs_down) == 60


def test_c3_links_follow_the_mask_not_the_constant():
    table = list(C3_TABLE)
    table[15] = (0, 1)  # a different wiring must give different links
    links = c3_links(table_mask(table))
    assert links["c3_inputs"][15] == [0, 1]
    assert 15 not in links["s2_outputs"][5]


def test_c3_links_refuses_a_transposed_mask():
    with pytest.raises(ValueError, match="16 x 6"):
        c3_links(table_mask().T)


def test_c3_links_of_the_model_are_table_one(model):
    assert c3_links(model.C3.connection_mask())["c3_inputs"] == [list(t) for t in C3_TABLE]


def _decoded(layer, n):
    values = dequantise(layer["data"], layer["lo"], layer["hi"])
    return values.reshape(n, layer["maps"], layer["height"], layer["width"])


def test_explorer_data_holds_every_layer(model, digits):
    images, labels = digits
    data = explorer_data(model, images, labels, numbers=[10, 20, 30])
    shapes = {
        layer["name"]: (layer["maps"], layer["height"], layer["width"]) for layer in data["layers"]
    }
    assert shapes == {
        "input": (1, 32, 32),
        "C1": (6, 28, 28),
        "S2": (6, 14, 14),
        "C3": (16, 10, 10),
        "S4": (16, 5, 5),
        "C5": (1, 10, 12),
        "F6": (1, 12, 7),
        "prototypes": (1, 12, 7),
    }
    with torch.no_grad():
        acts = model.activations(images)
    layers = {layer["name"]: layer for layer in data["layers"]}
    step = 2 * 1.7159 / 255
    assert np.abs(_decoded(layers["C3"], 3) - acts["C3"].numpy()).max() <= step / 2 + 1e-6
    # C5's 120 units and F6's 84 are drawn row by row as 10x12 and 7x12 (12 rows of 7).
    assert (
        np.abs(_decoded(layers["C5"], 3).reshape(3, 120) - acts["C5"].reshape(3, 120).numpy()).max()
        <= step / 2 + 1e-6
    )
    assert (
        np.abs(_decoded(layers["F6"], 3).reshape(3, 84) - acts["F6"].numpy()).max()
        <= step / 2 + 1e-6
    )
    assert data["predictions"] == acts["output"].argmin(1).tolist()
    assert data["penalties"] == [[round(float(p), 1) for p in row] for row in acts["output"]]
    assert data["labels"] == [4, 0, 9] and data["numbers"] == [10, 20, 30]
    assert set(data["colour_tables"]) == {layer["cmap"] for layer in data["layers"]}


def test_c3_data_kernels_are_zero_off_the_table(model, digits):
    images, labels = digits
    data = c3_data(model, images, labels)
    kernels = next(layer for layer in data["layers"] if layer["name"] == "kernels")
    # 96 kernels, (C3 map j, S2 map i) at 6 j + i; zero decodes to the middle of the range.
    values = _decoded(kernels, 1).reshape(16, 6, 5, 5)
    step = (kernels["hi"] - kernels["lo"]) / 255
    off_table = ~table_mask()
    assert np.abs(values[off_table]).max() <= step / 2 + 1e-6
    assert np.abs(values[~off_table]).max() > 10 * step


def test_explorer_state_stays_small():
    # The chapter's widget: 30 real-sized digits must stay well under a few MB of page.
    torch.manual_seed(0)
    images = -0.1 + 1.275 * torch.rand(30, 1, 32, 32)
    data = explorer_data(LeNet5().eval(), images, torch.arange(30) % 10)
    assert len(json.dumps(data)) < 1_000_000


def test_widgets_repr_is_short_and_free_of_data(model, digits):
    images, labels = digits
    explorer = FeatureMapExplorer(model, images, labels, index=2)
    table = C3ConnectionTable(model, images, labels, c3_map=12)
    assert repr(explorer) == "FeatureMapExplorer(3 digits, showing digit 2)"
    assert repr(table) == "C3ConnectionTable(3 digits, selected C3 map 12)"
    bundle = explorer._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle  # anywidget adds metadata
    assert data["text/plain"] == repr(explorer)


def test_front_end_reads_only_synced_traits():
    """Every ``model.get``/``model.set`` name in the JavaScript is a synced trait of a widget, and
    every synced selection trait is read there: renaming one side alone fails here."""
    script = front_end()
    # esbuild writes the entry's default export as `export { <name> as default }`.
    assert re.search(r"^export \{\s*\w+ as default\s*\};?\s*\Z", script, re.M)
    assert "render(" in script
    assert not re.search(r"^\s*import\b", script, re.M), "the front end must import nothing"
    assert not re.search(r"https?://", script), "the front end must load nothing"
    read = set(re.findall(r'model\.get\("(\w+)"\)', script))
    written = set(re.findall(r"select\(model, \{\s*(\w+):", script))
    written |= set(re.findall(r"selected_kind|selected_index|strengths", script))
    synced = set()
    for cls in (
        FeatureMapExplorer,
        C3ConnectionTable,
        DistortionExplorer,
        DigitPad,
        InvariancePanel,
        StringPad,
    ):
        synced |= {name for name, trait in cls.class_traits(sync=True).items()}
    assert read <= synced, read - synced
    assert written <= synced, written - synced
    assert {
        "index",
        "selected_kind",
        "selected_index",
        "digit",
        "data",
        "_kind",
        "network",
        "strengths",
    } <= read
    assert {"normalised", "digit"} <= written
    assert (SOURCES / "lenet_widgets.css").is_file()


def test_invariance_panel_holds_the_digits_and_the_strengths():
    from lenet_nb.digits import transformations as T
    from lenet_nb.digits.mnist import mnist

    digits = mnist(False, transform=None).data[:3]
    panel = InvariancePanel(digits, [7, 2, 1], index=1)
    controls = {c["name"]: c for c in panel.data["controls"]}
    assert list(controls) == list(T.TRANSFORMATIONS)
    for name, t in T.TRANSFORMATIONS.items():  # every slider's range covers what is measured
        lo, hi = (
            (10 ** controls[name]["min"], 10 ** controls[name]["max"])
            if t.log
            else (controls[name]["min"], controls[name]["max"])
        )
        assert lo == pytest.approx(t.strengths[0]) and hi == pytest.approx(t.strengths[-1])
    assert torch.equal(panel.shown(), digits[1])  # starts at the identity
    panel.strengths = {**panel.strengths, "rotation": 30.0, "noise": 0.1}
    assert torch.equal(panel.shown(), T.compose(digits[1], {"rotation": 30.0, "noise": 0.1}))
    assert repr(panel) == "InvariancePanel(digit 1, rotation 30, noise 0.1)"
    assert {"paper", "distorted"} == set(panel.data["thresholds"])


def test_string_pad_ships_test_digits_and_python_s_composing_rules():
    from lenet_nb.digits import strings
    from lenet_nb.digits.mnist import mnist

    pad = StringPad()
    data = pad.data
    raw = base64.b64decode(data["digits"])
    assert len(raw) == 100 * 784 and len(data["labels"]) == 100
    assert sorted(data["labels"]) == sorted(list(range(10)) * 10)  # ten of each class
    test = mnist(False, transform=None)
    images = np.frombuffer(raw, np.uint8).reshape(100, 28, 28)
    assert np.array_equal(images, test.data[data["test_indices"]].numpy())
    assert data["labels"] == test.targets[data["test_indices"]].tolist()
    assert tuple(data["gaps"]) == strings.GAPS and data["noise"] == strings.NOISE
    assert len(json.dumps(data)) < 200_000  # the saved widget state of one pad
    assert repr(pad) == "StringPad(empty)"
    pad.normalised, pad.width, pad.answer = [0] * (32 * 36), 36, "17"
    assert pad.image().shape == (32, 36) and repr(pad) == "StringPad(answer '17')"
