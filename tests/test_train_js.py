"""Training in the browser (``lenet_nb/book/widgets/static/src/training/``) against PyTorch, under
node: the gradient of the MAP loss (Eq. 9) by back-propagation, the Gauss-Newton curvature of
Appendix C, and SDLM's steps.

A driver (``tests/train_js_driver.mjs``) builds the page's ``Trainer`` (authors' initialisation,
its own seed) on 1,000 training digits, prints its starting weights, the summed gradient of its
first batch, its first pass's curvature estimate and the 500 patterns it chose, and the weights
after 100 updates. Python loads the same starting weights into a float64 ``LeNet5`` and computes
each of these independently: the gradient by ``torch.autograd`` through ``map_criterion``, the
curvature by ``gauss_newton_diagonal`` (autograd transposes of each layer's ``linear``), and the
100 updates by the ``SDLM`` optimizer in the same order. Both sides compute in float64, so the
tolerances leave room only for summation order. Needs node; skipped without it.
"""

import base64
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from lenet_nb import LeNet5, as_model_input, load_model
from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.book.widgets.training import MODES, trainer_settings
from lenet_nb.book.widgets.training_data import OUT, TRAIN_DIGITS, training_script, training_subset
from lenet_nb.digits.mnist import mnist
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.losses import map_criterion
from lenet_nb.training.sdlm import SDLM, gauss_newton_diagonal
from lenet_nb.training.train import constant_order

NODE = shutil.which("node")
DRIVER = Path(__file__).with_name("train_js_driver.mjs")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs node (v18 or newer) on PATH")

DIGITS = 1_000
STEPS = 100
GRADIENT_RTOL = 1e-4  # the bounds; measured agreement is far closer (float64 both sides)
CURVATURE_RTOL = 1e-4
WEIGHTS_RTOL = 1e-3
DATA_BUDGET = 2_500_000  # bytes of static/lenet5_training.js (2,367,921 when written)


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode()


