"""The SDNN in the browser (``static/src/sdnn.js``, ``string_reader.js``, ``normalise_string.js``)
against the Python (``lenet_nb.network.replicated``, ``lenet_nb.reading.strings``,
``lenet_nb.digits.strings.normalise_string``), under node.

One node process per test: an ES-module driver, written into ``tmp_path``, imports the modules
by their file:// URLs, runs a weights script as a page's <script> tag would (``sdnn_script`` of
a freshly initialised, seeded ``LeNet5(output="rbf+blank")``, and of the committed
``lenet_nb/checkpoints/sdnn.pt`` when it exists), and answers a batch of tasks. Needs ``node``
(v18 or newer) on PATH; skipped without it.
"""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from node import NODE, float32, run_driver
from PIL import Image, ImageDraw, ImageFilter

from lenet_nb import LeNet5
from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.book.widgets.export import (
    SDNN_OUT,
    network_payload,
    sdnn_available,
    sdnn_payload,
    sdnn_script,
)
from lenet_nb.digits import strings as S
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.normalise import grey_levels
from lenet_nb.network.replicated import replicated_activations
from lenet_nb.reading import strings as R
from lenet_nb.training.committed import load_model

needs_node = pytest.mark.skipif(NODE is None, reason="needs node (v18 or newer) on PATH")
needs_sdnn = pytest.mark.skipif(
    not sdnn_available(), reason="lenet_nb/checkpoints/sdnn.pt is not committed yet"
)
MODULES = {
    name: (SOURCES / f"{name}.js").as_uri()
    for name in ("sdnn", "string_reader", "normalise_string", "weights", "compose_string")
}

# As tests/test_forward_js.py: PyTorch sums in float32 in its own order, the JS in float64 and
# stores float32; PyTorch's RBF is the expanded square |x|^2 - 2 x.w + |w|^2.
ACTIVATION_ATOL = 2e-5
PENALTY_RTOL = 1e-4
BUDGET = 400_000  # bytes: the SDNN's weights file, loaded by the string pages only
STRINGS = 100  # composed strings the decoder reads

NETWORKS = ["fresh", pytest.param("committed", marks=needs_sdnn)]

DRIVER = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { performance } from "node:perf_hooks";
const [urls, weightsFile, tasksFile] = process.argv.slice(2);
const { sdnn: sdnnUrl, string_reader: readerUrl, normalise_string: normaliseUrl,
        weights: weightsUrl, compose_string: composeUrl } = JSON.parse(urls);
