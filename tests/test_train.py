"""Losses, the training loop, checkpoints and resume."""

import json
import os

import pytest
import torch

from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.network.model import LeNet5
from lenet_nb.training import checkpoint
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.evaluation import error_rate, predict_classes
from lenet_nb.training.losses import criterion, map_criterion, maximum_likelihood
from lenet_nb.training.train import batch_loss, compiles, main, train


def test_maximum_likelihood_is_the_correct_class_penalty():
    y = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 9.0]])
    assert maximum_likelihood(y, torch.tensor([2, 0])).item() == pytest.approx((2.0 + 0.5) / 2)


def test_map_criterion_is_eq_9():
    y = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, 9.0]], dtype=torch.float64)
    t, j = torch.tensor([2, 0]), 1.5
    by_hand = [
        (y[p, t[p]] + torch.log(torch.exp(torch.tensor(-j)) + torch.exp(-y[p]).sum())).item()
        for p in range(2)
    ]
    assert map_criterion(y, t, j).item() == pytest.approx(sum(by_hand) / 2)
    assert map_criterion(y, t, j, reduction="none").tolist() == pytest.approx(by_hand)


def test_j_stops_large_penalties_being_pushed_further():
    y = torch.tensor([[0.0, 30.0, 30.0]], requires_grad=True)
    (grad_small_j,) = torch.autograd.grad(map_criterion(y, torch.tensor([0]), j=0.1), y)
    (grad_large_j,) = torch.autograd.grad(map_criterion(y, torch.tensor([0]), j=50.0), y)
    # With small j the e^-j constant dominates: the wrong classes get almost no push.
    assert grad_small_j[0, 1:].abs().max() < grad_large_j[0, 1:].abs().max()


def test_unknown_loss_is_named():
    with pytest.raises(ValueError, match="unknown loss 'mse'"):
        criterion("mse")


@pytest.fixture(scope="module")
def small_data():
    train_x, train_y = mnist_tensors(True)
    test_x, test_y = mnist_tensors(False)
    return train_x[:2000], train_y[:2000], test_x[:200], test_y[:200]


def test_resume_ends_with_the_weights_of_an_uninterrupted_run(tmp_path, small_data):
    config = TrainConfig(passes=3, batch_size=16, train_size=600)
    straight, history = train(
        config, tmp_path / "straight.pt", device="cpu", progress=False, data=small_data
    )
    interrupted = TrainConfig(**{**config.__dict__, "passes": 2})
    train(interrupted, tmp_path / "resumed.pt", device="cpu", progress=False, data=small_data)
    # Continue the same run: the stored configuration says 2 passes, so rewrite it to ask for 3.
    model, _, hist = checkpoint.load(tmp_path / "resumed.pt")
    checkpoint.save(tmp_path / "resumed.pt", model, config, hist)
    resumed, resumed_history = train(
        config, tmp_path / "resumed.pt", resume=True, device="cpu", progress=False, data=small_data
    )
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), name
    assert [h["test_error"] for h in history] == [h["test_error"] for h in resumed_history]


def test_resume_keeps_a_running_average_curvature(tmp_path, small_data):
    """The default recipe's curvature follows the network from pattern to pattern: the
    checkpoint carries it, so a resumed run still ends with the uninterrupted run's weights."""
    config = TrainConfig(passes=2, batch_size=1, eta_scale=1.0, curvature_gamma=0.05, train_size=80)
    kwargs = dict(device="cpu", progress=False, data=small_data, fused=False)
    straight, _ = train(config, tmp_path / "straight.pt", **kwargs)
    out = tmp_path / "resumed.pt"
    train(TrainConfig(**{**config.__dict__, "passes": 1}), out, **kwargs)
    model, _, hist = checkpoint.load(out)
    checkpoint.save(out, model, config, hist, curvature=checkpoint.load_curvature(out))
    resumed, _ = train(config, out, resume=True, **kwargs)
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), name
    checkpoint.save(out, model, config, hist)  # as written before checkpoints kept it
    with pytest.raises(checkpoint.CheckpointError, match="no running-average curvature"):
        train(config, out, resume=True, **kwargs)


