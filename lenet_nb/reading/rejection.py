"""Rejection, the paper's way (Section III, Fig. 10): how many test digits must be set aside
as "not sure" for the error on the rest to fall to 0.5%.

    python -m lenet_nb rejection

The paper compares classifiers by "the percentage of test patterns that must be rejected to
achieve 0.5% error". It does not say which confidence measure it thresholds; we use the margin
of the RBF penalties (Eq. 7): the second-smallest penalty minus the smallest. A digit whose F6
vector is about as close to two prototypes is the one to doubt. The threshold is chosen on the
10,000 test digits, as the paper's comparison is made: reject the least confident first, and
keep rejecting until the error on the kept digits is at most 0.5%. ``decide`` applies the same
rule to any digit: the class, or None for "not sure".

The command measures both committed networks and writes ``lenet_nb/results/rejection.json``
(atomically), which the book and ``decide`` read. It also records what the smallest penalty
alone would have needed (the distance to the nearest prototype, an alternative rule) and what
share of random scribbles the threshold rejects: the network never saw a non-digit, so only some
are (the tests pin that share from below).

It then computes the not-a-digit rule's bounds from the training digits and measures what the
rule refuses (``lenet_nb.reading.not_a_digit.measure``), and writes them to
``lenet_nb/results/not_a_digit.json``.
"""

import argparse
import json
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from lenet_nb import provenance
from lenet_nb.cli import Parser, writable_path
from lenet_nb.digits.inputs import as_model_input
from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.digits.normalise import normalise_digit
from lenet_nb.paths import RESULTS
from lenet_nb.reading import not_a_digit
from lenet_nb.reading.not_a_digit import SCRIBBLES, scribble
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.training.committed import checkpoint_hashes, load_model

RESULTS = RESULTS / "rejection.json"
COMMAND = "python -m lenet_nb rejection"
TARGET_ERROR = 0.005  # Fig. 10: "to achieve 0.5% error"
CURVE_POINTS = 1001  # the curve is kept for 0 to 1,000 rejected test digits (0 to 10%)
MODELS = ("paper", "distorted")
SETTINGS = {"target_error": TARGET_ERROR, "scribbles": not_a_digit.SETTINGS["scribbles"]}


def margins(penalties: torch.Tensor) -> torch.Tensor:
    """Second-smallest minus smallest penalty, per digit (``N x 10`` -> ``N``); large = sure."""
    two = penalties.topk(2, dim=-1, largest=False).values
    return two[..., 1] - two[..., 0]


def curve(confidence, correct, points: int | None = None) -> np.ndarray:
    """Errors among the kept digits when the k least confident are rejected, for k = 0, 1, ...

    ``confidence`` (larger = surer) and ``correct`` (bool) have one entry per test digit; equal
    confidences are rejected in the digits' order. The error on the kept digits is
    ``errors[k] / (N - k)`` at a rejected share of ``k / N``.
    """
    confidence, correct = np.asarray(confidence), np.asarray(correct, dtype=bool)
    order = np.argsort(confidence, kind="stable")
    wrong = (~correct[order]).astype(np.int64)
    errors = np.concatenate([np.cumsum(wrong[::-1])[::-1], [0]])  # k = 0..N
    return errors if points is None else errors[:points]


def threshold_for(confidence, correct, target: float = TARGET_ERROR) -> dict:
    """The fewest rejections that bring the error on the kept digits to ``target`` or below,
    and the threshold that makes them: keep a digit when its confidence is at least
    ``threshold``, halfway between the last rejected and the first kept."""
    confidence = np.asarray(confidence, dtype=np.float64)
    errors = curve(confidence, correct)
    n = len(confidence)
    kept = n - np.arange(n + 1)
    k = int(np.flatnonzero(errors <= target * kept)[0])
    ranked = np.sort(confidence, kind="stable")
    below = ranked[k - 1] if k > 0 else -np.inf
    above = ranked[k] if k < n else np.inf
    threshold = float(
        below
        if not np.isfinite(above)
        else above
        if not np.isfinite(below)
        else (below + above) / 2
    )
    return {
        "rejected": k,
        "rejected_share": k / n,
        "threshold": threshold,
        "kept_error": int(errors[k]) / max(n - k, 1),
        "errors_kept": int(errors[k]),
    }


def decide(penalties, threshold: float | None = None, model: str = "paper"):
    """The class (smallest penalty), or None when the margin is below ``threshold``: "not sure".

    ``penalties``: one digit's 10 penalties, or ``N x 10`` (then a list). ``threshold``
    defaults to the committed one of ``model`` (``rejection.json``). A blank image is judged by
    its penalties too, which may be confident: ``predict.read_digit`` rejects it before, as
    having no ink.
    """
    penalties = torch.as_tensor(penalties)
    threshold = committed_threshold(model) if threshold is None else threshold
    if penalties.shape[-1] != 10 or penalties.dim() not in (1, 2):
        raise ValueError(
            f"penalties of shape {tuple(penalties.shape)}: expected the 10 RBF "
            "penalties of one digit, or N x 10"
        )
    classes = penalties.argmin(-1)
    sure = margins(penalties) >= threshold
    if penalties.dim() == 1:
        return int(classes) if sure else None
    return [int(c) if s else None for c, s in zip(classes, sure)]


