"""With a live kernel a page has no ``_static/`` scripts, so each widget asks its kernel for what
a built page loads from them (``static/src/weights.js``'s ``weightsFor``): the kernel must answer
with the very object the book's script holds, which the page then decodes the same way."""

import json

import pytest

from lenet_nb.book.widgets import DigitPad, StringPad
from lenet_nb.book.widgets.training import TrainingWidget
from lenet_nb.paths import REPOSITORY

STATIC = REPOSITORY / "static"
# (the widget, what the page asks, the kind of the answer, the book's script, its global)
ASKS = [
    (DigitPad, "weights?", "weights", "lenet5_weights.js", "LENET5_WEIGHTS"),
    (DigitPad, "family-weights?", "family-weights", "family_weights.js", "FAMILY_WEIGHTS"),
    (StringPad, "sdnn-weights?", "sdnn-weights", "sdnn_weights.js", "SDNN_WEIGHTS"),
    (TrainingWidget, "training-data?", "training-data", "lenet5_training.js", "LENET5_TRAINING"),
]


def script_object(name: str, global_name: str):
    """The object ``static/NAME`` assigns to ``globalThis.GLOBAL``."""
    text = (STATIC / name).read_text()
    assignment = f"globalThis.{global_name} = "
    start = text.index(assignment) + len(assignment)
    return json.loads(text[start:].rstrip().removesuffix(";"))


def answers(widget, content) -> list[dict]:
    sent = []
    widget.send = sent.append
    widget._answer_message(widget, content, [])
    return sent


@pytest.mark.parametrize(("make", "ask", "kind", "script", "global_name"), ASKS)
def test_the_kernel_answers_with_what_the_books_script_holds(make, ask, kind, script, global_name):
    (answer,) = answers(make(), {"kind": ask})
    assert answer["kind"] == kind
    # through JSON, as the message travels
    assert json.loads(json.dumps(answer["payload"])) == script_object(script, global_name)


def test_other_messages_get_no_answer():
    assert answers(TrainingWidget(), {"kind": "weights?"}) == []
    assert answers(DigitPad(), {"kind": "something else"}) == []
