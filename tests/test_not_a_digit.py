"""The not-a-digit rule (lenet_nb.reading.not_a_digit): its statistics on hand-made shapes, the
committed thresholds and shares, and what predict and read_digit do with noise, a solid fill and
a real digit."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from lenet_nb import predict
from lenet_nb.digits.ink import euler_number, ink_statistics
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.normalise import as_scan
from lenet_nb.reading import not_a_digit
from lenet_nb.reading.predict import NOT_A_DIGIT, read_digit


@pytest.fixture(scope="module")
def test_digits():
    data = mnist(train=False, transform=None)
    return data.data.numpy(), data.targets


# The rule's goals (issue 18), asserted of the committed shares: at most 0.5% of the test digits
# wrongly refused, at least 99% of the noise images and solid fills refused.
TEST_DIGITS_REFUSED_AT_MOST = 0.005
NOISE_REFUSED_AT_LEAST = 0.99


def test_euler_number_counts_pieces_minus_holes():
    field = np.zeros((3, 12, 12), bool)
    field[0, 2:8, 2:8] = True
    field[0, 4:6, 4:6] = False  # a ring: one piece, one hole
    field[1, 1:3, 1:3] = field[1, 6:8, 6:8] = True  # two squares
    field[1, 3, 3] = True  # touching the first diagonally: still two pieces (8-connected ink)
    field[2, 1:10, 1:10] = True
    field[2, 2:4, 2:4] = field[2, 6:8, 6:8] = False  # an "8": two holes
    assert euler_number(field).tolist() == [0, 2, -1]


def test_ink_statistics_read_uint8_and_unit_floats_alike(test_digits):
    digits = test_digits[0][:50]
    as_uint8 = ink_statistics(digits)
    as_float = ink_statistics(torch.from_numpy(digits).float().div(255)[:, None].numpy())
    for key in as_uint8:
        assert np.array_equal(as_uint8[key], as_float[key]), key


def test_the_committed_thresholds_are_the_training_digits():
    """The stored bounds are what ``training_thresholds`` computes now (else regenerate)."""
    assert not_a_digit.committed_thresholds() == not_a_digit.training_thresholds()
    rule = not_a_digit.rule()
    assert rule["ink_level"] == 128 and json.loads(json.dumps(rule)) == rule  # plain, for the page


def test_the_committed_shares_meet_the_goals():
    r = not_a_digit.load_results()
    for key in (
        "test_digits_refused",
        "test_digits_refused_as_read",
        "test_digits_refused_as_scanned",
    ):
        assert r[key] <= TEST_DIGITS_REFUSED_AT_MOST, key
    assert r["noise_refused"] >= NOISE_REFUSED_AT_LEAST
    assert r["mnist_form_noise_refused"] >= NOISE_REFUSED_AT_LEAST
    assert 0 < r["scribbles_refused"] == np.mean(r["scribbles_refused_each"])
    assert r["training_digits_refused"] <= 4 * not_a_digit.QUANTILE  # four bounds of 1 in 2,000


def test_results_of_other_settings_are_refused(tmp_path):
    stale = not_a_digit.load_results() | {"settings": {**not_a_digit.SETTINGS, "quantile": 0.01}}
    path = tmp_path / "not_a_digit.json"
    path.write_text(json.dumps(stale))
    with pytest.raises(ValueError, match="regenerate it with `python -m lenet_nb rejection`"):
        not_a_digit.load_results(path)


def test_fresh_noise_and_fills_are_refused_and_a_digit_is_read(test_digits):
    digits, labels = test_digits
    rng = np.random.default_rng(2024)  # not the committed measurement's seed
    images = [
        not_a_digit.noise_image(rng, kind, int(h), int(w))
        for kind in not_a_digit.NOISE["kinds"]
        for h, w in rng.integers(20, 700, (4, 2))
    ]
    for image in images:
        reading = read_digit(image)
        assert reading.digit is None and (reading.empty or reading.not_a_digit), image.size
    noise = rng.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    fills = np.stack([np.full((28, 28), v, np.uint8) for v in (0, 128, 255)])
    classes, _ = predict(np.concatenate([noise, fills, digits[:4]]))
    assert classes[:6].tolist() == [NOT_A_DIGIT] * 6  # as MNIST's form, unnormalised
    assert torch.equal(classes[6:].cpu(), labels[:4])
    assert predict(noise, refuse=False)[0].min() >= 0  # the network's own answer, on request
    scan = read_digit(as_scan(digits[0]))
    assert scan.digit == labels[0] and scan.not_a_digit is None


def test_a_big_noise_image_gets_no_confident_answer():
    noise = np.random.default_rng(7).integers(0, 256, (1500, 1200)).astype(np.uint8)
    reading = read_digit(Image.fromarray(noise))
    assert reading.digit is None and "too little ink" in reading.not_a_digit
