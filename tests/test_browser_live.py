"""The widgets that run LeNet-5 in the reader's browser, on the built book with no kernel and no
network: the pad that reads a drawn or uploaded digit (Your own digits), and the distortion
explorer and invariance panel (Distortions, Invariance). What the page computes is checked against
Python: the page's penalties equal ``lenet_nb.reading.predict`` on the page's own digit, to 1e-4.

Each test opens its own browser profile, so the reader's digit a pad keeps in localStorage does
not reach the other tests. Fixtures: tests/conftest.py; helpers: tests/browser.py.
"""

import io
import time

import numpy as np
import pytest
from browser import CHROMIUM, DESKTOP, PHONE, SLACK_PX, open_page, screenshot
from PIL import Image

import lenet_nb
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.normalise import INK_THRESHOLD, as_scan, normalise_digit

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Chromium: apt-get install -y chromium (.ci/run does) or set LENET_NB_CHROMIUM",
)

PAD_PAGE = "book/11_your_digits.html"
LIVE_PAGES = {
    ".lenet-distortions": "book/12_distortions.html",
    ".lenet-invariance": "book/13_invariance.html",
}
# A 7 as a reader draws one, in the pad's 280 x 280 canvas pixels: a bar, then the stem.
SEVEN = [(70, 60), (210, 60), (190, 110), (160, 160), (135, 215), (120, 250)]


def pad_page(context, server):
    page = open_page(context, server, PAD_PAGE)
    page.wait_for_selector('.lenet-pad[data-ready="true"]', timeout=30_000)
    pad = page.locator(".lenet-pad")
    pad.locator(".lenet-pad-canvas").scroll_into_view_if_needed()
    return page, pad


def on_canvas(canvas, points):
    box = canvas.bounding_box()
    return [
        (box["x"] + x * box["width"] / 280, box["y"] + y * box["height"] / 280) for x, y in points
    ]


def draw_with_mouse(page, canvas, points):
    at = on_canvas(canvas, points)
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=8)
    page.mouse.up()


def draw_with_finger(page, canvas, points):
    """Touch events as a phone's screen sends them; Chromium makes pointer events of them."""
    at = on_canvas(canvas, points)
    cdp = page.context.new_cdp_session(page)

    def touch(kind, x=0, y=0):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", *at[0])
    for (x0, y0), (x1, y1) in zip(at, at[1:]):
        for k in range(1, 9):
            touch("touchMove", x0 + (x1 - x0) * k / 8, y0 + (y1 - y0) * k / 8)
    touch("touchEnd")


def page_penalties(root, attribute):
    return np.array([float(v) for v in root.get_attribute(attribute).split(",")])


def python_penalties(pixels, network):
    _, penalties = lenet_nb.predict(pixels, lenet_nb.load_model(network))
    return penalties[0].cpu().numpy()


def pad_agrees_with_python(pad):
    """The page's penalties are PyTorch's for the page's normalised digit, and the page's
    normalisation of what it read is Python's, to one grey level. Returns the class."""
    pixels = np.array(pad.evaluate("el => Array.from(el.lenetDigit)"), np.uint8).reshape(28, 28)
    network = pad.locator(".lenet-pad-network").input_value()
    penalties = page_penalties(pad, "data-penalties")
    np.testing.assert_allclose(penalties, python_penalties(pixels, network), rtol=1e-4, atol=1e-4)
    read = pad.evaluate(
        "el => ({grey: Array.from(el.lenetGrey.grey), "
        "width: el.lenetGrey.width, height: el.lenetGrey.height})"
    )
    grey = np.array(read["grey"], np.float64).reshape(read["height"], read["width"])
    assert np.abs(normalise_digit(grey / 255).astype(int) - pixels.astype(int)).max() <= 1
    return int(np.argmin(penalties))


def canvas_shapes(canvases):
    """(width, height) of each canvas in canvas pixels, once checked that the page shows it in
    that proportion."""
    shapes = canvases.evaluate_all(
        "cs => cs.map(c => [c.width, c.height, c.clientWidth / c.clientHeight])"
    )
    for width, height, ratio in shapes:
        assert abs(ratio - width / height) < 0.05  # drawn in proportion, not stretched
    return [(width, height) for width, height, _ in shapes]


def wait_for_answer(page, answer):
    page.wait_for_function(f"document.querySelector('.lenet-pad').dataset.answer === '{answer}'")


# ------------------------------------------------------------------------------- the pad


