"""The paper's published numbers that the book measures itself against (Section III, Figs. 5,
9 and 11, Appendix C), and our baseline measurements beside them."""

from lenet_nb import provenance
from lenet_nb.studies import baselines

# Fig. 9: test error (%) on MNIST of every classifier the paper compares, in its order. A prefix
# in brackets is the paper's own annotation: [deslant] deslanted input, [16x16] 16x16 input,
# [dist] training set augmented with distortions. "About 0.1" is the uncertainty it states.
PAPER_FIG9 = {
    "linear": 12.0,
    "[deslant] linear": 8.4,
    "pairwise linear": 7.6,
    "K-NN Euclidean": 5.0,
    "[deslant] K-NN Euclidean": 2.4,
    "40 PCA + quadratic": 3.3,
    "1000 RBF + linear": 3.6,
    "[16x16] tangent distance": 1.1,
    "SVM poly 4": 1.1,
    "RS-SVM poly 5": 1.0,
    "[dist] V-SVM poly 9": 0.8,
    "28x28-300-10": 4.7,
    "[dist] 28x28-300-10": 3.6,
    "[deslant] 20x20-300-10": 1.6,
    "28x28-1000-10": 4.5,
    "[dist] 28x28-1000-10": 3.8,
    "28x28-300-100-10": 3.05,
    "[dist] 28x28-300-100-10": 2.5,
    "28x28-500-150-10": 2.95,
    "[dist] 28x28-500-150-10": 2.45,
    "[16x16] LeNet-1": 1.7,
    "LeNet-4": 1.1,
    "LeNet-4 / K-NN": 1.1,
    "LeNet-4 / local": 1.1,
    "LeNet-5": 0.95,
    "[dist] LeNet-5": 0.8,
    "[dist] boosted LeNet-4": 0.7,
}
PAPER_FIG9_UNCERTAINTY = 0.1  # percentage points

# Section III, Fig. 5: LeNet-5 without distortions.
PAPER_TEST_ERROR = 0.0095  # reached after about 10 passes
PAPER_TRAIN_ERROR = 0.0035  # after 19 passes
# Both, as a training history's pass records them (the figures draw them as dashed lines).
PAPER_FINAL_ERRORS = dict(train_error=PAPER_TRAIN_ERROR, test_error=PAPER_TEST_ERROR)
PAPER_DISTORTED_TEST_ERROR = 0.008  # trained with 540,000 distorted copies besides (Section III-C)

# Appendix C: the per-parameter steps eta / (mu + h_kk) of the first pass ranged roughly over this.
PAPER_FIRST_PASS_STEPS = (7e-5, 0.016)

# Figs. 11 and 12, Section II-B: cost and size of one LeNet-5.
PAPER_MACS = 401_000  # "about 401 thousand" multiply-accumulates per recognition
PAPER_CONNECTIONS = 340_908
PAPER_PARAMETERS = 60_000

# Which of our measurements stands beside which row of Fig. 9.
OURS_IN_FIG9 = {
    "linear": "linear",
    "knn_k1": "K-NN Euclidean",
    "knn_k3": "K-NN Euclidean",
    "knn_k5": "K-NN Euclidean",
    "mlp": "28x28-300-100-10",
    "lenet5": "LeNet-5",
}

# Our classifiers as the Results chapter names them.
OUR_NAMES = {
    "linear": "linear classifier",
    "knn_k1": "k-NN Euclidean, k = 1",
    "knn_k3": "k-NN Euclidean, k = 3",
    "knn_k5": "k-NN Euclidean, k = 5",
    "mlp": "784-300-100-10 network",
    "lenet5": "LeNet-5 (this book)",
}


def fig9_rows(ours: dict[str, float]) -> list[tuple]:
    """Fig. 9's rows in its order as (label, error %, "paper"), each followed by our
    measurements (test error as a fraction, by name of ``OUR_NAMES``) that stand beside it."""
    rows = []
    for paper_row, error in PAPER_FIG9.items():
        rows.append((paper_row, error, "paper"))
        rows += [
            (f"ours: {OUR_NAMES[name]}", 100 * ours[name], "ours")
            for name in OUR_NAMES
            if OURS_IN_FIG9[name] == paper_row
        ]
    return rows


def load_baselines(path=baselines.OUT) -> dict:
    """The baselines measured by ``python -m lenet_nb baselines`` (settings, command, results),
    refused when measured with other settings than ``baselines.SETTINGS``."""
    return provenance.load(path, baselines.COMMAND, {"settings": baselines.SETTINGS})


# Figs. 9-12 for LeNet-5's family, read from the paper's charts (about 0.1 point of uncertainty;
# ../shared/LENET5_PAPER.md): test error and share rejected for 0.5% error (%), multiply-adds,
# parameters (Fig. 12 charts memory, in thousands of variables). None: not charted.
PAPER_FAMILY = {
    "lenet1": dict(error=1.7, rejected=3.7, macs=100_000, parameters=2_600),
    "lenet4": dict(error=1.1, rejected=1.8, macs=260_000, parameters=17_000),
    "lenet4-knn": dict(error=1.1, rejected=1.6, macs=10_000_000, parameters=24_000_000),
    "lenet5": dict(error=0.95, rejected=None, macs=401_000, parameters=60_000),
    "boosted-lenet4": dict(error=0.7, rejected=0.5, macs=460_000, parameters=51_000),
}
