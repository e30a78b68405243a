"""Your own digit: a pad to draw on or an image to upload, read by the trained LeNet-5 in the page.

The front end (``static/src/digit_pad.js``) normalises the image as MNIST's digits were made
(``static/src/normalise.js``, the twin of ``lenet_nb.digits.normalise``), runs the forward pass
(``static/src/lenet5.js``, the twin of ``lenet_nb.network.layers``) and shows every layer, the ten
penalties, and the answer or the rejection (``static/src/rejection.js``, the twin of
``lenet_nb.reading.rejection.decide``). Nothing calls back into Python. The last digit read is
synced back (``digit``, 784 grey levels; ``answer``, -1 for a rejection), so with a kernel Python
can check it.
"""

import traitlets

from lenet_nb.book.widgets.network import (
    FAMILY_NETWORK_NAMES,
    NETWORK_NAMES,
    NetworkWidget,
    network_data,
)


class DigitPad(NetworkWidget):
    """Draw a digit (mouse, touch or pen) or upload an image of one, and watch LeNet-5 read it,
    or one of its family (Section III-C-2: LeNet-1, LeNet-4, boosted LeNet-4)."""

    _kind = traitlets.Unicode("digitpad").tag(sync=True)
    # "yours": the network the reader trained in the Training chapter, kept by the browser.
    network = traitlets.Enum((*NETWORK_NAMES, *FAMILY_NETWORK_NAMES, "yours"), "paper").tag(
        sync=True
    )
    digit = traitlets.List(traitlets.Int()).tag(sync=True)
    answer = traitlets.Int(-1).tag(sync=True)

    def __init__(self, network: str = "paper"):
        super().__init__(data=network_data(with_family=True), network=network)

    def _summary(self) -> str:
        return f"network {self.network!r}"
