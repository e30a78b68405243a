"""Not a digit: images that must get no answer at all, however confident the network would be.

LeNet-5 never saw anything but digits, and it reads most squares of uniform noise as a "0", two
in three with a margin above the rejection threshold. So before the network is asked, the image,
in the form the network reads (MNIST's 28x28 field: a reader's image after ``normalise``, a 28x28
or 32x32 array as it is), must look like a digit by two statistics of its ink
(``lenet_nb.digits.ink``):

* the number of strong-ink pixels (grey level >= 128) lies within the range of MNIST's training
  digits, ``ink_pixels`` [lo, hi] (a blank field, a solid fill, noise taken as it is, and noise
  shrunk to a flat grey by ``normalise`` fall outside);
* the strong ink's pieces minus holes (its Euler number) lies within the range of the training
  digits, ``euler_number`` [lo, hi] (a tangle of random strokes encloses many holes; a small
  patch of noise, smoothed by ``normalise``, breaks into many pieces).

Each bound is the ``QUANTILE`` (1 in 2,000) or ``1 - QUANTILE`` quantile of the 60,000 training
digits (``thresholds_from``; the bounds are values that training digits take, and a digit at a
bound is kept). ``python -m lenet_nb rejection`` computes them and measures the rule (``measure``:
test digits wrongly refused, as they are, normalised again as ``read_digit`` does, and as
``normalise.as_scan`` scans them; noise, solid fills and scribbles refused), and writes
``lenet_nb/results/not_a_digit.json``; ``load_results`` refuses a file made with other settings.
``rule()`` gives the committed thresholds as a plain dict, for the book's page.
"""

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from lenet_nb import provenance
from lenet_nb.digits.ink import INK_LEVEL, ink_statistics
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.normalise import as_scan, normalise
from lenet_nb.digits.pixels import open_image
from lenet_nb.paths import RESULTS

RESULTS = RESULTS / "not_a_digit.json"
COMMAND = "python -m lenet_nb rejection"
QUANTILE = 0.0005
# The images the rule is measured on: noise and solid fills of random sizes, read as a reader's
# image (normalised), and, as predict takes 28x28 and 32x32 arrays as they are, some of those.
# Each side of a noise image is log-uniform in [smallest_side, largest_side], so that small images,
# which normalise enlarges or shrinks little, are as common as large ones.
NOISE = {
    "count": 1000,
    "seed": 0,
    "smallest_side": 20,
    "largest_side": 600,
    "kinds": ["8-bit uniform noise", "16-bit uniform noise", "solid fill"],
}
MNIST_FORM_NOISE = {
    "count": 200,
    "seed": 1,
    "sides": [28, 32],
    "kinds": ["8-bit uniform noise", "solid fill"],
}
SCRIBBLES = 50  # the scribbles ``scribble(0..49)`` (rejection.py measures their margins too)
SCRIBBLE_STROKES = 12
SETTINGS = {
    "quantile": QUANTILE,
    "ink_level": INK_LEVEL,
    "statistics": ["ink_pixels", "euler_number"],
    "noise": NOISE,
    "mnist_form_noise": MNIST_FORM_NOISE,
    "scribbles": {"count": SCRIBBLES, "strokes": SCRIBBLE_STROKES},
}


def thresholds_from(pixels) -> dict:
    """The rule's bounds from a batch of digits (MNIST's training set, as it is)."""
    stats = ink_statistics(pixels)
    return {
        "ink_pixels": [
            int(np.quantile(stats["ink_pixels"], QUANTILE, method="lower")),
            int(np.quantile(stats["ink_pixels"], 1 - QUANTILE, method="higher")),
        ],
        "euler_number": [
            int(np.quantile(stats["euler_number"], QUANTILE, method="lower")),
            int(np.quantile(stats["euler_number"], 1 - QUANTILE, method="higher")),
        ],
    }


def training_thresholds() -> dict:
    """``thresholds_from`` the 60,000 training digits."""
    return thresholds_from(mnist(train=True, transform=None).data.numpy())


def reasons(pixels, thresholds: dict | None = None) -> list[str | None]:
    """For each image of a batch in MNIST's form (``N x H x W`` or ``N x 1 x H x W``, uint8 or
    floats in [0, 1]), why it is not a digit, or None when it may be one. ``thresholds``
    defaults to the committed ones."""
    t = committed_thresholds() if thresholds is None else thresholds
    (lo, hi), (least, most) = t["ink_pixels"], t["euler_number"]
    stats = ink_statistics(pixels)
    found = []
    for ink, euler in zip(stats["ink_pixels"].tolist(), stats["euler_number"].tolist()):
        if ink < lo or ink > hi:
            found.append(
                f"{'too little' if ink < lo else 'too much'} ink for a digit ({ink} "
                f"strong-ink pixels; MNIST's training digits have {lo} to {hi})"
            )
        elif euler < least or euler > most:
            found.append(
                f"{'too many loops' if euler < least else 'too many pieces'} for a "
                f"digit (its ink's pieces minus holes: {euler}; MNIST's training "
                f"digits: {least} to {most})"
            )
        else:
            found.append(None)
    return found


