"""The baseline the SDNN is measured against: heuristic over-segmentation (HOS, Section V and VII).

"The idea is to use heuristic image processing techniques to find candidate cuts of the word or
string, and then to use the recognizer to score the alternative segmentations thus generated."
Here, as the paper describes the classic system:

1. salt-and-pepper noise is cleaned (``despeckle``): an ink pixel with at most one inked
   neighbour is removed, a background pixel with at least five is filled by its 3x3 median,
   which removes specks and mends strokes without thinning them as a plain median filter does
   (the SDNN reads the noisy image itself);
2. cut candidates are the middles of the background columns between ink, and the local minima of
   the vertical projection (the ink in each column) inside touching ink;
3. the segmentation graph has an arc from cut i to every later cut j within ``MAX_SPAN`` cuts and
   ``MAX_WIDTH`` columns; each arc's segment is normalised as MNIST's digits were
   (``normalise_digit``) and read by the committed single-digit LeNet-5, and weighs its
   smallest RBF penalty plus ``CHARACTER_PENALTY`` (what reading one more character costs, so
   that pieces of one digit, each read with a small penalty, do not beat the whole digit); an
   arc over background alone weighs nothing and reads nothing;
4. the Viterbi algorithm (a shortest path through the graph, which has no cycle) picks the
   segmentation, and with it the answer.
"""

from dataclasses import dataclass

import numpy as np
import torch

from lenet_nb.digits.inputs import as_model_input
from lenet_nb.digits.normalise import INK_THRESHOLD, normalise_digit
from lenet_nb.training.committed import load_model

MAX_SPAN = 4  # an arc covers at most this many consecutive cut intervals
MAX_WIDTH = 32  # columns: wider than any one MNIST digit scaled to 20 rows, as wide as a window
# Chosen on strings of training digits (lenet_nb.studies.strings), as the SDNN's grammar is.
CHARACTER_PENALTY = 0.0
SPECK = 12  # pixels: a piece of ink this small is noise (a digit has at least 25 strong ones)


@dataclass(frozen=True)
class Segmentation:
    """What HOS found: the answer, the cuts, and the segments of the best path."""

    text: str
    cuts: list[int]
    segments: list[tuple[int, int, int]]  # (first column, end column, digit) on the best path


def _neighbourhoods(image: np.ndarray) -> np.ndarray:
    """The 3x3 neighbourhood of every pixel, ``9 x H x W`` (edges repeated)."""
    padded = np.pad(image, 1, mode="edge")
    h, w = image.shape
    return np.stack([padded[r : r + h, c : c + w] for r in range(3) for c in range(3)])


def despeckle(image: np.ndarray) -> np.ndarray:
    """Salt-and-pepper noise cleaned from a uint8 image (white on black): holes in strokes
    filled by their 3x3 median, then every piece of ink smaller than ``SPECK`` pixels removed."""
    ink = image > INK_THRESHOLD
    inked_neighbours = _neighbourhoods(ink).sum(0) - ink
    out = image.copy()
    holes = ~ink & (inked_neighbours >= 5)
    out[holes] = np.median(_neighbourhoods(image), axis=0)[holes]
    for piece in pieces(out > INK_THRESHOLD):
        if len(piece) < SPECK:
            out[tuple(np.array(piece).T)] = 0
    return out


def pieces(ink: np.ndarray) -> list[list[tuple[int, int]]]:
    """The 8-connected pieces of a binary image, each as its list of (row, column) pixels."""
    seen, found = np.zeros_like(ink), []
    for start in zip(*np.nonzero(ink)):
        if seen[start]:
            continue
        seen[start], stack, piece = True, [start], []
        while stack:
            r, c = stack.pop()
            piece.append((r, c))
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    q = (r + dr, c + dc)
                    if (
                        0 <= q[0] < ink.shape[0]
                        and 0 <= q[1] < ink.shape[1]
                        and ink[q]
                        and not seen[q]
                    ):
                        seen[q] = True
                        stack.append(q)
        found.append(piece)
    return found


def cut_candidates(ink: np.ndarray) -> list[int]:
    """Candidate cuts of a binary ink image (``rows x columns``), as column indices: a cut at x
    separates columns < x from columns >= x. The two ends of the ink are cuts too."""
    p = ink.sum(0)
    inked = np.flatnonzero(p)
    if len(inked) == 0:
        return []
    first, end = int(inked[0]), int(inked[-1]) + 1
    cuts = {first, end}
    for x in range(first + 1, end - 1):
        if p[x] == 0 and p[x - 1] > 0:  # background starts: cut in the middle of its run
            cuts.add((x + x + int(np.flatnonzero(p[x:])[0])) // 2)
        elif 0 < p[x] < p[x - 1] and p[x] <= p[x + 1]:  # the projection's minimum in ink
            cuts.add(x)
    return sorted(cuts)


def segment_penalties(image: np.ndarray, cuts: list[int], model, character_penalty: float) -> dict:
    """``{(i, j): (penalty, digit)}`` for every arc of the segmentation graph; an arc whose
    segment holds no ink gets ``(0, None)``."""
    arcs, crops = {}, []
    ink = image > INK_THRESHOLD
    for i in range(len(cuts)):
        for j in range(i + 1, min(i + MAX_SPAN, len(cuts) - 1) + 1):
            if cuts[j] - cuts[i] > MAX_WIDTH and j > i + 1:  # the next cut is always an arc
                break
            if not ink[:, cuts[i] : cuts[j]].any():
                arcs[i, j] = (0.0, None)
            else:
                crops.append(
                    ((i, j), normalise_digit(image[:, cuts[i] : cuts[j]], polarity="light-on-dark"))
                )
    if crops:
        with torch.no_grad():
            device = next(model.parameters()).device
            batch = as_model_input(np.stack([c for _, c in crops])).to(device)
            penalties = model(batch).cpu()
        for (arc, _), row in zip(crops, penalties):
            arcs[arc] = (float(row.min()) + character_penalty, int(row.argmin()))
    return arcs


def best_path(arcs: dict, nodes: int) -> list[tuple[int, int]]:
    """The arcs of least total penalty from node 0 to the last node (nodes in left-to-right
    order, so one pass in order relaxes every arc: the Viterbi algorithm on a graph)."""
    cost = [0.0] + [np.inf] * (nodes - 1)
    came = [None] * nodes
    for (i, j), (penalty, _) in sorted(arcs.items()):
        if cost[i] + penalty < cost[j]:
            cost[j], came[j] = cost[i] + penalty, i
    path, j = [], nodes - 1
    while j:
        path.append((came[j], j))
        j = came[j]
    return path[::-1]


def segment_and_read(
    image: np.ndarray, model=None, character_penalty: float = CHARACTER_PENALTY
) -> Segmentation:
    """Read a ``32 x W`` uint8 string image (white on black) by heuristic over-segmentation."""
    model = load_model("paper") if model is None else model
    clean = despeckle(image)
    cuts = cut_candidates(clean > INK_THRESHOLD)
    if len(cuts) < 2:
        return Segmentation("", cuts, [])
    arcs = segment_penalties(clean, cuts, model, character_penalty)
    path = best_path(arcs, len(cuts))
    segments = [(cuts[i], cuts[j], arcs[i, j][1]) for i, j in path if arcs[i, j][1] is not None]
    return Segmentation("".join(str(d) for _, _, d in segments), cuts, segments)
