"""predict() takes what a reader brings, and refuses the rest with a message that helps."""
import numpy as np
import pytest
import torch
from PIL import Image

from lenet_nb import as_model_input, load_model, predict
from lenet_nb.data import mnist, mnist_tensors


@pytest.fixture(scope="module")
def digits():
    test = mnist(train=False, transform=None)
    return test.data[:8], test.targets[:8]


def test_every_input_form_gives_the_papers_input(digits):
    raw, _ = digits
    expected = mnist_tensors(train=False)[0][:8]
    assert torch.equal(as_model_input(raw), expected)  # uint8 batch N x 28 x 28
    assert torch.allclose(as_model_input(raw.numpy() / 255.0), expected, atol=1e-6)  # float
    assert torch.equal(as_model_input(Image.fromarray(raw[0].numpy())), expected[:1])  # PIL
    assert torch.equal(as_model_input(raw[0]), expected[:1])  # one image
    padded = torch.nn.functional.pad(raw, (2, 2, 2, 2))
    assert torch.equal(as_model_input(padded[:, None]), expected)  # 32x32, N x 1 x H x W


def test_predict_recognises_test_digits(digits):
    raw, labels = digits
    classes, penalties = predict(raw)
    assert penalties.shape == (8, 10)
    assert torch.equal(classes, penalties.argmin(1))
    assert torch.equal(classes.cpu(), labels)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((28, 28, 3), np.uint8), "colour images are refused"),
    (torch.zeros(2, 3, 28, 28), "colour images are refused"),
    (Image.new("RGB", (28, 28)), "convert it first with image.convert"),
    (np.zeros((0, 28), np.uint8), "there are no pixels"),
    (np.zeros((28, 28, 1), np.uint8), "a trailing channel axis"),
    (np.zeros((2, 2, 2, 28, 28), np.uint8), "expected one image"),
    (np.full((28, 28), np.nan, np.float32), "NaN or infinite"),
    (np.full((28, 28), 200.0), r"float images must hold pixel values in \[0, 1\]"),
    (np.array([["a"] * 28] * 28), "expected uint8"),
    (torch.zeros(28, 28, dtype=torch.bool), "expected uint8"),
    ([[0] * 28] * 28, "expected a PIL image, a NumPy array or a torch tensor"),
])
def test_bad_input_is_refused_with_a_clear_message(bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        predict(bad)


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown model 'lenet7'.*\['distorted', 'paper'\]"):
        load_model("lenet7")