const sdnn = await import(sdnnUrl);
const weights = await import(weightsUrl);
const composer = await import(composeUrl);
const reader = await import(readerUrl);
const { normaliseString } = await import(normaliseUrl);
let net = null;
if (weightsFile !== "-") {
  vm.runInThisContext(readFileSync(weightsFile, "utf8"), { filename: weightsFile });
  net = (await weights.loadSdnnWeights()).sdnn;
}
const bytes = (text) => new Uint8Array(Buffer.from(text, "base64"));
const f32 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const f64 = (text) => { const b = Buffer.from(text, "base64");
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const rows = (flat, n) => Array.from({ length: flat.length / n },
  (_, i) => flat.subarray(i * n, (i + 1) * n));
const flatten = (penalties) => { const out = new Float32Array(penalties.length * 11);
  penalties.forEach((p, i) => out.set(p, i * 11)); return out; };
const grey = (t) => (t.bytes !== undefined ? bytes(t.bytes) : Float64Array.from(t.values));
const out = [];
for (const t of JSON.parse(readFileSync(tasksFile, "utf8"))) {
  if (t.kind === "forward") {
    const input = sdnn.asInput(bytes(t.pixels), t.width);
    const acts = sdnn.replicatedForward(net, input, t.width);
    const r = { input: f32(input), penalties: f32(flatten(acts.penalties)),
      positions: acts.positions, shapes: acts.shapes };
    if (t.layers) for (const name of ["C1", "S2", "C3", "S4", "C5", "F6", "output"])
      r[name] = f32(acts[name]);
    out.push(r);
  } else if (t.kind === "viterbi") {
    const penalties = rows(f64(t.penalties), 11);
    const path = reader.viterbi(penalties, t.grammar);
    out.push({ path, text: reader.transcribe(path),
      read: reader.readPenalties(penalties, t.grammar) });
  } else if (t.kind === "read") {
    const r = reader.readNormalised(net, bytes(t.pixels), t.width);
    out.push({ text: r.text, path: r.path, winners: r.winners, penalties: f32(flatten(r.penalties)),
      grammar: net.grammar });
  } else if (t.kind === "normalise") {
    const r = normaliseString(grey(t), t.width, t.height, t.polarity);
    out.push({ pixels: Buffer.from(r.pixels).toString("base64"), width: r.width, height: r.height,
      empty: r.empty, inverted: r.inverted });
  } else if (t.kind === "readString") {
    const r = reader.readString(net, grey(t), t.width, t.height, t.polarity);
    out.push({ text: r.text, path: r.path, width: r.normalised.width });
  } else if (t.kind === "bench") {
    const pixels = bytes(t.pixels);
    const run = () => sdnn.replicatedForward(net, sdnn.asInput(pixels, t.width), t.width);
    for (let i = 0; i < 3; i++) run();  // warm-up
    const start = performance.now();
    for (let i = 0; i < t.repeats; i++) run();
    out.push({ msPerPass: (performance.now() - start) / t.repeats, positions: run().positions });
  } else if (t.kind === "compose") {
    const all = bytes(t.digits);
    const digits = Array.from({ length: all.length / 784 },
      (_, i) => all.subarray(784 * i, 784 * (i + 1)));
    try {
      const r = composer.compose(digits, t.gaps);
      out.push({ pixels: Buffer.from(r.pixels).toString("base64"), width: r.width,
        spans: r.spans });
    } catch (err) {
      out.push({ error: err.message });
    }
  } else if (t.kind === "decode") {
    try {
      const decoded = weights.decodeSdnn(t.payload);
      out.push({ grammar: decoded.sdnn.grammar });
    } catch (err) {
      out.push({ error: err.message });
    }
  } else throw new Error(`unknown task ${t.kind}`);
}
console.log(JSON.stringify(out));
"""


def _node(tmp_path: Path, weights, tasks: list) -> list:
    """The driver's answers to ``tasks``, with ``weights`` (a script's text, or None) loaded."""
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(json.dumps(tasks))
    weights_file = "-"
    if weights is not None:
        weights_file = tmp_path / "sdnn_weights.js"
        weights_file.write_text(weights)
    answers = run_driver(tmp_path, DRIVER, json.dumps(MODULES), weights_file, tasks_file)
    assert len(answers) == len(tasks)
    return answers


def _b64(array, dtype="u1") -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode()


def fresh_network() -> LeNet5:
    torch.manual_seed(5)
    return LeNet5(output="rbf+blank").eval()


def network(name: str) -> LeNet5:
    return fresh_network() if name == "fresh" else load_model("sdnn")


def weights_text(name: str) -> str:
    return sdnn_script(sdnn_payload(fresh_network() if name == "fresh" else None))


@pytest.fixture(scope="module")
def test_digits():
    test = mnist(train=False, transform=None)
    return test.data.numpy(), test.targets.numpy()


def composed_strings(test_digits, count: int, seed: int) -> list[tuple[np.ndarray, str]]:
    """``count`` strings of 1 to 7 test digits (image, digits), every other one with 10% salt
    and pepper."""
    digits, labels = test_digits
    rng = np.random.default_rng(seed)
    strings = []
    for i in range(count):
        image, truth, _ = S.random_string(
            digits, labels, int(rng.integers(1, 8)), rng, noise=S.NOISE if i % 2 else 0.0
        )
        strings.append((image, "".join(map(str, truth))))
    return strings


# --- (a) the replicated forward pass -----------------------------------------------------------


def forward_inputs(test_digits) -> list[np.ndarray]:
    """Random images of several widths (32 + 4k), a blank one, and composed strings."""
    rng = np.random.default_rng(3)
    random = [rng.integers(0, 256, (32, w), dtype=np.uint8) for w in (32, 36, 52, 100, 176)]
    composed = [image for image, _ in composed_strings(test_digits, 12, 4)]
    return [*random, np.zeros((32, 64), np.uint8), *composed]


@needs_node
@pytest.mark.parametrize("name", NETWORKS)
def test_replicated_penalties_equal_pytorch(name, test_digits, tmp_path):
    model = network(name)
    images = forward_inputs(test_digits)
    widths = {image.shape[1] for image in images}
    assert len(widths) >= 8, widths  # several widths, 32 to ~200
    tasks = [
        {"kind": "forward", "pixels": _b64(image), "width": image.shape[1], "layers": i < 8}
        for i, image in enumerate(images)
    ]
    answers = _node(tmp_path, weights_text(name), tasks)
    worst = {"penalty_rel": 0.0, "activation_abs": 0.0}
    for image, task, js in zip(images, tasks, answers):
        x = S.as_input(image)
        np.testing.assert_array_equal(float32(js["input"]), x.flatten().numpy())
        with torch.no_grad():
            acts = replicated_activations(model, x)
        ours = acts["output"][0].T.numpy()  # positions x 11, penalty_sequence's
        assert js["positions"] == len(ours) == len(S.output_centres(image.shape[1]))
        theirs = float32(js["penalties"]).reshape(-1, 11)
        np.testing.assert_allclose(theirs, ours, rtol=PENALTY_RTOL, atol=0)
        worst["penalty_rel"] = max(
            worst["penalty_rel"], float(np.max(np.abs(theirs - ours) / ours))
        )
        for layer, shape in js["shapes"].items():
            assert tuple(shape) == tuple(acts[layer].shape[1:]), layer
        if task["layers"]:
            for layer in ("C1", "S2", "C3", "S4", "C5", "F6"):
                expected = acts[layer].flatten().numpy()
                np.testing.assert_allclose(
                    float32(js[layer]), expected, rtol=0, atol=ACTIVATION_ATOL, err_msg=layer
                )
                worst["activation_abs"] = max(
                    worst["activation_abs"], float(np.abs(float32(js[layer]) - expected).max())
                )
            np.testing.assert_allclose(
                float32(js["output"]), acts["output"].flatten().numpy(), rtol=PENALTY_RTOL, atol=0
            )
    print(
        f"{name}: {len(images)} inputs, widths {sorted(widths)}; largest differences: "
        f"penalties {worst['penalty_rel']:.2e} relative, activations "
        f"{worst['activation_abs']:.2e}"
    )


# --- (b) the decoder ---------------------------------------------------------------------------


def constructed_sequences(count: int, seed: int) -> list[np.ndarray]:
    """Penalty sequences built to test the grammar: runs of digits and blanks, each position's
    own label cheap; half of them rounded to whole numbers so that ties are frequent (NumPy's
    argmin takes the first), some with false partial detections of another digit beside a run."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        positions = int(rng.integers(1, 40))
        labels = np.repeat(rng.integers(0, 11, size=positions), rng.integers(1, 5, positions))
        labels = labels[:positions]
        cost = rng.uniform(20, 120, (positions, 11))
        cost[np.arange(positions), labels] = rng.uniform(0, 30, positions)
        flip = rng.random(positions) < 0.15  # a cheap neighbour digit, for SWITCH_PENALTY
        cost[flip, rng.integers(0, 10, flip.sum())] = rng.uniform(0, 25, flip.sum())
        if i % 2:
            cost = np.round(cost / 10) * 10  # ties everywhere
        if i % 7 == 0:
            cost[:] = 50.0  # nothing but ties
        out.append(cost)
    return out


