"""Your own string of digits: a wide pad to write several digits on (or an image to upload, or a
string composed from MNIST's test digits), read by the SDNN in the page without segmenting it.

The front end (``static/src/string_pad.js``) normalises the drawing as the SDNN's strings were
made (``static/src/normalise_string.js``, the twin of ``lenet_nb.digits.strings.normalise_string``),
runs the replicated network (``static/src/sdnn.js``, the twin of ``lenet_nb.network.replicated``)
and decodes its penalties through the character model (``static/src/string_reader.js``, the twin
of ``lenet_nb.reading.strings``, whose ``SWITCH_PENALTY`` and ``NOTHING_PENALTY`` travel in the
SDNN's weights file). It shows the winning class at each output position under the input, as the
paper's Fig. 26, the answer, and the wide maps C1 to C5. "Compose a string" puts test digits side
by side as ``lenet_nb.digits.strings.compose`` does (``static/src/compose_string.js``), with gaps
drawn from ``GAPS`` and, if asked, ``NOISE`` salt and pepper.

Nothing calls back into Python. What was read last is synced back: ``normalised`` (the ``32 x
width`` input the network read, row by row), ``width``, ``penalties`` (one list of 11 per output
position; class 10 is blank) and ``answer`` (the digits read; "" for an empty pad), so with a
kernel Python can check it. In the built book the weights come from ``_static/sdnn_weights.js``,
which only the pages with a string pad load; with a live kernel the widget sends
``export.sdnn_payload()`` in a message.
"""

import numpy as np
import traitlets

from lenet_nb.book.figures import ACTIVATION_CMAP, ACTIVATION_RANGE, INPUT_CMAP
from lenet_nb.book.widgets.base import BookWidget, colour_tables, digits_data
from lenet_nb.book.widgets.export import sdnn_payload
from lenet_nb.digits import strings
from lenet_nb.digits.mnist import mnist

PER_CLASS = 10  # test digits per class shipped with the widget, to compose strings from
LENGTHS = (3, 6)  # a composed string has 3 to 6 digits, both included


def composing_digits(per_class: int = PER_CLASS):
    """The first ``per_class`` digits of each class in MNIST's test set, in test-set order, as
    uint8 ``N x 28 x 28``, their labels and their indices in the test set."""
    test = mnist(train=False, transform=None)
    labels = test.targets.numpy()
    picks = np.sort(np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)]))
    return test.data[picks], labels[picks], picks


def string_pad_data(per_class: int = PER_CLASS) -> dict:
    """What the front end needs besides the weights: the digits to compose from, the rules to
    compose by, and the colours of the maps."""
    images, labels, picks = composing_digits(per_class)
    return {
        "digits": digits_data(images),
        "labels": [int(v) for v in labels],
        "test_indices": [int(v) for v in picks],
        "gaps": list(strings.GAPS),
        "noise": strings.NOISE,
        "lengths": list(LENGTHS),
        "activation_range": [round(float(v), 4) for v in ACTIVATION_RANGE],
        "activation_cmap": ACTIVATION_CMAP,
        "input_cmap": INPUT_CMAP,
        "colour_tables": colour_tables(INPUT_CMAP, ACTIVATION_CMAP),
    }


class StringPad(BookWidget):
    """Write a few digits (mouse, touch or pen), upload an image of a string, or compose one from
    test digits, and watch the SDNN read the whole string without segmenting it."""

    _kind = traitlets.Unicode("stringpad").tag(sync=True)
    normalised = traitlets.List(traitlets.Int()).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    penalties = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    answer = traitlets.Unicode("").tag(sync=True)

    def __init__(self):
        super().__init__(data=string_pad_data())
        self.on_msg(self._answer_message)

    def _answer_message(self, _widget, content, _buffers) -> None:
        if content.get("kind") == "sdnn-weights?":
            self.send({"kind": "sdnn-weights", "payload": sdnn_payload()})

    def image(self) -> np.ndarray:
        """The last input the page read, as the ``32 x width`` uint8 image it was."""
        return np.array(self.normalised, np.uint8).reshape(strings.HEIGHT, self.width)

    def _summary(self) -> str:
        return f"answer {self.answer!r}" if self.answer else "empty"
