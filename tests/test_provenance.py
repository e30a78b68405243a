"""A committed result is refused, with the command that regenerates it, when it was made from
other checkpoints, settings or constants than the package holds now (lenet_nb.provenance); every
study reads its committed file through it."""

import json

import pytest

from lenet_nb import provenance
from lenet_nb.provenance import StaleResultsError
from lenet_nb.reading import not_a_digit, rejection
from lenet_nb.studies import ablation, invariance, published, seeds
from lenet_nb.studies import strings as string_study

MADE_FROM = {"checkpoints": {"paper": "ab", "sdnn": "cd"}, "settings": {"sizes": (28, 32)}}


@pytest.fixture
def result(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({**MADE_FROM, "chosen": {"penalty": 5.0}, "errors": [3, 1]}))
    return path


def test_a_result_made_from_what_the_package_holds_loads_as_written(result):
    data = provenance.load(result, "python -m lenet_nb study", MADE_FROM)
    assert data["errors"] == [3, 1] and data["settings"] == {"sizes": [28, 32]}
    assert provenance.load(result, "c", {"chosen.penalty": 5.0})["chosen"] == {"penalty": 5.0}


@pytest.mark.parametrize(
    "now, named",
    [
        ({"checkpoints": {"paper": "ab", "sdnn": "ef"}}, "other checkpoints .*differing: sdnn"),
        ({"checkpoints": {"paper": "ab"}}, "other checkpoints .*differing: sdnn"),
        ({"settings": {"sizes": (28,)}}, "other settings .*differing: sizes"),
        ({"chosen.penalty": 10.0}, r"other chosen.penalty .*the file's 5.0, the package's 10.0"),
        ({"seed": 0}, "other seed .*the file's None, the package's 0"),
    ],
)
def test_a_result_made_from_anything_else_is_refused_naming_it_and_the_command(result, now, named):
    with pytest.raises(StaleResultsError, match=named + ".*regenerate it with `python -m lenet_nb"):
        provenance.load(result, "python -m lenet_nb study", now)


def test_a_missing_result_names_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="compute them with `python -m lenet_nb study`"):
        provenance.load(tmp_path / "none.json", "python -m lenet_nb study", {})


@pytest.mark.parametrize(
    "load",
    [
        rejection.load_results,
        not_a_digit.load_results,
        invariance.load_results,
        string_study.load_results,
        seeds.load_results,
        ablation.load_results,
        published.load_baselines,
    ],
)
def test_every_committed_result_is_what_the_package_makes_now(load):
    assert load()["command"].startswith("python -m lenet_nb ")


def test_a_rejection_result_for_another_target_is_refused(tmp_path):
    path = tmp_path / "rejection.json"
    path.write_text(json.dumps({**rejection.load_results(), "target_error": 0.01}))
    with pytest.raises(StaleResultsError, match="other target_error.*lenet_nb rejection"):
        rejection.load_results(path)


def test_a_rejection_result_for_other_networks_is_refused(tmp_path):
    """Its thresholds are the committed networks' margins: a retrained network needs new ones."""
    path = tmp_path / "rejection.json"
    made = rejection.load_results()
    path.write_text(json.dumps({**made, "checkpoints": {**made["checkpoints"], "paper": "0" * 64}}))
    with pytest.raises(StaleResultsError, match="other checkpoints .*differing: paper"):
        rejection.load_results(path)


def test_baselines_of_other_settings_are_refused(tmp_path):
    path = tmp_path / "baselines.json"
    changed = published.load_baselines()
    changed["settings"] = {**changed["settings"], "seed": 1}
    path.write_text(json.dumps(changed))
    with pytest.raises(StaleResultsError, match="other settings .*differing: seed"):
        published.load_baselines(path)
