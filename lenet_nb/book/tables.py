"""The tables the Training chapter shows, built from the package's numbers as Markdown.

Each table is narrow enough for the book's 688-pixel column (at most six short columns), and
says in words what a recipe name means where one appears.
"""

import statistics

import torch
from IPython.display import Markdown

from lenet_nb.book.chapter import significant
from lenet_nb.studies.outcomes import NBSP, Outcome, sample_std
from lenet_nb.training.losses import loss_and_gradient

# The Training chapter's comparison of initialisations, batch sizes and steps
# (``lenet_nb.studies.seeds``): each recipe it shows, in words.
TRAINING_STUDY = {
    "per-pattern": "per pattern, the paper's eta",
    "paper": "per pattern, the authors' eta: the book's",
    "batch-8": "8 per update, eta / 8",
    "batch-8-paper-eta": "8 per update, the paper's eta",
    "batch-16-eta-8": "16 per update, eta / 8",
    "batch-16": "16 per update, eta / 16",
    "batch-64": "64 per update, eta / 64",
    "paper-init": "Appendix A's initialisation, eta x 0.02",
    "paper-init-default-eta": "Appendix A's initialisation, eta / 8",
    "authors-init-eta-0.02": "the authors' initialisation, eta x 0.02",
}


def markdown_table(header: list[str], rows: list[list[str]], align: str = "") -> Markdown:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r`` (default: the
    first column left, the rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "--:" for a in align]
    lines = [header, rule, *rows]
    return Markdown("\n".join("| " + " | ".join(line) + " |" for line in lines))


def loss_table(penalties, labels, indices, ml, map_, j: float) -> Markdown:
    """One row per test digit of ``indices``: its label, the prediction, the correct and the
    nearest wrong penalty, and both criteria, ``ml`` (Eq. 8) and ``map_`` (Eq. 9 with ``j``)."""
    rows = []
    for k, i in enumerate(indices.tolist()):
        y, label = penalties[i], int(labels[i])
        nearest_wrong = torch.cat([y[:label], y[label + 1 :]]).min()
        rows.append(
            [
                f"{i:,}",
                str(label),
                str(int(y.argmin())),
                f"{y[label]:.2f}",
                f"{nearest_wrong:.2f}",
                f"{ml[k]:.2f}",
                f"{map_[k]:.2f}",
            ]
        )
    header = [
        "test digit",
        "label",
        "read as",
        "y_label",
        "nearest wrong y",
        "ML",
        f"MAP, j = {j:g}",
    ]
    return markdown_table(header, rows)


def curvature_table(h: dict, steps: dict) -> Markdown:
    """Per layer: its parameters, the spread of their h_kk and of the steps SDLM takes."""
    rows = [
        [
            layer,
            f"{len(v):,}",
            f"{v.min():.1e}",
            f"{v.median():.1e}",
            f"{v.max():.1e}",
            f"{steps[layer].min():.1e} to {steps[layer].max():.1e}".replace(" ", NBSP),
        ]
        for layer, v in h.items()
    ]
    header = ["layer", "parameters", "h min", "h median", "h max", "steps eta / (mu + h)"]
    return markdown_table(header, rows)


def in_range(h: dict, steps: dict, paper_range, h_floor: float) -> tuple[float, float]:
    """The share of all parameters whose step lies in ``paper_range``, and of those whose h_kk
    lies below ``h_floor``."""
    every_h, every_step = torch.cat(list(h.values())), torch.cat(list(steps.values()))
    lo, hi = paper_range
    inside = ((every_step >= lo) & (every_step <= hi)).double().mean().item()
    return inside, (every_h < h_floor).double().mean().item()


def initialisation_table(starts: dict, paper_range, h_floor: float) -> Markdown:
    """For each fresh network of ``starts`` (name -> (h by layer, steps by layer)): the share of
    its steps inside ``paper_range``, of its h_kk below ``h_floor``, and per layer its median
    h_kk divided by ``h_floor``."""
    shares = {name: in_range(h, s, paper_range, h_floor) for name, (h, s) in starts.items()}
    rows = [
        ["steps in the paper's range", *(f"{inside:.1%}" for inside, _ in shares.values())],
        [f"h below {h_floor:.3f}", *(f"{below:.1%}" for _, below in shares.values())],
    ]
    for layer in next(iter(starts.values()))[0]:
        ratios = (significant(h[layer].median().item() / h_floor) for h, _ in starts.values())
        rows.append([f"{layer}: median h / {h_floor:.3f}", *ratios])
    return markdown_table(["fresh network", *starts], rows)


def median_growth(curvatures: dict, trained: str, start: str) -> dict[str, float]:
    """Per layer, how many times larger the ``trained`` network's median h_kk is than
    ``start``'s."""
    return {
        k: (h.median() / curvatures[start][k].median()).item()
        for k, h in curvatures[trained].items()
    }


