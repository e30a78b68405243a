"""Boosted LeNet-4 (Section III-C-2), after Drucker, Schapire and Simard: three LeNet-4s.

"The first net is trained the usual way. The second net is trained on patterns that are filtered
by the first net so that the second machine sees a mix of patterns, 50% of which the first net
got right, and 50% of which it got wrong. Finally, the third net is trained on new patterns on
which the first and the second nets disagree. During testing, the outputs of the three nets are
simply added." Because LeNet-4 errs so rarely, the patterns come from distortions.

    python -m lenet_nb.studies.boosting --ensemble 0 --runs runs/family

trains ensemble 0's second and third nets, its first being ``lenet4-distorted`` seed 0 of
``lenet_nb.studies.family``; ``python -m lenet_nb family`` runs this for every ensemble.

What the paper leaves open, we chose: each filtered set has 60,000 patterns (what every other net
sees per pass), drawn from fresh distortions of the training digits (``fresh_patterns``, seeds
of their own), and is trained on as the digits are, by the family's recipe.
"""

import functools
import json
from dataclasses import asdict, replace
from pathlib import Path

import torch
from tqdm.auto import tqdm

from lenet_nb.cli import Parser, existing_folder, non_negative_int
from lenet_nb.digits.distortions import distorted_copies
from lenet_nb.digits.mnist import mnist, mnist_tensors, preprocess
from lenet_nb.network.family import BoostedEnsemble
from lenet_nb.training import checkpoint
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.training.evaluation import predict_classes
from lenet_nb.training.recipes import RECIPES
from lenet_nb.training.train import train

FIRST_NET = "lenet4-distorted"
FILTERED_SIZE = 60_000
CHUNK = 60_000  # fresh distorted patterns drawn at a time: each training digit once
MAX_CHUNKS = 200  # 12 M patterns: a net that errs this rarely cannot be boosted so
# Where the fresh patterns of each purpose start (ensemble e uses OFFSET + 1000 e + chunk).
SECOND_NET_SEEDS, THIRD_NET_SEEDS, HELD_OUT_SEEDS = 10_000, 20_000, 30_000


def fresh_patterns(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``CHUNK`` new distortions of training digits (uint8 28x28) and their labels: each of the
    60,000 digits once, distorted by draws from ``seed``."""
    digits, labels = _training_digits()
    return distorted_copies(digits, copies=1, seed=seed, progress=False), labels.clone()


@functools.lru_cache(maxsize=1)
def _training_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST's raw training digits, read once for every chunk of fresh distortions."""
    raw = mnist(train=True, transform=None)
    return raw.data, raw.targets


def decisions(model, images: torch.Tensor) -> torch.Tensor:
    """The model's classes for uint8 28x28 digits, prepared as the paper's 32x32 input."""
    return predict_classes(model, preprocess(images))


def filtered(keep, seed_base: int, size: int = FILTERED_SIZE, label: str = "filtering"):
    """``size`` fresh patterns chosen by ``keep(images, labels) -> (wanted_a, wanted_b)``, two
    boolean masks, taking ``size // 2`` of each kind (for the third net the two are the same
    mask, and ``size`` of it are taken)."""
    taken_a, taken_b, have_a, have_b = [], [], 0, 0
    bar = tqdm(range(MAX_CHUNKS), desc=label, unit="chunk", leave=False)
    for chunk in bar:
        images, labels = fresh_patterns(seed_base + chunk)
        a, b = keep(images, labels)
        for mask, taken, have, want in (
            (a, taken_a, have_a, size // 2),
            (b, taken_b, have_b, size - size // 2),
        ):
            index = mask.nonzero().flatten()[: max(want - have, 0)]
            taken.append((images[index], labels[index]))
        have_a, have_b = (sum(len(t[1]) for t in taken) for taken in (taken_a, taken_b))
        bar.set_postfix(found=have_a + have_b)
        if have_a >= size // 2 and have_b >= size - size // 2:
            break
    else:
        raise RuntimeError(f"{label}: {MAX_CHUNKS * CHUNK:,} patterns gave only {have_a + have_b}")
    images = torch.cat([t[0] for t in taken_a + taken_b])
    labels = torch.cat([t[1] for t in taken_a + taken_b])
    return images, labels, (chunk + 1) * CHUNK


def second_net_patterns(first, ensemble: int, size: int = FILTERED_SIZE):
    """Half patterns the first net gets wrong, half it gets right."""

    def keep(images, labels):
        right = decisions(first, images) == labels
        return ~right, right

    return filtered(keep, SECOND_NET_SEEDS + 1000 * ensemble, size, "patterns for net 2")


def third_net_patterns(first, second, ensemble: int, size: int = FILTERED_SIZE):
    """Patterns on which the first two nets disagree."""

    def keep(images, labels):
        differ = decisions(first, images) != decisions(second, images)
        return differ, differ

    return filtered(keep, THIRD_NET_SEEDS + 1000 * ensemble, size, "patterns for net 3")


def train_on(images, labels, seed: int, out: Path):
    """A LeNet-4 trained by the family's recipe on the given patterns (no distortions of its
    own: they are distorted already), tested on MNIST's test digits."""
    config = replace(RECIPES["lenet4"].config, seed=seed, train_size=len(labels))
    test = mnist_tensors(False, config.transform())
    data = (preprocess(images, config.transform()), labels, *test)
    model, history = train(config, out=out, resume=True, data=data, progress=False)
    return model.eval(), history


def boost(ensemble: int, runs: Path) -> dict:
    """Train ensemble ``ensemble``'s second and third nets; returns the record of how."""
    first, _, _ = checkpoint.load(runs / f"{FIRST_NET}-seed{ensemble}.pt")
    first.eval()
    x2, y2, drawn2 = second_net_patterns(first, ensemble)
    second, history2 = train_on(x2, y2, 100 + ensemble, runs / f"boosted-{ensemble}-net2.pt")
    x3, y3, drawn3 = third_net_patterns(first, second, ensemble)
    _, history3 = train_on(x3, y3, 200 + ensemble, runs / f"boosted-{ensemble}-net3.pt")
    return dict(
        ensemble=ensemble,
        first_net=f"{FIRST_NET}-seed{ensemble}",
        second_net=dict(drawn=drawn2, trained_on=len(y2), history=history2),
        third_net=dict(drawn=drawn3, trained_on=len(y3), history=history3),
        config=asdict(RECIPES["lenet4"].config),
    )


def load_ensemble(ensemble: int, runs: Path) -> BoostedEnsemble:
    nets = [runs / f"{FIRST_NET}-seed{ensemble}.pt"]
    nets += [runs / f"boosted-{ensemble}-net{k}.pt" for k in (2, 3)]
    return BoostedEnsemble([checkpoint.load(path)[0] for path in nets]).eval()


def main(argv=None) -> None:
    p = Parser(prog="python -m lenet_nb.studies.boosting", description=__doc__.splitlines()[0])
    p.add_argument("--ensemble", type=non_negative_int, required=True)
    p.add_argument("--runs", type=existing_folder, default=Path("runs") / "family")
    args = p.parse_args(argv)
    if not (args.runs / f"{FIRST_NET}-seed{args.ensemble}.pt").is_file():
        p.error(
            f"no first net at {args.runs}/{FIRST_NET}-seed{args.ensemble}.pt: train it with "
            "`python -m lenet_nb family`"
        )
    record = boost(args.ensemble, args.runs)
    path = args.runs / f"boosted-{args.ensemble}.json"
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=1) + "\n"))


if __name__ == "__main__":
    main()
