"""Reading strings, measured: the SDNN against heuristic over-segmentation, on strings of MNIST's
test digits (writers neither network saw), and the replicated pass's arithmetic.

    python -m lenet_nb strings          # writes lenet_nb/results/strings.json (a few minutes)

Strings are composed as the SDNN's training windows were (``lenet_nb.digits.strings``), from the
test digits: lengths 1 to 6 with gaps drawn from -1 to 4 pixels, clean and with 10% salt-and-pepper
noise; and 5-digit strings with every gap the same, for the error against the gap. Both readers
get the same images. The switch penalty of the SDNN's character model is chosen on strings of
*training* digits, never on the test strings. Errors: per digit, the edit distance between the
answer and the truth over the truth's length; per string, the share not read exactly.
"""

import json
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from lenet_nb import provenance
from lenet_nb.cli import Parser, positive_int, writable_path
from lenet_nb.digits.mnist import mnist, mnist_tensors
from lenet_nb.digits.strings import BLANK, GAPS, NOISE, WINDOW, random_string
from lenet_nb.network.replicated import replicated_activations
from lenet_nb.paths import RESULTS
from lenet_nb.reading import strings as reader
from lenet_nb.reading.segmentation import CHARACTER_PENALTY, segment_and_read
from lenet_nb.studies.operations import layer_cost
from lenet_nb.studies.string_errors import errors
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.training.committed import checkpoint_hashes, load_model
from lenet_nb.training.evaluation import predict_classes

COMMAND = "python -m lenet_nb strings"
RESULTS_FILE = RESULTS / "strings.json"
LENGTHS = tuple(range(1, 7))
CURVE_LENGTH = 5  # the goal: 5-digit strings, gaps -1..4, 10% noise
SWITCH_CANDIDATES = (0.0, 10.0, 20.0, 40.0, 80.0, 1e6)  # 1e6: never switch directly
CHARACTER_CANDIDATES = (0.0, 5.0, 10.0)  # HOS's cost of one more character
NOTHING_CANDIDATES = (10.0, 20.0, 30.0, 40.0, 60.0, 1e6)  # 1e6: only the blank class is nothing
SEED = 0
NETWORKS = ("sdnn", "paper")  # the SDNN, and the single-digit LeNet-5 that HOS uses


def make_strings(train: bool, count: int, length: int, seed: int, gaps=GAPS, noise=0.0):
    """``count`` composed strings: their images and their true text."""
    raw = mnist(train, transform=None)
    rng = np.random.default_rng(seed)
    made = [
        random_string(raw.data.numpy(), raw.targets.numpy(), length, rng, gaps, noise)
        for _ in range(count)
    ]
    return [m[0] for m in made], ["".join(map(str, m[1])) for m in made]


def sdnn_answers(images, model, grammar: dict) -> list[str]:
    """The SDNN's answers, ``grammar`` holding the switch and nothing penalties."""
    return [
        reader.read_penalties(p, grammar["switch"], grammar["nothing"])
        for p in reader.penalties_of(model, images)
    ]


def hos_answers(images, model, character_penalty: float, progress=False) -> list[str]:
    return [
        segment_and_read(image, model, character_penalty).text
        for image in tqdm(images, desc="HOS", leave=False, disable=not progress)
    ]


def validation_strings(count: int):
    """Strings of training digits, lengths 1 to 6, noisy and clean: where both readers' free
    constants are chosen."""
    images, truths = [], []
    for length in LENGTHS:
        for noise in (0.0, NOISE):
            im, tr = make_strings(
                True, count, length, SEED + 97 * length + int(noise > 0), noise=noise
            )
            images += im
            truths += tr
    return images, truths


def choose_character_penalty(model, count: int) -> dict:
    """HOS's character penalty with the lowest string error on the validation strings."""
    images, truths = validation_strings(count)
    scores = [
        {"character": c, **errors(hos_answers(images, model, c), truths)}
        for c in CHARACTER_CANDIDATES
    ]
    best = min(scores, key=lambda s: s["string_error"])
    return {"chosen": best["character"], "validation": scores}


def choose_grammar(model, count: int) -> dict:
    """The switch and nothing penalties with the lowest string error on the validation strings,
    the first of the best in candidate order."""
    images, truths = validation_strings(count)
    penalties = reader.penalties_of(model, images)
    scores = []
    for switch in SWITCH_CANDIDATES:
        for nothing in NOTHING_CANDIDATES:
            answers = [reader.read_penalties(p, switch, nothing) for p in penalties]
            scores.append({"switch": switch, "nothing": nothing, **errors(answers, truths)})
    best = min(scores, key=lambda s: s["string_error"])
    return {"chosen": {"switch": best["switch"], "nothing": best["nothing"]}, "validation": scores}


def multiply_adds(model, width: int) -> dict:
    """Multiply-adds of one replicated pass over a ``32 x width`` input against the single
    network run on each of its windows, from the layers' own counts (``layer_cost``)."""
    x = torch.zeros(1, 1, 32, width)
    with torch.no_grad():
        acts = replicated_activations(model, x)
        single = model.activations(x[..., :WINDOW])
    positions = acts["output"].shape[-1]
    per_position = {"F6": positions, "output": positions}

    def macs(name, shape, times=1):
        return layer_cost(getattr(model, name), shape).macs * times

    replicated = sum(macs(n, acts[n].shape[1:]) for n in ("C1", "S2", "C3", "S4", "C5"))
    replicated += sum(macs(n, single[n].shape[1:], per_position[n]) for n in ("F6", "output"))
    one = sum(macs(n, single[n].shape[1:]) for n, _ in model.layers())
    return {
        "width": width,
        "positions": positions,
        "replicated": replicated,
        "single_network": one,
        "every_window": one * positions,
        "ratio": one * positions / replicated,
    }