def test_training_learns_and_writes_checkpoint_and_history(tmp_path, small_data):
    out = tmp_path / "run.pt"
    model, history = train(
        TrainConfig(passes=3, train_size=2000), out, device="cpu", progress=False, data=small_data
    )
    assert history[-1]["train_error"] < 0.5  # from 90% at chance
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["history"] == history and saved["config"]["passes"] == 3
    assert (
        [h["eta"] for h in history] == TrainConfig(passes=3).etas == [0.0005 / 8] * 2 + [0.0002 / 8]
    )
    loaded, config, _ = checkpoint.load(out)
    test_error = error_rate(predict_classes(loaded, small_data[2]), small_data[3])
    assert test_error == history[-1]["test_error"]
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".part")]


def test_resume_with_other_options_is_refused(tmp_path, small_data):
    out = tmp_path / "run.pt"
    train(TrainConfig(passes=1, train_size=600), out, device="cpu", progress=False, data=small_data)
    with pytest.raises(ValueError, match="resume with the same options"):
        train(
            TrainConfig(passes=1, train_size=600, seed=1),
            out,
            resume=True,
            device="cpu",
            progress=False,
            data=small_data,
        )


def test_compile_is_the_default_only_where_it_pays():
    assert compiles(TrainConfig(), "cpu")  # the 20-pass reproduction at batch 8
    assert not compiles(TrainConfig(batch_size=64), "cpu")
    assert not compiles(TrainConfig(passes=1, train_size=600), "cpu")
    assert not compiles(TrainConfig(), "cuda")


def test_compiled_batch_loss_agrees_with_eager(small_data):
    model, config = LeNet5(), TrainConfig()
    x, y = small_data[0][:8], small_data[1][:8]
    eager = batch_loss(model, config, sdlm=True)(x, y)
    compiled = batch_loss(model, config, sdlm=True, compile=True)(x, y)
    assert torch.allclose(compiled, eager, rtol=1e-5)


def _no_compiler(fn, **kwargs):
    def fail(*args):
        raise RuntimeError("InvalidCxxCompiler: No working C++ compiler found")

    return fail


def _no_dynamo(fn, **kwargs):
    raise RuntimeError("torch.compile is not supported on this platform")


@pytest.mark.parametrize("broken_compile", [_no_compiler, _no_dynamo])
def test_training_falls_back_to_eager_where_compiling_fails(
    small_data, monkeypatch, broken_compile
):
    config = TrainConfig(passes=1, batch_size=16, train_size=320)
    eager, _ = train(config, device="cpu", progress=False, data=small_data, compile=False)
    monkeypatch.setattr(torch, "compile", broken_compile)
    with pytest.warns(UserWarning, match="torch.compile failed, running eagerly"):
        fallen_back, _ = train(config, device="cpu", progress=False, data=small_data, compile=True)
    for (name, a), b in zip(eager.state_dict().items(), fallen_back.state_dict().values()):
        assert torch.equal(a, b), name


def test_cli_trains_and_reports(tmp_path, capsys):
    out = tmp_path / "cli.pt"
    main(["--out", str(out), "--passes", "1", "--train-size", "300", "--quiet", "--device", "cpu"])
    assert "1 passes" in capsys.readouterr().out and out.exists()


def test_checkpoint_of_another_model_is_refused(tmp_path):
    other = tmp_path / "other.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), other)
    with pytest.raises(checkpoint.CheckpointError, match="not a lenet_nb.LeNet5 checkpoint"):
        checkpoint.load(other)
    wrong = tmp_path / "wrong.pt"
    checkpoint.save(wrong, LeNet5(), TrainConfig(), [])
    payload = torch.load(wrong, weights_only=True)
    payload["state_dict"]["C5.weight"] = torch.zeros(10, 16, 5, 5)
    torch.save(payload, wrong)
    with pytest.raises(checkpoint.CheckpointError, match="another architecture"):
        checkpoint.load(wrong)


def test_garbage_and_missing_checkpoints_are_named(tmp_path):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoint.CheckpointError, match="not a readable checkpoint"):
        checkpoint.load(garbage)
    with pytest.raises(FileNotFoundError, match="python -m lenet_nb train"):
        checkpoint.load(tmp_path / "absent.pt")
