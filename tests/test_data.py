"""The data layer: clear errors for missing or corrupt MNIST files, repair from the committed
.gz files, and the paper's input transform."""

import gzip
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from lenet_nb.digits.mnist import (
    DATA_ROOT,
    MNIST_FILES,
    MNISTDataError,
    _md5,
    ensure_mnist,
    mnist,
    paper_transform,
    preprocess,
)


@pytest.fixture
def root(tmp_path):
    """A data folder holding copies of the four committed .gz files, nothing decompressed."""
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in MNIST_FILES:
        # copyfile, not copy: the committed files are read-only and some tests damage the copy.
        shutil.copyfile(DATA_ROOT / "MNIST" / "raw" / f"{name}.gz", raw / f"{name}.gz")
    return tmp_path


def test_decompresses_and_verifies(root):
    ensure_mnist(root)
    for name, (size, md5) in MNIST_FILES.items():
        path = root / "MNIST" / "raw" / name
        assert path.stat().st_size == size and _md5(path) == md5


def test_missing_file_is_named_with_the_fix(root):
    (root / "MNIST" / "raw" / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(MNISTDataError, match="missing") as err:
        ensure_mnist(root)
    assert "train-images-idx3-ubyte.gz" in str(err.value)
    assert "git checkout -- data/MNIST/raw" in str(err.value)


def test_truncated_gz_is_corrupt(root):
    gz = root / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:100_000])
    with pytest.raises(MNISTDataError, match="corrupt") as err:
        ensure_mnist(root)
    assert "train-images-idx3-ubyte.gz" in str(err.value)
    assert not (root / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()


def test_gz_with_wrong_content_is_corrupt(root):
    gz = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(gz.read_bytes()))
    content[-1] ^= 0xFF
    gz.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(MNISTDataError, match="corrupt") as err:
        ensure_mnist(root)
    assert "t10k-labels-idx1-ubyte" in str(err.value)


def test_corrupt_uncompressed_file_is_repaired_from_gz(root):
    ensure_mnist(root)
    path = root / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    damaged = bytearray(path.read_bytes())
    damaged[100:110] = bytes(b ^ 0xFF for b in damaged[100:110])
    path.write_bytes(bytes(damaged))
    ensure_mnist(root)
    size, md5 = MNIST_FILES["train-labels-idx1-ubyte"]
    assert path.stat().st_size == size and _md5(path) == md5


def test_transform_maps_grey_levels_and_pads_with_background():
    pixels = np.zeros((28, 28), dtype=np.uint8)
    pixels[10:15, 10:15] = 255
    x = paper_transform(Image.fromarray(pixels))
    assert x.shape == (1, 32, 32) and x.dtype == torch.float32
    # The paper's numbers, written out: background (and padding) -0.1, full ink 1.175.
    expected = torch.full((1, 32, 32), -0.1)
    expected[:, 12:17, 12:17] = 1.175
    torch.testing.assert_close(x.as_subclass(torch.Tensor), expected, rtol=0, atol=1e-6)


def test_batch_preprocess_equals_per_image_transform():
    raw = mnist(train=False, transform=None)
    dataset = mnist(train=False)
    batch = preprocess(raw.data[:32])
    assert batch.shape == (32, 1, 32, 32)
    for i in range(32):
        assert torch.equal(batch[i], dataset[i][0].as_subclass(torch.Tensor))
