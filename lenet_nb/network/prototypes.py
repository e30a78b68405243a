"""The fixed RBF prototypes: one stylised 7x12 bitmap per digit (Section II-B, Fig. 3).

The paper's own bitmaps are not reproduced here; these are our drawing in the style of its
Fig. 3: ink is +1, background -1, and the ten glyphs are kept far apart in Hamming distance so
that the output penalties of different classes are well separated.
"""

import itertools
from copy import deepcopy

import torch

HEIGHT, WIDTH = 12, 7  # 84 = 7 x 12, the F6 width

# '#' is ink (+1), '.' background (-1); 12 rows of 7 columns each.
DIGIT_BITMAPS = {
    0: [
        "..###..",
        ".##.##.",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        ".##.##.",
        "..###..",
    ],
    1: [
        "...##..",
        "..###..",
        ".####..",
        "...##..",
        "...##..",
        "...##..",
        "...##..",
        "...##..",
        "...##..",
        "...##..",
        "...##..",
        ".######",
    ],
    2: [
        ".#####.",
        "##...##",
        ".....##",
        ".....##",
        "....##.",
        "...##..",
        "..##...",
        ".##....",
        "##.....",
        "##.....",
        "##.....",
        "#######",
    ],
    3: [
        "######.",
        ".....##",
        ".....##",
        ".....##",
        "....##.",
        "..###..",
        "....##.",
        ".....##",
        ".....##",
        ".....##",
        ".....##",
        "######.",
    ],
    4: [
        "....##.",
        "...###.",
        "..####.",
        ".##.##.",
        "##..##.",
        "#######",
        "....##.",
        "....##.",
        "....##.",
        "....##.",
        "....##.",
        "....##.",
    ],
    5: [
        "#######",
        "##.....",
        "##.....",
        "##.....",
        "######.",
        ".....##",
        ".....##",
        ".....##",
        ".....##",
        ".....##",
        "##...##",
        ".#####.",
    ],
    6: [
        "..####.",
        ".##....",
        "##.....",
        "##.....",
        "##.....",
        "######.",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        ".#####.",
    ],
    7: [
        "#######",
        ".....##",
        ".....##",
        "....##.",
        "....##.",
        "...##..",
        "...##..",
        "..##...",
        "..##...",
        "..##...",
        "..##...",
        "..##...",
    ],
    8: [
        ".#####.",
        "##...##",
        "##...##",
        "##...##",
        ".##.##.",
        "..###..",
        ".##.##.",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        ".#####.",
    ],
    9: [
        ".#####.",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        "##...##",
        ".######",
        ".....##",
        ".....##",
        ".....##",
        "....##.",
        ".####..",
    ],
}


# The SDNN's eleventh class, "blank space" (Section VII-B): no character centred in the window.
# The paper does not draw it. This bitmap was found by a local search (single-pixel flips from 20
# random starts) for the one farthest from its nearest digit: 52 of 84 pixels differ from the
# nearest, where the two closest digits differ in 19 (tests/test_strings.py holds both).
BLANK_BITMAP = [
    "##...##",
    "#.###.#",
    "..###..",
    ".###..#",
    "###...#",
    "###...#",
    "####..#",
    "#####.#",
    "#####.#",
    "#####..",
    "####..#",
    "#.....#",
]


def _as_row(bitmap: list[str]) -> list[float]:
    assert len(bitmap) == HEIGHT and all(len(r) == WIDTH for r in bitmap), bitmap
    return [1.0 if c == "#" else -1.0 for c in "".join(bitmap)]


def prototype_matrix(blank: bool = False) -> torch.Tensor:
    """The ten prototypes as a ``10 x 84`` tensor of +-1, row i the bitmap of digit i; with
    ``blank``, an eleventh row for the SDNN's blank class (``11 x 84``)."""
    rows = [_as_row(DIGIT_BITMAPS[digit]) for digit in range(10)]
    return torch.tensor(rows + ([_as_row(BLANK_BITMAP)] if blank else []))


def hamming_distances(prototypes: torch.Tensor) -> torch.Tensor:
    """Pairwise Hamming distances (differing pixels) between +-1 prototypes."""
    return (prototypes[:, None, :] != prototypes[None, :, :]).sum(-1)


def min_hamming_distance(prototypes: torch.Tensor) -> int:
    d = hamming_distances(prototypes)
    return int(min(d[i, j] for i, j in itertools.combinations(range(len(d)), 2)))


def pair_slack(penalties: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
    """y_a + y_b - 2 H_ab for every pattern and every pair of classes a != b (``N x 90``): never
    below 0, since ||x - w_a||^2 + ||x - w_b||^2 >= ||w_a - w_b||^2 / 2 = 2 H_ab for +-1
    prototypes (Training, "Why fixed prototypes matter")."""
    pair_sums = penalties[:, :, None] + penalties[:, None, :]
    off_diagonal = ~torch.eye(len(prototypes), dtype=torch.bool)
    return (pair_sums - 2 * hamming_distances(prototypes))[:, off_diagonal]


def collapse_floor(labels: torch.Tensor, prototypes: torch.Tensor) -> float:
    """The smallest mean ML loss (Eq. 8) a network can reach that outputs one F6 vector x for
    every pattern: sum_i p_i ||x - w_i||^2 is least at x = sum_i p_i w_i, with p_i the share
    of class i among ``labels``."""
    share = torch.bincount(labels, minlength=len(prototypes)).double() / len(labels)
    prototypes = prototypes.double()
    return (share * ((prototypes - share @ prototypes) ** 2).sum(1)).sum().item()


def collapsed(model):
    """A copy of ``model`` at the useless minimum ML would have if the centres were trained:
    every centre, F6 weight and F6 bias 0, so that F6 outputs f(0) = 0 and every penalty is 0."""
    copy = deepcopy(model)
    for tensor in (copy.output.prototypes, copy.F6.weight, copy.F6.bias):
        tensor.data.zero_()
    return copy
