"""The string pad (StringPad, Reading strings without segmentation) in headless Chromium, on the
built book with no kernel and no network: what the page reads is checked against Python. The
page's penalties equal ``lenet_nb.reading.strings.read_normalised`` on the page's own synced input
(to 1e-4, relative), the page's answer and path equal Python's, and the page's normalisation of
what was drawn equals ``normalise_string`` pixel for pixel.

The digits are drawn as a reader draws them, stroke by stroke, with the mouse at 1280 px and with
a finger at 390 px (where the pad scrolls sideways inside its own box): a 1 (one slanted stroke),
a 7 (a bar and a stem), a 4 (an open angle, then the stem) and a 0 (an oval), at gaps of 12, 28
and 48 canvas pixels. Fixtures: tests/conftest.py; helpers: tests/browser.py.
"""

import math

import numpy as np
import pytest
from browser import (
    PHONE,
    SLACK_PX,
    axe_violations,
    open_page,
    screenshot,
)

from lenet_nb.digits.strings import normalise_string
from lenet_nb.reading import strings as R

pytestmark = pytest.mark.skipif(
    __import__("browser").CHROMIUM is None,
    reason="needs Chromium: apt-get install -y chromium (.ci/run does) or set LENET_NB_CHROMIUM",
)

STRING_PAGE = "book/14_strings.html"
ROOT = ".lenet-string-pad"
PAD = (640, 180)  # the pad's canvas pixels (string_pad.js), shown one CSS pixel each
PENALTY_RTOL = 1e-4  # as tests/test_sdnn_js.py: PyTorch's float32 sums against the JS's float64


def oval(cx, cy, rx, ry, n=28):
    return [
        (cx + rx * math.sin(2 * math.pi * k / n), cy - ry * math.cos(2 * math.pi * k / n))
        for k in range(n + 1)
    ]


# Each digit: its strokes, in canvas pixels from the digit's left edge (x) and the pad's top
# (y), about 130 pixels tall; and its width.
DIGITS = {
    "1": ([[(30, 25), (20, 155)]], 40),
    "7": ([[(0, 30), (96, 30), (82, 64), (62, 98), (44, 136), (34, 160)]], 96),
    "4": ([[(45, 25), (0, 110), (70, 110)], [(50, 55), (50, 158)]], 70),
    "0": ([oval(36, 92, 34, 64)], 72),
}
GAPS = (12, 28, 48)  # canvas pixels between digits: after normalisation about 2, 4 and 7 px
LEFT = 24  # where the first digit starts


def strokes_of(text, gap, left=LEFT):
    """The strokes of ``text`` written left to right, ``gap`` canvas pixels apart, each as
    (digit's left edge, points)."""
    out, x = [], left
    for digit in text:
        strokes, width = DIGITS[digit]
        out += [(x, [(x + px, py) for px, py in stroke]) for stroke in strokes]
        x += width + gap
    return out


def string_page(context, server):
    page = open_page(context, server, STRING_PAGE)
    page.wait_for_selector(f'{ROOT}[data-ready="true"]', timeout=30_000)
    pad = page.locator(ROOT)
    pad.locator(".lenet-string-canvas").scroll_into_view_if_needed()
    return page, pad


def visible_points(page, pad, points):
    """``points`` (canvas pixels) as the page's coordinates, the pad's scroller scrolled first
    (as a reader scrolls it) so that they are all in view."""
    scroller = pad.locator(".lenet-string-scroller")
    xs = [x for x, _ in points]
    scroller.evaluate(
        "(s, [lo, hi]) => { if (lo < s.scrollLeft || hi > s.scrollLeft + "
        "s.clientWidth) s.scrollLeft = Math.max(0, (lo + hi) / 2 - s.clientWidth / 2); }",
        [min(xs) - 10, max(xs) + 10],
    )
    box = pad.locator(".lenet-string-canvas").bounding_box()
    view = page.viewport_size
    at = [
        (box["x"] + x * box["width"] / PAD[0], box["y"] + y * box["height"] / PAD[1])
        for x, y in points
    ]
    assert all(0 <= x <= view["width"] and 0 <= y <= view["height"] for x, y in at), at
    return at


def draw_with_mouse(page, pad, text, gap):
    for _, points in strokes_of(text, gap):
        at = visible_points(page, pad, points)
        page.mouse.move(*at[0])
        page.mouse.down()
        for point in at[1:]:
            page.mouse.move(*point, steps=6)
        page.mouse.up()


def draw_with_finger(page, pad, text, gap):
    """Touch events as a phone's screen sends them; Chromium makes pointer events of them."""
    cdp = page.context.new_cdp_session(page)

    def touch(kind, x=0, y=0):
        touches = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})

    for _, points in strokes_of(text, gap):
        at = visible_points(page, pad, points)
        touch("touchStart", *at[0])
        for (x0, y0), (x1, y1) in zip(at, at[1:]):
            for k in range(1, 7):
                touch("touchMove", x0 + (x1 - x0) * k / 6, y0 + (y1 - y0) * k / 6)
        touch("touchEnd")


