"""The procedure study's recipes and its refusal of results the recipes no longer make."""

import json
from dataclasses import asdict, replace

import pytest
import torch

from lenet_nb.studies.procedure import load_results, screen_config
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.evaluation import predict_classes
from lenet_nb.training.recipes import PROCEDURE, RECIPES


def test_each_difference_changes_the_paper_procedure_in_one_option():
    paper = RECIPES["procedure-paper"].config
    assert paper == replace(RECIPES["per-pattern"].config)
    for r in PROCEDURE:
        changed = {k for k, v in asdict(r.config).items() if v != getattr(paper, k)}
        expected = 4 if r.name == "procedure-all" else (0 if r.name == "procedure-paper" else 1)
        assert len(changed) == expected, r.name


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
    with pytest.raises(ValueError, match="no longer make.*python -m lenet_nb procedure"):
        load_results(_results(tmp_path, stale))


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
