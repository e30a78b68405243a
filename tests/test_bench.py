"""The benchmark runs and reports both networks side by side (its figures are not asserted)."""

import pytest

from lenet_nb.studies.bench import main


def test_benchmark_reports_both_networks_and_their_ratio(capsys):
    main(["--patterns", "512", "--batch-size", "16", "--device", "cpu"])
    out = capsys.readouterr().out
    assert "faithful LeNet-5" in out and "tutorial LeNet" in out
    assert "faithful / tutorial: training" in out


def test_reproduction_names_the_recipes_it_can_time(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--reproduction", "lenet1"])
    assert exit_.value.code == 2
    assert "choose from 'paper', 'batch-8'" in capsys.readouterr().err
