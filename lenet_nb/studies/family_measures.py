"""What Figs. 9-12 chart, measured for each trained member of LeNet-5's family on MNIST's 10,000
test digits: test error, the share rejected to reach 0.5% error, multiply-adds and parameters.

Rejection is by the margin of the penalties (second-smallest minus smallest), as for LeNet-5
(``lenet_nb.reading.rejection``). Multiply-adds are the layers' own counts
(``lenet_nb.studies.cost``).
"""

import math
from dataclasses import asdict
from pathlib import Path

import torch

from lenet_nb.digits.mnist import input_transform, mnist_tensors, preprocess
from lenet_nb.reading.rejection import TARGET_ERROR, margins, threshold_for
from lenet_nb.studies import boosting
from lenet_nb.studies.cost import multiply_accumulates, totals
from lenet_nb.studies.knn import knn_vote, nearest_neighbours
from lenet_nb.training import checkpoint
from lenet_nb.training.committed import ENSEMBLES, FAMILY_MODELS, checkpoint_hashes
from lenet_nb.training.evaluation import penalties
from lenet_nb.training.recipes import RECIPES

FAMILY_RECIPES = ("lenet1", "lenet4", "lenet4-distorted")
# The committed networks (lenet_nb.training.committed): seed 0 of each, ensemble 0's three nets.
INSTALLED = {
    "lenet1.pt": "lenet1-seed0.pt",
    "lenet4.pt": "lenet4-seed0.pt",
    "boosted-lenet4-1.pt": "lenet4-distorted-seed0.pt",
    "boosted-lenet4-2.pt": "boosted-0-net2.pt",
    "boosted-lenet4-3.pt": "boosted-0-net3.pt",
}
K = 3  # LeNet-4 + K-NN: the paper gives no k; the middle one of the k-NN baselines'
# The first net decides alone where, on held-out fresh distortions, the patterns it is at least
# this sure of hold at most this share of its errors' rate among them (boosting's skip rule).
CONFIDENT_ERROR = 0.001


def provenance() -> dict:
    """What the family's results are made from: the recipes, boosting's and these constants."""
    return dict(
        recipes={name: asdict(RECIPES[name].config) for name in FAMILY_RECIPES},
        boosting=dict(
            filtered_size=boosting.FILTERED_SIZE,
            chunk=boosting.CHUNK,
            seeds=[boosting.SECOND_NET_SEEDS, boosting.THIRD_NET_SEEDS, boosting.HELD_OUT_SEEDS],
        ),
        k=K,
        confident_error=CONFIDENT_ERROR,
        target_error=TARGET_ERROR,
        checkpoints=committed_hashes(),
    )


def committed_hashes() -> dict:
    """The committed family's hashes, once ``python -m lenet_nb family --install`` made them."""
    names = [*FAMILY_MODELS, *ENSEMBLES]
    if not all((checkpoint.PACKAGED / {**FAMILY_MODELS, **ENSEMBLES}[n]).is_file() for n in names):
        return {}
    return checkpoint_hashes(names)


def digits_for(model):
    """MNIST's test digits as ``model`` reads them."""
    return mnist_tensors(False, input_transform("paper", model.input_size, model.digit_size))


def scores(penalties_: torch.Tensor, labels: torch.Tensor) -> dict:
    """Test error and the rejection Fig. 10 charts, from a network's test penalties (every
    member's decision is the smallest penalty)."""
    correct = penalties_.argmin(1) == labels
    rejection = threshold_for(margins(penalties_), correct.numpy())
    return dict(
        test_error=1 - correct.double().mean().item(),
        errors=int((~correct).sum()),
        rejected_for_target=rejection["rejected_share"],
        threshold=rejection["threshold"],  # the margin that keeps the error at 0.5%
    )


def size(model) -> dict:
    costs = totals(multiply_accumulates(model))
    return dict(macs=costs["macs"], parameters=sum(p.numel() for p in model.parameters()))


def measure_net(path: Path) -> dict:
    model, config, history = checkpoint.load(path)
    model.eval()
    x, y = digits_for(model)
    return dict(
        seed=config.seed,
        **scores(penalties(model, x), y),
        train_error=history[-1]["train_error"],
        **size(model),
    )


