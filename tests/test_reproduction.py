"""The committed network reaches the error the README states, and so does a retrain."""
import re
from pathlib import Path

import pytest

from lenet_nb import load_history, load_model
from lenet_nb.data import mnist_tensors
from lenet_nb.config import TrainConfig
from lenet_nb.evaluation import error_rate
from lenet_nb.train import DISTORTED_TEST_ERROR_BOUND, TEST_ERROR_BOUND, train

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def test_set():
    return mnist_tensors(train=False)


def test_readme_states_the_bound_the_tests_assert():
    stated = re.search(r"test error of at most \*\*([\d.]+)%\*\*", README.read_text())
    assert stated, "README must state the reproduction's bound as 'test error of at most **X%**'"
    assert float(stated.group(1)) == pytest.approx(100 * TEST_ERROR_BOUND)


def test_committed_checkpoint_reaches_the_bound(test_set):
    model = load_model("paper", device="cpu")
    measured = error_rate(model, *test_set)
    assert measured <= TEST_ERROR_BOUND
    history = load_history("paper")
    assert history["history"][-1]["test_error"] == pytest.approx(measured, abs=1e-4)
    assert TrainConfig(**history["config"]) == TrainConfig()  # made by the default command
    assert len(history["history"]) == TrainConfig().passes


@pytest.mark.slow
def test_retraining_from_scratch_reaches_the_bound(tmp_path):
    _, history = train(TrainConfig(), tmp_path / "paper.pt", device="cpu", progress=False)
    assert history[-1]["test_error"] <= TEST_ERROR_BOUND


def test_committed_distorted_checkpoint_beats_the_undistorted_one(test_set):
    distorted = error_rate(load_model("distorted", device="cpu"), *test_set)
    assert distorted <= DISTORTED_TEST_ERROR_BOUND
    assert distorted < error_rate(load_model("paper", device="cpu"), *test_set)
    history = load_history("distorted")
    assert TrainConfig(**history["config"]) == TrainConfig(distortions=True)
    assert history["history"][-1]["test_error"] == pytest.approx(distorted, abs=1e-4)
