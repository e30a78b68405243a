"""Speed of the faithful LeNet-5 against the tutorials' dense LeNet, measured side by side.

    python -m lenet_nb.bench                    # throughput of both, and their ratio
    python -m lenet_nb.bench --reproduction     # also time the full 20-pass reproduction

Both networks train on the same preprocessed MNIST tensors at the same batch size: the faithful
one with its RBF output, MAP loss and SDLM (curvature re-estimated as in a real pass), the
tutorial one with softmax cross-entropy and SGD. Figures vary with the machine and its load.
"""
import argparse
import time

import torch
import torch.nn.functional as F
from torch import nn

from .data import mnist_tensors
from .losses import criterion
from .model import LeNet5
from .optim import CURVATURE_PATTERNS, SDLM, gauss_newton_diagonal
from .runtime import device as default_device
from .runtime import seed_everything
from .config import TrainConfig
from .evaluation import predict_classes
from .train import train


class TutorialLeNet5(nn.Module):
    """The speed reference: ReLU, max-pooling, fully connected C3 and a linear output, in stock
    PyTorch modules, with the paper's 32x32 input and layer widths. (``lenet_nb.variants`` builds
    the same simplifications from our own layers, for the accuracy comparisons.)"""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 120, 5), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))

    @staticmethod
    def decide(scores: torch.Tensor) -> torch.Tensor:
        return scores.argmax(1)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _faithful_step(model):
    optimizer = SDLM(model.parameters(), lr=1e-5)
    loss_fn = criterion("map")

    def start(x):
        optimizer.set_curvature(gauss_newton_diagonal(model, x[:CURVATURE_PATTERNS]))

    def step(x, y):
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y, reduction="sum").backward()
        optimizer.step()
    return start, step


def _tutorial_step(model):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(x, y):
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    return (lambda x: None), step


def train_throughput(model, make_step, x, y, batch_size, device) -> float:
    """Training patterns per second over ``x``, curvature estimate included."""
    start, step = make_step(model)
    start(x)  # warm-up, untimed
    step(x[:batch_size], y[:batch_size])
    _sync(device)
    began = time.perf_counter()
    start(x)
    for i in range(0, len(x), batch_size):
        step(x[i:i + batch_size], y[i:i + batch_size])
    _sync(device)
    return len(x) / (time.perf_counter() - began)


def eval_throughput(model, x, device) -> float:
    predict_classes(model, x[:2000])
    _sync(device)
    began = time.perf_counter()
    predict_classes(model, x)
    _sync(device)
    return len(x) / (time.perf_counter() - began)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m lenet_nb.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patterns", type=int, default=20_000, help="training patterns timed")
    p.add_argument("--batch-size", type=int, default=TrainConfig().batch_size)
    p.add_argument("--reproduction", action="store_true", help="time the full 20-pass run")
    p.add_argument("--device", default=None)
    args = p.parse_args(argv)
    device = torch.device(args.device) if args.device else default_device()
    seed_everything(0)
    train_x, train_y = (t.to(device) for t in mnist_tensors(True))
    test_x = mnist_tensors(False)[0].to(device)
    x, y = train_x[:args.patterns], train_y[:args.patterns]
    print(f"device {device}, torch threads {torch.get_num_threads()}, "
          f"batch size {args.batch_size}, {len(x):,} training patterns timed")
    rows = {}
    for name, model, make_step in (("faithful LeNet-5", LeNet5(), _faithful_step),
                                   ("tutorial LeNet", TutorialLeNet5(), _tutorial_step)):
        model.to(device)
        rows[name] = (train_throughput(model, make_step, x, y, args.batch_size, device),
                      eval_throughput(model.eval(), test_x, device))
        print(f"{name:18s} train {rows[name][0]:9,.0f} patterns/s   "
              f"eval {rows[name][1]:9,.0f} patterns/s")
    (ft, fe), (tt, te) = rows.values()
    print(f"faithful / tutorial: training {ft / tt:.2f}, evaluation {fe / te:.2f}")
    if args.reproduction:
        began = time.perf_counter()
        _, history = train(TrainConfig(), device=device, progress=False)
        print(f"full reproduction ({len(history)} passes, evaluation after each included): "
              f"{time.perf_counter() - began:.0f} s, test error "
              f"{100 * history[-1]['test_error']:.2f}%")


if __name__ == "__main__":
    main()
