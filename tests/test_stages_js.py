"""The stages every widget draws (``lenet_nb/book/widgets/static/src/stages.js``), under node with a
stand-in ``document``: the views the explorer (Output) and the pad (Your own digits) build have
the shapes of the maps Python computes, F6 and the prototypes included as the paper's 7x12
bitmaps, 7 wide and 12 tall (issue 22: the pad drew them 12 wide and 7 tall), and both widgets
draw with this one module."""

import json
import re
import shutil
import subprocess

import pytest
import torch

from lenet_nb import LeNet5
from lenet_nb.book.widgets import explorer_data
from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.network.prototypes import HEIGHT, WIDTH

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

# A document that makes elements which remember what the view code sets on them.
DRIVER = """
class Element {
  constructor(tag) {
    Object.assign(this, { tag, children: [], style: {}, dataset: {}, attributes: {} });
    this.className = "";
    this.classList = { add: (c) => { this.className += " " + c; } };
  }
  append(...nodes) { this.children.push(...nodes); }
  setAttribute(name, value) { this.attributes[name] = String(value); }
}
globalThis.document = { createElement: (tag) => new Element(tag) };
const stages = await import(process.argv[2]);
const shape = (canvas) => [canvas.width, canvas.height];
const describe = (view) => ({
  layers: view.element.children.map((figure) => figure.dataset.layer),
  maps: Object.fromEntries(Object.entries(view.maps).map(([name, cs]) => [name, cs.map(shape)])),
  f6: shape(view.f6.f6),
  prototype: shape(view.f6.prototype),
  styles: [view.f6.f6.style, view.f6.prototype.style],
});
console.log(JSON.stringify({
  explorer: describe(stages.stagesView([stages.INPUT, ...stages.LAYERS])),
  pad: describe(stages.stagesView(stages.LAYERS)),
}));
"""


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    driver = tmp_path_factory.mktemp("stages") / "driver.mjs"
    driver.write_text(DRIVER)
    done = subprocess.run(
        [NODE, driver, (SOURCES / "stages.js").as_uri()], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def python_shapes():
    """{layer: (maps, height, width)} of the maps Python sends the explorer."""
    torch.manual_seed(0)
    data = explorer_data(LeNet5().eval(), torch.zeros(1, 1, 32, 32), torch.tensor([0]))
    return {
        layer["name"]: (layer["maps"], layer["height"], layer["width"]) for layer in data["layers"]
    }


def test_f6_and_the_prototype_are_seven_wide_and_twelve_tall(views):
    assert (WIDTH, HEIGHT) == (7, 12)
    for view in views.values():
        assert view["f6"] == view["prototype"] == [WIDTH, HEIGHT]
        assert view["styles"][0] == view["styles"][1] == {"width": "42px", "height": "72px"}


def test_the_pad_draws_the_explorers_stages(views):
    explorer, pad = views["explorer"], views["pad"]
    assert explorer["layers"] == ["input", "C1", "S2", "C3", "S4", "C5", "F6", "output"]
    assert pad["layers"] == explorer["layers"][1:]
    assert pad["maps"] == {
        name: shapes for name, shapes in explorer["maps"].items() if name != "input"
    }
    assert (pad["f6"], pad["prototype"]) == (explorer["f6"], explorer["prototype"])


def test_stages_have_the_shapes_python_sends(views, python_shapes):
    for name, shapes in views["explorer"]["maps"].items():
        maps, height, width = python_shapes[name]
        assert shapes == [[width, height]] * maps, name
    for name in ("F6", "prototypes"):
        _, height, width = python_shapes[name]
        assert views["explorer"]["f6"] == [width, height], name


def test_every_widget_that_draws_layers_draws_them_with_stages_js():
    for module in ("explorer.js", "digit_pad.js", "live_digits.js"):
        code = (SOURCES / module).read_text()
        assert re.search(
            r'^import \{[^}]*\bstagesView\b[^}]*\} from "\./stages\.js";$', code, re.M
        ), module
        assert "stagesView(" in code, module
        # no map canvases of their own for F6 or a prototype
        assert not re.search(r"(figureOf|mapCanvas)\((12|7), (7|12)\b", code), module
