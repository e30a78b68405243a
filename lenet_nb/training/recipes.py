"""The LeNets of the tutorials, and the paper's network with one simplification at a time.

Every recipe is a ``TrainConfig`` with a name:

    python -m lenet_nb train --recipe tutorial-relu-maxpool --seed 1 --out runs/relu-1.pt
    python -m lenet_nb recipes            # the Keras-style summary of every recipe's network

``python -m lenet_nb ablation`` trains all of them over the same seeds and writes the results the
ablation chapter loads.
"""

from dataclasses import replace

from lenet_nb.cli import Parser
from lenet_nb.network.model import output_shapes
from lenet_nb.training.config import Recipe, TrainConfig
from lenet_nb.training.tutorials import TUTORIALS

# The ablations' common budget: this many passes over the 60,000 training digits, in 8-pattern
# updates, for every change. Long enough for late effects to show (the faithful network's test
# error levels off after about 10 passes of 20), short enough to run every change over three
# seeds on a 2-core laptop in under an hour (README).
ABLATION_PASSES = 10
FAITHFUL = TrainConfig(passes=ABLATION_PASSES)


# One change each from FAITHFUL, in the order the issue lists them.
_CHANGES = (
    ("faithful", {}, "the paper's network and training (the baseline)"),
    ("full-c3", dict(c3="full"), "full C3 instead of Table I"),
    (
        "softmax-output",
        dict(output="linear", loss="cross_entropy"),
        "linear output + softmax cross-entropy instead of RBF + MAP",
    ),
    ("relu", dict(activation="relu"), "ReLU instead of the scaled tanh"),
    # ReLU units cannot output the -1 pixels of the RBF's prototypes; this is ReLU as tutorials
    # use it, with a linear output scored by softmax cross-entropy (still trained by SDLM).
    (
        "relu-softmax",
        dict(activation="relu", output="linear", loss="cross_entropy"),
        "ReLU hidden layers with a linear output + softmax cross-entropy",
    ),
    ("max-pool", dict(pooling="max"), "max-pooling instead of trainable subsampling"),
    # The PyTorch tutorial's lr, not tuned here.
    (
        "sgd",
        dict(optimizer="sgd", lr=0.001, momentum=0.9),
        "SGD (lr 0.001, momentum 0.9) instead of SDLM",
    ),
    ("adam", dict(optimizer="adam", lr=0.001), "Adam (lr 0.001) instead of SDLM"),
    ("unit-input", dict(input_range="unit"), "[0, 1] input instead of -0.1 / 1.175"),
    ("no-padding", dict(input_size=28), "28x28 input, no padding to 32x32"),
)
ABLATIONS = tuple(
    Recipe(f"ablation-{name}", replace(FAITHFUL, **change), text, "ablation")
    for name, change, text in _CHANGES
)

# The paper's procedure (Section III-B, Appendix C) as the reproduction trains it: an update
# after every pattern, from the authors' initialisation, with the paper's curvature and energy,
# at the eta of the authors' own demonstration (lenet_nb.studies.procedure: this is its recipe
# procedure-authors-eta, the most faithful that meets the paper's numbers; at the paper's eta
# none of its recipes does).
PER_PATTERN = TrainConfig(batch_size=1, eta_scale=1.0)
AUTHORS_COMPUTATION = dict(
    subsampling_curvature="square-of-sum", curvature_gamma=0.05, energy="half"
)
PAPER = replace(PER_PATTERN, schedule="authors")

