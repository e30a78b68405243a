"""The Training chapter's "Watch it learn" in headless Chromium, on the built book: the page
trains LeNet-5 in a web worker, the error falls, the page stays responsive, and the network it
trained reads a drawn digit in the pad of "Your own digits" as PyTorch reads it with the same
weights. The generic checks (axe, 390 px, dark mode) run on this page with every other
(tests/test_browser.py); the JS arithmetic is held to PyTorch by tests/test_train_js.py.
"""

import base64
import json

import numpy as np
import pytest
import torch
from browser import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    SLACK_PX,
    axe_violations,
    open_page,
    recording_context,
    screenshot,
    too_wide,
)
from test_browser_live import SEVEN, draw_with_mouse, pad_page, page_penalties

import lenet_nb
from lenet_nb.network.model import LeNet5

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium: apt-get install -y chromium (.ci/run does) or set LENET_NB_CHROMIUM",
)

PAGE = "book/09_training.html"
# Measured with seed 0 and 8-pattern updates (lenet_nb/book/widgets/training_bench.py): the test
# error on the 1,000 held-out digits is 13.0% after 2,000 patterns (from 90% at the start).
WITHIN_PATTERNS = 2_000
ERROR_BOUND = 0.2
RESPONSE_MS = 200


def trainer(page):
    return page.locator(".lenet-trainer")


def dataset(page, key):
    return page.evaluate(f"() => document.querySelector('.lenet-trainer').dataset.{key}")


def wait_for_patterns(page, at_least, test=False, timeout=60_000):
    key = "testAt" if test else "patterns"
    page.wait_for_function(
        f"() => Number(document.querySelector('.lenet-trainer').dataset.{key}) >= {at_least}",
        timeout=timeout,
        polling=100,
    )


def responds_within(page, act, condition) -> float:
    """Milliseconds, measured in the page, from ``act`` (a JS statement: what a click or a choice
    does) until ``condition`` (a JS expression) holds and the next frame is drawn."""
    return page.evaluate(
        f"""() => new Promise((resolve, reject) => {{
        const started = performance.now();
        {act};
        const check = () => {{
            if ({condition}) resolve(performance.now() - started);
            else if (performance.now() - started > 5000) reject(new Error("no response"));
            else requestAnimationFrame(check);
        }};
        requestAnimationFrame(check);
    }})"""
    )


def kept_network(page) -> LeNet5:
    """The network the page keeps in localStorage, loaded into PyTorch."""
    kept = json.loads(page.evaluate("() => localStorage.getItem('lenet5:reader-network')"))
    model = LeNet5()
    state = {
        key: torch.from_numpy(
            np.frombuffer(base64.b64decode(value["data"]), dtype="<f4")
            .reshape(value["shape"])
            .copy()
        )
        for key, value in kept["network"]["parameters"].items()
    }
    model.load_state_dict(state)
    return model.eval()


@pytest.fixture
def context(chromium):
    context = recording_context(chromium, **DESKTOP)
    yield context
    local = ("http://127.0.0.1", "data:", "blob:")
    assert [u for u in context.requests if not u.startswith(local)] == []
    assert context.failures == []
    context.close()


def test_training_learns_stays_responsive_and_feeds_the_pad(context, server):
    page = open_page(context, server, PAGE)
    assert axe_violations(page, ".lenet-trainer") == []
    page.get_by_role("button", name="start training").click()
    wait_for_patterns(page, WITHIN_PATTERNS, test=True)
    assert float(dataset(page, "testError")) < ERROR_BOUND
    # While the worker trains, the page answers at once: another C3 map's kernels are drawn...
    assert dataset(page, "phase") == "running"
    c3map = "document.querySelector('.lenet-train-c3map')"
    shown = responds_within(
        page,
        f"{c3map}.value = '6'; {c3map}.dispatchEvent(new Event('change'))",
        "document.querySelectorAll('.lenet-trainer .lenet-train-kernel-row')[1]"
        ".children.length === 4",
    )
    # ... and pause takes effect.
    paused = responds_within(
        page,
        "document.querySelector('.lenet-trainer button[aria-label=\"pause training\"]').click()",
        "document.querySelector('.lenet-trainer').dataset.phase === 'paused'",
    )
    assert shown < RESPONSE_MS and paused < RESPONSE_MS, (shown, paused)
    page.wait_for_timeout(600)  # a report in flight when pause was pressed may still arrive
    patterns = dataset(page, "patterns")
    page.wait_for_timeout(1_000)
    assert dataset(page, "patterns") == patterns, "training went on after pause"
    page.get_by_role("button", name="use this network in the pad").click()
    page.wait_for_function("() => document.querySelector('.lenet-trainer').dataset.kept === 'true'")
    screenshot(page, "09_training-trained")
    assert page.errors == []
    model = kept_network(page)
    page.close()

    # The pad of "Your own digits" offers the network, and reads with it what PyTorch reads.
    page, pad = pad_page(context, server)
    page.locator(".lenet-pad-network").select_option("yours")
    draw_with_mouse(page, pad.locator(".lenet-pad-canvas"), SEVEN)
    page.wait_for_function("() => document.querySelector('.lenet-pad').dataset.penalties !== ''")
    pixels = np.array(pad.evaluate("el => Array.from(el.lenetDigit)"), np.uint8).reshape(28, 28)
    _, expected = lenet_nb.predict(pixels, model)
    np.testing.assert_allclose(
        page_penalties(pad, "data-penalties"), expected[0].numpy(), rtol=1e-4, atol=1e-4
    )
    assert page.errors == []
    page.close()


def test_training_starts_with_a_finger_on_a_phone(chromium, server):
    context = recording_context(chromium, **PHONE)
    page = open_page(context, server, PAGE)
    page.get_by_role("button", name="start training").tap()
    wait_for_patterns(page, 500)
    page.get_by_role("button", name="pause training").tap()
    page.wait_for_function(
        "() => document.querySelector('.lenet-trainer').dataset.phase === 'paused'"
    )
    width = page.evaluate("() => document.documentElement.clientWidth")
    box = trainer(page).bounding_box()
    assert box["x"] >= -SLACK_PX and box["x"] + box["width"] <= width + SLACK_PX
    assert too_wide(page, ".lenet-trainer, .lenet-trainer *") == []
    screenshot(page, "09_training-phone")
    assert page.errors == []
    context.close()
