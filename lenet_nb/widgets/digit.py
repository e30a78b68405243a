"""Your own digit: a pad to draw on or an image to upload, read by the trained LeNet-5 in the page.

The front end (``static/digit_pad.js``) normalises the image as MNIST's digits were made
(``static/normalise.js``, the twin of ``lenet_nb.normalise``), runs the forward pass
(``static/lenet5.js``, the twin of ``lenet_nb.layers``) and shows every layer, the ten penalties,
and the answer or the rejection (``lenet_nb.rejection``'s margin threshold). Nothing calls back
into Python: in the built book the weights come from the book's ``_static/lenet5_weights.js``;
with a live kernel, from this widget's answer to the front end's message. The last digit read is
synced back (``digit``, 784 grey levels; ``answer``, -1 for a rejection), so Python can check it.
"""
import traitlets

from ..figures import ACTIVATION_CMAP, ACTIVATION_RANGE, INPUT_CMAP
from ..rejection import committed_threshold
from .base import BookWidget, colour_tables
from .export import weights_payload

NETWORK_NAMES = {"paper": "paper: trained as Section III-B",
                 "distorted": "distorted: trained with distortions"}


def digit_pad_data() -> dict:
    """What the pad needs besides the weights: each network's rejection threshold, the colours."""
    return {"thresholds": {name: committed_threshold(name) for name in NETWORK_NAMES},
            # A list, not a dict: the saved widget state sorts a dict's keys.
            "networks": [[name, title] for name, title in NETWORK_NAMES.items()],
            "activation_range": [round(float(v), 4) for v in ACTIVATION_RANGE],
            "activation_cmap": ACTIVATION_CMAP, "input_cmap": INPUT_CMAP,
            "colour_tables": colour_tables(INPUT_CMAP, ACTIVATION_CMAP)}


class DigitPad(BookWidget):
    """Draw a digit (mouse, touch or pen) or upload an image of one, and watch LeNet-5 read it."""

    _kind = traitlets.Unicode("digitpad").tag(sync=True)
    network = traitlets.Enum(tuple(NETWORK_NAMES), "paper").tag(sync=True)
    digit = traitlets.List(traitlets.Int()).tag(sync=True)
    answer = traitlets.Int(-1).tag(sync=True)

    def __init__(self, network: str = "paper"):
        super().__init__(data=digit_pad_data(), network=network)
        self.on_msg(self._answer_message)

    def _answer_message(self, _widget, content, _buffers) -> None:
        if content.get("kind") == "weights?":
            self.send({"kind": "weights", "payload": weights_payload()})

    def _summary(self) -> str:
        return f"network {self.network!r}"
