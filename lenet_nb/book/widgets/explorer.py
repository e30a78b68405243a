"""The feature-map explorer: every layer's output for a digit, from the input to the penalties."""

import torch
import traitlets

from lenet_nb.book.chapter import activations
from lenet_nb.book.figures import ACTIVATION_CMAP, ACTIVATION_RANGE, INPUT_CMAP, INPUT_RANGE
from lenet_nb.book.widgets.base import BookWidget, colour_tables, layer_data
from lenet_nb.network.prototypes import HEIGHT, WIDTH


def explorer_data(model, images: torch.Tensor, labels: torch.Tensor, numbers=None) -> dict:
    """Everything the feature-map explorer draws, for the digits ``images`` (``N x 1 x 32 x 32``).

    ``numbers`` are the digits' indices in the test set, for the captions.
    """
    acts = activations(model, images)
    n = len(images)
    penalties = acts["output"]
    layers = [
        layer_data("input", "input 32x32", images.cpu(), INPUT_RANGE, INPUT_CMAP),
        layer_data("C1", "C1: 6 maps 28x28", acts["C1"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        layer_data("S2", "S2: 6 maps 14x14", acts["S2"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        layer_data("C3", "C3: 16 maps 10x10", acts["C3"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        layer_data("S4", "S4: 16 maps 5x5", acts["S4"], ACTIVATION_RANGE, ACTIVATION_CMAP),
        # 120 units of one pixel each, drawn as one 10x12 picture (row by row).
        layer_data(
            "C5",
            "C5: 120 units, as 10x12",
            acts["C5"].reshape(n, 1, 10, 12),
            ACTIVATION_RANGE,
            ACTIVATION_CMAP,
        ),
        layer_data(
            "F6",
            "F6: 84 units, as 7x12",
            acts["F6"].reshape(n, 1, HEIGHT, WIDTH),
            ACTIVATION_RANGE,
            ACTIVATION_CMAP,
        ),
        layer_data(
            "prototypes",
            "prototype",
            model.output.prototypes.cpu().reshape(10, 1, HEIGHT, WIDTH),
            ACTIVATION_RANGE,
            ACTIVATION_CMAP,
        ),
    ]
    return {
        "labels": labels.tolist(),
        "numbers": list(numbers) if numbers is not None else list(range(n)),
        "penalties": [[round(float(p), 1) for p in row] for row in penalties],
        "predictions": penalties.argmin(1).tolist(),
        "layers": layers,
        "colour_tables": colour_tables(INPUT_CMAP, ACTIVATION_CMAP),
    }


class FeatureMapExplorer(BookWidget):
    """Pick one of a few dozen test digits; see every layer's output for it, from the input to
    the ten penalties, and the prediction. ``index`` is the digit shown."""

    _kind = traitlets.Unicode("explorer").tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)

    def __init__(self, model, images, labels, numbers=None, index: int = 0):
        super().__init__(data=explorer_data(model, images, labels, numbers), index=index)

    def _summary(self) -> str:
        return f"{len(self.data['labels'])} digits, showing digit {self.index}"
