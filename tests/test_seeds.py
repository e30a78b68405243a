"""The training claims over seeds: complete committed data, the committed checkpoints are the
runs the data says they are, and the bounds the book asserts come from the measured spread."""

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from lenet_nb import load_history, load_model
from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.studies import procedure, seeds
from lenet_nb.training.checkpoint import PACKAGED, history_path
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
    faithful recipe that meets the paper's numbers, its updates fused, as every per-pattern
    SDLM run's are (the study's own runs are, so that the two repeat each other)."""
    config, args = parse_config(["--out", "paper.pt"])
    assert config == RECIPES["paper"].config == RECIPES["procedure-authors-eta"].config
    assert args.fused is None and fuses(config) and fuses(RECIPES["per-pattern"].config)
    assert not fuses(RECIPES["batch-8"].config)
    for recipe, distorted in seeds.WITH_DISTORTIONS.items():
        assert RECIPES[distorted].config == replace(RECIPES[recipe].config, distortions=True)
    for series, sizes in seeds.TRAINING_SIZES.items():
        assert {name: RECIPES[name].config.train_size for name in sizes} == sizes
        assert all(
            RECIPES[name].config == replace(RECIPES[series].config, train_size=size)
            for name, size in sizes.items()
        )


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


def test_install_copies_only_the_runs_the_results_record(data, tmp_path, monkeypatch, capsys):
    """``seeds --install`` copies a committed seed's run into the package only if it is the run
    seeds.json records: an unfinished or older run left in runs/ must not replace the network."""
    runs_dir, package = tmp_path / "runs", tmp_path / "package"
    runs_dir.mkdir(), package.mkdir()
    for recipe in seeds.COMMITTED:
        run = runs_dir / f"{recipe}-seed{seeds.COMMITTED[recipe]}.pt"
        shutil.copyfile(PACKAGED / f"{recipe}.pt", run)
        shutil.copyfile(history_path(PACKAGED / f"{recipe}.pt"), history_path(run))
    stale = history_path(runs_dir / f"distorted-seed{seeds.COMMITTED['distorted']}.pt")
    unfinished = json.loads(stale.read_text())
    unfinished["history"] = unfinished["history"][:3]
    stale.write_text(json.dumps(unfinished))
    monkeypatch.setattr(seeds, "PACKAGED", package)
    seeds.install(data, runs_dir)
    assert sorted(p.name for p in package.iterdir()) == ["paper.json", "paper.pt"]
    assert (package / "paper.pt").read_bytes() == (PACKAGED / "paper.pt").read_bytes()
    assert "distorted.pt kept" in capsys.readouterr().out


def test_training_size_points_grow(outs):
    for series in ("paper", "batch-8"):
        points = seeds.training_size_points(outs, series)
        assert [size for size, _ in points] == [15_000, 30_000, 60_000]
        assert all(o.recipe in seeds.STUDY.seeds for _, o in points)


def test_results_name_their_command():
    text = seeds.STUDY.results.read_text()
    assert json.loads(text)["command"] == seeds.STUDY.command == "python -m lenet_nb seeds"


def test_the_reproductions_runs_are_the_procedure_studys_authors_eta_runs(data):
    """The same recipe, seeds and fused updates on one thread: the seeds study's ``paper`` runs
    repeat the procedure study's 20-pass ``procedure-authors-eta`` runs, every pass's loss and
    errors to the bit (so the two studies must be regenerated together)."""
    study = procedure.load_results()["runs"]
    authors = {r["seed"]: r for r in study if r["recipe"] == "procedure-authors-eta"}
    authors = {s: r for s, r in authors.items() if r["config"]["passes"] == 20}
    runs = [r for r in data["runs"] if r["recipe"] == "paper"]
    assert {r["seed"] for r in runs} == set(authors)
    fields = ("pass_", "eta", "loss", "train_error", "test_error")
    for run in runs:
        ours, theirs = run["history"], authors[run["seed"]]["history"]
        assert [[h[f] for f in fields] for h in ours] == [[h[f] for f in fields] for h in theirs]


def test_each_recipe_runs_its_first_seed_before_any_recipe_runs_a_second():
    """So that a long study has a result for every recipe early, and the committed seed first."""
    work = seeds.STUDY.work()
    firsts = [pair for pair in work if pair[1] == seeds.STUDY.seeds[pair[0]][0]]
    assert work[: len(firsts)] == firsts
    assert work[0] == ("paper", seeds.COMMITTED["paper"])
    assert seeds.STUDY.work(["distorted"], seeds=[5, 6]) == [("distorted", 5), ("distorted", 6)]


def test_the_guides_seeds_table_is_the_studys(outs):
    """MAINTAINERS.md's table over seeds states what seeds.json holds, row by row."""
    guide = (Path(__file__).resolve().parents[1] / "MAINTAINERS.md").read_text()
    rows = re.findall(
        r"^\| `([\w-]+)`[^|]* \| (\d+) \| ([\d.]+)% ± ([\d.]+) \| "
        r"([\d. /]+) \| ([\d.]+)% ± ([\d.]+) \|",
        guide,
        re.MULTILINE,
    )
    assert {"paper", "distorted", "paper-15000", "paper-30000"} <= {row[0] for row in rows}
    for recipe, count, mean, std, each, train_mean, train_std in rows:
        o = outs[recipe]
        assert int(count) == len(o.seeds), recipe
        stated = [float(mean), float(std), float(train_mean), float(train_std)]
        measured = [round(100 * v, 2) for v in (o.mean, o.std, o.train_mean, o.train_std)]
        assert stated == measured, recipe
        assert [float(e) for e in each.split(" / ")] == [round(100 * e, 2) for e in o.test_errors]