def refused(pixels, thresholds: dict | None = None) -> np.ndarray:
    """``reasons`` as a boolean array: True where the image is not a digit."""
    return np.array([r is not None for r in reasons(pixels, thresholds)], dtype=bool)


def rule() -> dict:
    """The committed rule, for the book's page: levels and bounds, all plain numbers."""
    return {"ink_level": INK_LEVEL, **committed_thresholds()}


@lru_cache(maxsize=None)
def load_results(path: Path = RESULTS) -> dict:
    """The committed thresholds and measurements, refused when made with other settings."""
    return provenance.load(path, COMMAND, {"settings": SETTINGS})


def committed_thresholds() -> dict:
    return load_results()["thresholds"]


def scribble(seed: int, strokes: int = SCRIBBLE_STROKES) -> Image.Image:
    """A random scribble: ``strokes`` straight strokes 8 px wide through random points, dark on
    a 200 x 160 white page. Not a digit; something to reject."""
    rng = np.random.default_rng(seed)
    page = Image.new("L", (200, 160), 255)
    points = [(rng.uniform(10, 190), rng.uniform(10, 150)) for _ in range(strokes + 1)]
    ImageDraw.Draw(page).line(points, fill=0, width=8)
    return page


def noise_image(rng: np.random.Generator, kind: str, height: int, width: int) -> Image.Image:
    """One image that is not a digit, as ``predict``'s command line would read it from a file:
    uniform noise of 8 or 16 bits (saved as a PNG and read back by ``open_image``), or a solid
    fill of a random grey level."""
    if kind == "solid fill":
        return Image.new("L", (width, height), int(rng.integers(0, 256)))
    bits = 16 if kind.startswith("16") else 8
    values = rng.integers(0, 2**bits, (height, width)).astype(np.uint16 if bits == 16 else np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(values).save(buffer, format="PNG")
    buffer.seek(0)
    return open_image(buffer)


def noise_images():
    """``NOISE``'s images, kinds in turn, each side log-uniform in its range."""
    rng = np.random.default_rng(NOISE["seed"])
    logs = np.log([NOISE["smallest_side"], NOISE["largest_side"]])
    for i in range(NOISE["count"]):
        height, width = (int(round(s)) for s in np.exp(rng.uniform(*logs, 2)))
        yield noise_image(rng, NOISE["kinds"][i % len(NOISE["kinds"])], height, width)


def mnist_form_noise() -> np.ndarray:
    """``MNIST_FORM_NOISE``'s arrays, 28x28 and 32x32 in turn (``predict`` takes them as MNIST's,
    unnormalised), noise and solid fills in turn."""
    rng = np.random.default_rng(MNIST_FORM_NOISE["seed"])
    made = []
    for i in range(MNIST_FORM_NOISE["count"]):
        side = MNIST_FORM_NOISE["sides"][i % 2]
        fill = (i // 2) % 2 == 1
        made.append(
            np.full((side, side), rng.integers(0, 256), np.uint8)
            if fill
            else rng.integers(0, 256, (side, side)).astype(np.uint8)
        )
    return made


def refused_as_read(images, thresholds: dict) -> np.ndarray:
    """Whether ``read_digit`` gives no answer without asking the network: the image holds no
    ink after ``normalise``, or the rule refuses the normalised digit."""
    found = [normalise(image) for image in images]
    digit = refused(np.stack([f.pixels for f in found]), thresholds)
    return np.array([f.empty for f in found]) | digit


def measure(thresholds: dict | None = None) -> dict:
    """The thresholds (from the training digits unless given) and the shares they refuse."""
    thresholds = training_thresholds() if thresholds is None else thresholds
    train = mnist(train=True, transform=None).data.numpy()
    test = mnist(train=False, transform=None).data.numpy()
    as_read = refused_as_read(list(test), thresholds)
    scanned = refused_as_read([as_scan(digit) for digit in test], thresholds)
    scribbles = refused_as_read([scribble(s) for s in range(SCRIBBLES)], thresholds)
    forms = mnist_form_noise()
    return {
        "thresholds": thresholds,
        "training_digits_refused": float(refused(train, thresholds).mean()),
        "test_digits_refused": float(refused(test, thresholds).mean()),
        "test_digits_refused_as_read": float(as_read.mean()),
        "test_digits_refused_as_scanned": float(scanned.mean()),
        "noise_refused": float(refused_as_read(list(noise_images()), thresholds).mean()),
        "mnist_form_noise_refused": float(
            np.mean([refused(f[None], thresholds)[0] for f in forms])
        ),
        "scribbles_refused": float(scribbles.mean()),
        "scribbles_refused_each": scribbles.astype(int).tolist(),
    }