def clear(page):
    page.get_by_role("button", name="clear the drawing").click()
    page.wait_for_function(f"document.querySelector('{ROOT}').dataset.empty === 'true'")


def wait_until_read(page):
    """The pad reads at most once per frame: wait for the frame after the last stroke."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(f"document.querySelector('{ROOT}').dataset.empty === 'false'")


def page_agrees_with_python(pad, drawn=True):
    """Python's reading of the page's synced input: the same penalties (1e-4), path and answer;
    for a drawing, the page's normalisation is Python's of what it read, pixel for pixel.
    Returns (answer, largest relative penalty difference)."""
    synced = pad.evaluate("el => el.lenetSynced()")
    image = np.array(synced["normalised"], np.uint8).reshape(32, synced["width"])
    reading = R.read_normalised(image)
    page = np.array(synced["penalties"], np.float64)
    assert page.shape == reading.penalties.shape
    np.testing.assert_allclose(page, reading.penalties, rtol=PENALTY_RTOL, atol=0)
    shown = [
        [float(v) for v in row.split(",")] for row in pad.get_attribute("data-penalties").split(";")
    ]
    np.testing.assert_array_equal(np.array(shown), page)  # what it shows is what it synced
    assert synced["answer"] == reading.text == pad.get_attribute("data-answer")
    assert pad.locator(".lenet-string-answer").inner_text() == (
        f"read: {reading.text}" if reading.text else "read: nothing (no digit found)"
    )
    labels = pad.locator(".lenet-string-label").all_inner_texts()
    assert labels == ["·" if c == R.BLANK else str(c) for c in reading.winners]
    if drawn:
        read = pad.evaluate(
            "el => ({grey: Array.from(el.lenetGrey.grey), "
            "width: el.lenetGrey.width, height: el.lenetGrey.height})"
        )
        grey = np.array(read["grey"], np.float64).reshape(read["height"], read["width"])
        ours = normalise_string(grey / 255)  # a float image: Python's grey levels of it
        assert ours.shape == image.shape
        assert np.abs(ours.astype(int) - image.astype(int)).max() <= 1
    worst = float(np.max(np.abs(page - reading.penalties) / reading.penalties))
    return reading.text, worst


def nothing_overflows(page, pad):
    """The page does not scroll sideways, the widget stays in the viewport, and nothing in it is
    wider than its box but the pad's own scroller."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + SLACK_PX
    box = pad.bounding_box()
    assert box["x"] >= -SLACK_PX and box["x"] + box["width"] <= width + SLACK_PX
    wide = pad.evaluate(f"""root => [root, ...root.querySelectorAll("*")]
        .filter(n => !n.classList.contains("lenet-string-scroller")
                     && !n.closest(".lenet-string-scroller")
                     && n.scrollWidth > n.clientWidth + {SLACK_PX} && n.clientWidth > 0)
        .map(n => n.tagName + "." + n.className)""")
    assert wide == []


def check_page(page, pad):
    assert page.errors == []
    assert axe_violations(page) == []
    nothing_overflows(page, pad)


# --------------------------------------------------------------------------------- the tests


def test_an_empty_pad_shows_a_prompt_not_an_answer(fresh, server):
    page, pad = string_page(fresh(), server)
    assert pad.get_attribute("data-empty") == "true" and pad.get_attribute("data-answer") == ""
    assert pad.locator(".lenet-string-answer").inner_text() == "write a few digits in the pad"
    assert pad.evaluate("el => el.lenetSynced()") == {
        "normalised": [],
        "width": 0,
        "penalties": [],
        "answer": "",
    }
    status = pad.locator(".lenet-string-answer")
    assert status.get_attribute("role") == "status"
    # Only the string page loads the SDNN's weights, once; a page with a digit pad does not.
    assert [u for u in page.context.requests if u.endswith("sdnn_weights.js")] == [
        server + "_static/sdnn_weights.js"
    ]
    check_page(page, pad)
    other = fresh()
    digits = open_page(other, server, "book/11_your_digits.html")
    digits.wait_for_selector('.lenet-pad[data-ready="true"]', timeout=30_000)
    assert [u for u in other.requests if u.endswith("lenet5_weights.js")]
    assert not [u for u in other.requests if u.endswith("sdnn_weights.js")]
    assert digits.errors == []


