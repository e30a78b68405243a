"""Reading a string of digits without segmenting it (Section VII-A): the SDNN's outputs as a
graph, composed with a character model, searched by the Viterbi algorithm.

"The output of the SDNN is a sequence of vectors which encode the likelihoods, penalties, or
scores of finding character of a particular class label at the corresponding location in the
input. A post-processor is required to pull out the best possible label sequence from this
vector sequence." Each output position becomes a set of arcs, one per class, weighted by that
class's RBF penalty. The character model (the grammar) says which label sequences are words:

- a position is either the blank class (no character centred there) or one digit;
- a character is usually seen by several neighbouring outputs: consecutive outputs of one digit
  are one detection, read once (so "3 3" reads "3", and two 3s need a blank between them);
- a detection of one digit may not follow a detection of another directly, without a blank
  output between them, unless the path pays ``SWITCH_PENALTY``: this is what suppresses false
  partial detections, such as the right third of a 4 read as a 1 next to the 4;
- "outputs between characters say nothing or rubbish": a position may read as nothing (blank)
  for at most ``NOTHING_PENALTY``, so that a weak detection, costlier than that, of whatever
  class, is no detection.

The Viterbi algorithm finds the path of least total penalty through that grammar.
"""

from dataclasses import dataclass

import numpy as np
import torch

from lenet_nb.digits.normalise import INK_THRESHOLD
from lenet_nb.digits.strings import BLANK, as_input, normalise_string
from lenet_nb.network.replicated import penalty_sequence
from lenet_nb.training.committed import load_model

# What a direct change from one digit to another costs (in RBF penalty units), where no output
# between them reads blank, and the most that reading a position as nothing costs. Both chosen
# on strings of training digits (lenet_nb.studies.strings).
SWITCH_PENALTY = 1e6
NOTHING_PENALTY = 1e6


@dataclass(frozen=True)
class StringReading:
    """What ``read_string_details`` found: the answer, and how."""

    text: str  # the digits read
    penalties: np.ndarray  # positions x 11: each output's RBF penalties (class 10 is blank)
    winners: list[int]  # the smallest-penalty class at each position (Fig. 26's raw labels)
    path: list[int]  # the class the best interpretation assigns each position
    image: np.ndarray  # the 32 x W uint8 input the network read


def viterbi(
    penalties, switch_penalty: float = SWITCH_PENALTY, nothing_penalty: float = NOTHING_PENALTY
) -> list[int]:
    """The label sequence of least total penalty that the character model allows, one class per
    position; ``penalties`` is ``positions x 11`` (class 10 blank)."""
    cost = np.array(penalties, dtype=np.float64)
    cost[:, BLANK] = np.minimum(cost[:, BLANK], nothing_penalty)  # nothing, or rubbish
    positions, classes = cost.shape
    # step[a, b]: the price of moving from label a at one position to label b at the next.
    step = np.full((classes, classes), switch_penalty)
    step[BLANK, :] = step[:, BLANK] = 0.0
    np.fill_diagonal(step, 0.0)
    total, back = cost[0].copy(), np.zeros((positions, classes), dtype=np.int64)
    for t in range(1, positions):
        through = total[:, None] + step  # through[a, b]: best path ending a, then b
        back[t] = through.argmin(0)
        total = through.min(0) + cost[t]
    path = [int(total.argmin())]
    for t in range(positions - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def transcribe(path) -> str:
    """A path's digits: each run of one digit read once, blanks read as nothing."""
    runs = [label for i, label in enumerate(path) if i == 0 or label != path[i - 1]]
    return "".join(str(label) for label in runs if label != BLANK)


def read_penalties(
    penalties, switch_penalty: float = SWITCH_PENALTY, nothing_penalty: float = NOTHING_PENALTY
) -> str:
    """The best interpretation of one penalty sequence (``positions x 11``)."""
    return transcribe(viterbi(penalties, switch_penalty, nothing_penalty))


@torch.no_grad()
def penalties_of(model, images) -> list[np.ndarray]:
    """The replicated network's penalties (``positions x 11``) for each ``32 x W`` uint8 image;
    images of one width go through in one batch."""
    out = [None] * len(images)
    by_width = {}
    for i, image in enumerate(images):
        by_width.setdefault(image.shape[1], []).append(i)
    device = next(model.parameters()).device
    for indices in by_width.values():
        batch = as_input(np.stack([images[i] for i in indices])).to(device)
        for i, seq in zip(indices, penalty_sequence(model, batch).cpu().numpy()):
            out[i] = seq
    return out


def read_normalised(image: np.ndarray, model=None) -> StringReading:
    """Read a ``32 x W`` uint8 image already in the network's frame (``normalise_string``'s, or
    a string composed by ``lenet_nb.digits.strings``)."""
    model = load_model("sdnn") if model is None else model
    (penalties,) = penalties_of(model, [image])
    path = viterbi(penalties)
    text = transcribe(path) if (image > INK_THRESHOLD).any() else ""  # no ink: nothing to read
    return StringReading(text, penalties, [int(c) for c in penalties.argmin(1)], path, image)


def read_string_details(image, model=None, polarity: str = "auto") -> StringReading:
    """``read_string`` with what it found on the way, for figures."""
    return read_normalised(normalise_string(image, polarity), model)


def read_string(image, model=None, polarity: str = "auto") -> str:
    """The digits written in ``image``, read by the SDNN without segmenting them.

    ``image``: one grey image of any size (PIL, NumPy or torch, as ``lenet_nb.predict`` takes),
    white on black or dark on light (``polarity="auto"`` tells which by the border); it is
    normalised to the network's 32-pixel height as its training strings were
    (``lenet_nb.digits.strings.normalise_string``). ``model``: by default the committed SDNN,
    ``load_model("sdnn")``. An image without ink reads as "".
    """
    return read_string_details(image, model, polarity).text
