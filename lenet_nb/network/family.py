"""LeNet-5's family (Section III-C-2, Fig. 9): LeNet-1 and LeNet-4, built from LeNet-5's layers.

The paper describes both in a sentence each and gives their sizes; what it leaves open we chose,
as each docstring says (``../shared/LENET5_PAPER.md``, "The rest of LeNet-5's family").

Both end in ten squashed output units, one per class, as the authors' networks before LeNet-5
did, trained towards a target of +1 for the correct class and -1 for the others. The output
layer here is the squared distance of those ten outputs to each class's target code: an RBF
whose prototypes are the place codes (``PLACE_CODES``). Its penalties are what the mean squared
error of those networks measured, so the same criteria (Eqs. 8-9) and the same SDLM train them;
and the smallest penalty is the largest output.
"""

import torch
from torch import nn

from lenet_nb.network.layers import (
    ConvolutionLayer,
    EuclideanRBF,
    FullConnectionLayer,
    SparseConvolutionLayer,
    SubsamplingLayer,
)
from lenet_nb.network.model import LayeredNetwork

# Row i: the targets of the ten output units for class i, +1 at i and -1 elsewhere.
PLACE_CODES = 2 * torch.eye(10) - 1

# LeNet-1's third layer (LeCun et al., NIPS 1990): 12 maps using 20 of the 48 (input, output)
# pairs. The 1998 paper does not give the table; ours gives each of the four input maps two maps
# of its own and lets four maps combine three neighbouring ones (cyclically): each input map
# feeds five, as Table I gives every S2 map of LeNet-5 ten.
LENET1_C3_TABLE = (
    (0,),
    (0,),
    (1,),
    (1,),
    (2,),
    (2,),
    (3,),
    (3,),
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 0),
    (3, 0, 1),
)

# LeNet-4's S2: "eight subsampling maps connected in pairs to each first-layer feature map".
LENET4_S2_SOURCES = (0, 0, 1, 1, 2, 2, 3, 3)

# LeNet-4's C3: 16 maps over those 8, not given. Each map takes one of the two subsamplings of
# every first-level map, S2 map 2k + (bit k of the map's number): the 16 maps are the 2^4 ways
# to choose, 64 kernels (LeNet-5's Table I has 60).
LENET4_C3_TABLE = tuple(tuple(2 * k + (m >> k & 1) for k in range(4)) for m in range(16))

# LeNet-4's 120-unit layer cannot be fully connected to 16 maps of 5x5 (that alone is 48k
# parameters, where the paper counts 17k in all): each unit sees 4 consecutive S4 maps
# (cyclically), 12,120 parameters, which brings the whole to 15,098 parameters and 266,306
# connections against the paper's "about 17,000" and "about 260,000".
LENET4_C5_TABLE = tuple(tuple((u + i) % 16 for i in range(4)) for u in range(120))


def place_code_output() -> EuclideanRBF:
    """Ten penalties: each class's target code's squared distance to the ten outputs."""
    return EuclideanRBF(PLACE_CODES)


class LeNet1(LayeredNetwork):
    """LeNet-1 (Section III-C-2; LeCun et al., NIPS 1990): 16x16 digits centred in a 28x28 field,
    4 maps of 5x5 convolution (24x24), 4 of 2x2 subsampling (12x12), 12 of 5x5 convolution over
    20 (map, map) pairs (8x8, ``LENET1_C3_TABLE``), 12 of subsampling (4x4), and 10 outputs fully
    connected: 2,578 parameters and 98,442 connections, the NIPS paper's own counts.

    The subsampling layers are LeNet-5's (a coefficient and a bias per map, then the squashing
    function): those counts need them.
    """

    layer_names = ("C1", "S2", "C3", "S4", "F5", "output")
    input_size = 28
    digit_size = 16  # the side of the box the digit is scaled into (MNIST's is 20)

    def __init__(self, init: str = "authors"):
        super().__init__()
        self.C1 = ConvolutionLayer(1, 4)
        self.S2 = SubsamplingLayer(4)
        self.C3 = SparseConvolutionLayer(LENET1_C3_TABLE, in_maps=4)
        self.S4 = SubsamplingLayer(12)
        self.F5 = FullConnectionLayer(12 * 4 * 4, 10)
        self.output = place_code_output()
        _initialise(self, init)


