"""The benchmark runs and reports both networks side by side (its figures are not asserted)."""

from lenet_nb.studies.bench import main


def test_benchmark_reports_both_networks_and_their_ratio(capsys):
    main(["--patterns", "512", "--batch-size", "16", "--device", "cpu"])
    out = capsys.readouterr().out
    assert "faithful LeNet-5" in out and "tutorial LeNet" in out
    assert "faithful / tutorial: training" in out