GRAMMAR = {"switch": R.SWITCH_PENALTY, "nothing": R.NOTHING_PENALTY}  # Python's, the default


def viterbi_tasks(sequences, grammars) -> list[dict]:
    return [
        {"kind": "viterbi", "penalties": _b64(seq, "<f8"), "grammar": grammar}
        for seq, grammar in zip(sequences, grammars)
    ]


@needs_node
def test_decoder_equals_python_on_constructed_sequences(tmp_path):
    """Python's viterbi, its nothing cap included, under several grammars: Python's own, no
    switch price, a small one, a huge one; nothing capped at Python's, at 0 (every position may
    be nothing for free), low enough to cut into the cheap labels (25), and not at all."""
    sequences = constructed_sequences(300, 7)
    switches = (R.SWITCH_PENALTY, 0.0, 5.0, 1e9)
    nothings = (R.NOTHING_PENALTY, 0.0, 25.0, float("inf"))
    # i % 4 and i // 4 % 4: every pairing of the two, Python's own grammar 1 time in 16.
    grammars = [
        {"switch": switches[i % 4], "nothing": nothings[i // 4 % 4]} for i in range(len(sequences))
    ]
    for grammar in grammars:  # JSON has no Infinity: a cap above every penalty is no cap
        grammar["nothing"] = min(grammar["nothing"], 1e300)
    answers = _node(tmp_path, None, viterbi_tasks(sequences, grammars))
    texts, capped = set(), 0
    for seq, grammar, js in zip(sequences, grammars, answers):
        path = R.viterbi(seq, grammar["switch"], grammar["nothing"])
        assert js["path"] == path
        assert (
            js["text"]
            == js["read"]
            == R.transcribe(path)
            == R.read_penalties(seq, grammar["switch"], grammar["nothing"])
        )
        texts.add(js["text"])
        # The cap changes the answer here: the decoder without it would read otherwise.
        capped += path != R.viterbi(seq, grammar["switch"], 1e300)
    assert len(texts) > 100  # the sequences read as many different strings, not all alike
    assert capped > 50, capped  # the nothing cap is exercised, not just carried along
    # The tie-breaking is exercised: paths through all-equal penalties (50) are the first
    # minima, class 0, unless the nothing cap makes blank cheaper everywhere.
    flat = [i for i in range(len(sequences)) if i % 7 == 0]
    expected = {i: [0 if grammars[i]["nothing"] >= 50 else 10] * len(sequences[i]) for i in flat}
    assert all(answers[i]["path"] == expected[i] for i in flat)
    assert {expected[i][0] for i in flat} == {0, 10}  # both cases met
    # Python's grammar by default: what R.viterbi(seq) does without arguments.
    default = [i for i, g in enumerate(grammars) if g == GRAMMAR]
    assert default and all(answers[i]["path"] == R.viterbi(sequences[i]) for i in default)


@needs_node
@pytest.mark.parametrize("name", NETWORKS)
def test_decoder_and_reader_equal_python_on_composed_strings(name, test_digits, tmp_path):
    """100 strings of test digits, half with noise: the JS Viterbi on PyTorch's penalties gives
    exactly Python's path and answer; the whole JS reader (its own penalties) gives Python's."""
    model = network(name)
    images, truths = zip(*composed_strings(test_digits, STRINGS, 11))
    penalties = R.penalties_of(model, images)
    tasks = viterbi_tasks(penalties, [GRAMMAR] * STRINGS)
    tasks += [{"kind": "read", "pixels": _b64(image), "width": image.shape[1]} for image in images]
    answers = _node(tmp_path, weights_text(name), tasks)
    decoded, read = answers[:STRINGS], answers[STRINGS:]
    capped = 0
    for seq, image, js, whole in zip(penalties, images, decoded, read):
        # The reader's grammar is the one its weights file carries: Python's.
        assert whole["grammar"] == GRAMMAR
        reading = R.read_normalised(image, model)
        assert js["path"] == reading.path == R.viterbi(seq)
        assert js["text"] == js["read"] == reading.text == R.read_penalties(seq)
        assert whole["winners"] == reading.winners
        assert whole["path"] == reading.path and whole["text"] == reading.text
        capped += R.viterbi(seq, R.SWITCH_PENALTY, 1e300) != reading.path
    right = sum(js["text"] == truth for js, truth in zip(decoded, truths))
    print(
        f"{name} network: {right} of {STRINGS} strings read right, "
        f"{len({js['text'] for js in decoded})} different answers; the nothing cap changed "
        f"{capped} paths"
    )


# --- (c) the string normalisation --------------------------------------------------------------


def drawn_string(width: int, height: int, dark_on_light: bool = True) -> Image.Image:
    """A hand-made "417", strokes across a ``width`` x ``height`` page, blurred to grey edges."""
    paper, ink = (235, 20) if dark_on_light else (15, 240)
    page = Image.new("L", (width, height), paper)
    pen = ImageDraw.Draw(page)
    u, v = width / 100, height / 40
    stroke = max(1, round(min(u, v) * 3))
    pen.line([(20 * u, 8 * v), (8 * u, 24 * v), (30 * u, 24 * v)], fill=ink, width=stroke)
    pen.line([(24 * u, 14 * v), (24 * u, 34 * v)], fill=ink, width=stroke)
    pen.line([(45 * u, 10 * v), (50 * u, 8 * v), (50 * u, 32 * v)], fill=ink, width=stroke)
    pen.line([(62 * u, 8 * v), (88 * u, 8 * v), (70 * u, 34 * v)], fill=ink, width=stroke)
    return page.filter(ImageFilter.GaussianBlur(max(0.5, min(u, v) / 2)))


def normalise_cases(test_digits) -> list[tuple]:
    """(name, image for Python, polarity, JS task)."""
    digits, labels = test_digits
    cases = []

    def add(name, image, polarity="auto"):
        pixels = np.asarray(image)
        if pixels.dtype == np.uint8:
            task = {"bytes": _b64(pixels)}
        else:  # float 0-1: the grey levels the Python makes of it, as the JS takes them
            task = {"values": grey_levels(pixels).ravel().tolist()}
        height, width = pixels.shape
        cases.append(
            (
                name,
                image,
                polarity,
                {
                    "kind": "normalise",
                    **task,
                    "width": width,
                    "height": height,
                    "polarity": polarity,
                },
            )
        )

    for w, h in ((100, 40), (37, 13), (420, 150), (900, 120), (2600, 700)):
        add(f"drawn {w} x {h}, dark on light", np.asarray(drawn_string(w, h)))
        add(f"drawn {w} x {h}, light on dark", np.asarray(drawn_string(w, h, False)))
    add("drawn 250 x 90, float", np.asarray(drawn_string(250, 90), np.float64) / 255 + 0.001)
    rng = np.random.default_rng(2)
    for i in range(4):
        image = S.random_string(digits, labels, int(rng.integers(2, 7)), rng)[0]
        big = np.asarray(
            Image.fromarray(image).resize((image.shape[1] * 3, 96), Image.Resampling.BILINEAR)
        )
        add(f"composed string {i}, 3x, inverted", 255 - big)
        add(f"composed string {i} as it is", image)
    add("forced light-on-dark", np.asarray(drawn_string(200, 80, False)), "light-on-dark")
    add("forced dark-on-light", np.asarray(drawn_string(200, 80)), "dark-on-light")
    for ink_width in (1, 3, 5):  # crops of 8 rows: 20 * w / 8 = 2.5, 7.5, 12.5 (half to even)
        bar = np.zeros((20, 20), np.uint8)
        bar[6:14, 4 : 4 + ink_width] = 255
        add(f"a {ink_width} x 8 bar", bar)
    add("empty page", np.full((40, 120), 250, np.uint8))
    add("noise below the ink threshold", rng.integers(0, 30, (33, 71)).astype(np.uint8))
    return cases


@needs_node
def test_normalise_string_equals_python(test_digits, tmp_path):
    cases = normalise_cases(test_digits)
    answers = _node(tmp_path, None, [c[3] for c in cases])
    worst, exact = 0, 0
    for (name, image, polarity, _), js in zip(cases, answers):
        ours = S.normalise_string(image, polarity)
        theirs = np.frombuffer(base64.b64decode(js["pixels"]), np.uint8)
        assert (js["height"], js["width"]) == ours.shape, name
        theirs = theirs.reshape(ours.shape).astype(int)
        difference = int(np.abs(theirs - ours.astype(int)).max())
        # Measured: equal pixel for pixel (PIL's float filter arithmetic, Python's round half to
        # even for the width, NumPy's float32 + 0.5 before the floor), so nothing less is allowed.
        assert difference == 0, (name, difference)
        assert js["empty"] == (not ours.any()), name
        worst, exact = max(worst, difference), exact + (difference == 0)
    assert sum(js["empty"] for js in answers) == 2
    print(
        f"{len(cases)} drawings, widths {sorted({js['width'] for js in answers})}: "
        f"{exact} equal pixel for pixel, the largest difference {worst} grey level(s)"
    )


@needs_node
@pytest.mark.parametrize("name", NETWORKS)
def test_read_string_of_a_drawing_equals_python(name, tmp_path):
    model = network(name)
    images = [
        np.asarray(drawn_string(w, h, dark))
        for w, h in ((300, 110), (120, 45))
        for dark in (True, False)
    ]
    tasks = [
        {
            "kind": "readString",
            "bytes": _b64(image),
            "width": image.shape[1],
            "height": image.shape[0],
            "polarity": "auto",
        }
        for image in images
    ]
    for image, js in zip(images, _node(tmp_path, weights_text(name), tasks)):
        reading = R.read_string_details(image, model)
        assert js["width"] == reading.image.shape[1]
        assert js["path"] == reading.path and js["text"] == reading.text


# --- (d) composing strings in the page (the string pad's "compose a string") -------------------


@needs_node
def test_compose_equals_python(test_digits, tmp_path):
    """compose_string.js's compose is lenet_nb.digits.strings.compose, byte for byte: the
    digits' ink columns, the gaps (touching, -1, included), the margins and the 32 + 4k width."""
    digits, _ = test_digits
    rng = np.random.default_rng(8)
    cases = [
        (rng.integers(len(digits), size=n), rng.integers(S.GAPS[0], S.GAPS[1] + 1, n - 1))
        for n in (1, 2, 3, 4, 5, 6, 7, 9)
        for _ in range(4)
    ]
    cases.append((np.array([1, 2, 3]), np.array([-1, -1])))  # touching: overlapping columns
    tasks = [
        {"kind": "compose", "digits": _b64(digits[picks]), "gaps": gaps.tolist()}
        for picks, gaps in cases
    ]
    tasks.append({"kind": "compose", "digits": _b64(digits[:3]), "gaps": [1]})  # refused
    answers = _node(tmp_path, None, tasks)
    widths = set()
    for (picks, gaps), js in zip(cases, answers):
        image, spans = S.compose(digits[picks], gaps)
        theirs = np.frombuffer(base64.b64decode(js["pixels"]), np.uint8)
        assert js["width"] == image.shape[1]
        np.testing.assert_array_equal(theirs.reshape(image.shape), image)
        assert [tuple(span) for span in js["spans"]] == spans
        widths.add(js["width"])
    assert "need 2 gaps" in answers[-1]["error"]
    assert len(widths) > 10, widths


# --- the weights file and its loader ------------------------------------------------------------


def test_the_payload_holds_the_sdnn_infloat32():
    model = fresh_network()
    payload = sdnn_payload(model)
    stored = payload["networks"]["sdnn"]["parameters"]
    assert stored["output.prototypes"]["shape"] == [11, 84]
    # The character model travels with the weights: Python's constants, the JS has no copy.
    assert payload["grammar"] == GRAMMAR
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(float32(stored[key]["data"]), value.flatten().numpy())
    with pytest.raises(ValueError, match="11 prototypes"):
        sdnn_payload(LeNet5())
    with pytest.raises(ValueError, match="not the paper's LeNet-5"):
        network_payload(LeNet5(output="rbf+blank", pooling="max"))
    assert len(sdnn_script(payload).encode()) <= BUDGET


@needs_node
def test_the_reader_takes_its_grammar_from_the_payload_only(tmp_path):
    """decodeSdnn gives the network the payload's grammar, whatever it is, and refuses a payload
    without one (a weights file written before the grammar travelled with it)."""
    payload = sdnn_payload(fresh_network())
    other = {**payload, "grammar": {"switch": 7.5, "nothing": 3.25}}
    bare = {key: value for key, value in payload.items() if key != "grammar"}
    answers = _node(
        tmp_path, None, [{"kind": "decode", "payload": p} for p in (payload, other, bare)]
    )
    assert answers[0] == {"grammar": GRAMMAR}
    assert answers[1] == {"grammar": {"switch": 7.5, "nothing": 3.25}}
    assert "no character model" in answers[2]["error"]


@needs_sdnn
def test_weights_file_is_the_committed_checkpoint():
    assert SDNN_OUT.exists() and SDNN_OUT.read_text(encoding="utf-8") == sdnn_script(), (
        "static/sdnn_weights.js is missing or stale: regenerate it with `python -m lenet_nb export`"
    )
    assert SDNN_OUT.stat().st_size <= BUDGET


LOADER_DRIVER = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
const [moduleUrl, weightsFile, scenario] = process.argv.slice(2);
const { loadSdnnWeights, sdnnWeightsUrl } = await import(moduleUrl);
const appended = [];
globalThis.document = {
  baseURI: "file:///home/reader/book/_build/html/book/09_strings.html",
  documentElement: { dataset: { content_root: "../" } },
  querySelector: () => null,
  createElement: (tag) => ({ tag, remove() { this.removed = true; } }),
  head: { appendChild: (node) => appended.push(node) },
};
const settle = (p) => p.then((v) => ({ ok: Object.keys(v) }), (e) => ({ error: e.message }));
const report = { url: sdnnWeightsUrl() };
const first = loadSdnnWeights(), second = loadSdnnWeights();
report.same = first === second;
await new Promise((r) => setTimeout(r, 10));
report.scripts = appended.map((s) => s.src);
if (scenario === "missing") appended[0].onerror();
else { vm.runInThisContext(readFileSync(weightsFile, "utf8")); appended[0].onload(); }
report.first = await settle(first);
if (scenario === "missing") { loadSdnnWeights(); await new Promise((r) => setTimeout(r, 10)); }
report.scriptsAfter = appended.length;
console.log(JSON.stringify(report));
"""


@needs_node
@pytest.mark.parametrize("scenario", ["page", "missing"])
def test_loader_adds_one_script_tag_and_can_retry(scenario, tmp_path):
    weights = tmp_path / "sdnn_weights.js"
    weights.write_text(weights_text("fresh"))
    report = run_driver(
        tmp_path,
        LOADER_DRIVER,
        MODULES["weights"],
        weights,
        scenario,
        name="loader.mjs",
        timeout=120,
    )
    url = "file:///home/reader/book/_build/html/_static/sdnn_weights.js"
    assert report["url"] == url and report["same"] is True and report["scripts"] == [url]
    if scenario == "page":
        assert report["first"] == {"ok": ["sdnn"]} and report["scriptsAfter"] == 1
    else:
        assert "sdnn_weights.js could not be loaded" in report["first"]["error"]
        assert report["scriptsAfter"] == 2  # the next widget tries again


# --- speed -------------------------------------------------------------------------------------


@needs_node
def test_benchmark_of_a_five_digit_string(test_digits, tmp_path):
    """ms per replicated pass (asInput + every layer) for a 5-digit string, under node; only
    that it runs is asserted (timings vary with the machine and its load)."""
    digits, labels = test_digits
    image = S.random_string(digits, labels, 5, np.random.default_rng(0))[0]
    (js,) = _node(
        tmp_path,
        weights_text("fresh"),
        [{"kind": "bench", "pixels": _b64(image), "width": image.shape[1], "repeats": 20}],
    )
    assert js["msPerPass"] > 0 and js["positions"] == len(S.output_centres(image.shape[1]))
    print(
        f"5-digit string, 32 x {image.shape[1]}, {js['positions']} positions: "
        f"{js['msPerPass']:.2f} ms per replicated pass under node"
    )
