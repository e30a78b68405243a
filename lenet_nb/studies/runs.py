"""Named recipes trained over seeds, each run in its own process, collected as committed data.

A ``Study`` names recipes of ``lenet_nb.training.recipes``, the seeds each one runs on, and the JSON
file its results go to (``lenet_nb.studies.ablation``, ``lenet_nb.studies.seeds``). Every run is the
training CLI itself, ``python -m lenet_nb train --recipe NAME --seed S --out RUNS/NAME-seedS.pt
--resume --quiet``, with ``cores / jobs`` threads: runs are independent, and on 2 cores two
one-thread runs side by side train about 1.7x the patterns per second of one two-thread run
(README). A finished run is read back, not repeated, and an interrupted one resumes: re-running the
command after a stop finishes the work. The results are rewritten (atomically) after every run.
"""

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from tqdm.auto import tqdm

from lenet_nb import provenance
from lenet_nb.cli import (
    Parser,
    available_device,
    existing_folder,
    non_negative_int,
    positive_int,
    writable_path,
)
from lenet_nb.digits.mnist import input_transform, mnist_tensors
from lenet_nb.paths import RESULTS
from lenet_nb.studies.outcomes import outcomes
from lenet_nb.training import checkpoint
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.training.config import TrainConfig
from lenet_nb.training.recipes import RECIPES, parameter_count

RESULTS_DIR = RESULTS


@dataclass(frozen=True)
class Study:
    command: str  # the command that regenerates the results
    results: Path
    seeds: dict  # recipe name -> the seeds it runs on

    def work(self, names=None, seeds=None) -> list[tuple[str, int]]:
        """(recipe, seed) pairs: ``names`` (default: all) on ``seeds`` (default: the study's),
        every recipe's first seed first, so that each recipe has a result early."""
        for name in names or ():
            if name not in self.seeds:
                raise ValueError(
                    f"{name!r} is not in `{self.command}`; choose from {', '.join(self.seeds)}"
                )
        ranked = [
            (k, i, name, seed)
            for i, name in enumerate(names or self.seeds)
            for k, seed in enumerate(self.seeds[name] if seeds is None else seeds)
        ]
        return [(name, seed) for *_, name, seed in sorted(ranked)]


def run_command(name: str, seed: int, out: Path, device: str | None) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "lenet_nb.training.train",
        "--recipe",
        name,
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--resume",
        "--quiet",
    ]
    return command + (["--device", device] if device else [])


def run_child(command: list[str], threads: int, what: str) -> None:
    """Run ``command`` in a child process with ``threads`` threads; a failure raises with the
    end of its stderr."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-2000:]}")


def train_run(name: str, seed: int, runs: Path, threads: int, device: str | None) -> dict:
    """Train ``name`` from ``seed`` in a child process and return the run's record."""
    out = runs / f"{name}-seed{seed}.pt"
    run_child(run_command(name, seed, out, device), threads, f"{name} seed {seed}")
    model, config, history = checkpoint.load(out)
    return dict(
        recipe=name,
        seed=seed,
        config=asdict(config),
        test_error=history[-1]["test_error"],
        train_error=history[-1]["train_error"],
        train_seconds=sum(h["train_seconds"] for h in history),
        silent_units=silent_units(model, config),
        history=history,
    )


@functools.lru_cache(maxsize=None)
def _test_images(input_range: str, input_size: int, digit_size: int) -> torch.Tensor:
    """The test digits as a recipe's input takes them: read and preprocessed once per kind."""
    return mnist_tensors(False, input_transform(input_range, input_size, digit_size))[0]


@torch.no_grad()
def silent_units(model, config) -> dict:
    """Per hidden layer, the fraction of its units whose output is exactly 0 on every test digit:
    a ReLU unit that never fires passes no gradient and never recovers. (A scaled-tanh or
    sigmoid unit is never exactly 0.)"""
    acts = model.activations(_test_images(config.input_range, config.input_size, model.digit_size))
    return {
        name: (act != 0).any(0).logical_not().float().mean().item()
        for name, act in acts.items()
        if name != "output"
    }


def _recipes(study: Study) -> dict:
    """What the results record of each recipe beside its runs."""
    return {
        name: dict(
            config=asdict(RECIPES[name].config),
            summary=RECIPES[name].summary,
            group=RECIPES[name].group,
            parameters=parameter_count(RECIPES[name].config),
            reported_error=RECIPES[name].reported_error,
        )
        for name in study.seeds
    }