@lru_cache(maxsize=None)
def load_results(path: Path = RESULTS) -> dict:
    """The committed measurements (``python -m lenet_nb rejection`` writes them), refused when
    made for another target error, other scribbles or other committed networks."""
    return provenance.load(path, COMMAND, {**SETTINGS, "checkpoints": checkpoint_hashes(MODELS)})


def committed_threshold(model: str = "paper") -> float:
    results = load_results()["models"]
    if model not in results:
        raise ValueError(f"no rejection threshold for model {model!r}; measured: {sorted(results)}")
    return results[model]["threshold"]


@torch.no_grad()
def measure(model, images: torch.Tensor, labels: torch.Tensor, scribbles: torch.Tensor) -> dict:
    """Every figure the JSON keeps for one network: ``images`` are the paper's ``N x 1 x 32 x 32``
    test inputs, ``scribbles`` the normalised scribbles, same form."""
    penalties = torch.cat([model(images[i : i + 2000]) for i in range(0, len(images), 2000)])
    correct = (penalties.argmin(1) == labels).numpy()
    margin = margins(penalties).double().numpy()
    chosen = threshold_for(margin, correct)
    nearest = threshold_for(-penalties.min(1).values.double().numpy(), correct)
    scribble_margins = margins(model(scribbles)).double().numpy()
    return {
        "test_digits": len(labels),
        "test_error": float(1 - correct.mean()),
        **chosen,
        "smallest_penalty_rule": {k: nearest[k] for k in ("rejected", "rejected_share")},
        "scribbles_rejected": float((scribble_margins < chosen["threshold"]).mean()),
        "curve_errors_kept": curve(margin, correct, CURVE_POINTS).tolist(),
    }


def run() -> dict:
    """Measure every committed network (``MODELS``) on the MNIST test digits."""
    images, labels = mnist_tensors(train=False)
    drawn = np.stack([normalise_digit(scribble(seed)) for seed in range(SCRIBBLES)])
    scribbles = as_model_input(drawn)
    return {name: measure(load_model(name), images, labels, scribbles) for name in MODELS}


def main(argv=None) -> None:
    p = Parser(
        prog=COMMAND, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--out",
        type=writable_path,
        default=RESULTS,
        help="JSON file to write (default: %(default)s)",
    )
    p.add_argument(
        "--not-a-digit-out",
        type=writable_path,
        default=not_a_digit.RESULTS,
        help="JSON file for the not-a-digit rule's thresholds and shares (default: %(default)s)",
    )
    args = p.parse_args(argv)
    payload = {
        "command": COMMAND,
        "rule": "keep a digit when the second-smallest RBF penalty "
        "minus the smallest is at least the threshold",
        **SETTINGS,
        "checkpoints": checkpoint_hashes(MODELS),
        "torch": torch.__version__,
        "models": run(),
    }
    _write(args.out, payload)
    load_results.cache_clear()
    for name, r in payload["models"].items():
        print(
            f"{name:9s} test error {100 * r['test_error']:.2f}%: reject "
            f"{100 * r['rejected_share']:.2f}% (margin < {r['threshold']:.3f}) for "
            f"{100 * r['kept_error']:.2f}% on the rest; scribbles rejected "
            f"{100 * r['scribbles_rejected']:.0f}%"
        )
    began = time.perf_counter()
    refusals = {
        "command": COMMAND,
        "rule": not_a_digit.__doc__.split("\n\n")[1].strip(),
        "settings": not_a_digit.SETTINGS,
        **not_a_digit.measure(),
    }
    _write(args.not_a_digit_out, refusals)
    not_a_digit.load_results.cache_clear()
    t = refusals["thresholds"]
    print(
        f"not a digit: strong-ink pixels outside {t['ink_pixels'][0]}..{t['ink_pixels'][1]} or "
        f"pieces minus holes outside {t['euler_number'][0]}..{t['euler_number'][1]}; refuses "
        f"{100 * refusals['test_digits_refused']:.2f}% of the test digits as they are "
        f"({100 * refusals['test_digits_refused_as_read']:.2f}% normalised again, "
        f"{100 * refusals['test_digits_refused_as_scanned']:.2f}% scanned), "
        f"{100 * refusals['noise_refused']:.1f}% of the noise and solid fills "
        f"({100 * refusals['mnist_form_noise_refused']:.1f}% in MNIST's form), "
        f"{100 * refusals['scribbles_refused']:.0f}% of the scribbles "
        f"({time.perf_counter() - began:.0f} s)"
    )


def _write(path: Path, payload: dict) -> None:
    text = json.dumps(payload, indent=1) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


if __name__ == "__main__":
    main()
