"""Baseline classifiers of the paper's Fig. 9, measured by us on the same MNIST digits.

    python -m lenet_nb baselines --out lenet_nb/results/baselines.json

Three of the classifiers the paper compares LeNet-5 with, on the raw 28x28 digits (no padding,
no deslanting, no distortions), pixels scaled to [0, 1]:

* a linear classifier: one weighted sum per class (784 x 10 weights + 10 biases), the largest wins;
* k-nearest neighbours with the Euclidean distance between the raw 28x28 images, for a few k;
* a fully connected network 784-300-100-10 with tanh hidden units.

The linear classifier and the network are trained with plain mini-batch SGD on softmax
cross-entropy, for a few epochs only (the settings are in ``SETTINGS`` and in the JSON written);
the paper says neither how long nor with which loss its own were trained. Everything derives
from one seed, and the k-NN distances are computed exactly (integer grey levels in float64), so
a re-run on the same software writes the same file. The JSON keeps every classifier's 10,000 test
predictions, so a reader can recompute the error rates, or compare the mistakes, without running
anything.
"""

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from lenet_nb.cli import Parser, writable_path
from lenet_nb.digits.mnist import mnist
from lenet_nb.paths import RESULTS
from lenet_nb.studies.knn import knn_predict
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.training.evaluation import error_rate

OUT = RESULTS / "baselines.json"
COMMAND = "python -m lenet_nb baselines --out lenet_nb/results/baselines.json"

SETTINGS = {
    "seed": 0,
    "input": "raw 28x28 MNIST digits, 784 pixels scaled to [0, 1] (grey level / 255)",
    "knn": {
        "k": [1, 3, 5],
        "distance": "Euclidean",
        "chunk": 500,
        "ties": "majority vote; a tie goes to the tied class whose nearest member is nearest",
    },
    "linear": {
        "layers": [784, 10],
        "loss": "softmax cross-entropy",
        "optimizer": "SGD",
        "lr": 0.1,
        "momentum": 0.0,
        "weight_decay": 0.0,
        "batch_size": 64,
        "epochs": 10,
    },
    "mlp": {
        "layers": [784, 300, 100, 10],
        "hidden_activation": "tanh",
        "loss": "softmax cross-entropy",
        "optimizer": "SGD",
        "lr": 0.1,
        "momentum": 0.0,
        "weight_decay": 0.0,
        "batch_size": 64,
        "epochs": 10,
    },
}


def pixels(images: torch.Tensor) -> torch.Tensor:
    """uint8 digits ``N x 28 x 28`` -> float ``N x 784`` in [0, 1]."""
    return images.reshape(len(images), -1).float() / 255


# --- k-nearest neighbours -------------------------------------------------------------------


def linear_classifier(inputs: int = 784, classes: int = 10) -> nn.Module:
    return nn.Linear(inputs, classes)


