"""The committed ablation results: complete, made by the recipes as they are now, summarised
right; and the runner's command is the training CLI."""
import json
from dataclasses import replace

import pytest

from lenet_nb import ablation
from lenet_nb.variants import RECIPES, parameter_count


@pytest.fixture(scope="module")
def data():
    return ablation.load_results()


def test_every_recipe_ran_on_every_seed(data):
    runs = sorted((r["recipe"], r["seed"]) for r in data["runs"])
    assert runs == sorted((name, seed) for name in RECIPES for seed in ablation.SEEDS)
    for run in data["runs"]:
        assert run["test_error"] == run["history"][-1]["test_error"]
        assert len(run["history"]) == RECIPES[run["recipe"]].config.passes


def test_recorded_parameter_counts_are_the_recipes(data):
    assert {name: info["parameters"] for name, info in data["recipes"].items()} == {
        name: parameter_count(r.config) for name, r in RECIPES.items()}


def test_outcomes_summarise_the_runs(data):
    outs = {o.recipe: o for o in ablation.outcomes(data)}
    errors = sorted(r["test_error"] for r in data["runs"] if r["recipe"] == "ablation-faithful")
    assert sorted(outs["ablation-faithful"].test_errors) == errors
    assert outs["ablation-faithful"].mean == pytest.approx(sum(errors) / 3)
    assert outs["ablation-faithful"].std > 0


def test_results_of_other_recipes_are_refused(tmp_path, monkeypatch):
    changed = dict(RECIPES)
    changed["ablation-sgd"] = replace(RECIPES["ablation-sgd"],
                                      config=replace(RECIPES["ablation-sgd"].config, lr=0.01))
    monkeypatch.setattr(ablation, "RECIPES", changed)
    with pytest.raises(ValueError, match="ablation-sgd.*python -m lenet_nb.ablation"):
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
    with pytest.raises(FileNotFoundError, match="python -m lenet_nb.ablation"):
        ablation.load_results(tmp_path / "none.json")


def test_results_table_has_a_row_per_recipe(data):
    table = ablation.results_table(ablation.outcomes(data)).data
    assert len(table.splitlines()) == 2 + len(RECIPES)
    assert "| `tutorial-relu-maxpool` | 44,426 | 2.18% ± 0.24 | 2.07 / 2.01 / 2.46 | 50 s | 1.67% |" \
        in table


def test_each_run_is_the_training_command(tmp_path):
    command = ablation.run_command("ablation-relu", 2, tmp_path / "r.pt", None)
    assert command[1:] == ["-m", "lenet_nb.train", "--recipe", "ablation-relu", "--seed", "2",
                           "--out", str(tmp_path / "r.pt"), "--resume", "--quiet"]


def test_results_file_is_plain_json_with_its_command():
    text = ablation.RESULTS.read_text()
    assert json.loads(text)["command"] == ablation.COMMAND == "python -m lenet_nb.ablation"