@pytest.mark.parametrize("gap", GAPS)
def test_four_digits_drawn_with_the_mouse_read_as_python_reads_them(fresh, server, gap):
    page, pad = string_page(fresh(), server)
    draw_with_mouse(page, pad, "1740", gap)
    wait_until_read(page)
    answer, worst = page_agrees_with_python(pad)
    print(f"gap {gap}: read {answer!r}; penalties page vs Python {worst:.2e} relative")
    assert answer == "1740"
    # Undo takes the last stroke back (the 0), and the page reads again.
    page.get_by_role("button", name="undo the last stroke").click()
    page.wait_for_function(f"document.querySelector('{ROOT}').dataset.answer !== '1740'")
    assert page_agrees_with_python(pad)[0] == "174"
    assert pad.locator(".lenet-string-hint").is_hidden()  # the pad fits: no hint to scroll
    # The layers along the string, open on a desktop: every map, as wide as the layer is.
    positions = int(pad.get_attribute("data-positions"))
    shapes = {
        layer: pad.locator(f"[data-layer='{layer}'] canvas").evaluate_all(
            "cs => cs.map(c => [c.width, c.height])"
        )
        for layer in ("C1", "S2", "C3", "S4", "C5")
    }
    width = pad.evaluate("el => el.lenetSynced().width")
    assert shapes["C1"] == [[width - 4, 28]] * 6 and shapes["S2"] == [[(width - 4) // 2, 14]] * 6
    assert shapes["C3"] == [[(width - 4) // 2 - 4, 10]] * 16
    assert shapes["S4"] == [[positions + 4, 5]] * 16 and shapes["C5"] == [[positions, 120]]
    screenshot(page, f"14_strings-drawn-1740-gap{gap}")
    check_page(page, pad)
    clear(page)
    assert pad.locator(".lenet-string-answer").inner_text() == "write a few digits in the pad"


def test_a_finger_writes_a_string_on_a_phone(fresh, server):
    page, pad = string_page(fresh(**PHONE), server)
    hint = pad.locator(".lenet-string-hint")
    assert hint.is_visible() and hint.inner_text().startswith("scroll sideways to write more")
    scroller = pad.locator(".lenet-string-scroller")
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth")  # the pad scrolls in its box
    for gap in GAPS:
        draw_with_finger(page, pad, "1740", gap)
        wait_until_read(page)
        answer, worst = page_agrees_with_python(pad)
        print(f"phone, gap {gap}: read {answer!r}; penalties page vs Python {worst:.2e} relative")
        assert answer == "1740"
        nothing_overflows(page, pad)
        if gap != GAPS[-1]:
            clear(page)
    assert scroller.evaluate("s => s.scrollLeft") > 0  # it was scrolled to write the 4 and the 0
    # The layers along the string start folded on a phone; opened, they fit the screen too.
    layers = pad.locator(".lenet-string-layers")
    assert layers.evaluate("d => d.open") is False
    layers.locator("summary").click()
    assert layers.evaluate("d => d.open") is True
    assert pad.locator("[data-layer='C3'] canvas").count() == 16
    nothing_overflows(page, pad)
    screenshot(page, "14_strings-phone-drawn-1740")
    check_page(page, pad)


@pytest.mark.parametrize("noise", [False, True], ids=["clean", "noisy"])
def test_composed_strings_read_as_python_reads_them(fresh, server, noise):
    page, pad = string_page(fresh(), server)
    if noise:
        pad.get_by_label("10% salt and pepper").check()
    right, answers = 0, set()
    for _ in range(6):
        before = pad.evaluate("el => el.lenetSynced().normalised.join()")
        pad.get_by_role("button", name="compose a string").click()
        page.wait_for_function(
            f"el => el.lenetSynced().normalised.join() !== {before!r}", arg=pad.element_handle()
        )
        synced = pad.evaluate("el => el.lenetSynced()")
        image = np.array(synced["normalised"], np.uint8).reshape(32, synced["width"])
        # Noise inverts pixels of the background too: about 10% of it is then 255.
        share = float(np.mean(image[:2] == 255))  # rows 0-1: MNIST's padding, background
        assert (0.03 < share < 0.2) if noise else share == 0.0, share
        answer, _ = page_agrees_with_python(pad, drawn=False)
        composed = pad.get_attribute("data-composed")
        assert 3 <= len(composed) <= 6
        right += answer == composed
        answers.add(composed)
    assert len(answers) > 1  # a new string each time
    print(f"{'noisy' if noise else 'clean'}: {right} of 6 composed strings read right")
    screenshot(page, f"14_strings-composed-{'noisy' if noise else 'clean'}")
    check_page(page, pad)


def test_dark_mode(dark, server):
    page, pad = string_page(dark, server)
    draw_with_mouse(page, pad, "1740", GAPS[1])
    wait_until_read(page)
    assert page_agrees_with_python(pad)[0] == "1740"
    screenshot(page, "14_strings-dark")
    check_page(page, pad)
    page.close()
