"""The family's measures over seeds beside the paper's Figs. 9-12, as the chapter's table."""

import statistics
from dataclasses import dataclass

from IPython.display import Markdown

from lenet_nb.network.model import LeNet5
from lenet_nb.studies.cost import multiply_accumulates, totals
from lenet_nb.studies.outcomes import NBSP
from lenet_nb.studies.published import PAPER_FAMILY

NAMES = {
    "lenet5": "LeNet-5 (the ablation's faithful runs)",
    "lenet1": "LeNet-1",
    "lenet4": "LeNet-4",
    "lenet4-knn": "LeNet-4 + K-NN",
    "lenet4-distorted": "LeNet-4, distortions (boosting's first net)",
    "boosted-lenet4": "boosted LeNet-4, distortions",
}


@dataclass(frozen=True)
class Member:
    """One network's measures over its seeds (or ensembles)."""

    name: str
    errors: tuple  # test error per seed, as fractions
    rejected: tuple  # share rejected for 0.5% error per seed
    macs: int
    parameters: int

    @property
    def mean(self) -> float:
        return statistics.fmean(self.errors)

    @property
    def std(self) -> float:
        return statistics.stdev(self.errors) if len(self.errors) > 1 else 0.0

    @property
    def rejected_mean(self) -> float | None:
        return statistics.fmean(self.rejected) if self.rejected else None


def lenet5(ablation_data: dict) -> Member:
    """LeNet-5 at the family's budget: the ablation's faithful runs (10 passes, same seeds);
    their rejection was not measured (their checkpoints are not kept)."""
    runs = [r for r in ablation_data["runs"] if r["recipe"] == "ablation-faithful"]
    costs = totals(multiply_accumulates(LeNet5()))
    parameters = sum(p.numel() for p in LeNet5().parameters())
    return Member("lenet5", tuple(r["test_error"] for r in runs), (), costs["macs"], parameters)


def members(data: dict, ablation_data: dict | None = None) -> dict[str, Member]:
    """Each network's measures; with ``ablation_data``, LeNet-5 at the same budget first."""
    out = {"lenet5": lenet5(ablation_data)} if ablation_data else {}
    for name, runs in data["members"].items():
        out[name] = Member(
            name,
            tuple(r["test_error"] for r in runs),
            tuple(r["rejected_for_target"] for r in runs),
            round(statistics.fmean(r["macs"] for r in runs)),
            runs[0]["parameters"],
        )
    return out


def _count(n: float) -> str:
    return (
        f"{n / 1e6:.1f}{NBSP}M"
        if n >= 1e6
        else f"{n / 1e3:.0f}{NBSP}k"
        if n >= 1e4
        else f"{n / 1e3:.1f}{NBSP}k"
    )


def family_table(found: dict[str, Member]) -> Markdown:
    """One row per network: ours (mean ± sd over seeds) beside the paper's."""
    rows = [
        "| network | runs | test error (paper) | rejected for 0.5% (paper) | multiply-adds (paper) "
        "| parameters (paper) |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for name, m in found.items():
        paper = PAPER_FAMILY.get(name)
        rejected = paper and paper["rejected"]
        ours = "–" if m.rejected_mean is None else f"{100 * m.rejected_mean:.1f}%"
        paper_error = f"{paper['error']}%" if paper else "–"
        rows.append(
            f"| {NAMES[name]} | {len(m.errors)} | "
            f"{100 * m.mean:.2f}%{NBSP}±{NBSP}{100 * m.std:.2f} "
            f"({paper_error}) | {ours} "
            f"({f'{rejected}%' if rejected else '–'}) | {_count(m.macs)} "
            f"({_count(paper['macs']) if paper else '–'}) | {_count(m.parameters)} "
            f"({_count(paper['parameters']) if paper else '–'}) |"
        )
    return Markdown("\n".join(rows))
