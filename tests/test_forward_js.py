"""LeNet-5 in the browser (``lenet_nb/book/widgets/static/src/lenet5.js``) against PyTorch, under
node.

A small ES-module driver, written into ``tmp_path``, imports lenet5.js and weights.js (the page
loader) by their file:// URLs, runs ``static/lenet5_weights.js`` as a classic script (as a page's
<script> tag would), gets the networks from ``loadWeights()`` and prints every layer's output as
base64 float32, which is compared with ``LeNet5.activations`` for both committed networks. The
page loader is driven with a stand-in ``document``. Needs ``node`` (v18 or newer) on PATH;
skipped without it.
"""

import base64
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from lenet_nb import C3_TABLE, LeNet5, as_model_input, load_model
from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.book.widgets.export import OUT, network_payload, weights_payload, weights_script
from lenet_nb.digits.mnist import mnist
from lenet_nb.network.model import LAYER_NAMES
from lenet_nb.studies.bench_js import bench_js

LENET5_JS = SOURCES / "lenet5.js"
WEIGHTS_JS = SOURCES / "weights.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs node (v18 or newer) on PATH")

BUDGET = 700_000  # bytes for both networks, loaded once per book
DIGITS = 50
# PyTorch computes in float32 and accumulates in its own order; lenet5.js sums each unit in
# float64 and stores float32. Measured: activations within 4.1e-6 of each other, the penalties
# within 3.8e-5 relative (PyTorch's expanded square |x|^2 - 2 x.w + |w|^2 loses most of that).
ACTIVATION_ATOL = 2e-5
PENALTY_RTOL = 1e-4

FORWARD_DRIVER = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
const [lenet5Url, loaderUrl, weightsFile, inputsFile] = process.argv.slice(2);
const lenet5 = await import(lenet5Url);
const { loadWeights } = await import(loaderUrl);
vm.runInThisContext(readFileSync(weightsFile, "utf8"), { filename: weightsFile });
const networks = await loadWeights();
const digits = JSON.parse(readFileSync(inputsFile, "utf8"));
const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const out = { tables: {}, results: {} };
for (const [name, net] of Object.entries(networks)) {
  out.tables[name] = net.c3Table;
  out.results[name] = digits.map((digit) => {
    const input = lenet5.preprocess(digit);
    const acts = lenet5.forward(net, input);
    const result = { input: b64(input), decision: lenet5.decide(acts.output) };
    for (const name of lenet5.LAYER_NAMES) result[name] = b64(acts[name]);
    return result;
  });
}
console.log(JSON.stringify(out));
"""

# A stand-in for a book page: <html data-content_root>, <head> to append to, and a script tag whose
# load or error the driver fires itself, after evaluating the weights file as the browser would.
LOADER_DRIVER = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
const [lenet5Url, loaderUrl, weightsFile, scenario] = process.argv.slice(2);
const { loadWeights, weightsUrl } = await import(loaderUrl);
const appended = [];
const page = "file:///home/reader/book/_build/html/book/04_c3.html";
globalThis.document = {
  baseURI: page,
  documentElement: { dataset: scenario === "old-sphinx" ? {} : { content_root: "../" } },
  querySelector: (selector) => selector.includes("documentation_options")
    ? { src: "file:///home/reader/book/_build/html/_static/documentation_options.js?v=1" } : null,
  createElement: (tag) => ({ tag, remove() { this.removed = true; } }),
  head: { appendChild: (node) => appended.push(node) },
};
const settle = (p) => p.then((v) => ({ ok: Object.keys(v) }), (e) => ({ error: e.message }));
const report = { url: weightsUrl() };
if (scenario === "no-page") {
  delete globalThis.document;
  report.first = await settle(loadWeights());
} else {
  const first = loadWeights(), second = loadWeights();
  report.same = first === second;
  await new Promise((r) => setTimeout(r, 10));
  report.scripts = appended.map((s) => s.src);
  if (scenario === "missing") appended[0].onerror();
  else {
    vm.runInThisContext(readFileSync(weightsFile, "utf8"));
    appended[0].onload();
  }
  report.first = await settle(first);
  report.second = await settle(second);
  report.removed = Boolean(appended[0].removed);
  const again = loadWeights();  // a widget asking later: the loaded networks, or a new try
  await new Promise((r) => setTimeout(r, 10));
  report.scriptsAfter = appended.length;
  if (scenario !== "missing") report.again = await settle(again);
}
console.log(JSON.stringify(report));
"""


