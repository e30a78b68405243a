"""The checks every ``TrainConfig`` passes (``lenet_nb.training.config``): one message per
mistake, naming the command-line option."""

import math

from lenet_nb.network.family import FAMILY_OPTIONS, check_family_options

OPTIMIZERS = ("sdlm", "sgd", "adam")
LOSSES = ("map", "ml", "cross_entropy")
TRAINING_DIGITS = 60_000  # MNIST's training set: the most --train-size can take
# The options of the authors' code's differences (lenet_nb.studies.procedure), by name.
PROCEDURE_CHOICES = dict(
    subsampling_curvature=("squares", "square-of-sum"),
    energy=("squared", "half"),
    schedule=("paper", "authors"),
)


def validate(self) -> None:
    """Raise ValueError, naming the option, where ``self`` (a ``TrainConfig``) is not a run."""
    for name, least, what in (
        ("passes", 1, "at least 1"),
        ("batch_size", 1, "at least 1"),
        ("seed", 0, "0 or more"),
        ("train_size", 1, "at least 1"),
        ("curvature_every", 0, "0 or more"),
    ):
        value = getattr(self, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(
                f"{name} (--{name.replace('_', '-')}) must be a whole number {what}, got {value!r}"
            )
    if self.train_size > TRAINING_DIGITS:
        raise ValueError(
            f"train_size (--train-size) must be at most {TRAINING_DIGITS:,}, the "
            f"training digits MNIST has; got {self.train_size:,}"
        )
    for name, positive in (
        ("j", True),
        ("eta_scale", True),
        ("mu", True),
        ("lr", False),
        ("momentum", False),
        ("curvature_gamma", False),
    ):
        value = getattr(self, name)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
            or positive
            and value == 0
        ):
            raise ValueError(
                f"{name} (--{name.replace('_', '-')}) must be a finite number "
                f"{'> 0' if positive else '>= 0'}, got {value!r}"
            )
    if self.loss not in LOSSES:
        raise ValueError(f"loss (--loss) must be one of {LOSSES}, not {self.loss!r}")
    if (self.output == "linear") != (self.loss == "cross_entropy"):
        raise ValueError(
            "the RBF output trains with loss 'map' or 'ml', the linear output "
            f"with 'cross_entropy' (got output={self.output!r}, loss={self.loss!r})"
        )
    if self.optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer (--optimizer) must be one of {OPTIMIZERS}, not {self.optimizer!r}"
        )
    if self.optimizer != "sdlm" and self.lr <= 0:
        raise ValueError(f"optimizer {self.optimizer!r} needs a learning rate: give --lr > 0")
    if self.momentum and self.optimizer != "sgd":
        raise ValueError(
            f"momentum (--momentum) is for --optimizer sgd only, not {self.optimizer!r}"
        )
    if self.network != "lenet5":
        check_family_options(self.network, {k: getattr(self, k) for k in FAMILY_OPTIONS})
    if self.output == "rbf+blank" and (self.distortions or self.input_size != 32):
        raise ValueError(
            "output 'rbf+blank' trains on Section VII-B's 32x32 string windows "
            "(lenet_nb.digits.strings), without distortions"
        )
    if self.distortions and (self.input_range, self.input_size) != ("paper", 32):
        raise ValueError(
            "distortions (--distortions) are implemented for the paper's input "
            "only (--input-range paper --input-size 32)"
        )
    for name, choices in PROCEDURE_CHOICES.items():
        if getattr(self, name) not in choices:
            raise ValueError(
                f"{name} (--{name.replace('_', '-')}) must be one of {choices}, "
                f"not {getattr(self, name)!r}"
            )
    if self.curvature_gamma >= 1:
        raise ValueError(
            f"curvature_gamma (--curvature-gamma) must be < 1, got {self.curvature_gamma!r}"
        )
    if self.curvature_gamma and self.curvature_every:
        raise ValueError(
            "a running-average curvature (--curvature-gamma) is updated at every step: "
            "leave --curvature-every at 0"
        )
