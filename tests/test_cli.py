"""Every command line checks its arguments before any work: a bad value ends the command with
exit status 2 and one line on stderr that names the option (never a traceback, never a run of
nonsense). Most cases call a command's ``main(argv)`` in this process (each new process costs
seconds to import torch); two go through ``python -m lenet_nb`` itself."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lenet_nb.book.figures import architecture
from lenet_nb.book.widgets import export
from lenet_nb.reading import predict, rejection
from lenet_nb.studies import (
    ablation,
    baselines,
    bench,
    bench_js,
    boosting,
    family,
    invariance,
    seeds,
)
from lenet_nb.training import recipes, train
from lenet_nb.training.config import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
MISSING = "/no/such/folder/out.json"
# A device no machine here has: no GPU at all, or not 99 of them.
NO_DEVICE = "cuda:99"
ABSENT_CUDA = [] if torch.cuda.is_available() else [("--device", "cuda")]


def refused(capsys, main, argv, option):
    """``main(argv)`` exits with status 2 and one line on stderr naming ``option``."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    assert stop.value.code == 2, (argv, err)
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert option in err, err
    assert "Traceback" not in err and out == ""
    return err


TRAIN_BAD = [
    ("--passes", "0"),
    ("--passes", "-1"),
    ("--passes", "two"),
    ("--batch-size", "0"),
    ("--train-size", "0"),
    ("--train-size", "60001"),
    ("--eta-scale", "-1"),
    ("--eta-scale", "0"),
    ("--mu", "-5"),
    ("--mu", "0"),
    ("--mu", "nan"),
    ("--j", "0"),
    ("--j", "inf"),
    ("--lr", "-0.1"),
    ("--momentum", "-0.5"),
    ("--seed", "-1"),
    ("--device", NO_DEVICE),
    ("--device", "abacus"),
    *ABSENT_CUDA,
    ("--out", MISSING),
    ("--optimizer", "rmsprop"),
    ("--loss", "hinge"),
    ("--input-size", "30"),
    ("--recipe", "no-such-recipe"),
]


@pytest.mark.parametrize("option, value", TRAIN_BAD)
def test_train_refuses_a_bad_value(capsys, tmp_path, option, value):
    argv = ["--out", str(tmp_path / "x.pt"), option, value]
    refused(capsys, train.main, argv, option)
    assert not (tmp_path / "x.pt").exists()


@pytest.mark.parametrize(
    "argv, option",
    [
        (["--optimizer", "sgd"], "--lr"),  # sgd without a learning rate
        (["--optimizer", "adam", "--lr", "0.001", "--momentum", "0.9"], "--momentum"),
        (["--distortions", "--input-size", "28"], "--distortions"),
        (["--output", "linear"], "cross_entropy"),  # the linear output's loss
        (["--network", "lenet1"], "--input-size 28"),  # LeNet-1 reads 28x28 fields
        (["--network", "lenet4", "--pooling", "max"], "variant options"),
        (
            [
                "--recipe",
                next(name for name, r in recipes.RECIPES.items() if r.config.momentum),
                "--optimizer",
                "adam",
                "--lr",
                "0.01",
            ],
            "--momentum",
        ),  # a recipe's momentum, for sgd
    ],
)
def test_train_refuses_options_that_do_not_go_together(capsys, tmp_path, argv, option):
    # --passes 1 --train-size 8: should a refusal be missed, the run it starts is short.
    refused(
        capsys,
        train.main,
        ["--out", str(tmp_path / "x.pt"), *argv, "--passes", "1", "--train-size", "8"],
        option,
    )


def test_train_refuses_to_resume_a_checkpoint_of_other_options(capsys, tmp_path):
    out = tmp_path / "x.pt"
    data = [torch.zeros(16, 1, 32, 32), torch.zeros(16, dtype=torch.long)] * 2
    train.train(TrainConfig(passes=1, train_size=16), out, data=data, progress=False, compile=False)
    refused(
        capsys,
        train.main,
        ["--out", str(out), "--resume", "--passes", "2", "--train-size", "32"],
        "--resume",
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("passes", 0),
        ("passes", -1),
        ("passes", 2.5),
        ("batch_size", 0),
        ("train_size", 0),
        ("train_size", 60_001),
        ("seed", -1),
        ("eta_scale", -1.0),
        ("mu", -5.0),
        ("mu", 0.0),
        ("j", 0.0),
        ("j", math.nan),
        ("lr", -1.0),
        ("momentum", -0.5),
        ("loss", "hinge"),
    ],
)
def test_a_train_config_names_its_bad_field(field, value):
    with pytest.raises(ValueError, match=rf"^{field} \(--{field.replace('_', '-')}\)"):
        TrainConfig(**{field: value})


