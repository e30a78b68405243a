"""LeNet-5 as LeCun, Bottou, Bengio & Haffner (1998) built and trained it."""

import warnings

from lenet_nb.digits.inputs import as_model_input
from lenet_nb.digits.normalise import normalise_digit
from lenet_nb.network.layers import C3_TABLE, EuclideanRBF, SparseConvolutionLayer, SubsamplingLayer
from lenet_nb.network.model import LeNet5
from lenet_nb.reading.predict import predict
from lenet_nb.reading.strings import read_string
from lenet_nb.runtime import device, seed_everything
from lenet_nb.studies.operations import summary
from lenet_nb.training.committed import load_history, load_model

# `python -m lenet_nb predict` (or .rejection, .widgets.export, ...) runs that module as __main__
# after this package has imported it (for the function above), and runpy warns that the two
# copies could differ. They cannot matter here: a command line only prints and writes files, and
# passes no object of one copy to code that checks it against the other's classes.
warnings.filterwarnings(
    "ignore",
    category=RuntimeWarning,
    message=r"'lenet_nb\.[\w.]+' found in sys\.modules after import of package",
)

__all__ = [
    "C3_TABLE",
    "EuclideanRBF",
    "LeNet5",
    "SparseConvolutionLayer",
    "SubsamplingLayer",
    "as_model_input",
    "device",
    "load_history",
    "load_model",
    "normalise_digit",
    "predict",
    "read_string",
    "seed_everything",
    "summary",
]
