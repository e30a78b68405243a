"""normalise_digit makes any grey image the 28x28 digit LeNet-5 reads, as MNIST's were made, and
normalise.js, its browser twin, agrees with it to within one grey level."""

import base64
import json
import shutil
import subprocess
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from lenet_nb import predict
from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.digits import normalise as N
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.pixels import composite

NODE = shutil.which("node")
NORMALISE_JS = SOURCES / "normalise.js"


@pytest.fixture(scope="module")
def test_digits():
    test = mnist(train=False, transform=None)
    return test.data.numpy(), test.targets


def resized(digit: np.ndarray, side: int) -> np.ndarray:
    """A 28x28 uint8 digit resized to side x side with PIL's BILINEAR (rounded to uint8)."""
    return np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR))


def drawn_seven(width: int = 150, height: int = 230) -> Image.Image:
    """A hand-made '7', dark strokes on light grey paper, blurred so its edges are grey."""
    page = Image.new("L", (width, height), 235)
    pen = ImageDraw.Draw(page)
    pen.line([(30, 40), (120, 35), (70, 200)], fill=20, width=14)
    pen.line([(55, 115), (105, 112)], fill=40, width=10)
    return page.filter(ImageFilter.GaussianBlur(2))


def centre_of_mass(digit: np.ndarray) -> tuple[float, float]:
    values = digit.astype(np.float64)
    rows, cols = np.indices(values.shape)
    return (rows * values).sum() / values.sum(), (cols * values).sum() / values.sum()


# --- the steps ---------------------------------------------------------------------------------


def test_a_dark_on_light_drawing_becomes_a_centred_mnist_digit():
    found = N.normalise(drawn_seven())
    digit = found.pixels
    assert found.inverted and not found.empty
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    assert digit.max() > 200 and digit[0].max() == digit[-1].max() == 0  # white ink on black
    rows, cols = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    assert rows[-1] - rows[0] + 1 == N.BOX  # the longer side (height) is 20 pixels
    assert cols[-1] - cols[0] + 1 < N.BOX
    row, col = centre_of_mass(digit)
    assert abs(row - N.CENTRE) <= 0.5 + 1e-6 and abs(col - N.CENTRE) <= 0.5 + 1e-6
    assert predict(digit)[0].item() == 7


def test_polarity_is_detected_and_can_be_forced(test_digits):
    digit = test_digits[0][0]
    big = resized(digit, 84)
    assert not N.normalise(big).inverted  # black border: light ink already
    assert N.normalise(255 - big).inverted  # white border: dark ink, inverted
    assert np.array_equal(N.normalise_digit(255 - big), N.normalise_digit(big))
    assert N.normalise(big, polarity="dark-on-light").inverted
    assert not N.normalise(255 - big, polarity="light-on-dark").inverted
    with pytest.raises(ValueError, match="polarity 'white': expected one of auto, light-on-dark"):
        N.normalise(big, polarity="white")


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((50, 40), np.uint8),  # black
        np.full((50, 40), 255, np.uint8),  # white paper
        np.full((3, 7), 0.5),  # grey, float
        np.random.default_rng(0).integers(100, 100 + N.INK_THRESHOLD, (60, 60)).astype(np.uint8),
        Image.new("LA", (30, 30), (0, 0)),  # fully transparent
    ],
)
def test_an_image_without_ink_is_empty_not_an_error(image):
    found = N.normalise(image)
    assert found.empty
    assert not found.pixels.any() and found.pixels.shape == (28, 28)


def test_a_transparent_drawing_is_composited_onto_contrasting_paper():
    seven = np.asarray(drawn_seven(), dtype=np.float64)
    alpha = np.clip((235 - seven) * 1.2, 0, 255).astype(np.uint8)  # the strokes, opaque
    ink = np.zeros_like(alpha)  # black ink on a transparent page
    dark = Image.fromarray(np.stack([ink, alpha], -1), mode="LA")
    light = Image.fromarray(np.stack([255 - ink, alpha], -1), mode="LA")  # white ink
    assert N.normalise(dark).inverted and not N.normalise(light).inverted
    assert np.array_equal(N.normalise_digit(dark), N.normalise_digit(light))
    assert predict(dark)[0].item() == 7
    assert composite(np.array([10.0, 200.0]), np.array([255.0, 0.0])).tolist() == [10, 255]


