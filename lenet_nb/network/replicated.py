"""LeNet-5 replicated over a wide input: the Space Displacement Neural Network of Section VII.

"The convolutional network can be replicated over the entire input field ... Such a replicated
network is called a Space Displacement Neural Network (SDNN)." The same modules, applied to a
32-high input 32 + 4k wide, give C1 28 x (28 + 4k), S2 14 x (14 + 2k), C3 10 x (10 + 2k),
S4 5 x (5 + k) and C5 1 x (1 + k): the convolutions simply slide further. F6 and the RBF output,
which see C5's 120 units, become 1x1 convolutions: the same full connection applied at each of
C5's 1 + k positions. Output k is the network applied to the window of columns 4k to 4k + 31
(tests/test_strings.py holds every position equal to that window's own forward pass).
"""

import torch

from lenet_nb.network.model import LAYER_NAMES

CONVOLUTIONAL = LAYER_NAMES[: LAYER_NAMES.index("C5") + 1]  # C1 .. C5: they slide over the width


def replicated_activations(model, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every layer's output on a ``N x 1 x 32 x W`` input (W = 32 + 4k): C1 to C5 as feature
    maps ``N x maps x H x (positions)``, F6 ``N x 84 x positions`` and the output
    ``N x classes x positions``, one column per position."""
    acts = model.activations(x, upto="C5")
    n, units, _, positions = acts["C5"].shape
    columns = acts["C5"].squeeze(2).transpose(1, 2).reshape(n * positions, units)
    f6 = model.run(model.F6, columns)  # F6's dot products at every position: a 1x1 convolution
    penalties = model.run(model.output, f6)  # and the RBF's distances, likewise
    acts["F6"] = f6.reshape(n, positions, -1).transpose(1, 2)
    acts["output"] = penalties.reshape(n, positions, -1).transpose(1, 2)
    return acts


def penalty_sequence(model, x: torch.Tensor) -> torch.Tensor:
    """The replicated network's output on ``N x 1 x 32 x W``: ``N x positions x classes``
    penalties, position k for the window of columns 4k to 4k + 31."""
    return replicated_activations(model, x)["output"].transpose(1, 2)


def windows(x: torch.Tensor, stride: int = 4, size: int = 32) -> torch.Tensor:
    """The 32x32 windows the outputs of ``penalty_sequence`` stand for, ``N x positions x 1 x
    32 x 32``: what running the single network at every position would have to compute."""
    return x.unfold(-1, size, stride).permute(0, 3, 1, 2, 4)
