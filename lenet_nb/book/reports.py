"""What the Training, Results and Distortions chapters print: their numbers in sentences and
text tables, beside the paper's (``lenet_nb.studies.published``). Each function formats what a
cell has measured; the cell keeps the checks on it."""

import math

from lenet_nb.studies import published, seeds
from lenet_nb.studies.mistakes import Overlap
from lenet_nb.studies.outcomes import Outcome


def passes(history: list[dict]) -> str:
    """A training run's training and test error after each pass, one line a pass."""
    return "\n".join(
        f"pass {h['pass_']}: {h['train_error']:.2%} training, {h['test_error']:.2%} test error"
        for h in history
    )


def fig5(history: list[dict]) -> str:
    """A training run's last pass against the paper's Fig. 5, its best pass, and the gap between
    test and training error at the first and the last pass."""
    last = history[-1]
    best = min(history, key=lambda h: h["test_error"])
    gap = [h["test_error"] - h["train_error"] for h in history]
    return (
        f"after pass {last['pass_']}: test error {last['test_error']:.2%} "
        f"(paper: {published.PAPER_TEST_ERROR:.2%}), training error {last['train_error']:.2%} "
        f"(paper: {published.PAPER_TRAIN_ERROR:.2%})\n"
        f"lowest test error: {best['test_error']:.2%}, after pass {best['pass_']}\n"
        f"test minus training error, first and last pass: {gap[0]:+.2%}, {gap[-1]:+.2%}"
    )


def over_seeds(outs: dict[str, Outcome]) -> str:
    """The networks trained without and with distortions over their seeds, and where seed 0
    stands among the first's."""
    lines = [
        f"{name}: test error {o.mean:.2%} ± {o.std:.2%}, worst seed {max(o.test_errors):.2%}; "
        f"training error {o.train_mean:.2%} ± {o.train_std:.2%}"
        for name, o in (
            ("without distortions", outs["paper"]),
            ("with distortions", outs["distorted"]),
        )
    ]
    paper = outs["paper"]
    below = sum(e < paper.test_errors[0] for e in paper.test_errors)
    lines.append(
        f"seed 0: {paper.test_errors[0]:.2%}, {below} of the {len(paper.seeds)} seeds lower; "
        f"{seeds_above(paper)} seeds above the paper's 0.95%"
    )
    return "\n".join(lines)


def seeds_above(outcome: Outcome, error: float = published.PAPER_TEST_ERROR) -> int:
    """How many of ``outcome``'s seeds end above ``error`` (default: the paper's 0.95%)."""
    return sum(e > error for e in outcome.test_errors)


def training_sizes(series: dict[str, list[tuple[int, Outcome]]]) -> str:
    """Fig. 6's points: test and training error over the seeds, one line per training-set size,
    for each recipe in ``series`` (its name: its points)."""
    return "\n".join(
        f"{name:>8}, {size:6,} training digits: test error {o.mean:.2%} ± {o.std:.2%}, "
        f"training error {o.train_mean:.2%} ± {o.train_std:.2%} ({len(o.seeds)} seeds)"
        for name, points in series.items()
        for size, o in points
    )


def test_error(live: float, wrong: int, total: int, recorded: float) -> str:
    """The test error measured now, beside the one the run recorded and the paper's."""
    return (
        f"test error: {live:.2%} ({wrong} of {total:,} digits); "
        f"the history's last pass: {recorded:.2%}; the paper: {published.PAPER_TEST_ERROR:.2%}"
    )


def confusions(top: list[tuple[int, int, int]]) -> str:
    """The most frequent confusions, as ``studies.mistakes.top_confusions`` lists them."""
    return "most frequent confusions: " + ", ".join(
        f"{true} taken for {predicted} ({n} times)" for true, predicted, n in top
    )


def second_choices(wrong: int, runner_up: int) -> str:
    """How many misclassified digits have their true class as the runner-up answer."""
    return (
        f"{wrong} misclassified; the true class is the second smallest penalty for "
        f"{runner_up} of them ({runner_up / wrong:.0%})"
    )


def fig9(ours: dict[str, float]) -> str:
    """Our classifiers' test errors (fractions, by name of ``published.OUR_NAMES``) beside the
    row of the paper's Fig. 9 that each stands beside."""
    lines = ["classifier               ours    paper (Fig. 9)"]
    for name, label in published.OUR_NAMES.items():
        row = published.OURS_IN_FIG9[name]
        lines.append(
            f"{label:23s} {100 * ours[name]:5.2f}%   {published.PAPER_FIG9[row]:5.2f}%  ({row})"
        )
    return "\n".join(lines)