def test_a_huge_image_is_shrunk_first_and_stays_fast():
    page = np.full((3000, 5000), 255, np.uint8)
    page[600:2400, 2300:2900] = 0  # a thick bar, dark on white
    began = time.perf_counter()
    digit = N.normalise_digit(page)
    assert time.perf_counter() - began < 2.0
    small = N.normalise_digit(page[::5, ::5])  # the factor is ceil(5000 / 1024) = 5
    assert np.array_equal(digit, small)


def test_colour_and_batches_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="convert it first with image.convert"):
        N.normalise(Image.new("RGB", (40, 40)))
    with pytest.raises(ValueError, match="normalise one grey image H x W at a time"):
        N.normalise(np.zeros((2, 40, 40), np.uint8))
    with pytest.raises(ValueError, match=r"float images must hold pixel values in \[0, 1\]"):
        N.normalise(np.full((40, 40), 3.0))


# --- MNIST, made again -------------------------------------------------------------------------


# Measured with the committed 'paper' network on MNIST's 10,000 test digits through `predict`
# (0.98% error as they are, refused non-digits counted as errors), each resized with PIL's
# BILINEAR and then made again by normalise. Blown up 3x (84x84) and inverted (dark on light):
# measured 1.23%, 0.25 points above (an earlier network: 0.30; the network trained by batch-8:
# 0.03 points; from Appendix A's initialisation: 0.19); at most 0.5 points above is asserted:
BLOWN_UP_EXTRA_ERROR_AT_MOST = 0.005
# Shrunk to 16x16 (measured 1.85%) and to 8x8 (measured 16.62%; chance is 90%), asserted at most:
SMALL_ERROR_AT_MOST = {16: 0.025, 8: 0.2}


def error(images, labels, **kw) -> float:
    classes, _ = predict(images, **kw)
    return (classes.cpu() != labels).double().mean().item()


def test_blown_up_dark_on_light_test_digits_keep_the_error(test_digits):
    """All 10,000 test digits, 3x larger (84x84) and inverted, made again by normalise."""
    images, labels = test_digits
    as_they_are = error(images, labels)
    big = np.stack([255 - resized(d, 84) for d in images])
    blown_up = error(big, labels)
    assert blown_up <= as_they_are + BLOWN_UP_EXTRA_ERROR_AT_MOST, (as_they_are, blown_up)
    # The 28x28 digits themselves, made again, lose nothing either.
    again = error(images, labels, polarity="auto")
    assert again <= as_they_are + BLOWN_UP_EXTRA_ERROR_AT_MOST, (as_they_are, again)


@pytest.mark.parametrize("side", sorted(SMALL_ERROR_AT_MOST))
def test_small_scans_still_read_far_better_than_chance(test_digits, side):
    images, labels = test_digits
    small = np.stack([resized(d, side) for d in images])
    assert error(small, labels) <= SMALL_ERROR_AT_MOST[side]


# --- normalise.js agrees -----------------------------------------------------------------------

DRIVER = """
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [moduleFile, casesFile] = process.argv.slice(2);
const js = await import(pathToFileURL(moduleFile).href);
const out = [];
for (const c of JSON.parse(readFileSync(casesFile, "utf8"))) {
  let grey = c.bytes !== undefined ? new Uint8Array(Buffer.from(c.bytes, "base64"))
                                   : Float64Array.from(c.values);
  if (c.alpha !== undefined)
    grey = js.flattenAlpha(grey, new Uint8Array(Buffer.from(c.alpha, "base64")));
  const r = js.normalise(grey, c.width, c.height, c.polarity);
  out.push({ pixels: Array.from(r.pixels), empty: r.empty, inverted: r.inverted });
}
console.log(JSON.stringify(out));
"""