def growth_table(curvatures: dict, trained: str, starts: tuple) -> Markdown:
    """Per layer, the median h_kk of every network of ``curvatures`` and how many times larger
    the ``trained`` one's is than each of ``starts``' (``median_growth``)."""
    medians = {name: {k: v.median().item() for k, v in h.items()} for name, h in curvatures.items()}
    growth = {s: median_growth(curvatures, trained, s) for s in starts}
    rows = []
    for layer in medians[trained]:
        ratios = [significant(growth[s][layer]) + "x" for s in starts]
        rows.append([layer, *(f"{m[layer]:.1e}" for m in medians.values()), *ratios])
    header = ["layer", *curvatures, *(f"{trained} ÷ {s.removeprefix('fresh, ')}" for s in starts)]
    return markdown_table(header, rows)


def _pm(mean: float, std: float, count: int) -> str:
    return f"{100 * mean:.2f}%" + (f"{NBSP}±{NBSP}{100 * std:.2f}" if count > 1 else "")


def training_study_table(outs: dict[str, Outcome], described: dict | None = None) -> Markdown:
    """One row per recipe of ``described`` (default ``TRAINING_STUDY``), named in words with its
    recipe name beside: the seeds, test and training error over them, and the minutes one run's
    updates took (the mean over its seeds)."""
    described = TRAINING_STUDY if described is None else described
    rows = [
        [
            f"{text} (`{name}`)",
            str(len(outs[name].seeds)),
            _pm(outs[name].mean, outs[name].std, len(outs[name].seeds)),
            _pm(outs[name].train_mean, outs[name].train_std, len(outs[name].seeds)),
            f"{outs[name].train_seconds / 60:.1f}",
        ]
        for name, text in described.items()
    ]
    header = ["how it trains (recipe)", "seeds", "test error", "training error", "minutes"]
    return markdown_table(header, rows)


def first_passes_table(data: dict, recipes: tuple[str, ...], passes: int = 3, seed: int = 0):
    """The training error after each of the first ``passes`` passes of ``seed``'s run of each of
    ``recipes`` in a seeds study's results (does a pass ever make it worse?)."""
    history = {r["recipe"]: r["history"] for r in data["runs"] if r["seed"] == seed}
    rows = [
        [f"`{name}`", *(f"{h['train_error']:.2%}" for h in history[name][:passes])]
        for name in recipes
    ]
    header = ["recipe", *(f"after pass {p}" for p in range(1, passes + 1))]
    return markdown_table(header, rows)


def gradient_table(cases: dict, criteria: dict) -> tuple[Markdown, dict]:
    """For each case (name -> (ten penalties, label)) and criterion (name -> loss function): the
    loss, and its gradient on the label's penalty and on the nearest wrong class's (the Output
    chapter). Returns the table and {(case, criterion): (label's gradient, nearest's)}."""
    rows, gradients = [], {}
    for case, (y, label) in cases.items():
        label = int(label)
        others = [i for i in range(len(y)) if i != label]
        nearest = others[int(y[others].argmin())]
        for name, criterion in criteria.items():
            loss, grad = loss_and_gradient(criterion, y, torch.tensor(label))
            gradients[case, name] = (grad[label].item(), grad[nearest].item())
            rows.append(
                [
                    case,
                    f"{label}: {y[label]:.2f}",
                    f"{nearest}: {y[nearest]:.2f}",
                    name,
                    f"{loss:.3f}",
                    f"{grad[label]:+.3f}",
                    f"{grad[nearest]:+.3f}",
                ]
            )
    header = [
        "case",
        "label: y",
        "nearest wrong: y",
        "criterion",
        "E",
        "dE/dy label",
        "dE/dy wrong",
    ]
    return markdown_table(header, rows), gradients


def layer_table(rows) -> Markdown:
    """Each layer's output shape, parameters and connections (``studies.operations.summary``
    rows), with their totals."""
    body = [
        [r.name, "x".join(map(str, r.output_shape)), f"{r.parameters:,}", f"{r.connections:,}"]
        for r in rows
    ]
    total = [sum(r.parameters for r in rows), sum(r.connections for r in rows)]
    body.append(["**total**", "", f"**{total[0]:,}**", f"**{total[1]:,}**"])
    return markdown_table(["layer", "output", "parameters", "connections"], body)


def procedure_table(outs: dict[str, dict]) -> Markdown:
    """One row per recipe of the procedure study (``lenet_nb.studies.procedure.outcomes``): the
    training error after the first two passes and the last, and the test error after the last
    (means over the seeds, with their standard deviation where there are several)."""
    rows = []
    for name, o in outs.items():
        n = len(o["seeds"])
        first, second = (statistics.fmean(run[k] for run in o["by_pass"]) for k in (0, 1))
        rows.append(
            [
                f"`{name.removeprefix('procedure-')}`: {o['summary']}",
                str(n),
                f"{first:.2%}",
                f"{second:.2%}",
                _pm(statistics.fmean(o["train_errors"]), sample_std(o["train_errors"]), n),
                _pm(statistics.fmean(o["test_errors"]), sample_std(o["test_errors"]), n),
            ]
        )
    passes = len(next(iter(outs.values()))["by_pass"][0])
    header = ["recipe", "seeds", "training error, pass 1", "pass 2", f"pass {passes}", "test error"]
    if passes == 2:  # the last pass is the second
        header, rows = header[:4] + header[5:], [row[:4] + row[5:] for row in rows]
    return markdown_table(header, rows)
