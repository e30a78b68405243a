"""Table I as a clickable grid: which S2 maps feed each C3 map, with the maps and kernels."""

import numpy as np
import torch
import traitlets

from lenet_nb.book.chapter import activations
from lenet_nb.book.figures import (
    ACTIVATION_CMAP,
    ACTIVATION_RANGE,
    INPUT_CMAP,
    INPUT_RANGE,
    WEIGHT_CMAP,
)
from lenet_nb.book.widgets.base import BookWidget, colour_tables, layer_data


def c3_links(mask) -> dict:
    """Table I both ways, from a boolean ``C3 maps x S2 maps`` connection mask (as
    ``SparseConvolutionLayer.connection_mask()`` returns it): ``c3_inputs[j]``, the S2 maps that
    feed C3 map j, and ``s2_outputs[i]``, the C3 maps that S2 map i feeds. The C3 widget
    highlights exactly these lists."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or mask.shape[0] <= mask.shape[1]:
        raise ValueError(f"expected a C3 maps x S2 maps mask (16 x 6), got shape {mask.shape}")
    return {
        "c3_inputs": [np.flatnonzero(row).tolist() for row in mask],
        "s2_outputs": [np.flatnonzero(col).tolist() for col in mask.T],
    }


def c3_data(model, images: torch.Tensor, labels: torch.Tensor, numbers=None) -> dict:
    """Everything the C3 connection table draws: Table I (from the model's own connection mask),
    the S2 and C3 maps of the digits ``images``, and the 60 learned 5x5 kernels of C3."""
    acts = activations(model, images)
    mask = model.C3.connection_mask()
    dense = model.C3.dense_weight(model.C3.weight).detach().cpu()  # 16 x 6 x 5 x 5
    bound = float(dense.abs().max())
    return {
        **c3_links(mask),
        "labels": labels.tolist(),
        "numbers": list(numbers) if numbers is not None else list(range(len(images))),
        "layers": [
            layer_data("input", "input", images.cpu(), INPUT_RANGE, INPUT_CMAP),
            layer_data("S2", "S2", acts["S2"], ACTIVATION_RANGE, ACTIVATION_CMAP),
            layer_data("C3", "C3", acts["C3"], ACTIVATION_RANGE, ACTIVATION_CMAP),
            # One "digit" of 96 maps: kernel (j, i) at map 6 j + i, zero where Table I has none.
            layer_data(
                "kernels", "kernels", dense.reshape(1, 96, 5, 5), (-bound, bound), WEIGHT_CMAP
            ),
        ],
        "colour_tables": colour_tables(INPUT_CMAP, ACTIVATION_CMAP, WEIGHT_CMAP),
    }


class C3ConnectionTable(BookWidget):
    """Table I as a clickable grid. Click a C3 map (a column) to light up the S2 maps that feed it
    and see its inputs, kernels and feature map; click an S2 map (a row) to light up the C3 maps
    it feeds. ``selected_kind`` is ``"C3"`` or ``"S2"``, ``selected_index`` the map, ``digit``
    which of the digits supplies the maps."""

    _kind = traitlets.Unicode("c3table").tag(sync=True)
    selected_kind = traitlets.Unicode("C3").tag(sync=True)
    selected_index = traitlets.Int(0).tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)

    def __init__(self, model, images, labels, numbers=None, c3_map: int = 0, digit: int = 0):
        super().__init__(
            data=c3_data(model, images, labels, numbers),
            selected_kind="C3",
            selected_index=c3_map,
            digit=digit,
        )

    def _summary(self) -> str:
        return (
            f"{len(self.data['labels'])} digits, selected {self.selected_kind} map "
            f"{self.selected_index}"
        )
