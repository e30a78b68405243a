"""Strings of handwritten digits composed from MNIST, as Section VII-B trained the SDNN on them.

"Each training image contained a central character, flanked by two side characters picked at
random in the training set. The separation between the bounding boxes of the characters were
chosen at random between -1 and 4 pixels. In other instances, no central character was present,
in which case the desired output of the network was the blank space class. In addition, training
images were degraded with 10% salt and pepper noise (random pixel inversions)."

Where the paper is silent we choose, and say so here:
- each digit keeps MNIST's own vertical placement (the 20x20 box centred by mass in 28 rows),
  padded by 2 rows above and below into the network's 32-row field, as single digits are;
- a digit's horizontal extent is its ink's bounding box (columns with a grey level above
  ``INK_THRESHOLD``); touching digits (gap -1) overlap by one column, where the brighter ink wins;
- a training window is 32x32 and centred on the middle of the central digit's box, give or take
  ``JITTER`` pixels, since the replicated network looks every 4 pixels and so sees each character
  up to 2 pixels off its centre; "no central character" (blank) we read as no character's
  middle within those 2 pixels: blank windows are centred anywhere between two middles, so the
  network also learns to say blank where it sees a digit off-centre, as the outputs between two
  characters do;
- two digits flank each side of a window (narrow ones such as 1s let a second one in view);
- ``BLANK_SHARE`` of the windows are blank.

Images are uint8, white ink on black like MNIST's; ``as_input`` maps them to the paper's range.
"""

import numpy as np
import torch
from PIL import Image

from lenet_nb.digits.mnist import BACKGROUND, FOREGROUND, PAD, mnist
from lenet_nb.digits.normalise import BOX, INK_THRESHOLD, RESAMPLE, grey_levels, stages

HEIGHT = 32  # the network's input field: MNIST's 28 rows padded by 2
WINDOW = 32  # one position of the replicated network sees 32 columns
STRIDE = 4  # C1 to C5 shrink the width by 4 per output: one output per 4 pixels
GAPS = (-1, 4)  # Section VII-B: gaps between bounding boxes, in pixels, both ends included
NOISE = 0.10  # Section VII-B: the share of pixels inverted
JITTER = 2  # pixels the centre of a window may be off (half the stride)
BLANK_SHARE = 0.5  # our choice: about half the outputs along a string see no centred character
FLANKS = 2  # digits drawn on each side of a window
MARGIN = WINDOW // 2  # background left and right of a string, so its ends can be centred
BLANK = 10  # the eleventh class: no character centred here


def ink_columns(digit: np.ndarray) -> tuple[int, int]:
    """The first and one-past-last column of ``digit``'s ink (a 28x28 uint8 MNIST digit)."""
    columns = np.flatnonzero((digit > INK_THRESHOLD).any(0))
    if len(columns) == 0:
        raise ValueError("a digit without ink has no bounding box")
    return int(columns[0]), int(columns[-1]) + 1


def compose(digits, gaps, margin: int = MARGIN) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``digits`` (28x28 uint8) side by side, ``gaps[i]`` pixels between the boxes of digits i and
    i + 1: a ``32 x W`` uint8 image and each digit's ``(first, end)`` column in it.

    W is the smallest ``32 + 4k`` holding the string with ``margin`` columns either side, the
    widths the replicated network takes.
    """
    if len(gaps) != max(len(digits) - 1, 0):
        raise ValueError(f"{len(digits)} digits need {len(digits) - 1} gaps, not {len(gaps)}")
    spans, x = [], margin
    for i, digit in enumerate(digits):
        first, end = ink_columns(digit)
        spans.append((int(x), int(x + end - first)))
        x += end - first + (gaps[i] if i < len(gaps) else 0)
    width = replicated_width(spans[-1][1] + margin if spans else 2 * margin)
    image = np.zeros((HEIGHT, width), np.uint8)
    for digit, (x0, x1) in zip(digits, spans):
        first, end = ink_columns(digit)
        region = image[PAD : PAD + 28, x0:x1]
        np.maximum(region, digit[:, first:end], out=region)
    return image, spans


def replicated_width(width: int) -> int:
    """The smallest width >= ``width`` of the form 32 + 4k (k >= 0)."""
    return WINDOW + STRIDE * max(0, -(-(width - WINDOW) // STRIDE))


def output_centres(width: int) -> np.ndarray:
    """The column each output of the replicated network is centred on, for an input ``width``
    wide: output k sees columns 4k .. 4k + 31, centred between 4k + 15 and 4k + 16."""
    return STRIDE * np.arange(1 + (width - WINDOW) // STRIDE) + WINDOW / 2


def salt_and_pepper(image: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """``image`` with each pixel inverted (v -> 255 - v) with probability ``share``."""
    flip = rng.random(image.shape) < share
    return np.where(flip, 255 - image, image).astype(np.uint8)


def window(image: np.ndarray, centre: float) -> np.ndarray:
    """The 32 columns of ``image`` centred on column ``centre`` (background beyond its edges)."""
    first = int(round(centre - WINDOW / 2))
    padded = np.pad(image, ((0, 0), (WINDOW, WINDOW)))
    return padded[:, first + WINDOW : first + 2 * WINDOW]


def training_window(
    digits: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    blank: bool,
    noise: float = NOISE,
) -> tuple[np.ndarray, int]:
    """One 32x32 training image of Section VII-B and its class: ``FLANKS`` random digits either
    side of a central one, the window centred on that digit's middle give or take ``JITTER``
    pixels; or (``blank``) centred anywhere between the middles of the central digit and its
    right-hand neighbour, whose class ``label_at`` gives: blank, unless it falls within
    ``JITTER`` pixels of either middle."""
    count = 2 * FLANKS + 1
    picks = rng.integers(len(digits), size=count)
    gaps = rng.integers(GAPS[0], GAPS[1] + 1, size=count - 1)
    image, spans = compose(digits[picks], gaps)
    middles = [sum(span) / 2 for span in spans]
    if blank:
        centre = float(rng.integers(round(middles[FLANKS]), round(middles[FLANKS + 1]) + 1))
    else:
        centre = middles[FLANKS] + rng.integers(-JITTER, JITTER + 1)
    label = label_at(centre, middles, labels[picks])
    return salt_and_pepper(window(image, centre), noise, rng), label


def label_at(centre: float, middles, labels) -> int:
    """The class a window centred on column ``centre`` should read: the digit whose box's middle
    is nearest, when within ``JITTER`` pixels, else blank: "no central character"."""
    distance = np.abs(np.asarray(middles) - centre)
    nearest = int(distance.argmin())
    return int(labels[nearest]) if distance[nearest] <= JITTER else BLANK


def training_windows(
    digits: np.ndarray, labels: np.ndarray, count: int, seed: int, noise: float = NOISE
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` windows (uint8 ``count x 32 x 32``) and their classes (10 is blank), the same for
    the same ``seed``; ``digits`` are 28x28 uint8 MNIST digits with their ``labels``."""
    rng = np.random.default_rng(seed)
    blanks = rng.random(count) < BLANK_SHARE
    pairs = [training_window(digits, labels, rng, bool(b), noise) for b in blanks]
    return np.stack([p[0] for p in pairs]), np.array([p[1] for p in pairs], dtype=np.int64)


