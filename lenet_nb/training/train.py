"""Training LeNet-5 as Section III-B does: SDLM, the 20-pass schedule, per-pass error curves.

    python -m lenet_nb train --out runs/paper.pt            # the reproduction (recipe paper)
    python -m lenet_nb train --out runs/paper.pt --resume   # continue an interrupted run
    python -m lenet_nb train --recipe tutorial-relu-maxpool --out runs/relu.pt   # a tutorial LeNet

``--recipe`` starts from one of the named configurations of ``lenet_nb.training.recipes``
(default: ``paper``, the reproduction); any other option given overrides it.

Writes a checkpoint after every pass (atomically) and the per-pass training and test error to a
JSON history beside it (``runs/paper.json``). Every random choice derives from ``--seed`` and the
pass number, so a resumed run ends with exactly the weights of an uninterrupted one.
"""

import argparse
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from lenet_nb.digits.distortions import distorted_copies
from lenet_nb.digits.mnist import mnist, mnist_tensors, preprocess
from lenet_nb.digits.strings import string_windows, window_tensors
from lenet_nb.network.model import LeNet5
from lenet_nb.runtime import CompiledOrEager, seed_everything
from lenet_nb.runtime import device as default_device
from lenet_nb.training import checkpoint
from lenet_nb.training.config import TRAINING_DIGITS, TrainConfig, from_args, parser, to_argv
from lenet_nb.training.evaluation import error_rate, predict_classes
from lenet_nb.training.fused import FusedSteps, supports
from lenet_nb.training.losses import criterion
from lenet_nb.training.recipes import recipe
from lenet_nb.training.sdlm import SDLM
from lenet_nb.training.steps import PlainSteps, pass_generator, train_one_pass

# `compiles`: torch.compile pays at small batches on CPU, in runs of at least this many patterns.
COMPILE_MAX_BATCH = 16
COMPILE_MIN_PATTERNS = 500_000


def make_steps(model, optimizer, config: TrainConfig, device, fused=None, compile=None):
    """How ``train`` updates: ``FusedSteps`` (one graph per update, compiled unless
    ``compile`` is False) where ``fused`` (default: where ``fuses`` says), else ``PlainSteps``
    on a ``batch_loss`` compiled where ``compile`` (default: where ``compiles`` says). The two
    round differently, so each recipe retrains as committed only by its default path."""
    if fused is None:
        fused = fuses(config)
    if fused:
        if not supports(config):
            raise ValueError(
                "fused updates (--fused) cover LeNet-5's own layers under SDLM only: "
                "leave --fused off for this recipe"
            )
        return FusedSteps(model, config, compile=compile is not False)
    compile = compiles(config, device) if compile is None else compile
    loss = batch_loss(model, config, isinstance(optimizer, SDLM), compile)
    return PlainSteps(model, optimizer, loss, config)


def constant_order(config: TrainConfig, digits: int = TRAINING_DIGITS) -> torch.Tensor:
    """Which of ``digits`` training patterns a run trains on, in the paper's "constant random
    order": the first ``train_size`` of a permutation drawn from ``seed``."""
    return torch.randperm(digits, generator=pass_generator(config, -1))[: config.train_size]