def _write(study: Study, path: Path, runs: list[dict], machine: dict) -> None:
    order = {name: i for i, name in enumerate(study.seeds)}
    runs = sorted(runs, key=lambda r: (order[r["recipe"]], r["seed"]))
    payload = dict(
        command=study.command,
        seeds=sorted({r["seed"] for r in runs}),
        machine=machine,
        recipes=_recipes(study),
        runs=runs,
    )
    text = json.dumps(payload, indent=1) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def run_all(
    study: Study,
    names=None,
    seeds=None,
    runs: Path = Path("runs"),
    results: Path | None = None,
    jobs: int = 2,
    device: str | None = None,
) -> list[dict]:
    """Train ``study.work(names, seeds)`` ``jobs`` at a time, keeping every other run's result."""
    results = results or study.results
    threads = max(1, (os.cpu_count() or 1) // jobs)
    machine = dict(
        device=device or ("cuda" if torch.cuda.is_available() else "cpu"),
        cpu_cores=os.cpu_count(),
        parallel_runs=jobs,
        threads_per_run=threads,
        torch=torch.__version__,
        python=platform.python_version(),
    )
    work = study.work(names, seeds)
    runs.mkdir(parents=True, exist_ok=True)
    done = [r for r in _previous(results) if (r["recipe"], r["seed"]) not in work]
    with ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(train_run, name, seed, runs, threads, device) for name, seed in work]
        for future in tqdm(as_completed(futures), total=len(futures), desc="runs", unit="run"):
            done.append(future.result())
            _write(study, results, done, machine)
    return done


def _previous(results: Path) -> list[dict]:
    return json.loads(results.read_text())["runs"] if results.is_file() else []


def load_results(study: Study, path: Path | None = None) -> dict:
    """The committed results, checked to be complete and made by the recipes as the code
    defines them now."""
    path = path or study.results
    data = provenance.load(path, study.command, {})
    refuse_stale_runs(path, study.command, data["runs"], lambda r: _config(r["recipe"], r["seed"]))
    missing = sorted(set(study.work()) - {(r["recipe"], r["seed"]) for r in data["runs"]})
    if missing:
        raise ValueError(f"{path} lacks the runs {missing}; finish them with `{study.command}`")
    return data


def refuse_stale_runs(path: Path, command: str, runs: list[dict], config_now) -> None:
    """Refuse results whose ``runs`` record other configurations than ``config_now(run)`` (a
    dict, or None where the recipe is gone) gives now. Compared through TrainConfig, so that a
    field added since with its default changes nothing."""
    keyed = {f"{r['recipe']} seed {r['seed']}, {r['config']['passes']} passes": r for r in runs}
    provenance.refuse_stale(
        path,
        command,
        {"recipes": {key: recorded_config(r["config"]) for key, r in keyed.items()}},
        {"recipes": {key: config_now(r) for key, r in keyed.items()}},
    )


def recorded_config(config: dict) -> dict:
    """A recorded configuration with the defaults of fields added since it was written."""
    return asdict(TrainConfig(**config))


def _config(recipe: str, seed: int) -> dict | None:
    """The configuration a run of ``recipe`` from ``seed`` trains with now (None: no such
    recipe)."""
    return asdict(replace(RECIPES[recipe].config, seed=seed)) if recipe in RECIPES else None


def main(study: Study, doc: str, argv=None, install=None) -> None:
    """The study's command line. ``install(data, runs_dir)``, where given, is offered as
    ``--install``: copy what the finished runs made into the package."""
    p = Parser(
        prog=study.command, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--recipes",
        nargs="+",
        choices=list(study.seeds),
        default=None,
        help="only these (every other run's result is kept)",
    )
    p.add_argument(
        "--seeds",
        nargs="+",
        type=non_negative_int,
        default=None,
        help="only these seeds (default: each recipe's own)",
    )
    p.add_argument("--jobs", type=positive_int, default=2, help="runs at once")
    p.add_argument(
        "--runs",
        type=existing_folder,
        default=Path("runs") / study.results.stem,
        help="checkpoints go here (created inside an existing folder)",
    )
    p.add_argument("--results", type=writable_path, default=study.results)
    p.add_argument(
        "--device",
        type=available_device,
        default=None,
        help="cpu, cuda, ... (default: CUDA if present)",
    )
    if install:
        p.add_argument(
            "--install",
            action="store_true",
            help="after the runs, copy the committed seeds' checkpoints into the package",
        )
    args = p.parse_args(argv)
    device = str(args.device) if args.device is not None else None
    run_all(study, args.recipes, args.seeds, args.runs, args.results, args.jobs, device)
    data = json.loads(args.results.read_text())
    for o in outcomes(data).values():
        print(
            f"{o.recipe:28s} test error {100 * o.mean:5.2f}% +- {100 * o.std:.2f}, training "
            f"error {100 * o.train_mean:5.2f}% +- {100 * o.train_std:.2f}  "
            f"({len(o.seeds)} seeds, {o.train_seconds:.0f} s each)"
        )
    if install and args.install:
        install(data, args.runs)  # what has finished so far
