"""predict() takes what a reader brings, and refuses the rest with a message that helps; so does
its command line, `python -m lenet_nb predict`."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from test_rejection import UNSURE_SCRIBBLE

import lenet_nb
from lenet_nb import as_model_input, load_model, predict
from lenet_nb.digits.mnist import mnist, mnist_tensors
from lenet_nb.digits.normalise import normalise_digit
from lenet_nb.reading import rejection

ROOT = Path(__file__).resolve().parents[1]


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


def test_predict_decides_as_the_model_does(digits):
    """A variant whose output is a linear layer of scores decides by the largest: predict asks
    the model, not the RBF's rule."""
    torch.manual_seed(0)
    scorer = lenet_nb.LeNet5(output="linear").eval()
    classes, scores = predict(digits[0], scorer, refuse=False)
    assert torch.equal(classes, scores.argmax(1))
    assert not torch.equal(classes, scores.argmin(1))


@pytest.mark.parametrize(
    "bad, message",
    [
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
    ],
)
def test_bad_input_is_refused_with_a_clear_message(bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        predict(bad)


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(
        ValueError,
        match=r"unknown model 'lenet7'.*'distorted', 'lenet1', 'lenet4', 'paper', 'sdnn'\]",
    ):
        load_model("lenet7")


# --- any size, and the command line --------------------------------------------------------------


def test_28x28_and_32x32_keep_their_path_and_other_sizes_are_normalised(digits):
    raw, labels = digits
    expected = mnist_tensors(train=False)[0][:8]
    assert torch.equal(as_model_input(raw), expected)  # unchanged: no normalisation
    big = np.stack(
        [
            np.asarray(Image.fromarray(d).resize((60, 60), Image.Resampling.BILINEAR))
            for d in raw.numpy()
        ]
    )
    made = torch.from_numpy(np.stack([normalise_digit(255 - b) for b in big]))
    assert torch.equal(as_model_input(255 - big), as_model_input(made))
    assert torch.equal(predict(255 - big)[0].cpu(), labels)
    assert torch.equal(predict(Image.fromarray(255 - big[0]))[0].cpu(), labels[:1])


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lenet_nb.reading.predict", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
    )


def test_the_command_reads_png_files_and_rejects_what_is_not_a_digit(digits, tmp_path):
    raw, labels = digits
    drawn = 255 - np.asarray(
        Image.fromarray(raw[0].numpy()).resize((90, 90), Image.Resampling.BILINEAR)
    )
    Image.fromarray(drawn).save(tmp_path / "seven.png")  # dark on light, 90x90
    rgba = Image.fromarray(drawn).convert("RGBA")
    rgba.putalpha(Image.fromarray(255 - drawn))  # the ink opaque, the paper transparent
    rgba.save(tmp_path / "transparent.png")
    exif = Image.Exif()
    exif[0x0112] = 8  # Orientation: turn the stored image 90 degrees anticlockwise to view it
    Image.fromarray(drawn).transpose(Image.Transpose.ROTATE_270).save(
        tmp_path / "sideways.png", exif=exif
    )
    Image.new("L", (64, 48), 255).save(tmp_path / "blank.png")
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (400, 300)).astype(np.uint8)).save(
        tmp_path / "noise.png"
    )
    (tmp_path / "notes.txt").write_text("not an image\n")
    result = run_cli(
        *(
            tmp_path / name
            for name in (
                "seven.png",
                "transparent.png",
                "sideways.png",
                "blank.png",
                "noise.png",
                "notes.txt",
            )
        )
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    for line, name in zip(lines, ("seven", "transparent", "sideways")):
        assert re.fullmatch(rf".*{name}\.png: {labels[0].item()} \(margin \d+\.\d\)", line)
    assert lines[3].endswith("blank.png: not sure: no ink found (a blank image)")
    assert re.fullmatch(
        r".*noise\.png: not a digit: too little ink for a digit \(0 strong-ink "
        r"pixels; MNIST's training digits have \d+ to \d+\)",
        lines[4],
    )
    errors = [line for line in result.stderr.splitlines() if "RuntimeWarning" not in line]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert errors[0].endswith(
        "notes.txt: not an image file PIL can read (PNG, JPEG, GIF, BMP, TIFF, ...)"
    )


def test_the_command_refuses_a_missing_file_before_reading_any(tmp_path):
    rejection.scribble(UNSURE_SCRIBBLE).save(tmp_path / "scribble.png")
    result = run_cli(tmp_path / "scribble.png", tmp_path / "missing.png")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "missing.png does not exist" in result.stderr


def test_the_command_says_not_sure_with_the_best_guess(tmp_path):
    rejection.scribble(UNSURE_SCRIBBLE).save(tmp_path / "scribble.png")
    result = run_cli(
        tmp_path / "scribble.png", "--model", "distorted", "--polarity", "dark-on-light"
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r".*scribble\.png: not sure \(margin \d+\.\d, below \d+\.\d; best guess "
        r"\d\)",
        result.stdout.strip(),
    )