def test_a_drawn_seven_is_read_as_python_reads_it(fresh, server):
    page, pad = pad_page(fresh(), server)
    draw_with_mouse(page, pad.locator(".lenet-pad-canvas"), SEVEN)
    wait_for_answer(page, 7)
    assert pad_agrees_with_python(pad) == 7
    # F6 and the answer's prototype as the paper's 7x12 bitmaps: 7 wide, 12 tall, as the
    # explorer draws them (issue 22: the pad drew them 12 wide).
    assert canvas_shapes(pad.locator("[data-layer='F6'] canvas")) == [(7, 12), (7, 12)]
    assert pad.locator("[data-layer='F6'] figcaption").inner_text() == (
        "F6 as 7x12, and the prototype of 7"
    )
    pad.locator(".lenet-pad-network").select_option("distorted")
    page.wait_for_function("document.querySelector('.lenet-pad-network').value === 'distorted'")
    assert pad_agrees_with_python(pad) == 7
    # The explorer below takes the reader's digit as one more digit, and shows it.
    explorer = page.locator(".lenet-explorer")
    assert explorer.locator(".lenet-thumb-reader").count() == 1
    assert explorer.locator(".lenet-status").inner_text() == "your digit: predicted 7"
    screenshot(page, "11_your_digits-drawn-7")
    assert page.errors == []


def test_a_finger_draws_on_a_phone(fresh, server):
    page, pad = pad_page(fresh(**PHONE), server)
    draw_with_finger(page, pad.locator(".lenet-pad-canvas"), SEVEN)
    wait_for_answer(page, 7)
    assert pad_agrees_with_python(pad) == 7
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + SLACK_PX
    box = pad.bounding_box()
    assert box["x"] >= -SLACK_PX and box["x"] + box["width"] <= width + SLACK_PX
    screenshot(page, "11_your_digits-phone-drawn-7")
    assert page.errors == []


def test_an_empty_pad_waits_for_a_digit(fresh, server):
    """Before anything is drawn, and once the drawing is cleared, the pad answers nothing and
    says so; it does not announce a rejection of a digit nobody drew."""
    page, pad = pad_page(fresh(), server)
    wait_for_answer(page, -1)
    assert pad.locator(".lenet-pad-answer").inner_text() == "no digit yet"
    draw_with_mouse(page, pad.locator(".lenet-pad-canvas"), SEVEN)
    wait_for_answer(page, 7)
    page.get_by_role("button", name="clear the drawing").click()
    wait_for_answer(page, -1)
    assert pad.locator(".lenet-pad-answer").inner_text() == "no digit yet"
    assert "empty" in pad.locator(".lenet-pad-message").inner_text()
    assert page.errors == []


def png(array, mode="L", format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format=format)
    return buffer.getvalue()


def upload(pad, name, mime, payload):
    pad.locator(".lenet-pad-file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": payload}
    )


