"""A recipe's results over its seeds, summarised: what the tables and figures of the studies over
seeds show (``lenet_nb.studies.seeds``, ``lenet_nb.studies.ablation``)."""

import statistics
from dataclasses import dataclass

NBSP = "\u00a0"  # keeps a table cell's number and unit on one line on a phone


@dataclass(frozen=True)
class Outcome:
    """One recipe over its seeds: its errors, their mean and sample standard deviation."""

    recipe: str
    group: str
    summary: str
    parameters: int
    seeds: tuple
    test_errors: tuple  # one per seed, in seed order
    train_errors: tuple
    mean: float
    std: float
    train_mean: float
    train_std: float
    train_seconds: float  # mean over the seeds
    reported_error: float | None


def outcomes(data: dict) -> dict[str, Outcome]:
    """Every recipe's runs summarised, in the order of the study (those with runs so far)."""
    result = {}
    for name, info in data["recipes"].items():
        runs = sorted((r for r in data["runs"] if r["recipe"] == name), key=lambda r: r["seed"])
        if not runs:
            continue  # not run yet
        test, train = (tuple(r[key] for r in runs) for key in ("test_error", "train_error"))
        result[name] = Outcome(
            name,
            info["group"],
            info["summary"],
            info["parameters"],
            tuple(r["seed"] for r in runs),
            test,
            train,
            statistics.fmean(test),
            sample_std(test),
            statistics.fmean(train),
            sample_std(train),
            statistics.fmean(r["train_seconds"] for r in runs),
            info["reported_error"],
        )
    return result


def sample_std(values) -> float:
    """The sample standard deviation, NaN for a single value (a table then shows none)."""
    return statistics.stdev(values) if len(values) > 1 else float("nan")