def _float64(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8")


@pytest.fixture(scope="module")
def digits():
    train_x, train_y, test_x, test_y = training_subset()
    return train_x[:DIGITS], train_y[:DIGITS], test_x[:100], test_y[:100]


def run_js(tmp_path, digits, mode, seed, start=None, steps=STEPS) -> dict:
    train_x, train_y, test_x, test_y = digits
    spec = {
        "settings": trainer_settings(mode, seed),
        "train": {"pixels": _b64(train_x), "labels": train_y.tolist()},
        "test": {"pixels": _b64(test_x), "labels": test_y.tolist()},
        "gradientBatch": 8,
        "steps": steps,
        "start": None if start is None else _b64(start.astype("<f8")),
    }
    path = tmp_path / f"spec-{mode}-{seed}.json"
    path.write_text(json.dumps(spec))
    done = subprocess.run(
        [NODE, str(DRIVER), SOURCES.as_uri() + "/", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def torch_model(flat: np.ndarray) -> LeNet5:
    model = LeNet5(init="authors").double()
    model.fast = False  # the paper's formulas as written, the independent reference
    offset = 0
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(flat[offset : offset + p.numel()].copy()).view_as(p))
            offset += p.numel()
    assert offset == len(flat)
    return model


def flat(values) -> np.ndarray:
    return torch.cat([v.detach().flatten() for v in values]).numpy()


def inputs(pixels: np.ndarray) -> torch.Tensor:
    return torch.cat([as_model_input(torch.from_numpy(p)) for p in pixels]).double()


def assert_by_parameter(model, got, expected, rtol, what):
    """Each parameter tensor within ``rtol`` of PyTorch's, relative to its largest magnitude."""
    offset = 0
    for name, p in model.named_parameters():
        n = p.numel()
        js, reference = got[offset : offset + n], expected[offset : offset + n]
        scale = np.abs(reference).max()
        assert scale > 0, f"{what} of {name} is all zeros"
        np.testing.assert_allclose(js, reference, rtol=rtol, atol=rtol * scale, err_msg=name)
        offset += n


@pytest.fixture(scope="module")
def book_recipe(tmp_path_factory, digits):
    return run_js(tmp_path_factory.mktemp("train_js"), digits, "8", seed=3)


def test_gradient_of_a_batch_equals_autograd(book_recipe, digits):
    model = torch_model(_float64(book_recipe["initial"]))
    batch = book_recipe["gradientBatch"]
    x, y = inputs(digits[0][batch]), torch.from_numpy(digits[1][batch]).long()
    loss = map_criterion(model(x), y, model_j(), reduction="sum")
    loss.backward()
    assert book_recipe["loss"] == pytest.approx(loss.item(), rel=1e-9)
    expected = flat(p.grad for p in model.parameters())
    assert_by_parameter(model, _float64(book_recipe["gradient"]), expected, GRADIENT_RTOL, "grad")


def model_j() -> float:
    return trainer_settings()["j"]


def test_gradient_of_the_trained_network_equals_autograd(tmp_path, digits):
    """The committed network, where most patterns are right and MAP's gradients are small."""
    trained = flat(load_model("paper", "cpu").parameters()).astype(np.float64)
    result = run_js(tmp_path, digits, "8", seed=1, start=trained, steps=0)
    model = torch_model(trained)
    batch = result["gradientBatch"]
    x, y = inputs(digits[0][batch]), torch.from_numpy(digits[1][batch]).long()
    map_criterion(model(x), y, model_j(), reduction="sum").backward()
    expected = flat(p.grad for p in model.parameters())
    assert_by_parameter(model, _float64(result["gradient"]), expected, GRADIENT_RTOL, "grad")


def test_curvature_over_500_patterns_equals_gauss_newton_diagonal(book_recipe, digits):
    """The estimate of the first pass, made on the 500 patterns the page drew."""
    model = torch_model(_float64(book_recipe["initial"]))
    chosen = book_recipe["curvatureIndices"]
    assert len(chosen) == 500 == len(set(chosen))
    expected = flat(gauss_newton_diagonal(model, inputs(digits[0][chosen])))
    assert_by_parameter(model, _float64(book_recipe["h"]), expected, CURVATURE_RTOL, "h")


@pytest.mark.parametrize("mode", ["8", "1"])
def test_weights_after_100_sdlm_steps_equal_pytorch(mode, book_recipe, tmp_path, digits):
    result = book_recipe if mode == "8" else run_js(tmp_path, digits, mode, seed=3)
    settings = trainer_settings(mode)
    model = torch_model(_float64(result["initial"]))
    train_x, train_y = inputs(digits[0]), torch.from_numpy(digits[1]).long()
    optimizer = SDLM(model.parameters(), lr=result["eta"], mu=settings["mu"])
    assert result["eta"] == settings["schedule"][0] * settings["etaScale"]
    optimizer.set_curvature(gauss_newton_diagonal(model, train_x[result["curvatureIndices"]]))
    order, size = result["order"], settings["batchSize"]
    for step in range(STEPS):
        batch = order[step * size : (step + 1) * size]
        optimizer.zero_grad()
        map_criterion(model(train_x[batch]), train_y[batch], settings["j"], "sum").backward()
        optimizer.step()
    start, final = _float64(result["initial"]), _float64(result["final"])
    expected = flat(model.parameters())
    # The updates moved the weights by far more than the tolerance.
    assert np.abs(expected - start).max() > 10 * WEIGHTS_RTOL * np.abs(start).max()
    assert_by_parameter(model, final, expected, WEIGHTS_RTOL, "weights")


def test_the_page_starts_from_the_authors_initialisation(book_recipe):
    """U(+-1/sqrt F) weights (F the fan-in of the unit they feed), zero biases, subsampling
    coefficients 0.5: lenet_nb.network.initialisation's "authors" rule, drawn by the page."""
    model = torch_model(_float64(book_recipe["initial"]))
    reference = LeNet5(init="authors")
    for (name, p), (_, q) in zip(model.named_parameters(), reference.named_parameters()):
        p = p.detach().numpy()
        if name.startswith(("S2", "S4")) or name.endswith("bias"):
            np.testing.assert_array_equal(p, q.detach().double().numpy(), err_msg=name)
            continue
        layer = getattr(reference, name.split(".")[0])
        bound = layer.weight_fan_in().double().rsqrt().numpy()
        bound = bound.reshape(-1, *[1] * (p.ndim - 1))
        assert (np.abs(p) <= bound).all(), name
        scaled = (p / bound).ravel()  # uniform on (-1, 1): mean 0, variance 1/3
        assert scaled.max() > 0.95 and scaled.min() < -0.95, name
        assert abs(scaled.mean()) < 4 / np.sqrt(3 * scaled.size), name
        assert abs(scaled.var() - 1 / 3) < 0.1, name


def test_training_digits_file_is_current_and_small():
    """static/lenet5_training.js holds the subset training_subset() names, as the page loads it."""
    assert OUT.read_text(encoding="utf-8") == training_script(), (
        "static/lenet5_training.js is stale: python -m lenet_nb export-training"
    )
    assert OUT.stat().st_size < DATA_BUDGET


def test_training_subset_is_what_train_trains_on():
    """The page's 10,000 digits are those `train --train-size 10000` (seed 0) takes, in order."""
    train_x, train_y, _, _ = training_subset()
    order = constant_order(TrainConfig(train_size=TRAIN_DIGITS))
    assert len(train_x) == TRAIN_DIGITS == len(set(order.tolist()))
    reference = mnist(True, transform=None)
    np.testing.assert_array_equal(train_x[:50], reference.data[order[:50]].numpy())
    np.testing.assert_array_equal(train_y, reference.targets[order].numpy())


@pytest.mark.parametrize("mode", sorted(MODES))
def test_each_mode_takes_its_recipes_eta_in_every_pass(mode):
    """The page's schedule (trainer.js: ``schedule[min(pass, last)] * etaScale``) is Python's."""
    settings, config = trainer_settings(mode), MODES[mode]
    schedule = settings["schedule"]
    page = [schedule[min(p, len(schedule) - 1)] * settings["etaScale"] for p in range(30)]
    assert page == [config.learning_rate(p) for p in range(30)]
    assert settings["batchSize"] == config.batch_size