@torch.no_grad()
def knn_on_last_hidden_layer(path: Path) -> dict:
    """LeNet-4 + K-NN: its 120-unit layer's outputs for the 60,000 training digits are the
    prototypes of a Euclidean k-NN; a test digit's confidence is how much nearer its nearest
    training digit of the voted class is than its nearest of any other class."""
    model, config, _ = checkpoint.load(path)
    model.eval()
    train_x, train_y = mnist_tensors(True, config.transform())
    test_x, test_y = digits_for(model)

    def features(x):
        return torch.cat(
            [
                model.activations(x[s : s + 2000], upto="C5")["C5"].flatten(1)
                for s in range(0, len(x), 2000)
            ]
        )

    known, queries = features(train_x), features(test_x)
    nearest = nearest_neighbours(known, queries, 50)
    votes = knn_vote(train_y[nearest], K)
    distance = (queries[:, None, :].double() - known[nearest].double()).norm(dim=2)
    same = train_y[nearest] == votes[:, None]
    confidence = _first(distance, ~same) - _first(distance, same)
    correct = votes == test_y
    rejection = threshold_for(confidence.numpy(), correct.numpy())
    net = size(model)
    features_kept = known.numel()
    return dict(
        seed=config.seed,
        test_error=1 - correct.double().mean().item(),
        errors=int((~correct).sum()),
        rejected_for_target=rejection["rejected_share"],
        macs=net["macs"] - _after_c5(model) + features_kept,
        parameters=net["parameters"] + features_kept,
    )


def _first(distance: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Each row's smallest distance where ``mask`` holds (infinite where it never does)."""
    return distance.masked_fill(~mask, math.inf).min(1).values


def _after_c5(model) -> int:
    """The multiply-adds of the layers K-NN replaces (those after C5)."""
    costs = multiply_accumulates(model)
    names = [c.name for c in costs]
    return sum(c.macs for c in costs[names.index("C5") + 1 :])


@torch.no_grad()
def measure_ensemble(record: dict, runs_dir: Path) -> dict:
    """A boosted ensemble's error with all three nets always run and with the skip rule, and
    what the skip rule saves."""
    ensemble = boosting.load_ensemble(record["ensemble"], runs_dir)
    x, y = digits_for(ensemble)
    everything = scores(penalties(ensemble, x), y)
    ensemble.confident_margin = skip_margin(ensemble.nets[0], record["ensemble"])
    skipping = scores(penalties(ensemble, x), y)
    first = penalties(ensemble.nets[0], x)
    unsure = ensemble.unsure(first).double().mean().item()
    one = size(ensemble.nets[0])
    return dict(
        ensemble=record["ensemble"],
        all_nets=everything,
        **skipping,
        confident_margin=ensemble.confident_margin,
        share_run_by_all=unsure,
        cost_ratio=1 + 2 * unsure,
        macs=round(one["macs"] * (1 + 2 * unsure)),
        parameters=3 * one["parameters"],
        second_net=record["second_net"],
        third_net=record["third_net"],
    )


def skip_margin(first, ensemble: int) -> float:
    """The smallest first-net margin above which, on one held-out chunk of fresh distortions,
    the first net errs on at most ``CONFIDENT_ERROR`` of the patterns it is that sure of."""
    images, labels = boosting.fresh_patterns(boosting.HELD_OUT_SEEDS + 1000 * ensemble)
    x = preprocess(images)
    found = penalties(first, x)
    margin, correct = margins(found), found.argmin(1) == labels
    order = margin.argsort(descending=True)
    wrong = (~correct[order]).double().cumsum(0) / torch.arange(1, len(order) + 1)
    ok = (wrong <= CONFIDENT_ERROR).nonzero().flatten()
    return float(margin[order][ok.max()]) if len(ok) else math.inf


def measure_all(runs_data: dict, boosted: list[dict], runs_dir: Path) -> dict:
    seeds = {
        name: sorted({r["seed"] for r in runs_data["runs"] if r["recipe"] == name})
        for name in FAMILY_RECIPES
    }
    members = {
        name: [measure_net(runs_dir / f"{name}-seed{s}.pt") for s in seeds[name]]
        for name in FAMILY_RECIPES
    }
    members["lenet4-knn"] = [
        knn_on_last_hidden_layer(runs_dir / f"lenet4-seed{s}.pt") for s in seeds["lenet4"]
    ]
    members["boosted-lenet4"] = [measure_ensemble(r, runs_dir) for r in boosted]
    return dict(command="python -m lenet_nb family", made_from=provenance(), members=members)
