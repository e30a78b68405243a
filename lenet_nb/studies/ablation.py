"""Train every recipe of ``lenet_nb.training.recipes`` over the same seeds and collect what they
reach.

    python -m lenet_nb ablation            # all recipes x seeds 0 1 2
                                           # -> lenet_nb/results/ablation.json

Each run is the training CLI in its own process (``lenet_nb.studies.runs``): re-running the command
after a stop finishes the work, and ``--recipes``/``--seeds`` redo some runs and keep the others.
"""

from dataclasses import replace

import torch
from IPython.display import Markdown

from lenet_nb.studies import runs
from lenet_nb.studies.outcomes import NBSP, Outcome
from lenet_nb.studies.outcomes import outcomes as _outcomes
from lenet_nb.training.recipes import RECIPES
from lenet_nb.training.train import train

SEEDS = (0, 1, 2)
STUDY = runs.Study(
    command="python -m lenet_nb ablation",
    results=runs.RESULTS_DIR / "ablation.json",
    seeds={name: SEEDS for name, r in RECIPES.items() if r.group in ("tutorial", "ablation")},
)


def load_results(path=None) -> dict:
    """The committed results, checked to match the recipes as the code defines them now."""
    return runs.load_results(STUDY, path)


def outcomes(data: dict) -> list[Outcome]:
    """Every recipe's runs summarised, in the order of ``RECIPES``."""
    return list(_outcomes(data).values())


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
    rows = [
        "| recipe | parameters | test error, mean ± sd | each seed (%) | training time | "
        "reported error |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for o in outs:
        seeds = "/".join(f"{100 * e:.2f}" for e in o.test_errors)
        reported = _percent(o.reported_error) if o.reported_error is not None else ""
        rows.append(
            f"| `{o.recipe}` | {o.parameters:,} | {_percent(o.mean)}{NBSP}±{NBSP}"
            f"{100 * o.std:.2f} | {seeds} | {o.train_seconds:.0f}{NBSP}s | {reported} |"
        )
    return Markdown("\n".join(rows))


def main(argv=None) -> None:
    runs.main(STUDY, __doc__, argv)


if __name__ == "__main__":
    main()
