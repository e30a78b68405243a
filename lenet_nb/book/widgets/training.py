"""Watch it learn: SDLM trains LeNet-5 in the reader's browser (Training chapter).

The front end (``static/src/training_widget.js``) runs the trainer of ``static/src/training/``
(the twins of ``lenet_nb.network.layers``, ``lenet_nb.training.losses``,
``lenet_nb.training.curvature`` and ``lenet_nb.training.sdlm``) in a web worker, on the digits of
``static/lenet5_training.js`` (``lenet_nb.book.widgets.training_data``), and shows the training and
test error, the C1 kernels and a C3 map's, and the step sizes eta / (mu + h) of every layer as
they change. "Use this network" keeps the weights in the browser (localStorage), where the
drawing pad of "Your own digits" offers them. Everything the trainer follows comes from Python
here: the schedule, mu, j, the curvature's 500 patterns, the initialisation, and each update
mode's batch size, eta scale and schedule (the recipe batch-8, and per-pattern updates at the
authors' eta).
"""

import traitlets

from lenet_nb.book.figures import WEIGHT_CMAP
from lenet_nb.book.widgets.base import BookWidget, colour_tables
from lenet_nb.book.widgets.export import c3_table
from lenet_nb.book.widgets.training_data import TEST_DIGITS, TRAIN_DIGITS, training_payload
from lenet_nb.network.initialisation import AUTHORS_SUBSAMPLING_COEFFICIENT
from lenet_nb.network.model import LeNet5
from lenet_nb.network.prototypes import prototype_matrix
from lenet_nb.training.recipes import recipe
from lenet_nb.training.sdlm import CURVATURE_PATTERNS, SCHEDULES

# Each update mode: the recipe batch-8 (8 patterns per update at eta / 8), and the book's own
# recipe paper, the paper's per-pattern updates at the eta of the authors' own demonstration,
# which one pass over the page's 10,000 digits takes to a lower test error than the paper's eta
# does (MAINTAINERS.md, "Training in the page").
MODES = {"8": recipe("batch-8").config, "1": recipe("paper").config}
MODE_NAMES = {"8": "8 per update, eta / 8", "1": "per pattern, the authors' eta"}
REPORT_EVERY = 500  # patterns between two points of the training error
# Patterns between two measures of the test error: each reads all 1,000 test digits, a third of
# what training on 1,000 patterns costs, so measuring every 500 would slow training by a third.
TEST_EVERY = 1_000


def trainer_settings(mode: str = "8", seed: int = 0) -> dict:
    """What ``static/src/training/trainer.js`` trains with, for update ``mode`` ("8" or "1")."""
    config = MODES[mode]
    assert config.init == "authors" and config.loss == "map" and config.optimizer == "sdlm"
    # What the page's trainer does not implement (lenet_nb.studies.procedure's other recipes):
    assert (config.subsampling_curvature, config.energy) == ("squares", "squared")
    assert not config.curvature_every and not config.curvature_gamma
    return {
        "seed": seed,
        "batchSize": config.batch_size,
        "etaScale": config.eta_scale,
        "schedule": list(SCHEDULES[config.schedule]),
        "mu": config.mu,
        "j": config.j,
        "curvaturePatterns": CURVATURE_PATTERNS,
        "coefficient": AUTHORS_SUBSAMPLING_COEFFICIENT,
        "prototypes": prototype_matrix().tolist(),
        "c3Table": c3_table(LeNet5().C3),
    }


def trainer_data() -> dict:
    return {
        "settings": {mode: trainer_settings(mode) for mode in MODES},
        "modes": [[mode, title] for mode, title in MODE_NAMES.items()],
        "train_digits": TRAIN_DIGITS,
        "test_digits": TEST_DIGITS,
        "report_every": REPORT_EVERY,
        "test_every": TEST_EVERY,
        "kernel_cmap": WEIGHT_CMAP,
        "colour_tables": colour_tables(WEIGHT_CMAP),
    }


class TrainingWidget(BookWidget):
    """Start, pause, resume and reset SDLM training of LeNet-5 in the page."""

    _kind = traitlets.Unicode("trainer").tag(sync=True)

    def __init__(self):
        super().__init__(data=trainer_data())
        self.on_msg(self._answer_message)

    def _answer_message(self, _widget, content, _buffers) -> None:
        if content.get("kind") == "training-data?":
            self.send({"kind": "training-data", "payload": training_payload()})

    def _summary(self) -> str:
        return f"{TRAIN_DIGITS:,} training digits, {TEST_DIGITS:,} test digits"
