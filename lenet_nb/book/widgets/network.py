"""What the widgets that run LeNet-5 in the page share: the weights, the rejection, the colours.

Their front ends compute with ``static/src/lenet5.js``. In the built book the weights come from the
book's ``_static/lenet5_weights.js``; with a live kernel the front end asks its widget, which
answers with ``export.weights_payload()`` in a message (never in the saved widget state).
"""

from lenet_nb.book.figures import ACTIVATION_CMAP, ACTIVATION_RANGE, INPUT_CMAP
from lenet_nb.book.widgets.base import BookWidget, colour_tables
from lenet_nb.book.widgets.export import weights_payload
from lenet_nb.reading import not_a_digit
from lenet_nb.reading.rejection import committed_threshold

NETWORK_NAMES = {
    "paper": "paper: trained as Section III-B",
    "distorted": "distorted: trained with distortions",
}


def network_data() -> dict:
    """Each network's name and rejection threshold, and the colours of the maps."""
    return {
        "thresholds": {name: committed_threshold(name) for name in NETWORK_NAMES},
        "not_a_digit": not_a_digit.rule(),  # the page refuses what predict refuses
        # A list, not a dict: the saved widget state sorts a dict's keys.
        "networks": [[name, title] for name, title in NETWORK_NAMES.items()],
        "activation_range": [round(float(v), 4) for v in ACTIVATION_RANGE],
        "activation_cmap": ACTIVATION_CMAP,
        "input_cmap": INPUT_CMAP,
        "colour_tables": colour_tables(INPUT_CMAP, ACTIVATION_CMAP),
    }


class NetworkWidget(BookWidget):
    """A widget whose front end runs the trained networks itself."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._answer_message)

    def _answer_message(self, _widget, content, _buffers) -> None:
        if content.get("kind") == "weights?":
            self.send({"kind": "weights", "payload": weights_payload()})
