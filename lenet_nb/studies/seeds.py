"""Every training claim over seeds: the reproduction, the network trained with distortions,
Fig. 6's training-set sizes, and what the initialisation and eta change (the Training chapter).

    python -m lenet_nb seeds          # every run below -> lenet_nb/results/seeds.json

The committed checkpoints ``paper.pt`` and ``distorted.pt`` are seed 0 of these runs
(``python -m lenet_nb seeds --install`` copies them there once the runs are done). The spread
over seeds is what the book's claims about training are measured against: the slow retrain's
bound (``retrain_bound``) and the Results chapter's statements.
"""

import json
import math
import shutil
from pathlib import Path

from IPython.display import Markdown

from lenet_nb.studies import runs
from lenet_nb.studies.outcomes import NBSP, Outcome
from lenet_nb.studies.outcomes import outcomes as _outcomes
from lenet_nb.training.checkpoint import PACKAGED, atomic_write, history_path
from lenet_nb.training.recipes import RECIPES

STUDY = runs.Study(
    command="python -m lenet_nb seeds",
    results=runs.RESULTS_DIR / "seeds.json",
    seeds={
        "paper": (0, 1, 2),
        "distorted": (0, 1, 2),
        "batch-8": (0, 1, 2, 3, 4),
        "batch-8-distorted": (0, 1, 2),
        "per-pattern": (0,),
        "batch-8-paper-eta": (0,),
        "batch-16": (0, 1, 2),
        "batch-64": (0, 1, 2),
        "batch-16-eta-8": (0, 1, 2),
        "paper-15000": (0, 1, 2),
        "paper-30000": (0, 1, 2),
        "batch-8-15000": (0, 1, 2),
        "batch-8-30000": (0, 1, 2),
        "paper-init": (0, 1, 2),
        "paper-init-default-eta": (0,),
        "authors-init-eta-0.02": (0,),
    },
)
# The run each committed checkpoint is: its recipe's seed 0.
COMMITTED = {"paper": 0, "distorted": 0}
# A retrain from a committed seed elsewhere (another CPU or thread count) is one more draw from
# the seeds' spread: the bound is the mean plus this many sample standard deviations.
SPREAD_FACTOR = 3.0
# Each recipe beside the same recipe trained with distortions (Section III-C).
WITH_DISTORTIONS = {"paper": "distorted", "batch-8": "batch-8-distorted"}
# Fig. 6: each recipe trained on the first 15,000, 30,000 and all 60,000 training digits.
TRAINING_SIZES = {
    series: {f"{series}-15000": 15_000, f"{series}-30000": 30_000, series: 60_000}
    for series in ("paper", "batch-8")
}


def load_results(path=None) -> dict:
    return runs.load_results(STUDY, path)


def outcomes(data: dict) -> dict[str, Outcome]:
    return _outcomes(data)


def distortion_gain(outs: dict[str, Outcome], recipe: str) -> tuple[float, float]:
    """What training with distortions takes off ``recipe``'s mean test error, and the spread a
    difference must exceed to count: the larger standard deviation over seeds of the two."""
    plain, distorted = outs[recipe], outs[WITH_DISTORTIONS[recipe]]
    return plain.mean - distorted.mean, max(plain.std, distorted.std)


def retrain_bound(outcome: Outcome) -> float:
    """The highest test error a fresh run of ``outcome``'s recipe may reach and still be one of
    its seeds: mean + ``SPREAD_FACTOR`` standard deviations."""
    return outcome.mean + SPREAD_FACTOR * outcome.std


def stated_bound(outcome: Outcome) -> float:
    """``retrain_bound`` rounded up to the 0.01 percentage points the README states it in."""
    return math.ceil(round(retrain_bound(outcome) * 10_000, 6)) / 10_000


def committed_run(data: dict, recipe: str) -> dict:
    """The run that the committed checkpoint of ``recipe`` is."""
    return next(r for r in data["runs"] if r["recipe"] == recipe and r["seed"] == COMMITTED[recipe])


def _pm(mean: float, std: float, count: int) -> str:
    """'0.80% ± 0.05' in percent; one run has no spread to give."""
    return f"{100 * mean:.2f}%" + (f"{NBSP}±{NBSP}{100 * std:.2f}" if count > 1 else "")


def seeds_table(outs: dict[str, Outcome]) -> Markdown:
    """One row per recipe: test and training error over seeds beside the paper's numbers."""
    rows = [
        "| recipe | seeds | test error, mean ± sd | each seed (%) | training error, mean ± sd "
        "| training time | paper |",
        "|---|--:|--:|--:|--:|--:|--|",
    ]
    for o in outs.values():
        each = "/".join(f"{100 * e:.2f}" for e in o.test_errors)
        rows.append(
            f"| `{o.recipe}` | {len(o.seeds)} | {_pm(o.mean, o.std, len(o.seeds))} | "
            f"{each} | {_pm(o.train_mean, o.train_std, len(o.seeds))} | "
            f"{o.train_seconds / 60:.1f}{NBSP}min | {RECIPES[o.recipe].reported_note} |"
        )
    return Markdown("\n".join(rows))


def training_size_points(
    outs: dict[str, Outcome], series: str = "paper"
) -> list[tuple[int, Outcome]]:
    """Fig. 6's points of one recipe (``paper`` or ``batch-8``): (training-set size, its
    outcome), smallest first."""
    return [(size, outs[name]) for name, size in TRAINING_SIZES[series].items()]


def _recorded(data: dict, recipe: str, run: Path) -> bool:
    """Whether the checkpoint ``run`` is the run the results record for ``recipe``'s committed
    seed: its history file holds that run's configuration and every pass of its history."""
    if not (run.exists() and history_path(run).exists()):
        return False
    on_disk, recorded = json.loads(history_path(run).read_text()), committed_run(data, recipe)
    return on_disk["config"] == recorded["config"] and on_disk["history"] == recorded["history"]


def install(data: dict, runs_dir: Path) -> None:
    """Copy each committed seed's checkpoint and history from ``runs_dir`` into the package, where
    it is the finished run the results record (an unfinished or older run there is left out)."""
    for recipe, seed in COMMITTED.items():
        run = runs_dir / f"{recipe}-seed{seed}.pt"
        if not _recorded(data, recipe, run):
            print(f"{PACKAGED / recipe}.pt kept: {run} is not the run the results record")
            continue
        for source, target in (
            (run, PACKAGED / f"{recipe}.pt"),
            (history_path(run), history_path(PACKAGED / f"{recipe}.pt")),
        ):
            atomic_write(target, lambda tmp, source=source: shutil.copyfile(source, tmp))
        print(
            f"{PACKAGED / recipe}.pt <- {recipe} seed {seed}, test error "
            f"{100 * committed_run(data, recipe)['test_error']:.2f}%"
        )


def main(argv=None) -> None:
    runs.main(STUDY, __doc__, argv, install=install)


if __name__ == "__main__":
    main()
