"""The procedure study's recipes and its refusal of results the recipes no longer make."""

import json
from dataclasses import asdict, replace

import pytest
import torch

from lenet_nb.provenance import StaleResultsError
from lenet_nb.studies.procedure import load_results, screen_config
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.evaluation import predict_classes
from lenet_nb.training.recipes import PROCEDURE, RECIPES


def test_each_difference_changes_the_paper_procedure_in_one_option():
    paper = RECIPES["procedure-paper"].config
    assert paper == replace(RECIPES["per-pattern"].config)
    for r in PROCEDURE:
        changed = {k for k, v in asdict(r.config).items() if v != getattr(paper, k)}
        expected = {"procedure-paper": 0, "procedure-all": 4, "procedure-all-but-eta": 3}
        assert len(changed) == expected.get(r.name, 1), r.name
    assert RECIPES["procedure-all-but-eta"].config.schedule == paper.schedule


def _results(tmp_path, config):
    path = tmp_path / "procedure.json"
    run = dict(recipe="procedure-all", seed=0, config=asdict(config))
    path.write_text(json.dumps(dict(runs=[run])))
    return path


def test_results_of_the_current_recipes_load(tmp_path):
    config = screen_config("procedure-all", 0, 2)
    assert load_results(_results(tmp_path, config))["runs"][0]["recipe"] == "procedure-all"


def test_stale_results_are_refused(tmp_path):
    stale = replace(screen_config("procedure-all", 0, 2), curvature_gamma=0.1)
    with pytest.raises(StaleResultsError, match="other recipes.*python -m lenet_nb procedure"):
        load_results(_results(tmp_path, stale))


def test_runs_of_a_recipe_no_longer_defined_are_refused(tmp_path):
    path = _results(tmp_path, screen_config("procedure-all", 0, 2))
    data = json.loads(path.read_text())
    data["runs"][0]["recipe"] = "procedure-gone"
    path.write_text(json.dumps(data))
    with pytest.raises(StaleResultsError, match="procedure-gone seed 0, 2 passes"):
        load_results(path)


def test_the_monitor_records_errors_and_each_layers_median_curvature():
    from lenet_nb.studies.procedure import Monitor
    from lenet_nb.training.sdlm import gauss_newton_diagonal

    torch.manual_seed(0)
    model = TrainConfig().build_model()
    x = torch.randn(20, 1, 32, 32)
    y = torch.arange(20) % 10
    monitor = Monitor((x, y), (x[:10], y[:10]), running=False)
    h = gauss_newton_diagonal(model, x)
    monitor(model, 1, 6_000, h, "curvature")
    monitor(model, 1, 6_000, h, "progress")
    assert monitor.curvature[0]["patterns"] == 66_000 and len(monitor.curvature) == 1
    assert set(monitor.curvature[0]["median_h"]) == {"C1", "S2", "C3", "S4", "C5", "F6"}
    assert monitor.progress[0]["train_error"] == (predict_classes(model, x) != y).double().mean()


def _run(recipe, seed, passes, train_errors, test_error):
    config = asdict(screen_config(recipe, seed, passes))
    history = [dict(train_error=e, test_error=test_error) for e in train_errors]
    return dict(recipe=recipe, seed=seed, config=config, history=history)


def test_outcomes_gather_each_recipes_runs_of_one_length_in_the_studys_order():
    from lenet_nb.book.tables import procedure_table
    from lenet_nb.studies.procedure import outcomes

    runs = [
        _run("procedure-all", 1, 2, [0.03, 0.02], 0.025),
        _run("procedure-all", 0, 2, [0.05, 0.04], 0.035),
        _run("procedure-paper", 0, 2, [0.06, 0.07], 0.065),
        _run("procedure-paper", 0, 20, [0.06] * 19 + [0.01], 0.015),
    ]
    two = outcomes(dict(runs=runs), passes=2)
    assert list(two) == ["procedure-paper", "procedure-all"]
    assert two["procedure-all"]["seeds"] == [0, 1]
    assert two["procedure-all"]["train_errors"] == [0.04, 0.02]
    row = procedure_table(two).data.splitlines()[-1]
    assert row.endswith("| 2 | 4.00% | 3.00% | 3.00%\u00a0±\u00a00.71 |"), row
    twenty = outcomes(dict(runs=runs), passes=20)
    assert list(twenty) == ["procedure-paper"] and twenty["procedure-paper"]["test_errors"] == [
        0.015
    ]
    assert "| 1 | 6.00% | 6.00% | 1.00% | 1.50% |" in procedure_table(twenty).data
