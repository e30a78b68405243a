"""The paper's own procedure, and where the authors' code departed from the paper's text.

    python -m lenet_nb procedure                  # the screen -> lenet_nb/results/procedure.json
    python -m lenet_nb procedure --recipes procedure-all --seeds 0 1

Per-pattern SDLM at the paper's eta from the authors' initialisation (recipe ``per-pattern``)
ends at 1.56% test error, and its training error rose from pass 1 to pass 2. The recipes
``procedure-*`` (``lenet_nb.training.recipes``) add, alone and together, what the authors' own
programs did differently (LENET5_PAPER.md, "What the authors' own code did"): a subsampling
coefficient's curvature from (sum x)^2; the curvature as a running average or re-estimated every
4,000 patterns; the energy d^2 / 2; their demonstration's eta. The most faithful of them that
meets the paper's numbers, ``procedure-authors-eta``, is the book's reproduction ``paper`` (whose
runs in ``seeds.json`` repeat this study's to the bit). The screen trains each for
``SCREEN_PASSES`` passes and records, every ``EVERY`` patterns, the error on a fixed sample of
``SAMPLE`` training digits (and on the test set), and each layer's median h_kk at every
re-estimate of the curvature (a running average's every ``EVERY`` patterns). Each pass's end
records the error on all 60,000 training digits. ``--passes 20`` runs report once a pass. The
results record the command and the recipes' configurations; ``load_results`` refuses results the
recipes no longer make. The updates run fused (``lenet_nb.training.fused``, equal to the plain ones
to float rounding): at one pattern per update 2.7x faster (``python -m lenet_nb bench``).
"""

import argparse
import json
import os
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path

import torch
from tqdm.auto import tqdm

from lenet_nb import provenance
from lenet_nb.cli import Parser, non_negative_int, writable_path
from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.paths import RESULTS
from lenet_nb.studies.runs import refuse_stale_runs
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.evaluation import error_rate, predict_classes
from lenet_nb.training.recipes import PROCEDURE, RECIPES
from lenet_nb.training.sdlm import by_layer
from lenet_nb.training.train import train

COMMAND = "python -m lenet_nb procedure"
PATH = RESULTS / "procedure.json"
SCREEN_PASSES = 2
EVERY = 6_000  # patterns between two reports in the screen
FULL_EVERY = 60_000  # and in a 20-pass run: once a pass
SAMPLE = 10_000  # training digits the reports' training error is measured on


class Monitor:
    """Called by ``lenet_nb.training.steps.train_one_pass``: keeps each layer's median h at
    every curvature estimate (a running average's at every report) and, every ``every``
    patterns, the error on the training sample and on the test set."""

    def __init__(self, sample, test, running: bool, every: int = EVERY):
        self.sample, self.test, self.running, self.every = sample, test, running, every
        self.curvature, self.progress = [], []

    def __call__(self, model, pass_index, seen, h, event):
        at = dict(pass_=pass_index + 1, patterns=pass_index * 60_000 + seen)
        if event == "curvature" or self.running:
            medians = {k: v.median().item() for k, v in by_layer(model, h).items()}
            self.curvature.append(at | dict(median_h=medians))
        if event == "progress":
            errors = dict(
                train_error=error_rate(predict_classes(model, self.sample[0]), self.sample[1]),
                test_error=error_rate(predict_classes(model, self.test[0]), self.test[1]),
            )
            self.progress.append(at | errors)


def screen_config(name: str, seed: int, passes: int) -> TrainConfig:
    return replace(RECIPES[name].config, passes=passes, seed=seed)


