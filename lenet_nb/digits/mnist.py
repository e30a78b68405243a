"""MNIST as the paper feeds it to LeNet-5 (Sections II-B and III-A).

The four IDX files are committed gzipped under ``data/MNIST/raw``; they are decompressed on first
use, checked against the canonical checksums, and read by ``torchvision.datasets.MNIST`` with
``download=False``: nothing here ever touches the network.
"""

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import torch
import torchvision
from torchvision.transforms import v2

from lenet_nb.paths import REPOSITORY

DATA_ROOT = Path(os.environ.get("LENET_NB_DATA", REPOSITORY / "data"))

# Uncompressed size and md5 of each canonical MNIST file.
MNIST_FILES = {
    "train-images-idx3-ubyte": (47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": (60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": (7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": (10_008, "27ae3e4e09519cfbb04c329615203637"),
}

# "the values of the input pixels are normalized so that the background level (white)
# corresponds to a value of -0.1 and the foreground (black) corresponds to 1.175".
BACKGROUND, FOREGROUND = -0.1, 1.175
PAD = 2  # 28x28 -> 32x32

_FIX = (
    "Restore the committed copy with `git checkout -- data/MNIST/raw` "
    "(or copy the four .gz files of the MNIST distribution there)."
)


class MNISTDataError(RuntimeError):
    """A vendored MNIST file is missing or does not match its checksum."""


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _matches(path: Path, size: int, md5: str) -> bool:
    return path.is_file() and path.stat().st_size == size and _md5(path) == md5


def _decompress(gz: Path, target: Path, size: int, md5: str) -> None:
    """Decompress ``gz`` to ``target`` atomically, refusing content that fails the checksum."""
    if not gz.is_file():
        raise MNISTDataError(
            f"MNIST file missing: {gz} (expected the gzipped IDX file "
            f"{gz.name}, {size:,} bytes uncompressed, md5 {md5}). {_FIX}"
        )
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(gz, "rb") as src:
            shutil.copyfileobj(src, out)
        if not _matches(Path(tmp), size, md5):
            raise MNISTDataError(
                f"MNIST file corrupt: {gz} decompresses to content that is not "
                f"the canonical {target.name} ({size:,} bytes, md5 {md5}). {_FIX}"
            )
        os.replace(tmp, target)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise MNISTDataError(
            f"MNIST file corrupt: {gz} cannot be decompressed ({err}); "
            f"expected {target.name}, {size:,} bytes, md5 {md5}. {_FIX}"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def ensure_mnist(root: Path = DATA_ROOT) -> Path:
    """Make sure the four uncompressed, verified IDX files are in ``root/MNIST/raw``."""
    raw = Path(root) / "MNIST" / "raw"
    for name, (size, md5) in MNIST_FILES.items():
        target = raw / name
        if not _matches(target, size, md5):
            _decompress(raw / f"{name}.gz", target, size, md5)
    return Path(root)


# The paper's preprocessing as torchvision transforms: [0, 255] -> [0, 1], pad the 28x28 field to
# 32x32 with background, then the affine map 0 -> -0.1, 1 -> 1.175 written as a Normalize.
_SCALE = FOREGROUND - BACKGROUND
pad_to_32 = v2.Pad(PAD, fill=0.0)
scale_to_paper_range = v2.Normalize(mean=[-BACKGROUND / _SCALE], std=[1 / _SCALE])


# LeNet-1's input: the whole 28x28 field scaled by 22/28, so that MNIST's 20x20 digit box becomes
# about 16x16, and padded back to 28x28 with background.
SHRUNK_FIELD = 22
shrink_to_16 = [
    v2.Resize(SHRUNK_FIELD, antialias=True),
    v2.Pad((28 - SHRUNK_FIELD) // 2, fill=0.0),
]


def input_transform(
    input_range: str = "paper", input_size: int = 32, digit_size: int = 20
) -> v2.Compose:
    """The paper's preprocessing by default; ``input_range="unit"`` keeps pixels in [0, 1] and
    ``input_size=28`` skips the padding, as tutorials do (``lenet_nb.training.recipes``).
    ``digit_size=16`` shrinks MNIST's 20x20 digit box to 16x16 in the middle of the 28x28 field,
    as LeNet-1 reads digits (Section III-C-2)."""
    if input_range not in ("paper", "unit") or input_size not in (28, 32):
        raise ValueError(
            f"input_range must be 'paper' or 'unit' and input_size 28 or 32, not "
            f"{input_range!r} and {input_size!r}"
        )
    if digit_size not in (16, 20):
        raise ValueError(f"digit_size must be 20 (MNIST's) or 16 (LeNet-1's), not {digit_size!r}")
    steps = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    steps += [] if digit_size == 20 else shrink_to_16
    steps += [pad_to_32] if input_size == 32 else []
    steps += [scale_to_paper_range] if input_range == "paper" else []
    return v2.Compose(steps)


paper_transform = input_transform()


def mnist(train: bool = True, transform=paper_transform) -> torchvision.datasets.MNIST:
    """The MNIST training (60,000) or test (10,000) set, preprocessed as the paper does."""
    return torchvision.datasets.MNIST(
        ensure_mnist(), train=train, download=False, transform=transform
    )


def preprocess(images: torch.Tensor, transform=paper_transform) -> torch.Tensor:
    """Apply ``transform`` to a uint8 batch ``N x 28 x 28`` at once: ``N x 1 x 32 x 32`` for the
    paper's."""
    return transform(images.unsqueeze(1)).as_subclass(torch.Tensor)


def mnist_tensors(
    train: bool = True, transform=paper_transform
) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole set as two tensors (images ``N x 1 x 32 x 32``, labels), for fast training."""
    data = mnist(train, transform=None)
    return preprocess(data.data, transform), data.targets.clone()
