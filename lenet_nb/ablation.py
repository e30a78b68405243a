"""Train every recipe of ``lenet_nb.variants`` over the same seeds and collect what they reach.

    python -m lenet_nb.ablation            # all recipes x seeds 0 1 2 -> lenet_nb/results/ablation.json

Each run is the training CLI itself,
``python -m lenet_nb.train --recipe NAME --seed S --out RUNS/NAME-seedS.pt --resume --quiet``,
in its own process with ``cores / jobs`` threads, so runs that share the machine are timed alike.
A finished run is read back, not repeated, and an interrupted one resumes: re-running the command
after a stop finishes the work. The results are rewritten (atomically) after every run.
"""
import argparse
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from IPython.display import Markdown
from tqdm.auto import tqdm

from . import checkpoint
from .checkpoint import atomic_write
from .data import input_transform, mnist_tensors
from .train import train
from .variants import RECIPES, parameter_count

SEEDS = (0, 1, 2)
RESULTS = Path(__file__).resolve().parent / "results" / "ablation.json"
COMMAND = "python -m lenet_nb.ablation"


def run_command(name: str, seed: int, out: Path, device: str | None) -> list[str]:
    command = [sys.executable, "-m", "lenet_nb.train", "--recipe", name, "--seed", str(seed),
               "--out", str(out), "--resume", "--quiet"]
    return command + (["--device", device] if device else [])


