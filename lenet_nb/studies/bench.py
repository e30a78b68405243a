"""Speed of the faithful LeNet-5 against the tutorials' dense LeNet, measured side by side.

    python -m lenet_nb bench                    # throughputs and ratios at batch 1, 8 and 64
    python -m lenet_nb bench --reproduction     # also time the full 20-pass reproduction
    python -m lenet_nb bench --reproduction batch-8   # ... or another recipe's full run

Both networks train on the same preprocessed MNIST tensors at the same batch size: the faithful
one with its RBF output, MAP loss and SDLM (through the plain loop
``lenet_nb.training.steps.train_steps``, and as ``lenet_nb.training.fused.FusedSteps``, what
``--fused`` and the procedure study run), the tutorial one with softmax cross-entropy and SGD
through the plain loop. Batch 1 is the paper's per-pattern update, which the recipe ``paper``
trains by the fused step; there the fused step also runs with the authors' running-average
curvature, updated at every pattern, as the procedure study trains it ("fused, running"). The
faithful network's time includes its curvature estimate (500 patterns, the plain computation's
time for every row), charged once per 60,000-pattern pass as the training does it. The two run
in alternation, a chunk of patterns each per round, so that a shared machine's load falls on
both alike: each round gives a ratio, and the benchmark reports the median round (throughputs
and ratio) with the middle half of the rounds' ratios, which says how noisy the measurement
was. Figures vary with the machine and its load; the ratios much less.
"""

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from lenet_nb.cli import Parser, available_device, int_at_most, positive_int
from lenet_nb.digits.mnist import mnist_tensors
from lenet_nb.network.model import LeNet5
from lenet_nb.runtime import device as default_device
from lenet_nb.runtime import load_averages, seed_everything
from lenet_nb.training.config import TRAINING_DIGITS, TrainConfig
from lenet_nb.training.evaluation import predict_classes
from lenet_nb.training.fused import FusedSteps
from lenet_nb.training.recipes import RECIPES
from lenet_nb.training.sdlm import CURVATURE_PATTERNS, SDLM, gauss_newton_diagonal
from lenet_nb.training.steps import train_steps
from lenet_nb.training.train import batch_loss, compiles, train

CHUNK = 512  # training patterns per network per round
# What --reproduction can time: the reproduction, and the 8-pattern recipe it departed from
REPRODUCIBLE = ("paper", "batch-8")
# The fused step with the authors' running-average curvature, as the procedure study trains it.
RUNNING = RECIPES["procedure-all-but-eta"].config


class TutorialLeNet5(nn.Module):
    """The speed reference: ReLU, max-pooling, fully connected C3 and a linear output, in stock
    PyTorch modules, with the paper's 32x32 input and layer widths. (``lenet_nb.training.recipes``
    builds the same simplifications from our own layers, for the accuracy comparisons.)"""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 120, 5),
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)
        )

    def forward(self, x):
        return self.classifier(self.features(x))

    @staticmethod
    def decide(scores: torch.Tensor) -> torch.Tensor:
        return scores.argmax(1)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def side_by_side(tasks: dict, rounds: int, device) -> dict[str, list[float]]:
    """Run every task once per round, in alternating order, and return each one's seconds per
    round. ``tasks`` maps names to functions of the round's index."""
    seconds = {name: [] for name in tasks}
    for r in range(rounds):
        for name in list(tasks) if r % 2 == 0 else list(reversed(tasks)):
            _sync(device)
            began = time.perf_counter()
            tasks[name](r)
            _sync(device)
            seconds[name].append(time.perf_counter() - began)
    return seconds


