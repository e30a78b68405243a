"""What the widgets that run LeNet-5 in the page share: the weights, the rejection, the colours.

Their front ends compute with ``static/src/lenet5.js``. In the built book the weights come from the
book's ``_static/lenet5_weights.js``; with a live kernel the front end asks its widget, which
answers with ``export.weights_payload()`` in a message (never in the saved widget state), and
for LeNet-5's family with ``family_export.family_payload()``.
"""

from lenet_nb.book.figures import ACTIVATION_CMAP, ACTIVATION_RANGE, INPUT_CMAP
from lenet_nb.book.widgets.base import BookWidget, colour_tables
from lenet_nb.book.widgets.export import weights_payload
from lenet_nb.book.widgets.family_export import family_available, family_payload
from lenet_nb.reading import not_a_digit
from lenet_nb.reading.rejection import committed_threshold
from lenet_nb.studies import family

NETWORK_NAMES = {
    "paper": "paper: trained as Section III-B",
    "distorted": "distorted: trained with distortions",
}
# LeNet-5's family (Section III-C-2), which the pad also offers (static/src/family.js).
FAMILY_NETWORK_NAMES = {
    "lenet1": "LeNet-1: 16x16 digits in a 28x28 field",
    "lenet4": "LeNet-4: LeNet-5's smaller sibling",
    "boosted-lenet4": "boosted LeNet-4: three LeNet-4s added",
}
# Which entry of lenet_nb/results/family.json is the committed network: seed 0, ensemble 0
# (lenet_nb.studies.family.install).
COMMITTED_MEMBER = {"lenet1": ("seed", 0), "lenet4": ("seed", 0), "boosted-lenet4": ("ensemble", 0)}


def family_threshold(name: str) -> float | None:
    """The committed family network's rejection threshold (``members[name][i]["threshold"]`` of
    ``lenet_nb/results/family.json``, the margin that brings its test error to 0.5%), or None
    while none is committed: the page then gives the answer and its margin, never "not sure"."""
    if not family.RESULTS.is_file():
        return None
    key, value = COMMITTED_MEMBER[name]
    members = family.load_results()["members"].get(name, [])
    entry = next((m for m in members if m.get(key) == value), {})
    return entry.get("threshold")


def network_data(with_family: bool = False) -> dict:
    """Each network's name and rejection threshold (LeNet-5's two; with ``with_family`` its
    family's too, None where none is committed yet), and the colours of the maps."""
    names = {**NETWORK_NAMES, **(FAMILY_NETWORK_NAMES if with_family else {})}
    thresholds = {name: committed_threshold(name) for name in NETWORK_NAMES}
    if with_family:
        thresholds |= {name: family_threshold(name) for name in FAMILY_NETWORK_NAMES}
    return {
        "thresholds": thresholds,
        "not_a_digit": not_a_digit.rule(),  # the page refuses what predict refuses
        # A list, not a dict: the saved widget state sorts a dict's keys.
        "networks": [[name, title] for name, title in names.items()],
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
        elif content.get("kind") == "family-weights?" and family_available():
            self.send({"kind": "family-weights", "payload": family_payload()})