def single_digit_errors(sdnn, single) -> dict:
    """Both networks on MNIST's 10,000 test digits, one centred digit at a time: the SDNN's
    error (a digit read as blank counts as an error) and how many it calls blank."""
    images, labels = mnist_tensors(train=False)
    read = {
        name: predict_classes(model, images) for name, model in (("sdnn", sdnn), ("paper", single))
    }
    return {
        "sdnn_error": float((read["sdnn"] != labels).float().mean()),
        "sdnn_blank": int((read["sdnn"] == BLANK).sum()),
        "paper_error": float((read["paper"] != labels).float().mean()),
        "digits": len(labels),
    }


def measure(count: int, validation: int, progress: bool = True) -> dict:
    """The whole study (see the module's docstring)."""
    sdnn, single = load_model("sdnn"), load_model("paper")
    grammar = choose_grammar(sdnn, validation)
    hos = choose_character_penalty(single, validation)
    conditions = [(length, noise) for length in LENGTHS for noise in (0.0, NOISE)]
    by_length = []
    for length, noise in tqdm(conditions, desc="lengths", disable=not progress):
        images, truths = make_strings(
            False, count, length, SEED + 10 * length + int(noise > 0), noise=noise
        )
        by_length.append(
            {
                "length": length,
                "noise": noise,
                "sdnn": errors(sdnn_answers(images, sdnn, grammar["chosen"]), truths),
                "hos": errors(hos_answers(images, single, hos["chosen"]), truths),
            }
        )
    by_gap = []
    for gap in tqdm(range(GAPS[0], GAPS[1] + 1), desc="gaps", disable=not progress):
        images, truths = make_strings(
            False, count, CURVE_LENGTH, SEED + 1000 + gap, gaps=(gap, gap), noise=NOISE
        )
        by_gap.append(
            {
                "gap": gap,
                "sdnn": errors(sdnn_answers(images, sdnn, grammar["chosen"]), truths),
                "hos": errors(hos_answers(images, single, hos["chosen"]), truths),
            }
        )
    images, truths = make_strings(False, count, CURVE_LENGTH, SEED + 2000, noise=NOISE)
    goal = {
        "sdnn": errors(sdnn_answers(images, sdnn, grammar["chosen"]), truths),
        "hos": errors(hos_answers(images, single, hos["chosen"]), truths),
    }
    return {
        "command": COMMAND,
        "torch": torch.__version__,
        "settings": settings(count, validation),
        "checkpoints": checkpoint_hashes(NETWORKS),
        "grammar": grammar,
        "hos_character_penalty": hos,
        "by_length": by_length,
        "by_gap": by_gap,
        "goal": goal,
        "multiply_adds": multiply_adds(sdnn, images[0].shape[1]),
        "single_digit": single_digit_errors(sdnn, single),
    }


def current_grammar() -> dict:
    """The penalties ``lenet_nb.reading.strings`` reads with."""
    return {"switch": reader.SWITCH_PENALTY, "nothing": reader.NOTHING_PENALTY}


def settings(count: int, validation: int) -> dict:
    return {
        "strings_per_condition": count,
        "validation_strings_per_condition": validation,
        "lengths": list(LENGTHS),
        "gaps": list(GAPS),
        "noise": NOISE,
        "seed": SEED,
        "curve_length": CURVE_LENGTH,
        "switch_candidates": list(SWITCH_CANDIDATES),
        "nothing_candidates": list(NOTHING_CANDIDATES),
        "character_candidates": list(CHARACTER_CANDIDATES),
    }


def load_results(path: Path = RESULTS_FILE) -> dict:
    """The committed study, refused when made from other checkpoints or with other settings
    than the package's, or when it chose other penalties than the readers now use."""
    data = provenance.load(path, COMMAND, {"checkpoints": checkpoint_hashes(NETWORKS)})
    counts = (
        data["settings"]["strings_per_condition"],
        data["settings"]["validation_strings_per_condition"],
    )
    provenance.refuse_stale(
        path,
        COMMAND,
        data,
        {
            "settings": settings(*counts),
            "hos_character_penalty.chosen": CHARACTER_PENALTY,
            "grammar.chosen": current_grammar(),
        },
    )
    return data


def main(argv=None) -> None:
    p = Parser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.add_argument(
        "--out",
        type=writable_path,
        default=RESULTS_FILE,
        help="JSON file to write (default: %(default)s)",
    )
    p.add_argument(
        "--count",
        type=positive_int,
        default=500,
        help="test strings per condition (default: %(default)s)",
    )
    p.add_argument(
        "--validation",
        type=positive_int,
        default=150,
        help="training-digit strings per condition, where both readers' constants are chosen",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    data = measure(args.count, args.validation, progress=not args.quiet)
    text = json.dumps(data, indent=1) + "\n"
    atomic_write(args.out, lambda tmp: Path(tmp).write_text(text))
    print(f"wrote {args.out}")
