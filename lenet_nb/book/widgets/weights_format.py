"""The weights files' format, which ``static/src/weights.js`` decodes: float32 parameters as
base64 of their little-endian bytes, sparse layers' connection tables, and JSON spread one
parameter a line. Shared by LeNet-5's and the SDNN's files (``export``) and the family's
(``family_export``).
"""

import base64
import json

import numpy as np

from lenet_nb.network.layers import SparseConvolutionLayer

FORMAT = "lenet5-weights/1"  # static/src/weights.js's WEIGHTS_FORMAT


def float32_base64(values) -> str:
    """``values`` as little-endian float32 bytes (C order), base64."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode()


def c3_table(layer: SparseConvolutionLayer) -> list[list[int]]:
    """A sparse layer's connections as its kernels are stored: row j, the input maps its map j
    sums, in order (for LeNet-5's C3, Table I)."""
    table = [[] for _ in range(layer.out_maps)]
    for out, inp in zip(layer.out_index.tolist(), layer.in_index.tolist()):
        table[out].append(inp)
    return table


def json_text(value, indent: str = "") -> str:
    """JSON with one line per parameter: a dict that holds dicts is spread over lines, anything
    else is written on one line."""
    if not (isinstance(value, dict) and any(isinstance(v, dict) for v in value.values())):
        return json.dumps(value)
    inner = indent + " "
    items = [f"{inner}{json.dumps(k)}: {json_text(v, inner)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"