def _trainer(loss, optimizer, x, y, batch_size):
    """A task training on the round's chunk of ``x`` (cycling through it)."""
    chunks = max(1, len(x) // CHUNK)

    def run(r):
        at = (r % chunks) * CHUNK
        train_steps(loss, optimizer, x[at : at + CHUNK], y[at : at + CHUNK], batch_size)

    return run


def _fused_trainer(model, optimizer, h, config, x, y):
    """A task training ``FusedSteps`` on the round's chunk of ``x`` (cycling through it), with
    the optimizer's steps, or with ``config``'s running-average curvature started from ``h``."""
    steps = FusedSteps(model, config)
    steps.set_steps(optimizer.step_sizes())
    if config.curvature_gamma:
        steps.set_running(h, config.learning_rate(0), config.mu)
    chunks, batch = max(1, len(x) // CHUNK), config.batch_size

    def run(r):
        at = (r % chunks) * CHUNK
        steps.run(x, y, range(at, at + CHUNK, batch))

    return run


def _tutorial_loss(model):
    def loss(images, labels):
        return F.cross_entropy(model(images), labels)

    loss.reduction = "mean"
    return loss


def curvature_seconds(model, x, device, repeats: int = 5) -> float:
    """Median time of one curvature estimate on ``CURVATURE_PATTERNS`` patterns."""
    gauss_newton_diagonal(model, x[:CURVATURE_PATTERNS])  # warm-up
    times = side_by_side(
        {"h": lambda r: gauss_newton_diagonal(model, x[:CURVATURE_PATTERNS])}, repeats, device
    )["h"]
    return statistics.median(times)


def compare_training(x, y, batch_size: int, device, patterns: int) -> dict:
    """Both networks trained side by side at ``batch_size``: patterns/s of each (the faithful
    one's including its curvature estimate once per pass) and the ratio, with its spread. The
    faithful network runs eagerly (the plain modules, autograd and ``SDLM.step``), with its
    batch loss compiled where ``train`` compiled it before the fused step
    (``lenet_nb.training.train.compiles``), and as ``FusedSteps``, one compiled graph per
    update (what ``train(fused=True)`` runs)."""
    config = TrainConfig(batch_size=batch_size)
    tasks, sdlm = {}, {}
    for name in ("faithful", "compiled", "fused", "running"):
        if name == "compiled" and not compiles(config, device):
            continue
        if name == "running" and batch_size != RUNNING.batch_size:
            continue
        seed_everything(0)
        model = LeNet5().to(device)
        sdlm[name] = (model, SDLM(model.parameters(), lr=1e-5))
        h = gauss_newton_diagonal(model, x[:CURVATURE_PATTERNS])
        sdlm[name][1].set_curvature(h)
        if name in ("fused", "running"):
            trained = RUNNING if name == "running" else config
            tasks[name] = _fused_trainer(model, sdlm[name][1], h, trained, x, y)
            continue
        loss = batch_loss(model, config, True, name == "compiled")
        tasks[name] = _trainer(loss, sdlm[name][1], x, y, batch_size)
    seed_everything(0)
    tutorial = TutorialLeNet5().to(device)
    sgd = torch.optim.SGD(tutorial.parameters(), lr=0.01, momentum=0.9)
    tasks["tutorial"] = _trainer(_tutorial_loss(tutorial), sgd, x, y, batch_size)
    warm = side_by_side(tasks, 1, device)  # warm-up (and compilation), untimed
    side_by_side(tasks, 1, device)
    seconds = side_by_side(tasks, max(2, patterns // CHUNK), device)
    # The curvature estimate, charged per pattern as a pass of the training set pays it.
    curvature = curvature_seconds(sdlm["faithful"][0], x, device)
    per_chunk = curvature * CHUNK / config.train_size
    row = dict(curvature=curvature)
    for name in tasks.keys() - {"tutorial"}:
        faithful_s = [s + per_chunk for s in seconds[name]]
        ratios = sorted(t / f for t, f in zip(seconds["tutorial"], faithful_s))
        quarter = len(ratios) // 4
        row[name] = dict(
            rate=CHUNK / statistics.median(faithful_s),
            ratio=statistics.median(ratios),
            spread=(ratios[quarter], ratios[-1 - quarter]),
            first_round=warm[name][0],
        )
    row["tutorial"] = CHUNK / statistics.median(seconds["tutorial"])
    return row


def compare_evaluation(test_x, device, rounds: int = 5) -> dict:
    """Both networks classifying ``test_x``, side by side: patterns/s of each (median round)."""
    seed_everything(0)
    nets = {"faithful": LeNet5().to(device).eval(), "tutorial": TutorialLeNet5().to(device).eval()}
    tasks = {name: (lambda r, net=net: predict_classes(net, test_x)) for name, net in nets.items()}
    side_by_side(tasks, 1, device)  # warm-up
    seconds = side_by_side(tasks, rounds, device)
    return {name: len(test_x) / statistics.median(s) for name, s in seconds.items()}


def reproduction_estimate(train_rate: float, eval_rate: float, config=TrainConfig()) -> float:
    """Seconds for ``config``'s run: each pass trains on ``train_size`` patterns (curvature
    included in ``train_rate``) and then classifies the training and the test set."""
    per_pass = config.train_size / train_rate + (config.train_size + 10_000) / eval_rate
    return config.passes * per_pass


def main(argv=None) -> None:
    p = Parser(
        prog="python -m lenet_nb bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--patterns",
        type=int_at_most(TRAINING_DIGITS),
        default=20_000,
        help="training patterns timed per network and batch size",
    )
    p.add_argument(
        "--batch-size", type=positive_int, nargs="+", default=[1, TrainConfig().batch_size, 64]
    )
    p.add_argument(
        "--reproduction",
        nargs="?",
        const="paper",
        choices=REPRODUCIBLE,
        metavar="RECIPE",
        help="also train RECIPE's full run (by default paper, the reproduction) by the fused "
        "step and time it",
    )
    p.add_argument(
        "--device", type=available_device, help="cpu, cuda, ... (default: CUDA if present)"
    )
    args = p.parse_args(argv)
    device = args.device or default_device()
    train_x, train_y = (t.to(device) for t in mnist_tensors(True))
    test_x = mnist_tensors(False)[0].to(device)
    x, y = train_x[: max(args.patterns, CHUNK)], train_y[: max(args.patterns, CHUNK)]
    print(
        f"load averages (1, 5, 15 min) {load_averages()} before; "
        f"device {device}, torch threads {torch.get_num_threads()}, "
        f"{max(args.patterns, CHUNK):,} training patterns timed per network and batch size, "
        f"in alternating rounds of {CHUNK:,} patterns each; median rounds"
    )
    training = {}
    for batch_size in args.batch_size:
        row = training[batch_size] = compare_training(x, y, batch_size, device, args.patterns)
        print(
            f"batch {batch_size:3d}: tutorial LeNet {row['tutorial']:7,.0f} patterns/s; "
            f"faithful LeNet-5 curvature estimate {1000 * row['curvature']:.0f} ms per pass"
        )
        labels = (
            ("faithful", "faithful LeNet-5"),
            ("compiled", "  loss compiled"),
            ("fused", "  fused step"),
            ("running", "  fused, running"),
        )
        for name, label in labels:
            if name in row:
                r = row[name]
                print(
                    f"  {label:16s} {r['rate']:7,.0f} patterns/s, faithful / tutorial: "
                    f"training {r['ratio']:.2f} (middle half of the rounds' ratios "
                    f"{r['spread'][0]:.2f}-{r['spread'][1]:.2f})"
                    + (f"; compiling took {r['first_round']:.0f} s" if name != "faithful" else "")
                )
    evaluation = compare_evaluation(test_x, device)
    print(
        f"evaluation: faithful LeNet-5 {evaluation['faithful']:,.0f} patterns/s, "
        f"tutorial LeNet {evaluation['tutorial']:,.0f} patterns/s, "
        f"faithful / tutorial {evaluation['faithful'] / evaluation['tutorial']:.2f}"
    )
    for name in ("batch-8", "paper"):
        config = RECIPES[name].config
        if config.batch_size in training:
            rate = training[config.batch_size]["fused"]["rate"]
            estimate = reproduction_estimate(rate, evaluation["faithful"], config)
            print(
                f"estimated {config.passes}-pass run of {name} (batch "
                f"{config.batch_size}, fused step, evaluation after each pass): "
                f"{estimate / 60:.1f} min"
            )
    print(f"load averages {load_averages()} after the side-by-side rounds")
    if args.reproduction:
        began = time.perf_counter()
        config = RECIPES[args.reproduction].config
        _, history = train(config, device=device, progress=False, fused=True)
        seconds, last = time.perf_counter() - began, history[-1]
        print(
            f"full run of {args.reproduction} ({len(history)} passes, batch {config.batch_size}, "
            "fused step, compilation and the evaluation after each pass included): "
            f"{seconds:.0f} s, test error {100 * last['test_error']:.2f}%, training error "
            f"{100 * last['train_error']:.2f}%; load averages {load_averages()} after"
        )


if __name__ == "__main__":
    main()