def run_one(name: str, seed: int, passes: int) -> dict:
    """Train ``name`` from ``seed`` for ``passes`` passes, monitored; its record."""
    config = screen_config(name, seed, passes)
    x, y = mnist_tensors(True, config.transform())
    chosen = torch.randperm(len(x), generator=torch.Generator().manual_seed(12345))[:SAMPLE]
    test = mnist_tensors(False, config.transform())
    every = EVERY if passes == SCREEN_PASSES else FULL_EVERY
    monitor = Monitor((x[chosen], y[chosen]), test, bool(config.curvature_gamma), every)
    began = time.perf_counter()
    data = (x, y, *test)  # what train would read itself, read once
    _, history = train(config, device="cpu", progress=False, data=data, fused=True, monitor=monitor)
    return dict(
        recipe=name,
        seed=seed,
        every=every,
        config=asdict(config),
        history=history,
        curvature=monitor.curvature,
        progress=monitor.progress,
        seconds=time.perf_counter() - began,
    )


def load_results(path: Path = PATH) -> dict:
    """The committed screen, checked to be made by the recipes as the code defines them now."""
    data = provenance.load(path, COMMAND, {})
    refuse_stale_runs(path, COMMAND, data["runs"], _config_now)
    return data


def _config_now(run: dict) -> dict | None:
    if run["recipe"] not in {r.name for r in PROCEDURE}:
        return None
    return asdict(screen_config(run["recipe"], run["seed"], run["config"]["passes"]))


def outcomes(data: dict, passes: int) -> dict[str, dict]:
    """Per recipe with runs of ``passes`` passes (in the study's order): its seeds, the last
    pass's test and training error of each, and each pass's training error, one list per seed."""
    result = {}
    for recipe in PROCEDURE:
        runs = [r for r in data["runs"] if r["recipe"] == recipe.name]
        runs = sorted((r for r in runs if r["config"]["passes"] == passes), key=lambda r: r["seed"])
        if runs:
            result[recipe.name] = dict(
                summary=recipe.summary,
                seeds=[r["seed"] for r in runs],
                test_errors=[r["history"][-1]["test_error"] for r in runs],
                train_errors=[r["history"][-1]["train_error"] for r in runs],
                by_pass=[[h["train_error"] for h in r["history"]] for r in runs],
            )
    return result


def _write(path: Path, runs: list[dict]) -> None:
    order = [r.name for r in PROCEDURE]
    runs = sorted(runs, key=lambda r: (r["config"]["passes"], order.index(r["recipe"]), r["seed"]))
    payload = dict(
        command=COMMAND,
        every=EVERY,
        sample=SAMPLE,
        updates="fused (lenet_nb.training.fused), one thread",
        machine=dict(
            cpu_cores=os.cpu_count(),
            threads=torch.get_num_threads(),
            torch=torch.__version__,
            python=platform.python_version(),
        ),
        recipes={r.name: dict(summary=r.summary, config=asdict(r.config)) for r in PROCEDURE},
        runs=runs,
    )
    text = json.dumps(payload, indent=1) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def main(argv=None) -> None:
    p = Parser(
        prog=COMMAND, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = [r.name for r in PROCEDURE]
    p.add_argument("--recipes", nargs="+", choices=names, default=names)
    p.add_argument("--seeds", nargs="+", type=non_negative_int, default=[0])
    p.add_argument("--passes", type=int, choices=(SCREEN_PASSES, 20), default=SCREEN_PASSES)
    p.add_argument("--results", type=writable_path, default=PATH)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    previous = json.loads(args.results.read_text())["runs"] if args.results.is_file() else []
    work = [(n, s) for s in args.seeds for n in args.recipes]
    done = [
        r
        for r in previous
        if (r["recipe"], r["seed"], r["config"]["passes"])
        not in {(n, s, args.passes) for n, s in work}
    ]
    for name, seed in tqdm(work, desc="runs", unit="run"):
        record = run_one(name, seed, args.passes)
        done.append(record)
        _write(args.results, done)
        h = record["history"]
        tqdm.write(
            f"{name} seed {seed}: "
            + "; ".join(
                f"pass {e['pass_']} training {100 * e['train_error']:.2f}% test "
                f"{100 * e['test_error']:.2f}%"
                for e in h
            )
        )


if __name__ == "__main__":
    main()