def mlp(layers=(784, 300, 100, 10)) -> nn.Module:
    """Fully connected network with tanh hidden units, e.g. 784-300-100-10."""
    modules = []
    for i, (a, b) in enumerate(zip(layers[:-1], layers[1:])):
        modules.append(nn.Linear(a, b))
        if i < len(layers) - 2:
            modules.append(nn.Tanh())
    return nn.Sequential(*modules)


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    lr: float,
    batch_size: int,
    epochs: int,
    seed: int,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    progress: bool = False,
    desc: str = "SGD",
    **_,
) -> list[float]:
    """Mini-batch SGD on softmax cross-entropy, reshuffling each epoch from ``seed``; returns
    each epoch's mean training loss."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay
    )
    losses = []
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in tqdm(
            range(0, len(x), batch_size),
            desc=f"{desc} epoch {epoch + 1}/{epochs}",
            unit="batch",
            disable=not progress,
            leave=False,
        ):
            batch = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
    return losses


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 5000) -> torch.Tensor:
    return torch.cat([model(x[i : i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)])


def encode(predictions: torch.Tensor) -> str:
    """Class predictions as a string of digits, one character per test digit."""
    return "".join(map(str, predictions.tolist()))


def decode(text: str) -> torch.Tensor:
    return torch.tensor([int(c) for c in text])


def train_and_test(make_model, settings: dict, seed: int, data, progress: bool, desc: str):
    train_x, train_y, test_x, test_y = data
    torch.manual_seed(seed)
    model = make_model()
    losses = fit(model, train_x, train_y, seed=seed, progress=progress, desc=desc, **settings)
    test_pred = predict(model, test_x)
    return {
        "test_error": error_rate(test_pred, test_y),
        "train_error": error_rate(predict(model, train_x), train_y),
        "epoch_losses": losses,
        "predictions": encode(test_pred),
    }


def run(settings: dict = SETTINGS, data=None, progress: bool = True) -> dict:
    """Every baseline on ``data`` = (train images, train labels, test images, test labels) as
    uint8 ``N x 28 x 28`` and labels (default: all of MNIST)."""
    if data is None:
        train, test = mnist(True, transform=None), mnist(False, transform=None)
        data = (train.data, train.targets, test.data, test.targets)
    train_x, train_y, test_x, test_y = data
    seed = settings["seed"]
    results = {}
    began = time.perf_counter()
    knn = settings["knn"]
    # k-NN on the grey levels themselves: the same neighbours as on [0, 1], found exactly.
    for k, pred in knn_predict(
        train_x.reshape(len(train_x), -1),
        train_y,
        test_x.reshape(len(test_x), -1),
        knn["k"],
        knn["chunk"],
        progress,
    ).items():
        results[f"knn_k{k}"] = {
            "test_error": error_rate(pred, test_y),
            "predictions": encode(pred),
        }
    _report("k-NN", began)
    scaled = (pixels(train_x), train_y, pixels(test_x), test_y)
    for name, make_model in (
        (
            "linear",
            lambda: linear_classifier(
                settings["linear"]["layers"][0], settings["linear"]["layers"][1]
            ),
        ),
        ("mlp", lambda: mlp(settings["mlp"]["layers"])),
    ):
        began = time.perf_counter()
        results[name] = train_and_test(make_model, settings[name], seed, scaled, progress, name)
        _report(name, began)
    return results


def describe(settings: dict) -> str:
    """The settings of a measurement, in a few lines."""
    knn = settings["knn"]
    lines = [
        f"input: {settings['input']}",
        f"k-NN: k in {knn['k']}, {knn['distance']} distance, ties: {knn['ties']}",
    ]
    for name in ("linear", "mlp"):
        s = settings[name]
        lines.append(
            f"{name}: {'-'.join(map(str, s['layers']))}, {s['loss']}, {s['optimizer']} "
            f"lr {s['lr']}, batch {s['batch_size']}, {s['epochs']} epochs, "
            f"seed {settings['seed']}"
        )
    return "\n".join(lines)


def test_errors(measured: dict, labels: torch.Tensor) -> dict[str, float]:
    """Each baseline's test error recomputed from its stored predictions, checked against the
    error stored beside them."""
    errors = {
        name: error_rate(decode(r["predictions"]), labels)
        for name, r in measured["results"].items()
    }
    for name, r in measured["results"].items():
        if abs(errors[name] - r["test_error"]) > 1e-12:
            raise ValueError(
                f"the stored predictions of {name} give {errors[name]}, not the "
                f"stored {r['test_error']}: regenerate with `{COMMAND}`"
            )
    return errors


def knn_again(measured: dict, count: int = 200) -> dict[int, bool]:
    """k-NN recomputed from scratch on the first ``count`` test digits, for every k of the
    measurement's settings: whether the stored predictions of each k are what the code gives."""
    train, test = mnist(True, transform=None), mnist(False, transform=None)
    queries = test.data[:count].flatten(1)
    again = knn_predict(
        train.data.flatten(1), train.targets, queries, ks=measured["settings"]["knn"]["k"]
    )
    return {
        k: encode(p) == measured["results"][f"knn_k{k}"]["predictions"][:count]
        for k, p in again.items()
    }


def _report(name: str, began: float) -> None:
    print(f"{name}: {time.perf_counter() - began:.1f} s", file=sys.stderr)


def main(argv=None) -> None:
    p = Parser(
        prog="python -m lenet_nb baselines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out", type=writable_path, default=OUT, help="JSON file to write (default: %(default)s)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    torch.use_deterministic_algorithms(True)
    settings = copy.deepcopy(SETTINGS)
    results = run(settings, progress=not args.quiet)
    payload = {
        "command": COMMAND,
        "settings": settings,
        "torch": torch.__version__,
        "results": results,
    }
    text = json.dumps(payload, indent=1) + "\n"
    atomic_write(args.out, lambda tmp: Path(tmp).write_text(text))
    for name, r in results.items():
        print(f"{name:8s} test error {100 * r['test_error']:.2f}%")


if __name__ == "__main__":
    main()