def random_string(
    digits: np.ndarray,
    labels: np.ndarray,
    length: int,
    rng: np.random.Generator,
    gaps=GAPS,
    noise: float = 0.0,
):
    """A string of ``length`` random digits with gaps drawn from ``gaps`` (both ends included):
    its image (``32 x W`` uint8), its labels and each digit's columns."""
    picks = rng.integers(len(digits), size=length)
    between = rng.integers(gaps[0], gaps[1] + 1, size=length - 1)
    image, spans = compose(digits[picks], between)
    if noise:
        image = salt_and_pepper(image, noise, rng)
    return image, [int(v) for v in labels[picks]], spans


def as_input(images: np.ndarray) -> torch.Tensor:
    """uint8 images ``N x 32 x W`` (or one ``32 x W``) as the network's ``N x 1 x 32 x W`` input
    in the paper's range: background -0.1, ink 1.175."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32) / 255
    x = x * (FOREGROUND - BACKGROUND) + BACKGROUND
    return x.reshape(-1, 1, *x.shape[-2:])


TEST_WINDOWS = 10_000  # composed from MNIST's test digits: the SDNN's per-pass test error


def window_tensors(train: bool, count: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` windows from MNIST's training (or test) digits as the network's input tensors
    (``count x 1 x 32 x 32``, the paper's range) and their classes, made in chunks so that the
    uint8 images of a large pool never exist all at once."""
    raw = mnist(train, transform=None)
    digits, labels = raw.data.numpy(), raw.targets.numpy()
    images, classes = torch.empty(count, 1, HEIGHT, WINDOW), torch.empty(count, dtype=torch.int64)
    rng = np.random.default_rng(seed)
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        chunk, chunk_classes = training_windows(digits, labels, n, int(rng.integers(2**63)))
        images[start : start + n], classes[start : start + n] = (
            as_input(chunk),
            torch.from_numpy(chunk_classes),
        )
    return images, classes


CHUNK = 10_000  # windows made at a time


def string_windows(count: int, seed: int):
    """The SDNN's data as training takes it: ``count`` windows from MNIST's training digits and
    ``TEST_WINDOWS`` from its test digits (another seed)."""
    return (
        *window_tensors(True, count, seed),
        *window_tensors(False, TEST_WINDOWS, 1_000_003 + seed),
    )


def normalise_string(image, polarity: str = "auto") -> np.ndarray:
    """Any grey image of a handwritten string as the SDNN reads it: a ``32 x W`` uint8 image,
    white on black, the ink ``BOX`` (20) pixels high in the middle of the 32 rows, as tall as
    MNIST's digits, and ``MARGIN`` columns of background either side. Blank for no ink.

    As for one digit (``lenet_nb.digits.normalise``): dark ink on light paper is detected and
    inverted, the paper lifted to 0 and the ink cropped; then the crop is scaled to 20 rows,
    its aspect ratio kept (PIL's bilinear filter), where a digit is scaled to fit 20x20.
    """
    found = stages(grey_levels(image), polarity)
    if "cropped" not in found:
        return np.zeros((HEIGHT, WINDOW), np.uint8)
    ink = found["cropped"]
    height, width = ink.shape
    size = (max(1, round(width * BOX / height)), BOX)  # PIL's (width, height)
    scaled = np.asarray(Image.fromarray(ink.astype(np.float32)).resize(size, RESAMPLE))
    scaled = np.clip(np.floor(scaled + 0.5), 0, 255).astype(np.uint8)
    out = np.zeros((HEIGHT, replicated_width(size[0] + 2 * MARGIN)), np.uint8)
    top = (HEIGHT - BOX) // 2
    out[top : top + BOX, MARGIN : MARGIN + size[0]] = scaled
    return out