class LeNet4(LayeredNetwork):
    """LeNet-4 (Section III-C-2): a 32x32 input, 4 maps of 5x5 convolution (28x28), 8 subsampling
    maps, two per first-level map (14x14), 16 maps of 5x5 convolution (10x10,
    ``LENET4_C3_TABLE``), 16 subsampling maps (5x5), a layer of 120 units (``LENET4_C5_TABLE``),
    and 10 outputs.
    """

    layer_names = ("C1", "S2", "C3", "S4", "C5", "F6", "output")
    input_size = 32
    digit_size = 20

    def __init__(self, init: str = "authors"):
        super().__init__()
        self.C1 = ConvolutionLayer(1, 4)
        self.S2 = SubsamplingLayer(8, sources=LENET4_S2_SOURCES)
        self.C3 = SparseConvolutionLayer(LENET4_C3_TABLE, in_maps=8)
        self.S4 = SubsamplingLayer(16)
        self.C5 = SparseConvolutionLayer(LENET4_C5_TABLE, in_maps=16)
        self.F6 = FullConnectionLayer(120, 10)
        self.output = place_code_output()
        _initialise(self, init)


def _initialise(model: LayeredNetwork, init: str) -> None:
    if init != "paper":  # the layers start with Appendix A's rule
        for _, layer in model.trainable_layers():
            layer.reset_parameters(init)


FAMILY = {"lenet1": LeNet1, "lenet4": LeNet4}
# LeNet-5's variant options (lenet_nb.training.config), which the family takes at the paper's
# values only; the input size is each network's own.
FAMILY_OPTIONS = dict(
    activation="scaled_tanh",
    pooling="trainable",
    c3="table",
    output="rbf",
    input_range="paper",
    c1_padding=0,
    input_size=None,
)


def check_family_options(network: str, options: dict) -> None:
    """Refuse a family network built with another option than the paper's, naming the fix."""
    if network not in FAMILY:
        raise ValueError(
            f"network (--network) must be 'lenet5' or one of {sorted(FAMILY)}, not {network!r}"
        )
    size = FAMILY[network].input_size
    if options["input_size"] != size:
        raise ValueError(f"{network} reads {size}x{size} inputs: give --input-size {size}")
    changed = {k: v for k, v in options.items() if k != "input_size" and v != FAMILY_OPTIONS[k]}
    if changed:
        raise ValueError(
            f"{network} takes none of LeNet-5's variant options (got "
            f"{', '.join(f'{k}={v}' for k, v in changed.items())})"
        )


class BoostedEnsemble(nn.Module):
    """Boosted LeNet-4 at test time (Section III-C-2): "the outputs of the three nets are simply
    added". We add their penalties: a net's penalty for class i is c - 4 y_i, with c the same
    for every class (``PLACE_CODES``), so the sums rank the classes as the summed outputs do.

    "When the first net is confident, the other two are not run": with ``confident_margin``
    set, a pattern whose first-net margin (second-smallest penalty minus smallest) reaches it
    gets the first net's penalties counted three times; the others run all three nets.
    """

    input_size = 32
    digit_size = 20

    def __init__(self, nets, confident_margin: float | None = None):
        super().__init__()
        self.nets = nn.ModuleList(nets)
        self.confident_margin = confident_margin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        first = self.nets[0](x)
        unsure = self.unsure(first)
        out = len(self.nets) * first
        if unsure.any():
            out[unsure] = first[unsure] + sum(net(x[unsure]) for net in self.nets[1:])
        return out

    def unsure(self, first: torch.Tensor) -> torch.Tensor:
        """Which patterns the other nets must see, from the first net's penalties."""
        if self.confident_margin is None:
            return torch.ones(len(first), dtype=torch.bool, device=first.device)
        two = first.topk(2, dim=1, largest=False).values
        return two[:, 1] - two[:, 0] < self.confident_margin

    @staticmethod
    def decide(penalties: torch.Tensor) -> torch.Tensor:
        return penalties.argmin(1)
