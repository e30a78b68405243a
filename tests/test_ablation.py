"""The committed ablation results: complete, made by the recipes as they are now, summarised
right; and the runner's command is the training CLI."""

import json
from dataclasses import asdict, replace

import pytest

from lenet_nb.studies import ablation, runs
from lenet_nb.training.recipes import RECIPES, parameter_count

STUDIED = {name: r for name, r in RECIPES.items() if r.group in ("tutorial", "ablation")}


@pytest.fixture(scope="module")
def data():
    return ablation.load_results()


def test_every_recipe_ran_on_every_seed(data):
    pairs = sorted((r["recipe"], r["seed"]) for r in data["runs"])
    assert pairs == sorted((name, seed) for name in STUDIED for seed in ablation.SEEDS)
    for run in data["runs"]:
        assert run["test_error"] == run["history"][-1]["test_error"]
        assert len(run["history"]) == RECIPES[run["recipe"]].config.passes


def test_recorded_parameter_counts_are_the_recipes(data):
    assert {name: info["parameters"] for name, info in data["recipes"].items()} == {
        name: parameter_count(r.config) for name, r in STUDIED.items()
    }


def test_a_study_refuses_recipes_it_does_not_hold():
    with pytest.raises(ValueError, match="'paper' is not in `python -m lenet_nb ablation`"):
        ablation.STUDY.work(["paper"])


def test_incomplete_results_name_the_command_that_finishes_them(tmp_path, data):
    partial = dict(data, runs=data["runs"][1:])
    (tmp_path / "partial.json").write_text(json.dumps(partial))
    with pytest.raises(ValueError, match="lacks the runs.*python -m lenet_nb ablation"):
        ablation.load_results(tmp_path / "partial.json")


def test_outcomes_summarise_the_runs(data):
    outs = {o.recipe: o for o in ablation.outcomes(data)}
    errors = sorted(r["test_error"] for r in data["runs"] if r["recipe"] == "ablation-faithful")
    assert sorted(outs["ablation-faithful"].test_errors) == errors
    assert outs["ablation-faithful"].mean == pytest.approx(sum(errors) / 3)
    assert outs["ablation-faithful"].std > 0


def test_results_of_other_recipes_are_refused(tmp_path, monkeypatch):
    changed = dict(RECIPES)
    changed["ablation-sgd"] = replace(
        RECIPES["ablation-sgd"], config=replace(RECIPES["ablation-sgd"].config, lr=0.01)
    )
    monkeypatch.setattr(runs, "RECIPES", changed)
    with pytest.raises(ValueError, match="ablation-sgd.*python -m lenet_nb ablation"):
        ablation.load_results()


def test_a_kept_run_of_an_older_recipe_is_refused(tmp_path, data):
    """Re-running some recipes keeps the others' runs: each run carries its own configuration,
    so one made before its recipe changed is still caught."""
    old = json.loads(json.dumps(data))
    old["runs"][0]["config"]["lr"] = 0.5
    (tmp_path / "old.json").write_text(json.dumps(old))
    with pytest.raises(ValueError, match=old["runs"][0]["recipe"]):
        ablation.load_results(tmp_path / "old.json")


def test_missing_results_name_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m lenet_nb ablation"):
        ablation.load_results(tmp_path / "none.json")


def test_results_table_has_a_row_per_recipe(data):
    table = ablation.results_table(ablation.outcomes(data)).data
    assert len(table.splitlines()) == 2 + len(STUDIED)
    relu = next(o for o in ablation.outcomes(data) if o.recipe == "tutorial-relu-maxpool")
    each = "/".join(f"{100 * e:.2f}" for e in relu.test_errors)
    assert (
        f"| `tutorial-relu-maxpool` | 44,426 | {100 * relu.mean:.2f}%\u00a0±\u00a0"
        f"{100 * relu.std:.2f} | {each} | {relu.train_seconds:.0f}\u00a0s | 1.67% |"
    ) in table


def test_each_run_is_the_training_command(tmp_path):
    command = runs.run_command("ablation-relu", 2, tmp_path / "r.pt", None)
    assert command[1:] == [
        "-m",
        "lenet_nb.training.train",
        "--recipe",
        "ablation-relu",
        "--seed",
        "2",
        "--out",
        str(tmp_path / "r.pt"),
        "--resume",
        "--quiet",
    ]


def test_results_file_is_plain_json_with_its_command():
    text = ablation.STUDY.results.read_text()
    assert json.loads(text)["command"] == ablation.STUDY.command == "python -m lenet_nb ablation"


def test_rerunning_some_runs_keeps_every_other_run(tmp_path, monkeypatch, data):
    """`--recipes X --seeds 3` adds X's seed 3 and keeps X's seeds 0-2 and every other recipe."""
    monkeypatch.setattr(
        runs,
        "train_run",
        lambda name, seed, *_: dict(
            data["runs"][0],
            recipe=name,
            seed=seed,
            config=asdict(replace(RECIPES[name].config, seed=seed)),
        ),
    )
    results = tmp_path / "ablation.json"
    results.write_text(json.dumps(data))
    done = runs.run_all(
        ablation.STUDY, ["ablation-relu"], seeds=(3,), runs=tmp_path, results=results, jobs=1
    )
    assert len(done) == len(data["runs"]) + 1
    written = json.loads(results.read_text())
    assert written["seeds"] == [0, 1, 2, 3]
    assert sum(r["recipe"] == "ablation-relu" for r in written["runs"]) == 4


def test_the_runs_folder_is_made_before_the_first_run(tmp_path, monkeypatch, data):
    """The default `--runs runs/<study>` exists in no fresh clone: the study makes it."""
    folder = tmp_path / "runs" / "ablation"

    def train_run(name, seed, where, *_):
        assert where.is_dir(), "a run's checkpoint would have nowhere to go"
        return dict(data["runs"][0], recipe=name, seed=seed)

    monkeypatch.setattr(runs, "train_run", train_run)
    results = tmp_path / "ablation.json"
    results.write_text(json.dumps(data))
    runs.run_all(ablation.STUDY, ["ablation-relu"], (3,), folder, results, jobs=1)
    assert folder.is_dir()
