"""How far LeNet-5's answers survive the transformations of LeCun's own demonstrations.

    python -m lenet_nb invariance      # -> lenet_nb/results/invariance.json

The authors' LeNet-5 web page showed the trained network reading a digit while it is translated,
rotated, scaled, squeezed, drawn with thinner or thicker strokes, or buried in salt-and-pepper
noise; the paper (Section III-C) trains with some of these (translation, scaling, squeezing,
shearing) as distortions, so that the network learns to ignore them. Here each transformation has
one strength and a named range (:data:`TRANSFORMATIONS`), and the command measures the test error
of the two committed networks -- ``paper`` and ``distorted`` (trained with the distortions) --
on all 10,000 test digits at every strength of every range.

The transformations act on uint8 ``28 x 28`` digits (or batches ``N x 28 x 28``). The geometric
ones are affine maps applied as the distortions are (:func:`lenet_nb.digits.distortions.warp`:
torchvision's ``v2.functional.affine``, bilinear, background 0); ``stroke`` is grey-level
dilation or erosion; ``noise`` is salt and pepper from a tiny generator (mulberry32) that the
browser's twin, ``lenet_nb/book/widgets/static/distort.js``, computes identically.
"""
import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from lenet_nb.cli import Parser, writable_path
from lenet_nb.training import checkpoint
from lenet_nb.training.checkpoint import atomic_write
from lenet_nb.digits.distortions import PAPER_DISTORTIONS, SIZE, warp
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.inputs import as_model_input
from lenet_nb.training.committed import MODELS, load_model
from lenet_nb.paths import RESULTS

RESULTS = RESULTS / "invariance.json"
COMMAND = "python -m lenet_nb invariance"
NETWORKS = ("paper", "distorted")
NOISE_SEED = 0  # test digit i is buried in the noise of seed NOISE_SEED + i
CHECK_DIGITS = 500  # the results also count errors on the first 500 digits, to recheck quickly

# How far a recomputed error count may differ from the committed one. The networks' float
# arithmetic, and the float32 resampling's rounding to grey levels, differ between CPUs, and a
# digit near a decision boundary then changes sides. Measured by recomputing the whole file on
# the development machine (an AMD EPYC with AVX-512) under ATEN_CPU_CAPABILITY=default, as an AVX2 CPU
# (ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2), as an SSE4 one
# (default, SSE41, SSE4_2) and with 2 threads: of the 148 counts, one changed by one digit in each
# of the first three runs, none with 2 threads. We allow twice that, for CPUs we could not try.
TOLERANCE = 2


# --- the transformations -----------------------------------------------------------------------

def translation(images: torch.Tensor, pixels: float) -> torch.Tensor:
    """Shift right by ``pixels`` (left when negative)."""
    return warp(images, torch.eye(2, dtype=torch.float64), [pixels, 0.0])


def rotation(images: torch.Tensor, degrees: float) -> torch.Tensor:
    """Turn by ``degrees`` about the field's centre, anticlockwise as the reader sees it (with
    ``y`` pointing down, ``L = [[cos, sin], [-sin, cos]]``)."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return warp(images, torch.tensor([[c, s], [-s, c]], dtype=torch.float64), [0.0, 0.0])


def scale(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Enlarge by ``factor`` about the field's centre (shrink when below 1)."""
    return warp(images, factor * torch.eye(2, dtype=torch.float64), [0.0, 0.0])


