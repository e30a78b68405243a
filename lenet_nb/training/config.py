"""What determines a training run: ``TrainConfig``, and its command line both ways.

``parser`` reads the options of ``python -m lenet_nb train`` into a ``TrainConfig``;
``to_argv`` writes a ``TrainConfig`` back as those options, its exact inverse.
"""

import argparse
from dataclasses import asdict, dataclass, fields

from lenet_nb.cli import (
    Parser,
    available_device,
    int_at_most,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    writable_path,
)
from lenet_nb.digits.mnist import input_transform
from lenet_nb.network.family import FAMILY
from lenet_nb.network.initialisation import INITIALISATIONS
from lenet_nb.network.layers import ACTIVATIONS, C3_TABLE, FULL_C3
from lenet_nb.network.model import LeNet5
from lenet_nb.training.losses import DEFAULT_J
from lenet_nb.training.sdlm import MU, SCHEDULES, learning_rate
from lenet_nb.training.validation import (
    LOSSES,
    OPTIMIZERS,
    PROCEDURE_CHOICES,
    TRAINING_DIGITS,
    validate,
)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a run. See README, "What differs from the paper"."""

    passes: int = 20
    batch_size: int = 8  # 1 is the paper's per-pattern update
    loss: str = "map"
    j: float = DEFAULT_J
    # Multiplies the paper's eta schedule: 1/8 for updates of 8 summed patterns, as stable as the
    # paper's per-pattern updates at its own eta (README, "What differs from the paper").
    eta_scale: float = 0.125
    mu: float = MU
    seed: int = 0
    train_size: int = 60_000
    distortions: bool = False  # Section III-C: add 9 distorted copies of every pattern
    # "lenet5", or one of its family (lenet_nb.network.family), which take only the paper's options.
    network: str = "lenet5"
    # LeNet5's options: the paper's by default (lenet_nb.training.recipes changes them).
    activation: str = "scaled_tanh"
    pooling: str = "trainable"
    c3: str = "table"  # "table": Table I; "full": every C3 map sees every S2 map
    output: str = "rbf"  # "rbf+blank": the SDNN's 11 classes, trained on string windows
    input_range: str = "paper"
    input_size: int = 32
    c1_padding: int = 0
    init: str = "authors"  # the authors' own code's (Appendix A's rule is "paper"; README)
    # "sdlm" follows eta_scale x the paper's schedule; "sgd" and "adam" use lr throughout.
    optimizer: str = "sdlm"
    lr: float = 0.0
    momentum: float = 0.0
    # Where the authors' own code differs from the paper's text (lenet_nb.studies.procedure):
    # a subsampling coefficient's curvature from "squares" (sum x^2) or "square-of-sum"
    # ((sum x)^2); the curvature re-estimated every `curvature_every` patterns (0: before each
    # pass) or, with `curvature_gamma` > 0, a running average updated at every update; the
    # energy "squared" (d^2) or "half" (d^2 / 2); eta by the "paper"'s schedule or "authors"'.
    subsampling_curvature: str = "squares"
    curvature_every: int = 0
    curvature_gamma: float = 0.0
    energy: str = "squared"
    schedule: str = "paper"

    def __post_init__(self):
        validate(self)

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in asdict(self).items())

    def build_model(self) -> LeNet5:
        """A freshly initialised network of this configuration."""
        if self.network != "lenet5":
            return FAMILY[self.network](init=self.init)
        return LeNet5(
            C3_TABLE if self.c3 == "table" else FULL_C3,
            activation=self.activation,
            pooling=self.pooling,
            output=self.output,
            input_size=self.input_size,
            c1_padding=self.c1_padding,
            init=self.init,
        )

    def transform(self):
        digit_size = FAMILY[self.network].digit_size if self.network in FAMILY else 20
        return input_transform(self.input_range, self.input_size, digit_size)

    def learning_rate(self, pass_index: int) -> float:
        if self.optimizer == "sdlm":
            return learning_rate(pass_index, SCHEDULES[self.schedule]) * self.eta_scale
        return self.lr

    @property
    def etas(self) -> list[float]:
        """The global eta of every pass, as ``train`` sets it."""
        return [self.learning_rate(p) for p in range(self.passes)]

    @property
    def energy_scale(self) -> float:
        """The factor on the RBF penalties the criterion sees: 1 for d^2, 1/2 for d^2 / 2."""
        return 0.5 if self.energy == "half" else 1.0


@dataclass(frozen=True)
class Recipe:
    """A named ``TrainConfig`` (``lenet_nb.training.recipes``): ``--recipe NAME`` trains it."""

    name: str
    config: TrainConfig
    summary: str  # what it is, in a line
    group: str  # the study it belongs to: "tutorial", "ablation", "procedure", ...
    reported_error: float | None = None  # the test error its authors report, where they do
    reported_note: str = ""  # the reported figure in its authors' terms, with any caveat


# The options that pick a variant of the network or its optimiser (lenet_nb.training.recipes).
VARIANT_CHOICES = dict(
    network=("lenet5", *FAMILY),
    activation=tuple(a for a in ACTIVATIONS if a != "identity"),
    pooling=("trainable", "max", "avg"),
    c3=("table", "full"),
    output=("rbf", "linear", "rbf+blank"),
    input_range=("paper", "unit"),
    input_size=(32, 28),
    c1_padding=(0, 2),
    init=INITIALISATIONS,
    optimizer=OPTIMIZERS,
)


_VARIANT_HELP = dict(
    network="default: lenet5; lenet1 (--input-size 28) and lenet4 are its family (Fig. 9)",
    optimizer="sdlm is the paper's; sgd and adam use --lr",
    init="default: authors, the authors' own code's U(+-1/sqrt F), biases 0, subsampling "
    "coefficients 0.5; paper: Appendix A's U(+-2.4/F)",
)


_PROCEDURE_HELP = dict(
    subsampling_curvature="a subsampling coefficient's curvature from sum x^2 (the paper's "
    "squares) or (sum x)^2 (square-of-sum, the authors' code)",
    energy="the RBF energy: d^2 (squared, the paper's) or d^2 / 2 (half, the authors' code)",
    schedule="eta: the paper's 20-pass schedule, or the authors' demo's 1e-4, 1e-5, 1e-6 for "
    "ten passes each",
)


def parser(defaults: TrainConfig = TrainConfig(), description: str = "") -> argparse.ArgumentParser:
    """The options of ``python -m lenet_nb train``, defaulting to ``defaults``."""
    p = Parser(
        prog="python -m lenet_nb train",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=writable_path, required=True, help="checkpoint path (.pt)")
    p.add_argument(
        "--recipe",
        default="paper",
        help="start from a named configuration of lenet_nb.training.recipes (default: paper, "
        "the reproduction)",
    )
    p.add_argument("--passes", type=positive_int, default=defaults.passes)
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=defaults.batch_size,
        help="patterns per update; 1 is the paper's per-pattern SDLM",
    )
    p.add_argument(
        "--loss",
        choices=LOSSES,
        default=defaults.loss,
        help="map: Eq. 9; ml: maximum likelihood, Eq. 8; cross_entropy: for --output linear",
    )
    p.add_argument("--j", type=positive_float, default=defaults.j, help="the constant j of Eq. 9")
    p.add_argument(
        "--eta-scale",
        type=positive_float,
        default=defaults.eta_scale,
        help="factor on the paper's global learning-rate schedule",
    )
    p.add_argument(
        "--mu", type=positive_float, default=defaults.mu, help="mu of eps = eta/(mu + h)"
    )
    p.add_argument("--seed", type=non_negative_int, default=defaults.seed)
    p.add_argument(
        "--train-size",
        type=int_at_most(TRAINING_DIGITS),
        default=defaults.train_size,
        help="train on the first N patterns of the shuffled training set (at most 60,000)",
    )
    p.add_argument(
        "--distortions",
        action="store_true",
        default=defaults.distortions,
        help="add 9 randomly distorted copies of every training digit (Section III-C)",
    )
    for name, choices in VARIANT_CHOICES.items():
        p.add_argument(
            _flag(name),
            type=type(choices[0]),
            choices=choices,
            default=getattr(defaults, name),
            help=_VARIANT_HELP.get(name, f"default: {choices[0]} (the paper's)"),
        )
    for name, choices in PROCEDURE_CHOICES.items():
        p.add_argument(
            _flag(name),
            choices=choices,
            default=getattr(defaults, name),
            help=_PROCEDURE_HELP[name],
        )
    p.add_argument(
        "--curvature-every",
        type=non_negative_int,
        default=defaults.curvature_every,
        help="re-estimate the curvature every N patterns (0: before each pass, the paper's)",
    )
    p.add_argument(
        "--curvature-gamma",
        type=non_negative_float,
        default=defaults.curvature_gamma,
        help="> 0: a running average of the curvature, updated at every update with this weight",
    )
    p.add_argument(
        "--lr",
        type=non_negative_float,
        default=defaults.lr,
        help="learning rate of sgd and adam (> 0 for them)",
    )
    p.add_argument("--momentum", type=non_negative_float, default=defaults.momentum, help="for sgd")
    p.add_argument(
        "--device",
        type=available_device,
        default=None,
        help="cpu, cuda, ... (default: CUDA if present)",
    )
    p.add_argument("--resume", action="store_true", help="continue from --out if it exists")
    p.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run each batch through torch.compile (default: where it pays, see "
        "lenet_nb.training.train.compiles)",
    )
    p.add_argument(
        "--fused",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="each SDLM update as one compiled graph (lenet_nb.training.fused), rounded "
        "otherwise than the plain path (default: where it pays, see "
        "lenet_nb.training.train.fuses)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def from_args(args: argparse.Namespace) -> TrainConfig:
    """The ``TrainConfig`` that parsed options describe."""
    return TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})


def to_argv(config: TrainConfig, base: TrainConfig | None = TrainConfig()) -> list[str]:
    """The options that make ``parser(base)`` read ``config``: one per field that differs from
    ``base`` (a bare flag for a set bool), or every field if ``base`` is None.
    ``from_args(parser(base).parse_args([--out ..., *to_argv(config, base)]))`` is ``config``."""
    if base is not None and any(
        getattr(base, f.name) is True and getattr(config, f.name) is False
        for f in fields(TrainConfig)
    ):
        raise ValueError(
            f"a flag set in base cannot be unset on the command line (base: {base.describe()})"
        )
    argv = []
    for f in fields(TrainConfig):
        value = getattr(config, f.name)
        if base is not None and value == getattr(base, f.name) or value is False:
            continue
        if isinstance(value, bool):
            argv.append(_flag(f.name))
        else:
            argv += [_flag(f.name), repr(value) if isinstance(value, float) else str(value)]
    return argv


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")