# The training claims of the Results chapter, over seeds (lenet_nb.studies.seeds): the
# reproduction, the network trained with distortions (Section III-C), and Fig. 6's smaller
# training sets.
REPRODUCTIONS = (
    Recipe(
        "paper",
        PAPER,
        "the reproduction: per-pattern SDLM as the paper gives it, at the eta of the authors' "
        "own demonstration (1e-4 for ten passes, then 1e-5)",
        "reproduction",
        reported_error=0.0095,
        reported_note="0.95% test, 0.35% training",
    ),
    Recipe(
        "distorted",
        replace(PAPER, distortions=True),
        "paper trained on the 60,000 digits and 540,000 distorted copies (Section III-C)",
        "reproduction",
        reported_error=0.008,
        reported_note="0.8% test",
    ),
    # Fig. 6's smaller sets: the reproduction on fewer digits, and batch-8 (below) beside it.
    *(
        Recipe(
            f"paper-{size}",
            replace(PAPER, train_size=size),
            f"paper on the first {size:,} training digits (Fig. 6)",
            "training-size",
        )
        for size in (15_000, 30_000)
    ),
    *(
        Recipe(
            f"batch-8-{size}",
            TrainConfig(train_size=size),
            f"batch-8 on the first {size:,} training digits (Fig. 6)",
            "training-size",
        )
        for size in (15_000, 30_000)
    ),
)
# LeNet-5's family (Section III-C-2, Fig. 9), trained as the reproduction is, for the ablation's
# 10 passes (its runs over seeds fit a 2-core laptop). lenet4-distorted: boosting's first net.
FAMILY = (
    Recipe(
        "lenet1",
        TrainConfig(network="lenet1", input_size=28, passes=ABLATION_PASSES),
        "LeNet-1: 16x16 digits in a 28x28 field, 4-4-12-12 maps, 10 outputs",
        "family",
        reported_error=0.017,
    ),
    Recipe(
        "lenet4",
        TrainConfig(network="lenet4", passes=ABLATION_PASSES),
        "LeNet-4: 32x32 input, 4-8-16-16 maps, 120 units, 10 outputs",
        "family",
        reported_error=0.011,
    ),
    Recipe(
        "lenet4-distorted",
        TrainConfig(network="lenet4", distortions=True, passes=ABLATION_PASSES),
        "LeNet-4 trained on the digits and 9 distorted copies of each: boosting's first net",
        "family",
    ),
)
# Why the initialisation and eta matter (the Training chapter): the paper's procedure exactly,
# and the reproduction with Appendix A's initialisation, with and without the eta it needs.
TRAINING_STUDY = (
    Recipe(
        "batch-8",
        TrainConfig(),
        "8-pattern updates at the paper's eta / 8, with the paper's curvature and energy: the "
        "faster training that was the book's default before the procedure study",
        "training",
    ),
    Recipe(
        "batch-8-distorted",
        TrainConfig(distortions=True),
        "batch-8 trained with distortions: how recipe distorted trained before the procedure study",
        "training",
    ),
    Recipe(
        "per-pattern",
        TrainConfig(batch_size=1, eta_scale=1.0),
        "the paper's procedure exactly: an update after every pattern at the paper's eta, "
        "from the authors' initialisation",
        "training",
    ),
    Recipe(
        "batch-8-paper-eta",
        TrainConfig(eta_scale=1.0),
        "8-pattern updates at the paper's eta, not rescaled",
        "training",
    ),
    *(
        Recipe(
            f"batch-{size}",
            TrainConfig(batch_size=size, eta_scale=1 / size),
            f"{size}-pattern updates at the paper's eta / {size}",
            "training",
        )
        for size in (16, 64)
    ),
    Recipe(
        "batch-16-eta-8",
        TrainConfig(batch_size=16),
        "16-pattern updates at batch-8's eta / 8, the same step per pattern",
        "training",
    ),
    Recipe(
        "paper-init",
        TrainConfig(init="paper", eta_scale=0.02),
        "Appendix A's initialisation U(+-2.4/F), at eta x 0.02, the largest stable scale we "
        "found for it",
        "training",
    ),
    Recipe(
        "paper-init-default-eta",
        TrainConfig(init="paper"),
        "Appendix A's initialisation at batch-8's eta / 8",
        "training",
    ),
    Recipe(
        "authors-init-eta-0.02",
        TrainConfig(eta_scale=0.02),
        "the authors' initialisation at eta x 0.02",
        "training",
    ),
)

# The paper's own procedure (per-pattern updates at its eta, the authors' initialisation) with
# each way the authors' code differed from the paper's text, alone and together
# (lenet_nb.studies.procedure; LENET5_PAPER.md, "What the authors' own code did").
_ALL = dict(AUTHORS_COMPUTATION, schedule="authors")
_DIFFERENCES = (
    ("paper", {}, "the paper's procedure exactly (as recipe per-pattern)"),
    (
        "square-of-sum",
        dict(subsampling_curvature="square-of-sum"),
        "subsampling coefficients' curvature from (sum x)^2, as the authors' code",
    ),
    ("running-average", dict(curvature_gamma=0.05), "a running-average curvature, gamma 0.05 (SN)"),
    (
        "every-4000",
        dict(curvature_every=4000),
        "curvature re-estimated every 4,000 patterns (EBLearn)",
    ),
    ("half-energy", dict(energy="half"), "energy d^2 / 2, curvature seeded with 1"),
    ("authors-eta", dict(schedule="authors"), "the authors' demo's eta: 1e-4, then 1e-5"),
    ("all", _ALL, "all four: (sum x)^2, running average, d^2 / 2, the authors' eta"),
    (
        "all-but-eta",
        {k: v for k, v in _ALL.items() if k != "schedule"},
        "the three that keep the paper's eta: (sum x)^2, running average, d^2 / 2",
    ),
)
PROCEDURE = tuple(
    Recipe(f"procedure-{name}", replace(PER_PATTERN, **change), text, "procedure")
    for name, change, text in _DIFFERENCES
)

RECIPES = {
    recipe.name: recipe
    for recipe in (*TUTORIALS, *ABLATIONS, *REPRODUCTIONS, *FAMILY, *TRAINING_STUDY, *PROCEDURE)
}


def recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[name]


def parameter_count(config: TrainConfig) -> int:
    return sum(p.numel() for p in config.build_model().parameters())


def keras_summary(config: TrainConfig) -> str:
    """The network as Keras's ``model.summary()`` prints one: layer, output shape, parameters."""
    model = config.build_model()
    shapes, total = output_shapes(model), 0
    lines = [f"{'Layer (type)':<32}{'Output Shape':<22}{'Param #':>9}", "=" * 63]
    for name, layer in model.layers():
        parameters = sum(p.numel() for p in layer.parameters() if p.requires_grad)
        total += parameters
        shape = "(None, " + ", ".join(map(str, shapes[name])) + ")"
        lines.append(f"{name + ' (' + type(layer).__name__ + ')':<32}{shape:<22}{parameters:>9,}")
    lines += ["=" * 63, f"Total params: {total:,}"]
    return "\n".join(lines)


def main(argv=None) -> None:
    Parser(prog="python -m lenet_nb recipes", description=__doc__.splitlines()[0]).parse_args(argv)
    for r in RECIPES.values():
        reported = f"\nreported: {r.reported_note}" if r.reported_note else ""
        print(f"{r.name}: {r.summary}{reported}\n{keras_summary(r.config)}\n")


if __name__ == "__main__":
    main()