def js_cases(test_digits):
    """(name, image for Python, JSON case for the JS driver)."""
    images, _ = test_digits
    rng = np.random.default_rng(1)
    cases = []

    def add(name, image, polarity="auto"):
        if isinstance(image, Image.Image):  # 'LA': the JS gets grey and alpha
            grey, alpha = (np.asarray(b) for b in image.split())
            case = {"bytes": _b64(grey), "alpha": _b64(alpha)}
            height, width = grey.shape
        elif image.dtype == np.uint8:
            case, (height, width) = {"bytes": _b64(image)}, image.shape
        else:  # float grey levels 0-255
            case, (height, width) = {"values": image.ravel().tolist()}, image.shape
        cases.append(
            (
                name,
                image,
                polarity,
                {**case, "width": width, "height": height, "polarity": polarity},
            )
        )

    for i in (0, 1, 2, 3, 4, 7, 11, 18, 61, 247):
        add(f"mnist {i} 3x, inverted", 255 - resized(images[i], 84))
    add("drawn 7, 150 x 230", np.asarray(drawn_seven()))
    add("drawn 7, 311 x 97, float", np.asarray(drawn_seven(311, 97), dtype=np.float64) + 0.25)
    for side in (8, 16):
        for i in (5, 9):
            add(f"mnist {i} at {side}x{side}", resized(images[i], side))
    add("mnist 3 forced light-on-dark", resized(images[3], 50), "light-on-dark")
    add("mnist 3 forced dark-on-light", 255 - resized(images[3], 50), "dark-on-light")
    top_heavy = np.zeros((60, 30), np.uint8)
    top_heavy[:12], top_heavy[:, 13:16] = 255, 255  # centre of mass near the top: clamped
    add("top-heavy, clamped in the field", top_heavy)
    add("empty page", np.full((40, 64), 250, np.uint8))
    add("noise below the ink threshold", rng.integers(0, 30, (33, 21)).astype(np.uint8))
    seven = np.asarray(drawn_seven())
    alpha = np.clip((235 - seven.astype(float)) * 1.2, 0, 255).astype(np.uint8)
    add(
        "transparent drawing",
        Image.fromarray(np.stack([np.zeros_like(alpha), alpha], -1), mode="LA"),
    )
    huge = np.full((1500, 2100), 240, np.uint8)
    huge[200:1300, 900:1150] = 30
    huge[200:300, 700:1300] = 30
    add("huge 2100 x 1500", huge)
    return cases


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode()


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_javascript_port_agrees_within_one_grey_level(test_digits, tmp_path):
    cases = js_cases(test_digits)
    (tmp_path / "cases.json").write_text(json.dumps([c[3] for c in cases]))
    (tmp_path / "driver.mjs").write_text(DRIVER)
    run = subprocess.run(
        [NODE, tmp_path / "driver.mjs", NORMALISE_JS, tmp_path / "cases.json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) == len(cases)
    for (name, image, polarity, _), js in zip(cases, results):
        if isinstance(image, np.ndarray) and image.dtype != np.uint8:
            ours = N.normalise_grey_levels(image, polarity)  # already 0-255
        else:
            ours = N.normalise(image, polarity)
        theirs = np.array(js["pixels"], dtype=int).reshape(28, 28)
        assert (js["empty"], js["inverted"]) == (ours.empty, ours.inverted), name
        assert np.abs(theirs - ours.pixels.astype(int)).max() <= 1, name
    assert any(r["empty"] for r in results) and not all(r["empty"] for r in results)


CONSTANTS_DRIVER = """
const ink = await import(process.argv[2]);
const normalise = await import(process.argv[3]);
const { FIELD, BOX, CENTRE, MAX_SIDE, POLARITIES } = normalise;
const lifted = [0, ink.INK_THRESHOLD, ink.INK_THRESHOLD + 0.5, 255];
console.log(JSON.stringify({ INK_THRESHOLD: ink.INK_THRESHOLD, FIELD, BOX, CENTRE, MAX_SIDE,
  POLARITIES, isInk: lifted.map(ink.isInk),
  hasInk: [[0, 3, ink.INK_THRESHOLD], [0, ink.INK_THRESHOLD + 1]].map(ink.hasInk) }));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_pages_ink_rule_is_pythons(tmp_path):
    """ink.js, the page's one home for what counts as ink (normalise.js and the live panels' "no
    digit" use it), holds Python's INK_THRESHOLD and rule; normalise.js the other constants."""
    (tmp_path / "driver.mjs").write_text(CONSTANTS_DRIVER)
    run = subprocess.run(
        [NODE, tmp_path / "driver.mjs", (SOURCES / "ink.js").as_uri(), NORMALISE_JS.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    js = json.loads(run.stdout)
    for name in ("INK_THRESHOLD", "FIELD", "BOX", "CENTRE", "MAX_SIDE"):
        assert js[name] == getattr(N, name), name
    assert tuple(js["POLARITIES"]) == N.POLARITIES
    # Python's rule, as ink_box applies it to one pixel lifted above the paper by each level
    levels = [0, N.INK_THRESHOLD, N.INK_THRESHOLD + 0.5, 255]
    assert js["isInk"] == [N.ink_box(np.array([[v]], np.float64)) is not None for v in levels]
    assert js["hasInk"] == [False, True]
