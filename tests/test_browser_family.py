"""The pad's network switch to LeNet-5's family, in headless Chromium: a page of its own that
draws the DigitPad as the book does (the bundle, the widget's data from Python, the weights
scripts under _static/), with no kernel. For each family network: chosen with the keyboard in the
labelled <select>, a drawn 7 read, its penalties equal to PyTorch's on the page's own digit,
the family's weights loaded once and only when chosen, zero console errors, axe clean and
nothing wider than its box at 1280 and 390 px.

The family's networks are the committed ones once their checkpoints are committed, else freshly
initialised ones (tests/test_family_js.py's) exported the same way. The book's own pad
(book/11_your_digits) offers them once that chapter is re-executed with this DigitPad.
"""

import functools
import http.server
import json
import shutil
import threading

import numpy as np
import pytest
import torch
from browser import CHROMIUM, DESKTOP, PHONE, axe_violations, recording_context, too_wide
from test_browser_live import SEVEN, draw_with_mouse
from test_family_js import _arguments, committed_family, fresh_family

from lenet_nb.book.widgets.base import BUNDLE
from lenet_nb.book.widgets.export import OUT
from lenet_nb.book.widgets.family_export import family_available, family_payload, family_script
from lenet_nb.book.widgets.network import FAMILY_NETWORK_NAMES, network_data
from lenet_nb.digits.inputs import as_digit_pixels, network_input

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (LENET_NB_CHROMIUM)")

PAGE = """<!DOCTYPE html>
<html lang="en" data-content_root="./"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DigitPad with LeNet-5's family</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="_static/lenet_widgets.css"></head>
<body><main><h1>Your own digit</h1><div id="pad"></div></main>
<script type="module">
import widget from "./_static/lenet_widgets.js";
const traits = { _kind: "digitpad", network: "paper", digit: [], answer: -1, data: DATA };
const listeners = {};
const model = {
  get: (name) => traits[name],
  set(name, value) {
    traits[name] = value;
    for (const listener of listeners[`change:${name}`] || []) listener();
  },
  on: (event, listener) => (listeners[event] ||= []).push(listener),
  off() {},
  save_changes() { throw new Error("no kernel"); },
  send() { throw new Error("no kernel"); },
};
widget.render({ model, el: document.getElementById("pad") });
</script></body></html>
"""


@pytest.fixture(scope="module")
def family():
    return committed_family() if family_available() else fresh_family()


@pytest.fixture(scope="module")
def site(tmp_path_factory, family):
    root = tmp_path_factory.mktemp("family_page")
    static = root / "_static"
    static.mkdir()
    for name in ("lenet_widgets.js", "lenet_widgets.css"):
        shutil.copyfile(BUNDLE / name, static / name)
    shutil.copyfile(OUT, static / "lenet5_weights.js")
    (static / "family_weights.js").write_text(family_script(family_payload(**_arguments(family))))
    data = json.dumps(network_data(with_family=True))
    (root / "index.html").write_text(PAGE.replace("DATA", data))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def open_pad(context, site):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"page error: {error}"))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(site, wait_until="load")
    page.wait_for_selector('.lenet-pad[data-ready="true"]', timeout=30_000)
    return page, page.locator(".lenet-pad")


def choose_by_keyboard(page, pad, name):
    """Focus the labelled network <select> and move to ``name`` with the arrow keys."""
    select = pad.get_by_label("network")
    select.focus()
    names = select.evaluate("s => Array.from(s.options, o => o.value)")
    steps = names.index(name) - names.index(select.input_value())
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert select.input_value() == name


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_each_family_network_reads_a_drawn_digit(chromium, site, family, screen):
    context = recording_context(chromium, **(DESKTOP if screen == "desktop" else PHONE))
    try:
        page, pad = open_pad(context, site)
        titles = pad.locator(".lenet-pad-network option").all_inner_texts()
        assert [t for t in titles if t in FAMILY_NETWORK_NAMES.values()] == list(
            FAMILY_NETWORK_NAMES.values()
        )
        assert not [u for u in context.requests if "family_weights" in u]  # not before asked
        draw_with_mouse(page, pad.locator(".lenet-pad-canvas"), SEVEN)
        for name in FAMILY_NETWORK_NAMES:
            choose_by_keyboard(page, pad, name)
            page.wait_for_function(
                "n => document.querySelector('.lenet-pad').dataset.penalties && "
                "document.querySelector('.lenet-pad-network').value === n",
                arg=name,
            )
            check_reading(pad, family[name], name)
        assert len([u for u in context.requests if "family_weights" in u]) == 1
        assert [u for u in context.requests if not u.startswith("http://127.0.0.1")] == []
        assert axe_violations(page) == []
        assert too_wide(page, ".lenet-pad, .lenet-pad-layers, .lenet-stages") == []
        assert page.errors == []
    finally:
        context.close()


def check_reading(pad, model, name):
    """The page's penalties are PyTorch's on the page's own digit; the answer their argmin,
    with its margin (no "not sure" while the network has no committed threshold)."""
    pixels = np.array(pad.evaluate("el => Array.from(el.lenetDigit)"), np.uint8).reshape(28, 28)
    x = network_input(as_digit_pixels(torch.from_numpy(pixels)), model.input_size, model.digit_size)
    with torch.no_grad():
        expected = model(x)[0].numpy()
    found = np.array([float(v) for v in pad.get_attribute("data-penalties").split(",")])
    np.testing.assert_allclose(found, expected, rtol=1e-4, err_msg=name)
    answer = pad.locator(".lenet-pad-answer").inner_text()
    message = pad.locator(".lenet-pad-message").inner_text()
    if network_data(with_family=True)["thresholds"][name] is None:
        assert answer == f"answer: {int(expected.argmin())}", name
        assert "no rejection threshold is committed" in message
    if name == "boosted-lenet4":
        assert "the first net was sure" in message or "all three nets ran" in message
    shown = pad.locator(".lenet-pad-layers > .lenet-stages:not([hidden])")
    assert shown.count() == 1
    layers = shown.locator("figure").evaluate_all("fs => fs.map(f => f.dataset.layer)")
    assert layers[-1] == "output" and ("F5" in layers) == (name == "lenet1")