def test_uploads_are_read_or_refused_with_a_reason(fresh, server):
    page, pad = pad_page(fresh(), server)
    test = mnist(train=False, transform=None)
    scan = as_scan(test.data[1])  # a 2, dark ink on white paper, 3x, off centre
    upload(pad, "scan.png", "image/png", png(scan))
    wait_for_answer(page, 2)
    assert pad_agrees_with_python(pad) == 2
    # Transparent: dark ink on nothing, composited onto white paper.
    ink = as_scan(test.data[0])
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[..., 3] = 255 - ink
    upload(pad, "transparent.png", "image/png", png(rgba, "RGBA"))
    wait_for_answer(page, 7)
    # A colour photo: grey by the stated rule (luma), then read.
    colour = np.stack([scan, scan // 2 + 100, scan], axis=-1).astype(np.uint8)
    upload(pad, "photo.jpg", "image/jpeg", png(colour, "RGB", "JPEG"))
    wait_for_answer(page, 2)
    # Not an image, and a damaged one: a message, no exception.
    message = pad.locator(".lenet-pad-message")
    upload(pad, "notes.txt", "text/plain", b"not a digit")
    page.wait_for_function(
        "document.querySelector('.lenet-pad-message').textContent.includes('is not an image')"
    )
    upload(pad, "broken.png", "image/png", b"\x89PNG\r\n\x1a\nbroken")
    page.wait_for_function(
        "document.querySelector('.lenet-pad-message').textContent.includes('could not be read')"
    )
    assert "broken.png" in message.inner_text()
    # A huge image is read from a bounded copy, promptly.
    huge = np.full((3000, 2400), 255, np.uint8)
    huge[600:2400, 1100:1300] = 0  # a 1
    started = time.perf_counter()
    upload(pad, "huge.png", "image/png", png(huge))
    wait_for_answer(page, 1)
    assert time.perf_counter() - started < 10
    assert page.errors == []


def test_the_c3_table_of_another_chapter_offers_the_readers_digit(fresh, server):
    context = fresh()
    page, pad = pad_page(context, server)
    draw_with_mouse(page, pad.locator(".lenet-pad-canvas"), SEVEN)
    wait_for_answer(page, 7)
    page.close()
    page = open_page(context, server, "book/04_c3.html")
    reader = page.locator(".lenet-c3 .lenet-thumb-reader")
    reader.wait_for(timeout=10_000)
    reader.click()
    assert page.locator(".lenet-c3").get_attribute("data-digit") == "10"
    assert page.errors == []


# ---------------------------------------------------- the distortion explorer and invariance panel


def live_page(context, server, root):
    page = open_page(context, server, LIVE_PAGES[root])
    page.wait_for_selector(f'{root}[data-ready="true"]', timeout=30_000)
    return page, page.locator(root)


def readings_agree_with_python(widget):
    """Both networks' penalties on the page are PyTorch's on the page's transformed digit."""
    shown = np.array(widget.evaluate("el => Array.from(el.lenetShown)"), np.uint8).reshape(28, 28)
    for network in ("paper", "distorted"):
        penalties = page_penalties(widget, f"data-penalties_{network}")
        np.testing.assert_allclose(
            penalties, python_penalties(shown, network), rtol=1e-4, atol=1e-4
        )
    return shown


def move(slider, value):
    """Set a range input as a reader's drag ends: the value, then an input event."""
    slider.evaluate("(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", value)


@pytest.mark.parametrize("options", [DESKTOP, PHONE], ids=["1280px", "390px-touch"])
@pytest.mark.parametrize("root", [".lenet-distortions", ".lenet-invariance"])
def test_every_slider_moves_the_digit_and_both_readings(fresh, server, root, options):
    page, widget = live_page(fresh(**options), server, root)
    start = readings_agree_with_python(widget)
    for slider in widget.locator("input[type=range]").all():
        before = widget.evaluate("el => Array.from(el.lenetShown)")
        penalties = (
            widget.get_attribute("data-penalties_paper"),
            widget.get_attribute("data-penalties_distorted"),
        )
        move(slider, slider.get_attribute("max"))
        shown = readings_agree_with_python(widget)
        assert shown.tolist() != np.array(before).reshape(28, 28).tolist(), slider.input_value()
        assert (
            widget.get_attribute("data-penalties_paper"),
            widget.get_attribute("data-penalties_distorted"),
        ) != penalties
        if options is PHONE:
            width = page.evaluate("document.documentElement.clientWidth")
            assert page.evaluate("document.documentElement.scrollWidth") <= width + SLACK_PX
    widget.get_by_role("button", name="reset every slider to the identity").click()
    assert np.array_equal(readings_agree_with_python(widget), start)
    screenshot(page, f"{LIVE_PAGES[root][5:-5]}-{options['viewport']['width']}px")
    assert page.errors == []


def test_pushed_out_or_drowned_the_networks_say_so(fresh, server):
    page, panel = live_page(fresh(), server, ".lenet-invariance")
    move(panel.locator("input[data-field=translation]"), "-6")
    move(panel.locator("input[data-field=scale]"), str(np.log10(0.5)))
    move(panel.locator("input[data-field=noise]"), "0.5")
    readings_agree_with_python(panel)
    for name in ("paper", "distorted"):
        reader = panel.locator(f".lenet-reader[data-network={name}]")
        assert (
            reader.locator(".lenet-reader-answer").inner_text().startswith(("answer:", "rejected"))
        )
    # Thinned away entirely: no ink left, and both say so instead of answering.
    panel.locator("select.lenet-digit").select_option("1")  # a 1: one thin stroke
    move(panel.locator("input[data-field=noise]"), "0")
    move(panel.locator("input[data-field=stroke]"), "-1.5")
    move(panel.locator("input[data-field=scale]"), "0")
    move(panel.locator("input[data-field=translation]"), "0")
    shown = np.array(panel.evaluate("el => Array.from(el.lenetShown)"))
    if shown.max() <= INK_THRESHOLD:  # ink is more than INK_THRESHOLD (ink.js, as Python)
        texts = panel.locator(".lenet-reader-answer").all_inner_texts()
        assert all(t.startswith("rejected: no digit") for t in texts), texts
    assert page.errors == []
