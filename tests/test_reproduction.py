"""The committed networks reach what MAINTAINERS.md states, and so does a retrain: within the
spread that changing the seed gives (``lenet_nb.studies.seeds``)."""

import re
import statistics
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from lenet_nb import load_model
from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.studies import seeds
from lenet_nb.training.evaluation import error_rate, predict_classes
from lenet_nb.training.recipes import RECIPES
from lenet_nb.training.train import train

GUIDE = Path(__file__).resolve().parents[1] / "MAINTAINERS.md"


@pytest.fixture(scope="module")
def outs():
    return seeds.outcomes(seeds.load_results())


@pytest.fixture(scope="module")
def test_set():
    return mnist_tensors(train=False)


@pytest.mark.parametrize("recipe", ["paper", "distorted"])
def test_the_guide_states_the_bounds_the_tests_assert(recipe, outs):
    """MAINTAINERS.md: '... a test error of at most **X%** (mean + 3 sd over its N seeds)' for
    each."""
    stated = re.findall(
        r"test\s+error\s+of\s+at\s+most\s+\*\*([\d.]+)%\*\*\s+\(`" + recipe + "`", GUIDE.read_text()
    )
    assert stated, (
        f"MAINTAINERS.md must state the bound of `{recipe}` as "
        f"'test error of at most **X%** (`{recipe}`'"
    )
    assert float(stated[0]) == pytest.approx(100 * seeds.stated_bound(outs[recipe]))


def test_distortions_help_within_the_spread_per_pattern_and_beyond_it_at_batch_8(outs, test_set):
    """Section III-C's claim, as the Results chapter states it: over seeds, distortions lower the
    per-pattern recipe's mean test error by less than the seeds' spread (the paper's 0.15 points
    are not resolved) and batch-8's by more; the committed pair keeps the order."""
    gain, spread = seeds.distortion_gain(outs, "paper")
    assert 0 < gain < spread
    gain_8, spread_8 = seeds.distortion_gain(outs, "batch-8")
    assert gain_8 > spread_8
    images, labels = test_set
    paper, distorted = (
        error_rate(predict_classes(load_model(name, device="cpu"), images), labels)
        for name in ("paper", "distorted")
    )
    assert distorted < paper


# A retrain runs the first passes of the recipe's schedule only: the whole 20 cost more than
# ten minutes of one core, and a broken loss, curvature, schedule or data path shows as clearly
# after two (the committed seeds: 1.40%, 1.64%, 1.60% after pass 2, 0.79%, 0.84%, 0.80% after 20).
RETRAIN_PASSES = 2


@pytest.mark.slow
def test_retraining_from_scratch_is_one_more_seed(tmp_path):
    """A retrain of the committed seed, here (another CPU or thread count rounds differently),
    lands within the spread of the committed seeds after as many passes: mean +- 3 sd."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the committed seeds were trained
    try:
        _, history = train(
            replace(RECIPES["paper"].config, seed=seeds.COMMITTED["paper"], passes=RETRAIN_PASSES),
            tmp_path / "paper.pt",
            device="cpu",
            progress=False,
        )
    finally:
        torch.set_num_threads(threads)
    runs = [r for r in seeds.load_results()["runs"] if r["recipe"] == "paper"]
    errors = [r["history"][RETRAIN_PASSES - 1]["test_error"] for r in runs]
    spread = seeds.SPREAD_FACTOR * statistics.stdev(errors)
    assert abs(history[-1]["test_error"] - statistics.fmean(errors)) <= spread, errors
