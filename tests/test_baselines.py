"""The baseline classifiers of Fig. 9 (lenet_nb.studies.baselines), the committed measurements, the
paper's published numbers (lenet_nb.studies.published) and the cost count
(lenet_nb.studies.cost)."""

import json

import pytest
import torch

from lenet_nb import LeNet5, summary
from lenet_nb.digits.mnist import mnist
from lenet_nb.studies import baselines, knn, published
from lenet_nb.studies.cost import multiply_accumulates
from lenet_nb.training.evaluation import error_rate


@pytest.fixture(scope="module")
def small_mnist():
    """1,000 training and 200 test digits, uint8, as the CLI reads them."""
    train, test = mnist(True, transform=None), mnist(False, transform=None)
    return train.data[:1000], train.targets[:1000], test.data[:200], test.targets[:200]


# --- k-NN -----------------------------------------------------------------------------------


def test_nearest_neighbours_match_brute_force():
    g = torch.Generator().manual_seed(0)
    train = torch.randint(0, 256, (300, 20), generator=g)
    queries = torch.randint(0, 256, (37, 20), generator=g)
    got = knn.nearest_neighbours(train, queries, k=4, chunk=10)
    d = ((queries[:, None, :] - train[None, :, :]) ** 2).sum(-1)  # exact, in int64
    want = torch.sort(d, dim=1, stable=True).indices[:, :4]
    assert torch.equal(got, want)


def test_equal_distances_go_to_the_lower_training_index():
    train = torch.tensor([[5, 5], [0, 0], [0, 0], [9, 9], [0, 0]])
    got = knn.nearest_neighbours(train, torch.tensor([[0, 1]]), k=3)
    assert got.tolist() == [[1, 2, 4]]


def test_knn_vote_majority_and_ties():
    neighbour_labels = torch.tensor([[1, 2, 2], [3, 1, 2], [4, 4, 7], [6, 5, 5]])
    assert knn.knn_vote(neighbour_labels, 1).tolist() == [1, 3, 4, 6]
    # k = 3: majorities win; three different classes tie and the nearest one wins.
    assert knn.knn_vote(neighbour_labels, 3).tolist() == [2, 3, 4, 5]
    # k = 2 on [1, 2]: a tie, the nearer class 1 wins.
    assert knn.knn_vote(neighbour_labels, 2).tolist() == [1, 3, 4, 6]


def test_knn_outvotes_a_mislabelled_neighbour():
    # Two clusters; one point of cluster 0 mislabelled 1, right next to the query.
    train = torch.tensor([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [0, 0]])
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    query = torch.tensor([[0, 0]])
    preds = knn.knn_predict(train, labels, query, ks=(1, 3))
    assert preds[1].tolist() == [0]  # the first of the two points at distance 0
    train2 = torch.cat([train[5:], train[:5]])  # now the mislabelled one comes first
    preds = knn.knn_predict(train2, torch.cat([labels[5:], labels[:5]]), query, ks=(1, 3))
    assert preds[1].tolist() == [1] and preds[3].tolist() == [0]


def test_knn_on_real_digits_is_far_better_than_chance(small_mnist):
    train_x, train_y, test_x, test_y = small_mnist
    preds = knn.knn_predict(
        train_x.reshape(1000, -1), train_y, test_x.reshape(200, -1), ks=(1, 3), chunk=64
    )
    for k, p in preds.items():
        assert p.shape == (200,)
        assert error_rate(p, test_y) < 0.2, k


# --- trained baselines ----------------------------------------------------------------------


def test_model_shapes_and_sizes():
    assert sum(p.numel() for p in baselines.linear_classifier().parameters()) == 7_850
    net = baselines.mlp((784, 300, 100, 10))
    assert sum(p.numel() for p in net.parameters()) == 784 * 300 + 300 + 300 * 100 + 100 + 1_010
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert net(torch.zeros(3, 784)).shape == (3, 10)