def _node(tmp_path: Path, driver: str, *args) -> dict:
    script = tmp_path / "driver.mjs"
    script.write_text(driver)
    done = subprocess.run(
        [NODE, str(script), LENET5_JS.as_uri(), WEIGHTS_JS.as_uri(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _float32(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


@pytest.fixture(scope="module")
def digits() -> list[torch.Tensor]:
    """50 test digits, a blank one, a random 28x28 field and a random already-padded 32x32 one."""
    generator = torch.Generator().manual_seed(12)
    return [
        *mnist(train=False, transform=None).data[:DIGITS],
        torch.zeros(28, 28, dtype=torch.uint8),
        torch.randint(0, 256, (28, 28), generator=generator, dtype=torch.uint8),
        torch.randint(0, 256, (32, 32), generator=generator, dtype=torch.uint8),
    ]


@pytest.fixture(scope="module")
def js_results(digits, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("forward_js")
    inputs = tmp / "inputs.json"
    inputs.write_text(json.dumps([d.flatten().tolist() for d in digits]))
    return _node(tmp, FORWARD_DRIVER, OUT, inputs)


@needs_node
@pytest.mark.parametrize("name", ["paper", "distorted"])
def test_every_layer_equals_pytorch(name, digits, js_results):
    model = load_model(name)
    results = js_results["results"][name]
    assert len(results) == len(digits)
    for digit, js in zip(digits, results):
        x = as_model_input(digit)
        # The preprocessing (pad, then the paper's range) is the same float32 arithmetic.
        np.testing.assert_array_equal(_float32(js["input"]), x.flatten().numpy())
        with torch.no_grad():
            acts = model.activations(x)
        for layer in LAYER_NAMES[:-1]:
            np.testing.assert_allclose(
                _float32(js[layer]),
                acts[layer].flatten().numpy(),
                rtol=0,
                atol=ACTIVATION_ATOL,
                err_msg=layer,
            )
        penalties = acts["output"].flatten().numpy()
        np.testing.assert_allclose(_float32(js["output"]), penalties, rtol=PENALTY_RTOL, atol=0)
        assert js["decision"] == int(penalties.argmin())


@needs_node
def test_c3_table_comes_from_the_weights_file(js_results):
    for name in ("paper", "distorted"):
        assert [tuple(row) for row in js_results["tables"][name]] == list(C3_TABLE)


def test_weights_file_is_the_committed_checkpoints():
    """A retrained checkpoint must come with a regenerated weights file."""
    assert OUT.read_text(encoding="utf-8") == weights_script(), (
        "static/lenet5_weights.js is stale: regenerate it with `python -m lenet_nb export`"
    )


def test_weights_file_is_under_budget():
    assert OUT.stat().st_size <= BUDGET


def test_payload_holds_float32_weights_of_both_networks():
    payload = weights_payload()
    assert set(payload["networks"]) == {"paper", "distorted"}
    json.dumps(payload)  # a live widget sends it as a message
    model = load_model("distorted")
    stored = payload["networks"]["distorted"]["parameters"]
    for key, value in model.state_dict().items():
        assert stored[key]["shape"] == list(value.shape)
        np.testing.assert_array_equal(_float32(stored[key]["data"]), value.flatten().numpy())


def test_export_refuses_an_ablation():
    with pytest.raises(ValueError, match="not the paper's LeNet-5"):
        network_payload(LeNet5(pooling="max"))


@needs_node
def test_loader_adds_one_script_tag_for_all_widgets(tmp_path):
    report = _node(tmp_path, LOADER_DRIVER, OUT, "page")
    url = "file:///home/reader/book/_build/html/_static/lenet5_weights.js"
    assert report["url"] == url
    assert report["same"] is True
    assert report["scripts"] == [url]
    assert report["first"] == report["second"] == {"ok": ["paper", "distorted"]}
    assert report["again"] == {"ok": ["paper", "distorted"]} and report["scriptsAfter"] == 1


@needs_node
def test_loader_finds_the_root_on_older_sphinx_pages(tmp_path):
    report = _node(tmp_path, LOADER_DRIVER, OUT, "old-sphinx")
    assert report["scripts"] == ["file:///home/reader/book/_build/html/_static/lenet5_weights.js"]


@needs_node
def test_loader_rejects_clearly_and_can_retry(tmp_path):
    report = _node(tmp_path, LOADER_DRIVER, OUT, "missing")
    assert "lenet5_weights.js could not be loaded" in report["first"]["error"]
    assert report["second"] == report["first"]
    assert report["removed"] is True
    assert report["scriptsAfter"] == 2  # the next widget tries again


@needs_node
def test_loader_off_the_book_says_so(tmp_path):
    report = _node(tmp_path, LOADER_DRIVER, OUT, "no-page")
    assert "not on a page of the built book" in report["first"]["error"]


@needs_node
def test_benchmark_runs():
    """``python -m lenet_nb bench-js`` measures; here only that it runs (no timing is asserted)."""
    result = bench_js(digits=5, network="distorted")
    assert result["digits"] == 5 and result["msPerDigit"] > 0
