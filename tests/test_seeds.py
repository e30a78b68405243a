"""The training claims over seeds: complete committed data, the committed checkpoints are the
runs the data says they are, and the bounds the book asserts come from the measured spread."""

import json

import pytest
import torch

from lenet_nb import load_history, load_model
from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.studies import seeds
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.evaluation import error_rate, predict_classes
from lenet_nb.training.recipes import RECIPES
from lenet_nb.training.train import fuses, parse_config


@pytest.fixture(scope="module")
def data():
    return seeds.load_results()


@pytest.fixture(scope="module")
def outs(data):
    return seeds.outcomes(data)


def test_every_recipe_ran_on_its_seeds(data):
    assert sorted((r["recipe"], r["seed"]) for r in data["runs"]) == sorted(seeds.STUDY.work())
    assert len(seeds.STUDY.seeds["paper"]) >= 3 and len(seeds.STUDY.seeds["distorted"]) >= 3
    for run in data["runs"]:
        assert len(run["history"]) == RECIPES[run["recipe"]].config.passes
        assert run["test_error"] == run["history"][-1]["test_error"]


def test_the_reproduction_is_the_default_command(data):
    """``python -m lenet_nb train --out X`` trains the recipe paper: the procedure study's most
    faithful recipe that meets the paper's numbers, its updates fused."""
    config, args = parse_config(["--out", "paper.pt"])
    assert config == RECIPES["paper"].config == RECIPES["procedure-all-but-eta"].config
    assert args.fused is None and fuses(config) and not fuses(RECIPES["per-pattern"].config)
    assert RECIPES["distorted"].config == TrainConfig(distortions=True)
    sizes = {name: RECIPES[name].config.train_size for name in seeds.TRAINING_SIZES}
    assert sizes == seeds.TRAINING_SIZES


@pytest.mark.parametrize("recipe", list(seeds.COMMITTED))
def test_committed_checkpoint_is_the_named_seed(recipe, data):
    """The packaged network is bit for bit the run the data records: its history is the run's,
    and its test error, measured now, is the run's to one digit in 10,000 (other CPUs round
    differently)."""
    run = seeds.committed_run(data, recipe)
    history = load_history(recipe)
    assert history["history"] == run["history"]
    assert TrainConfig(**history["config"]) == TrainConfig(**run["config"])
    test_x, test_y = mnist_tensors(train=False)
    measured = error_rate(predict_classes(load_model(recipe, device="cpu"), test_x), test_y)
    assert measured == pytest.approx(run["test_error"], abs=1.5e-4)


def test_retrain_bound_is_mean_plus_spread(outs):
    paper = outs["paper"]
    values = torch.tensor(paper.test_errors, dtype=torch.float64)
    assert seeds.retrain_bound(paper) == pytest.approx(
        values.mean().item() + seeds.SPREAD_FACTOR * values.std().item()
    )
    assert max(paper.test_errors) <= seeds.retrain_bound(paper)


def test_seeds_table_rows(outs):
    table = seeds.seeds_table(outs).data
    assert len(table.splitlines()) == 2 + len(seeds.STUDY.seeds)
    paper = outs["paper"]
    each = "/".join(f"{100 * e:.2f}" for e in paper.test_errors)
    assert (
        f"| `paper` | {len(paper.seeds)} | {100 * paper.mean:.2f}%\u00a0±\u00a0"
        f"{100 * paper.std:.2f} | {each} |" in table
    )
    single = next(o for o in outs.values() if len(o.seeds) == 1)
    assert f"| `{single.recipe}` | 1 | {100 * single.mean:.2f}% | " in table  # no spread of one run


def test_training_size_points_grow(outs):
    points = seeds.training_size_points(outs)
    assert [size for size, _ in points] == [15_000, 30_000, 60_000]
    assert all(o.recipe in seeds.STUDY.seeds for _, o in points)


def test_results_name_their_command():
    text = seeds.STUDY.results.read_text()
    assert json.loads(text)["command"] == seeds.STUDY.command == "python -m lenet_nb seeds"


def test_each_recipe_runs_its_first_seed_before_any_recipe_runs_a_second():
    """So that a long study has a result for every recipe early, and the committed seed first."""
    work = seeds.STUDY.work()
    firsts = [pair for pair in work if pair[1] == seeds.STUDY.seeds[pair[0]][0]]
    assert work[: len(firsts)] == firsts
    assert work[0] == ("paper", seeds.COMMITTED["paper"])
    assert seeds.STUDY.work(["distorted"], seeds=[5, 6]) == [("distorted", 5), ("distorted", 6)]