def baselines_against_paper(ours: dict[str, float], paper: dict[str, float], losses) -> str:
    """How far our linear classifier, best k-NN and 784-300-100-10 network are from the paper's
    (test errors as fractions), and the network's training loss over its last two epochs."""
    best_knn = min(ours[k] for k in ("knn_k1", "knn_k3", "knn_k5"))
    return (
        f"linear: {100 * (paper['linear'] - ours['linear']):.1f} points below the paper's; "
        f"best k-NN: {100 * (paper['knn_k3'] - best_knn):.1f} points below; "
        f"784-300-100-10: {100 * (ours['mlp'] - paper['mlp']):+.2f} points\n"
        f"784-300-100-10 training loss, last two epochs: {losses[-2]:.3f}, {losses[-1]:.3f}"
    )


def operations(total: dict[str, int], everything: int, full_c3: int) -> str:
    """Our multiply-accumulates against the paper's 401,000, every operation counted, and the
    MACs of a network whose C3 is fully connected."""
    return (
        f"MACs: {total['macs']:,}, {total['macs'] / published.PAPER_MACS:.0%} of the paper's "
        f"{published.PAPER_MACS:,}; every operation counted, squashings included: "
        f"{everything:,}\n"
        f"with a fully connected C3 (96 kernels instead of 60): {full_c3:,} MACs, "
        f"{full_c3 - total['macs']:,} more"
    )


def timing(device: str, threads: int, batched: float, single: float) -> str:
    """Seconds per digit in batches of 1,000 and one at a time, as microseconds and rates."""
    return "\n".join(
        [f"device: {device}, torch threads: {threads}"]
        + [
            f"{how} {1e6 * s:.1f} microseconds per digit ({1 / s:,.0f} digits per second)"
            for how, s in (("batches of 1,000:", batched), ("one at a time:   ", single))
        ]
    )


def overlap(o: Overlap, names=("paper network", "distorted")) -> str:
    """Two networks' errors as a two-by-two table, with the share of the second's errors that
    the first shares and how many independent mistakes would share."""
    a, b = names
    wrong_b = o.only_b + len(o.both)
    return (
        f"{'':23s}{b + ' right':>15s}   {b + ' wrong':>15s}\n"
        f"{a + ' right':21s} {o.right_both:15,}   {o.only_b:15,}\n"
        f"{a + ' wrong':21s} {o.only_a:15,}   {len(o.both):15,}\n"
        f"\nboth wrong: {len(o.both)}, {len(o.both) / wrong_b:.0%} of the {b} network's errors; "
        f"expected if independent: {o.chance:.1f}"
    )


def growth(before: dict, after: dict, keys, expected: float) -> tuple[str, dict[str, float]]:
    """How many times wider the within-class spread of each statistic of ``keys`` is in
    ``after`` than in ``before`` (``variation.natural_variation`` results): the text and the
    ratios by key."""
    ratios = {key: after[key]["within_sd"] / before[key]["within_sd"] for key in keys}
    lines = [f"within-class s.d., distorted copies / originals (expected {expected:.2f}):"]
    lines += [
        f"  {key:10s} {before[key]['within_sd']:.3f} -> {after[key]['within_sd']:.3f}  (x{g:.2f})"
        for key, g in ratios.items()
    ]
    return "\n".join(lines), ratios


def seeds_of(recipe: str, outcome: Outcome) -> str:
    """A recipe's test error over its seeds, and which seed's run the book loads."""
    return (
        f"over {len(outcome.seeds)} seeds: {outcome.mean:.2%} ± {outcome.std:.2%} "
        f"(the network the book loads is seed {seeds.COMMITTED[recipe]}'s run)"
    )


def digit_sets(train, test) -> str:
    """How many training and test digits (uint8 batches ``N x H x W``), and their size."""
    return (
        f"{len(train):,} training digits, {len(test):,} test digits, "
        f"{train.shape[-2]}x{train.shape[-1]} grey levels 0-255"
    )


def centre_of_mass(sd: float) -> str:
    """The spread of the centres of mass beside that of a position uniform over one pixel."""
    return (
        f"centre of mass, x: s.d. {sd:.2f} px (a uniform spread over one pixel: "
        f"{1 / math.sqrt(12):.2f} px)"
    )


def shares_inside(shares: dict[str, float]) -> str:
    """The share of training digits inside each distortion's range (``copies.shares_inside``)."""
    return "training digits within our range: " + ", ".join(
        f"{field.replace('_', ' ')} {share:.1%}" for field, share in shares.items()
    )


def gallery(copies, index: int, label: int, unchanged: bool) -> str:
    """What the Fig. 7 gallery shows: how many copies of which test digit."""
    return (
        f"{len(copies)} distorted copies of test digit {index} (a {label}), {copies.dtype}, "
        f"none identical to the original: {not unchanged}"
    )


def distorted_test_error(live: float, wrong: int, total: int, without: float) -> str:
    """The test error of the network trained with distortions, beside the paper's and that of
    the network trained without."""
    return (
        f"test error with distortions: {live:.2%} ({wrong} of {total:,}); "
        f"the paper's: {published.PAPER_DISTORTED_TEST_ERROR:.2%}\n"
        f"test error without (the book's first network): {without:.2%}"
    )