def make_optimizer(model, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sdlm":
        return SDLM(model.parameters(), mu=config.mu)
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    return torch.optim.Adam(model.parameters(), lr=config.lr)


def batch_loss(model, config: TrainConfig, sdlm: bool, compile: bool = False):
    """The loss of one batch, ``f(images, labels)``, as ``config`` defines it, through
    ``torch.compile`` if ``compile`` (see ``compiles``).

    SDLM sums over the batch, so that each pattern contributes a step of eta/(mu+h) as in the
    paper; SGD and Adam average, as the tutorials do. ``f.reduction`` says which.
    """
    loss_fn, reduction = criterion(config.loss, config.j), "sum" if sdlm else "mean"
    energy = config.energy_scale

    def f(images, labels):
        outputs = model(images)
        return loss_fn(outputs if energy == 1 else energy * outputs, labels, reduction=reduction)

    f = CompiledOrEager(f, config.batch_size) if compile else f
    f.reduction = reduction
    return f


def fuses(config: TrainConfig) -> bool:
    """Whether ``train`` fuses updates by default: for per-pattern SDLM of LeNet-5's own layers
    (the reproduction), where every pattern's step (and a running average's curvature) is some
    two hundred small operations. Everything else trains by the plain path unless asked. (The
    committed run of recipe ``per-pattern`` was trained by the plain path, equal to this one to
    float rounding: ``tests/test_fused.py``.)"""
    return supports(config) and config.batch_size == 1


def compiles(config: TrainConfig, device) -> bool:
    """Whether ``train`` compiles the batch loss by default: on CPU, where small batches spend
    most of their time in the overhead of many small operations (at batch 8, 1.25x faster), and
    only for runs long enough to repay the compilation (about 20 s on 2 cores the first time)."""
    return (
        torch.device(device).type == "cpu"
        and config.batch_size <= COMPILE_MAX_BATCH
        and config.passes * config.train_size >= COMPILE_MIN_PATTERNS
    )


def train(
    config: TrainConfig,
    out: Path | None = None,
    resume: bool = False,
    device=None,
    progress: bool = True,
    data=None,
    compile: bool | None = None,
    fused: bool | None = None,
    monitor=None,
) -> tuple[LeNet5, list[dict]]:
    """Train (or resume) a LeNet-5; returns the model and its per-pass history.

    ``fused`` and ``compile`` choose how updates run (``make_steps``), falling back to eager
    where compiling fails. Compiled kernels round differently from eager ones: the weights
    agree to float precision, not bit for bit. ``monitor``: see ``train_one_pass``.

    ``data`` may give ``(train_x, train_y, test_x, test_y)`` preprocessed tensors; by default the
    whole of MNIST is used, preprocessed as ``config`` says.
    """
    device = device or default_device()
    seed_everything(config.seed)
    model, history = config.build_model(), []
    if resume and out is not None and Path(out).exists():
        model, saved_config, history = checkpoint.load(out)
        if saved_config != config:
            raise ValueError(
                f"{out} was trained with {saved_config.describe()}; "
                f"resume with the same options (asked: {config.describe()})"
            )
    model.to(device)
    if config.distortions and data is not None:
        raise ValueError("distortions are drawn from the raw MNIST digits: leave data=None")
    train_x, train_y, test_x, test_y = [t.to(device) for t in (data or _mnist(config))]
    order = constant_order(config, len(train_x)).to(device)
    train_x, train_y = train_x[order], train_y[order]  # the paper's constant random order
    pool_x, pool_y = _training_pool(config, train_x, train_y, order)
    optimizer = make_optimizer(model, config)
    steps = make_steps(model, optimizer, config, device, fused, compile)
    if history and config.optimizer != "sdlm":
        optimizer.load_state_dict(checkpoint.load_optimizer_state(out))
    if history and len(history) < config.passes and config.curvature_gamma:
        h = [t.to(device) for t in checkpoint.load_curvature(out)]
        steps.set_running(h, config.learning_rate(len(history)), config.mu)
    passes = range(len(history), config.passes)
    for pass_index in tqdm(passes, disable=not progress, leave=False, unit="pass"):
        started = time.perf_counter()
        window = _pass_window(config, len(pool_x), pass_index).to(device)
        mean_loss = train_one_pass(
            model, optimizer, pool_x[window], pool_y[window], config, pass_index, steps, monitor
        )
        trained = time.perf_counter()
        # seconds: the whole pass; train_seconds: its updates alone, without the evaluation.
        history.append(
            dict(
                pass_=pass_index + 1,
                eta=config.learning_rate(pass_index),
                loss=mean_loss,
                train_error=error_rate(predict_classes(model, train_x), train_y),
                test_error=error_rate(predict_classes(model, test_x), test_y),
                seconds=time.perf_counter() - started,
                train_seconds=trained - started,
            )
        )
        if progress:
            h = history[-1]
            tqdm.write(
                f"pass {h['pass_']:2d}: loss {h['loss']:.4f}  train error "
                f"{100 * h['train_error']:.2f}%  test error {100 * h['test_error']:.2f}%"
            )
        if out is not None:
            running = steps.h if config.curvature_gamma else None
            checkpoint.save(out, model, config, history, optimizer, running)
    return model, history


def _mnist(config: TrainConfig):
    if config.output == "rbf+blank":
        return string_windows(config.train_size, config.seed)
    transform = config.transform()
    return (*mnist_tensors(True, transform), *mnist_tensors(False, transform))


def _training_pool(config: TrainConfig, train_x, train_y, order):
    """The patterns passes are drawn from, in a constant random order.

    Without distortions: the training digits (``train_x``, already in ``order``). With them, as
    in Section III-C: those digits plus 9 distorted copies of each, shuffled once. For the SDNN
    (output ``rbf+blank``): the training windows, then fresh ones for every later pass, so that
    no window is seen twice (Section VII-B does not say how many it made).
    """
    if config.output == "rbf+blank":
        extra = window_tensors(True, (config.passes - 1) * config.train_size, config.seed + 1)
        return (
            torch.cat([train_x, extra[0].to(train_x.device)]),
            torch.cat([train_y, extra[1].to(train_y.device)]),
        )
    if not config.distortions:
        return train_x, train_y
    raw = mnist(train=True, transform=None)
    originals, labels = raw.data[order.cpu()], raw.targets[order.cpu()]
    copies = distorted_copies(originals, copies=9, seed=config.seed)
    pool_x = torch.cat([train_x, preprocess(copies).to(train_x.device)])
    pool_y = torch.cat([train_y, labels.repeat(9).to(train_y.device)])
    shuffle = torch.randperm(len(pool_x), generator=pass_generator(config, -2)).to(pool_x.device)
    return pool_x[shuffle], pool_y[shuffle]


def _pass_window(config: TrainConfig, pool_size: int, pass_index: int) -> torch.Tensor:
    """Which pool patterns pass ``pass_index`` uses: ``train_size`` of them, taken in turn, so
    with distortions 20 passes of 60,000 see each of the 600,000 patterns twice."""
    start = pass_index * config.train_size
    return (start + torch.arange(config.train_size)) % pool_size


def parse_config(argv=None) -> tuple[TrainConfig, argparse.Namespace]:
    """The run's configuration: ``--recipe``'s if given, with every other option overriding it."""
    args = parser(description=__doc__).parse_args(argv)
    try:
        defaults = recipe(args.recipe).config
    except ValueError as err:
        parser().error(f"--recipe: {err}")
    args = parser(defaults, __doc__).parse_args(argv)
    try:
        config = from_args(args)
    except ValueError as err:
        parser().error(str(err))
    return config, args


def main(argv=None) -> None:
    config, args = parse_config(argv)
    if args.resume and args.out.is_file():
        _, saved, _ = checkpoint.load(args.out)
        if saved != config:
            parser().error(
                f"--resume: {args.out} was trained with other options; give the same "
                f"ones (it has {' '.join(to_argv(saved, recipe('paper').config)) or 'the defaults'}"
                "), or another --out"
            )
    _, history = train(
        config,
        args.out,
        resume=args.resume,
        device=args.device,
        progress=not args.quiet,
        compile=args.compile,
        fused=args.fused,
    )
    last = history[-1]
    print(
        f"{args.out}: {len(history)} passes, training error {100 * last['train_error']:.2f}%, "
        f"test error {100 * last['test_error']:.2f}%"
    )


if __name__ == "__main__":
    main()