def test_predict_refuses_missing_files_and_unknown_networks(capsys, tmp_path):
    refused(capsys, predict.main, [str(tmp_path / "missing.png")], "missing.png does not exist")
    refused(capsys, predict.main, [str(tmp_path)], "is a folder")
    (tmp_path / "a.png").write_bytes(b"")
    refused(capsys, predict.main, [str(tmp_path / "a.png"), "--model", "lenet7"], "--model")
    refused(capsys, predict.main, [str(tmp_path / "a.png"), "--polarity", "up"], "--polarity")
    refused(capsys, predict.main, [], "files")


@pytest.mark.parametrize(
    "main, option",
    [
        (rejection.main, "--out"),
        (rejection.main, "--not-a-digit-out"),
        (baselines.main, "--out"),
        (invariance.main, "--out"),
        (export.main, "--out"),
        (seeds.main, "--results"),
        (ablation.main, "--results"),
    ],
)
def test_results_go_only_into_folders_that_exist(capsys, main, option):
    refused(capsys, main, [option, MISSING], option)


def test_a_folder_is_not_a_file_to_write(capsys, tmp_path):
    refused(capsys, export.main, ["--out", str(tmp_path)], "--out")


@pytest.mark.parametrize("study", [seeds, ablation])
@pytest.mark.parametrize(
    "option, value",
    [
        ("--jobs", "0"),
        ("--jobs", "-2"),
        ("--seeds", "-1"),
        ("--seeds", "x"),
        ("--device", NO_DEVICE),
        *ABSENT_CUDA,
        ("--recipes", "no-such-recipe"),
        ("--runs", __file__),
    ],
)
def test_the_studies_refuse_a_bad_value(capsys, study, option, value):
    refused(capsys, study.main, [option, value], option)


@pytest.mark.parametrize(
    "option, value",
    [
        ("--patterns", "0"),
        ("--patterns", "70000"),
        ("--batch-size", "0"),
        ("--device", NO_DEVICE),
        ("--device", "abacus"),
        *ABSENT_CUDA,
    ],
)
def test_bench_refuses_a_bad_value(capsys, option, value):
    refused(capsys, bench.main, [option, value], option)


@pytest.mark.parametrize(
    "option, value", [("--digits", "0"), ("--digits", "10001"), ("--network", "lenet7")]
)
def test_bench_js_refuses_a_bad_value(capsys, option, value):
    refused(capsys, bench_js.main, [option, value], option)


@pytest.mark.parametrize(
    "main",
    [recipes.main, architecture.main, baselines.main, invariance.main, rejection.main, export.main],
)
def test_an_unknown_option_is_one_line(capsys, main):
    refused(capsys, main, ["--bogus"], "--bogus")


@pytest.mark.parametrize(
    "argv, option",
    [
        (["train", "--passes", "0", "--out", "x.pt"], "--passes"),
        (["bench", "--device", NO_DEVICE], "--device"),
    ],
)
def test_the_entry_point_exits_2_with_one_line(argv, option):
    done = subprocess.run(
        [sys.executable, "-m", "lenet_nb", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and option in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "main, argv, option",
    [
        (family.main, ["--jobs", "0"], "--jobs"),
        (boosting.main, ["--ensemble", "-1"], "--ensemble"),
        (boosting.main, ["--ensemble", "0", "--runs", MISSING], "--runs"),
    ],
)
def test_the_family_study_refuses_a_bad_value(capsys, main, argv, option):
    refused(capsys, main, argv, option)


def test_boosting_needs_its_first_net(capsys, tmp_path):
    err = refused(capsys, boosting.main, ["--ensemble", "0", "--runs", str(tmp_path)], "first net")
    assert "python -m lenet_nb family" in err