def _train(name: str, seed: int, runs: Path, threads: int, device: str | None) -> dict:
    out = runs / f"{name}-seed{seed}.pt"
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    done = subprocess.run(run_command(name, seed, out, device), env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{name} seed {seed} failed:\n{done.stderr[-2000:]}")
    model, config, history = checkpoint.load(out)
    return dict(recipe=name, seed=seed, config=asdict(config),
                test_error=history[-1]["test_error"], train_error=history[-1]["train_error"],
                train_seconds=sum(h["train_seconds"] for h in history),
                silent_units=silent_units(model, config), history=history)


@functools.lru_cache(maxsize=None)
def _test_images(input_range: str, input_size: int) -> torch.Tensor:
    """The test digits as a recipe's input takes them: read and preprocessed once per kind."""
    return mnist_tensors(False, input_transform(input_range, input_size))[0]


@torch.no_grad()
def silent_units(model, config) -> dict:
    """Per hidden layer, the fraction of its units whose output is exactly 0 on every test digit:
    a ReLU unit that never fires passes no gradient and never recovers. (A scaled-tanh or
    sigmoid unit is never exactly 0.)"""
    acts = model.activations(_test_images(config.input_range, config.input_size))
    return {name: (act != 0).any(0).logical_not().float().mean().item()
            for name, act in acts.items() if name != "output"}


def _recipes() -> dict:
    """What the results record of each recipe beside its runs."""
    return {name: dict(config=asdict(r.config), summary=r.summary, group=r.group,
                       parameters=parameter_count(r.config), reported_error=r.reported_error)
            for name, r in RECIPES.items()}


def _write(path: Path, runs: list[dict], recipes: dict, machine: dict) -> None:
    order = {name: i for i, name in enumerate(RECIPES)}
    runs = sorted(runs, key=lambda r: (order[r["recipe"]], r["seed"]))
    payload = dict(command=COMMAND, seeds=sorted({r["seed"] for r in runs}), machine=machine,
                   recipes=recipes, runs=runs)
    text = json.dumps(payload, indent=1) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def run_all(names, seeds=SEEDS, runs: Path = Path("runs/ablation"), results: Path = RESULTS,
            jobs: int = 2, device: str | None = None) -> list[dict]:
    threads = max(1, (os.cpu_count() or 1) // jobs)
    machine = dict(device=device or ("cuda" if torch.cuda.is_available() else "cpu"),
                   cpu_cores=os.cpu_count(), parallel_runs=jobs, threads_per_run=threads,
                   torch=torch.__version__, python=platform.python_version())
    recipes = _recipes()
    work = [(name, seed) for name in names for seed in seeds]
    done = [r for r in _previous(results) if (r["recipe"], r["seed"]) not in work]
    with ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(_train, name, seed, runs, threads, device) for name, seed in work]
        for future in tqdm(as_completed(futures), total=len(futures), desc="runs", unit="run"):
            done.append(future.result())
            _write(results, done, recipes, machine)
    return done


def _previous(results: Path) -> list[dict]:
    return json.loads(results.read_text())["runs"] if results.is_file() else []


@dataclass(frozen=True)
class Outcome:
    """One recipe over its seeds: its test errors, their mean and sample standard deviation."""
    recipe: str
    group: str
    summary: str
    parameters: int
    test_errors: tuple  # one per seed, in seed order
    train_errors: tuple
    mean: float
    std: float
    train_seconds: float  # mean over the seeds
    reported_error: float | None


def load_results(path: Path = RESULTS) -> dict:
    """The committed results, checked to match the recipes as the code defines them now."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no ablation results at {path}; regenerate them with `{COMMAND}`")
    data = json.loads(Path(path).read_text())
    stale = sorted({run["recipe"] for run in data["runs"] if run["recipe"] not in RECIPES
                    or run["config"] != asdict(replace(RECIPES[run["recipe"]].config,
                                                       seed=run["seed"]))})
    if stale:
        raise ValueError(f"{path} holds runs of other recipes than {', '.join(stale)} now are; "
                         f"regenerate them with `{COMMAND}`")
    return data


def outcomes(data: dict) -> list[Outcome]:
    """Every recipe's runs summarised, in the order of ``RECIPES``."""
    result = []
    for name, info in data["recipes"].items():
        runs = sorted((r for r in data["runs"] if r["recipe"] == name), key=lambda r: r["seed"])
        errors = tuple(r["test_error"] for r in runs)
        result.append(Outcome(name, info["group"], info["summary"], info["parameters"], errors,
                              tuple(r["train_error"] for r in runs), statistics.fmean(errors), statistics.stdev(errors),
                              statistics.fmean(r["train_seconds"] for r in runs),
                              info["reported_error"]))
    return result


def first_pass_errors(data: dict, recipe: str) -> dict[int, float]:
    """The test error after the first pass of each committed seed of ``recipe``."""
    return {r["seed"]: r["history"][0]["test_error"] for r in data["runs"] if r["recipe"] == recipe}


def live_first_pass(recipe: str, seed: int = 0, device=None) -> float:
    """Train the first pass of ``recipe`` here, from ``seed``, with one thread as the committed
    runs were trained, and return its test error.

    It repeats the committed pass bit for bit only on the same kind of CPU (vector width) and
    thread count: elsewhere floating-point sums run in another order, and 7,500 updates amplify
    the difference to tenths of a point.
    """
    config = replace(RECIPES[recipe].config, passes=1, seed=seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _, history = train(config, device=device, progress=False)
    finally:
        torch.set_num_threads(threads)
    return history[0]["test_error"]


def _percent(x: float) -> str:
    return f"{100 * x:.2f}%"


def results_table(outs: list[Outcome]) -> Markdown:
    """The measured test errors beside the reported ones, one row per recipe."""
    rows = ["| recipe | parameters | test error, mean ± sd | each seed (%) | training time | "
            "reported error |", "|---|--:|--:|--:|--:|--:|"]
    for o in outs:
        seeds = " / ".join(f"{100 * e:.2f}" for e in o.test_errors)
        reported = _percent(o.reported_error) if o.reported_error is not None else ""
        rows.append(f"| `{o.recipe}` | {o.parameters:,} | {_percent(o.mean)} ± "
                    f"{100 * o.std:.2f} | {seeds} | {o.train_seconds:.0f} s | {reported} |")
    return Markdown("\n".join(rows))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES),
                   help="only these, on --seeds (every other run's result is kept)")
    p.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    p.add_argument("--jobs", type=int, default=2, help="runs at once")
    p.add_argument("--runs", type=Path, default=Path("runs/ablation"), help="checkpoints go here")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--device", default=None, help="cpu, cuda, ... (default: CUDA if present)")
    args = p.parse_args(argv)
    run_all(args.recipes, args.seeds, args.runs, args.results, args.jobs, args.device)
    for o in outcomes(load_results(args.results)):
        print(f"{o.recipe:28s} test error {100 * o.mean:5.2f}% +- {100 * o.std:.2f}  "
              f"({o.parameters:,} parameters, {o.train_seconds:.0f} s)")


if __name__ == "__main__":
    main()