def _blobs(n=200, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    centres = torch.tensor([[2.0, 0.0], [-2.0, 2.0], [0.0, -2.0]])
    return centres[y] + 0.3 * torch.randn(n, 2, generator=g), y


def test_sgd_learns_a_separable_problem_and_is_deterministic():
    x, y = _blobs()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = baselines.mlp((2, 8, 3))
        losses = baselines.fit(model, x, y, lr=0.1, batch_size=16, epochs=15, seed=0)
        runs.append((losses, [p.detach().clone() for p in model.parameters()]))
        assert losses[-1] < losses[0] / 3
        assert error_rate(baselines.predict(model, x), y) < 0.02
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    torch.manual_seed(0)
    other = baselines.fit(baselines.mlp((2, 8, 3)), x, y, lr=0.1, batch_size=16, epochs=15, seed=1)
    assert other != runs[0][0]  # the seed does drive the shuffling


def test_predictions_round_trip_through_text():
    p = torch.tensor([7, 2, 1, 0, 4, 9])
    assert baselines.encode(p) == "721049"
    assert torch.equal(baselines.decode("721049"), p)


def test_run_on_small_data(small_mnist):
    settings = json.loads(json.dumps(baselines.SETTINGS))
    settings["knn"].update(k=[1, 3], chunk=100)
    for name in ("linear", "mlp"):
        settings[name]["epochs"] = 5
    settings["mlp"]["layers"] = [784, 30, 20, 10]
    results = baselines.run(settings, data=small_mnist, progress=False)
    assert set(results) == {"knn_k1", "knn_k3", "linear", "mlp"}
    test_y = small_mnist[3]
    for name, r in results.items():
        predictions = baselines.decode(r["predictions"])
        assert len(predictions) == 200
        assert r["test_error"] == error_rate(predictions, test_y)
        assert r["test_error"] < 0.35, name
    assert len(results["mlp"]["epoch_losses"]) == 5


def test_main_writes_command_settings_and_results(tmp_path, monkeypatch):
    fake = {"linear": {"test_error": 0.5, "predictions": "01"}}
    monkeypatch.setattr(baselines, "run", lambda settings, progress: fake)
    out = tmp_path / "b.json"  # its folder must exist (tests/test_cli.py)
    baselines.main(["--out", str(out), "--quiet"])
    payload = json.loads(out.read_text())
    assert payload["command"] == baselines.COMMAND
    assert payload["settings"] == json.loads(json.dumps(baselines.SETTINGS))
    assert payload["results"] == fake


# --- the committed measurements -------------------------------------------------------------


def test_committed_baselines_match_the_code_and_the_test_labels():
    payload = published.load_baselines()
    assert payload["command"] == baselines.COMMAND
    assert payload["settings"] == json.loads(json.dumps(baselines.SETTINGS)), (
        "SETTINGS changed: re-run " + baselines.COMMAND
    )
    labels = mnist(False, transform=None).targets
    assert set(payload["results"]) == {f"knn_k{k}" for k in baselines.SETTINGS["knn"]["k"]} | {
        "linear",
        "mlp",
    }
    for name, r in payload["results"].items():
        predictions = baselines.decode(r["predictions"])
        assert len(predictions) == 10_000, name
        assert r["test_error"] == pytest.approx(error_rate(predictions, labels)), name
    for ours in payload["results"]:
        assert published.OURS_IN_FIG9[ours] in published.PAPER_FIG9


def test_load_baselines_names_the_command_when_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m lenet_nb baselines"):
        published.load_baselines(tmp_path / "none.json")


def test_paper_numbers():
    assert len(published.PAPER_FIG9) == 27
    assert published.PAPER_FIG9["LeNet-5"] == published.PAPER_TEST_ERROR * 100
    assert min(published.PAPER_FIG9.values()) == 0.7


# --- cost -----------------------------------------------------------------------------------


def test_cost_by_layer():
    rows = {r.name: r for r in multiply_accumulates(LeNet5())}
    assert rows["C1"].macs == 6 * 28 * 28 * 25
    assert rows["S2"].macs == 6 * 14 * 14 and rows["S2"].sum_additions == 3 * 6 * 14 * 14
    assert rows["C3"].macs == 10 * 10 * 60 * 25  # Table I's 60 connected pairs only
    assert rows["S4"].macs == 16 * 5 * 5
    assert rows["C5"].macs == 120 * 16 * 25
    assert rows["F6"].macs == 84 * 120
    assert rows["output"].macs == rows["output"].subtractions == 10 * 84
    assert rows["output"].squashings == 0 and rows["F6"].squashings == 84
    assert sum(r.macs for r in multiply_accumulates(LeNet5())) == 328_096


def test_cost_splits_the_papers_connections():
    model = LeNet5()
    for row, layer in zip(multiply_accumulates(model), summary(model)):
        assert row.connections == layer.connections, row.name
    assert sum(r.connections for r in multiply_accumulates(model)) == published.PAPER_CONNECTIONS


def test_cost_follows_the_connection_table():
    full = tuple(tuple(range(6)) for _ in range(16))
    rows = {r.name: r for r in multiply_accumulates(LeNet5(c3_table=full))}
    assert rows["C3"].macs == 10 * 10 * 96 * 25


def test_cost_refuses_an_unknown_layer():
    model = LeNet5()
    model.F6 = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(120, 84))
    with pytest.raises(TypeError, match="no cost rule for layer F6"):
        multiply_accumulates(model)


def test_seconds_per_digit_is_positive_and_per_digit():
    from lenet_nb.studies.cost import seconds_per_digit

    model = LeNet5().eval()
    images = torch.zeros(8, 1, 32, 32)
    calls = []
    model.register_forward_hook(lambda module, args, out: calls.append(len(args[0])))
    assert seconds_per_digit(model, images, batch_size=4, repeats=2) > 0
    assert calls == [4, 4] * 3  # one warm-up and two timed runs, 4 digits at a time
    assert seconds_per_digit(model, images) > 0


def test_knn_again_recomputes_the_stored_predictions():
    measured = published.load_baselines()
    assert all(baselines.knn_again(measured, count=5).values())
    tampered = json.loads(json.dumps(measured))
    stored = tampered["results"]["knn_k3"]["predictions"]
    tampered["results"]["knn_k3"]["predictions"] = str((int(stored[0]) + 1) % 10) + stored[1:]
    assert baselines.knn_again(tampered, count=5) == {1: True, 3: False, 5: True}
