"""The book's interactive widgets.

Each widget is an ``anywidget`` whose front end (the ES modules in ``static/src/``, bundled into
``static/bundle/lenet_widgets.js``) draws everything from data computed once in Python and stored
in the widget's own synced state: feature maps quantised to one byte per value and
base64-encoded, colour tables taken from the same matplotlib colormaps the static figures use
(``lenet_nb.book.figures``), and small lists of numbers. Clicking never calls back into
Python, so a widget responds the same way in Jupyter and in the built HTML book, where the
notebook's saved widget state is all there is. The selection is still a synced trait
(``index``, ``selected_kind``/``selected_index``), so with a live kernel Python sees it and can
set it.
"""

from lenet_nb.book.widgets.base import colour_table, quantise
from lenet_nb.book.widgets.c3table import C3ConnectionTable, c3_data, c3_links
from lenet_nb.book.widgets.digit import DigitPad
from lenet_nb.book.widgets.distortion import DistortionExplorer
from lenet_nb.book.widgets.explorer import FeatureMapExplorer, explorer_data
from lenet_nb.book.widgets.invariance import InvariancePanel
from lenet_nb.book.widgets.strings import StringPad

__all__ = [
    "C3ConnectionTable",
    "DigitPad",
    "DistortionExplorer",
    "FeatureMapExplorer",
    "InvariancePanel",
    "StringPad",
    "c3_data",
    "c3_links",
    "colour_table",
    "explorer_data",
    "quantise",
]