def squeeze(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Multiply the width-to-height ratio by ``factor`` at constant area (the distortions'
    squeeze): below 1 compresses horizontally and elongates vertically, above 1 the reverse."""
    k = math.sqrt(factor)
    return warp(images, torch.tensor([[k, 0.0], [0.0, 1 / k]], dtype=torch.float64), [0.0, 0.0])


def _cross(images: torch.Tensor, dilate: bool) -> torch.Tensor:
    """One grey-level dilation (max) or erosion (min) over each pixel and its four neighbours,
    pixels beyond the field reading 0 (background): the smallest disk, so strokes grow or shrink
    by one pixel on each side, horizontally and vertically alike."""
    p = F.pad(images, (1, 1, 1, 1))
    shifted = torch.stack([p[..., 1:-1, 1:-1], p[..., 1:-1, :-2], p[..., 1:-1, 2:],
                           p[..., :-2, 1:-1], p[..., 2:, 1:-1]])
    return shifted.amax(0) if dilate else shifted.amin(0)


def stroke(images: torch.Tensor, width: float) -> torch.Tensor:
    """Thicker strokes for ``width > 0`` (dilation), thinner for ``width < 0`` (erosion), in
    pixels added to each side: ``floor(|width|)`` whole steps of :func:`_cross`, then the fraction
    ``f`` left over blends one step more, ``a + f (b - a)`` in float64, rounded half to even --
    operations IEEE arithmetic makes identical in JavaScript."""
    steps, f = int(abs(width)), abs(width) - int(abs(width))
    a = images.clone()
    for _ in range(steps):
        a = _cross(a, width > 0)
    if f == 0:
        return a
    b = _cross(a, width > 0).double()
    a = a.double()
    return (a + f * (b - a)).round().to(torch.uint8)


def mulberry32(seeds, n: int) -> np.ndarray:
    """The first ``n`` numbers in ``[0, 1)`` of mulberry32 for each integer seed:
    ``len(seeds) x n`` float64. Its state after ``k`` draws is ``seed + k * 0x6D2B79F5`` (mod
    2^32), so every draw is computed at once; ``distort.js`` runs the same generator one draw at
    a time."""
    seeds = np.asarray(seeds, dtype=np.int64).reshape(-1) % 2**32
    steps = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)
    a = ((seeds.astype(np.uint64)[:, None] + steps) % 2**32).astype(np.uint32)
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps mod 2^32, as Math.imul does
        t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
        t = (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))) ^ t
        return (t ^ (t >> np.uint32(14))).astype(np.float64) / 2**32


def noise(images: torch.Tensor, fraction: float, seed: int = NOISE_SEED) -> torch.Tensor:
    """Salt-and-pepper noise: image ``k`` of a batch draws from ``mulberry32(seed + k)`` two
    numbers ``u, v`` per pixel, row by row; the pixel is hit when ``u < fraction`` and a hit
    becomes ink (255) when ``v < 1/2``, background (0) otherwise. Both are drawn for every pixel,
    so a larger fraction adds hits to a smaller one's."""
    flat = images.reshape(-1, SIZE * SIZE)
    uv = torch.from_numpy(mulberry32(seed + np.arange(len(flat)), 2 * SIZE * SIZE))
    u, v = uv[:, 0::2], uv[:, 1::2]
    hits = torch.where(v < 0.5, 255, 0).to(torch.uint8)
    return torch.where(u < fraction, hits, flat).reshape(images.shape)


@dataclass(frozen=True)
class Transformation:
    """One of LeCun's demonstrations with its range: ``apply(images, strength)``, the strengths
    measured, the identity's strength, the part of the range the ``distorted`` network was trained
    on (``None`` when the paper's distortions do not include it) and whether the range is
    geometric (plotted on a log axis)."""
    name: str
    label: str
    unit: str
    apply: Callable[[torch.Tensor, float], torch.Tensor]
    strengths: tuple
    identity: float
    trained: tuple | None = None
    log: bool = False


_SQUEEZES = tuple(round(2 ** (j / 4), 4) for j in range(-6, 7))

TRANSFORMATIONS = {t.name: t for t in (
    Transformation("translation", "horizontal translation", "pixels", translation,
                   tuple(float(k) for k in range(-6, 7)), 0.0,
                   (-PAPER_DISTORTIONS.translate_x, PAPER_DISTORTIONS.translate_x)),
    Transformation("rotation", "rotation", "degrees, anticlockwise", rotation,
                   tuple(float(d) for d in range(-60, 61, 10)), 0.0),
    Transformation("scale", "scale", "factor", scale,
                   tuple(round(0.5 + 0.1 * k, 1) for k in range(11)), 1.0,
                   PAPER_DISTORTIONS.scale, log=True),
    Transformation("squeeze", "squeeze", "width-to-height factor", squeeze, _SQUEEZES, 1.0,
                   PAPER_DISTORTIONS.squeeze, log=True),
    Transformation("stroke", "stroke width", "pixels each side", stroke,
                   (-1.5, -1.25, -1.0, -0.75, -0.5, -0.25, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0), 0.0),
    Transformation("noise", "salt-and-pepper noise", "fraction of pixels", noise,
                   (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5), 0.0),
)}
"""The demonstrations by name, each with its named range of strengths."""


def transform(name: str, images: torch.Tensor, strength: float) -> torch.Tensor:
    """``TRANSFORMATIONS[name]`` applied to uint8 ``28 x 28`` or ``N x 28 x 28`` digits."""
    if name not in TRANSFORMATIONS:
        raise ValueError(f"unknown transformation {name!r}; the ones measured are "
                         f"{', '.join(TRANSFORMATIONS)}")
    if images.dtype != torch.uint8 or tuple(images.shape[-2:]) != (SIZE, SIZE):
        raise ValueError(f"images of dtype {images.dtype} and shape {tuple(images.shape)}: "
                         "expected uint8 grey levels, 28 x 28 or N x 28 x 28 (MNIST's own)")
    return TRANSFORMATIONS[name].apply(images, strength)


# --- measuring ---------------------------------------------------------------------------------

def compose(image: torch.Tensor, strengths: dict) -> torch.Tensor:
    """Several demonstrations at once, as the invariance panel applies them: each named in
    ``strengths`` and not at its identity, in the order of ``TRANSFORMATIONS`` (the geometric
    ones, then the stroke, then the noise, with seed ``NOISE_SEED``)."""
    unknown = sorted(set(strengths) - set(TRANSFORMATIONS))
    if unknown:
        raise ValueError(f"unknown transformation {unknown[0]!r}; one of "
                         f"{', '.join(TRANSFORMATIONS)}")
    for name, t in TRANSFORMATIONS.items():
        if strengths.get(name, t.identity) != t.identity:
            image = transform(name, image, strengths[name])
    return image


def checkpoint_identity() -> dict:
    """sha256 of each committed network's ``.pt`` file: what a result was computed from."""
    return {name: hashlib.sha256((checkpoint.PACKAGED / MODELS[name]).read_bytes()).hexdigest()
            for name in NETWORKS}


@torch.inference_mode()
def wrong(model, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """Boolean mask of the digits ``model`` misreads."""
    return torch.cat([model(as_model_input(images[i:i + batch])).argmin(1) != labels[i:i + batch]
                      for i in range(0, len(images), batch)])


def measure(images: torch.Tensor, labels: torch.Tensor, names=tuple(TRANSFORMATIONS),
            progress: bool = True) -> dict:
    """For each transformation and strength: how many of ``images`` each network misreads
    (``errors``), how many both misread (``both``), and the same on the first
    :data:`CHECK_DIGITS` digits (``check``)."""
    models = {name: load_model(name) for name in NETWORKS}
    steps = [(name, s) for name in names for s in TRANSFORMATIONS[name].strengths]
    out = {name: {"strengths": list(TRANSFORMATIONS[name].strengths), "both": [],
                  "errors": {n: [] for n in NETWORKS}, "check": {n: [] for n in NETWORKS}}
           for name in names}
    for name, strength in tqdm(steps, desc="invariance", unit="strength", disable=not progress):
        moved = transform(name, images, strength)
        misread = {n: wrong(m, moved, labels) for n, m in models.items()}
        row = out[name]
        row["both"].append(int((misread["paper"] & misread["distorted"]).sum()))
        for n in NETWORKS:
            row["errors"][n].append(int(misread[n].sum()))
            row["check"][n].append(int(misread[n][:CHECK_DIGITS].sum()))
    return out


def run(progress: bool = True) -> dict:
    """The whole measurement on MNIST's 10,000 test digits, as written to the results file."""
    test = mnist(False, transform=None)
    return {"command": COMMAND, "torch": torch.__version__, "digits": len(test.data),
            "check_digits": CHECK_DIGITS, "noise_seed": NOISE_SEED,
            "checkpoints": checkpoint_identity(),
            "transformations": measure(test.data, test.targets, progress=progress)}


# --- reading the results -----------------------------------------------------------------------

class StaleResultsError(ValueError):
    """A results file made from other checkpoints or other ranges than the package's."""


def load_results(path: Path = RESULTS) -> dict:
    """The committed measurement, refused when it was made from other checkpoints or ranges."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no invariance results at {path}; compute them with `{COMMAND}`")
    data = json.loads(path.read_text())
    fix = f"recompute them with `{COMMAND}`"
    made_from = data.get("checkpoints", {})
    stale = [n for n, h in checkpoint_identity().items() if made_from.get(n) != h]
    if stale:
        raise StaleResultsError(f"{path} was computed from other checkpoints of "
                                f"{', '.join(stale)} than the committed ones; {fix}")
    ranges = {name: list(t.strengths) for name, t in TRANSFORMATIONS.items()}
    measured = {name: r["strengths"] for name, r in data["transformations"].items()}
    if measured != ranges or data["noise_seed"] != NOISE_SEED:
        raise StaleResultsError(f"{path} was measured over other transformations or ranges than "
                                f"lenet_nb.studies.invariance.TRANSFORMATIONS now names; {fix}")
    return data


def error_rates(data: dict, name: str, network: str) -> list[float]:
    """The test error (a fraction) of ``network`` at each strength of ``name``."""
    return [e / data["digits"] for e in data["transformations"][name]["errors"][network]]


def intact_range(data: dict, name: str, network: str, level: float) -> tuple[float, float]:
    """The widest run of measured strengths around the identity over which ``network``'s test
    error stays below ``level`` (a fraction): ``(lowest, highest)`` strength of that run."""
    t = TRANSFORMATIONS[name]
    rates = error_rates(data, name, network)
    centre = t.strengths.index(t.identity)
    if rates[centre] >= level:
        raise ValueError(f"{network}'s error on untransformed digits is already "
                         f"{rates[centre]:.2%}, not below {level:.2%}: choose a higher level")
    lo = hi = centre
    while lo > 0 and rates[lo - 1] < level:
        lo -= 1
    while hi < len(rates) - 1 and rates[hi + 1] < level:
        hi += 1
    return t.strengths[lo], t.strengths[hi]


def comparison(data: dict, name: str) -> list[dict]:
    """``paper`` against ``distorted`` at each strength of ``name``: error counts, the
    difference ``paper - distorted``, and its noise: the larger of :data:`TOLERANCE` and twice
    the paired standard error ``sqrt(digits only one network misreads)`` (McNemar's; the two
    networks read the same digits). ``distorted_better`` / ``paper_better`` when the difference
    exceeds the noise."""
    r = data["transformations"][name]
    rows = []
    for s, p, d, both in zip(r["strengths"], r["errors"]["paper"], r["errors"]["distorted"],
                             r["both"]):
        noise_ = max(TOLERANCE, 2 * math.sqrt(p + d - 2 * both))
        rows.append(dict(strength=s, paper=p, distorted=d, difference=p - d, noise=noise_,
                         distorted_better=p - d > noise_, paper_better=d - p > noise_))
    return rows


def distortion_gains(data: dict, name: str) -> list[float]:
    """The strengths of ``name`` at which ``distorted`` misreads fewer digits than ``paper`` by
    more than the noise (:func:`comparison`)."""
    return [row["strength"] for row in comparison(data, name) if row["distorted_better"]]


# --- the command -------------------------------------------------------------------------------

def main(argv=None) -> None:
    p = Parser(prog=COMMAND, description=__doc__,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=writable_path, default=RESULTS, help="JSON file to write (default: "
                   "the committed lenet_nb/results/invariance.json)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    began = time.perf_counter()
    data = run(progress=not args.quiet)
    text = json.dumps(data, indent=1) + "\n"
    atomic_write(args.out, lambda tmp: Path(tmp).write_text(text))
    seconds = time.perf_counter() - began
    print(f"wrote {args.out} in {seconds:.0f} s ({torch.get_num_threads()} threads)",
          file=sys.stderr)
    for name in data["transformations"]:
        lo, hi = intact_range(data, name, "paper", 0.02), intact_range(data, name, "distorted", 0.02)
        print(f"{name:12s} error < 2%: paper {lo[0]:g} .. {lo[1]:g}, "
              f"distorted {hi[0]:g} .. {hi[1]:g}")


if __name__ == "__main__":
    main()
