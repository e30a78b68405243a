"""The browser's transformations (lenet_nb/book/widgets/static/src/distort.js), under node, against
the Python they mirror: the paper's distortions (lenet_nb.digits.distortions.distort, torchvision's
affine) and LeCun's demonstrations (lenet_nb.digits.transformations), on many digits and parameters,
extremes included. Equal to within one grey level (torch samples in float32, the browser in
float64), the stroke widths and the noise exactly."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.digits import distortions as D
from lenet_nb.digits import transformations as T
from lenet_nb.digits.mnist import mnist

MODULE = SOURCES / "distort.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

# Reads [{op, image, args}] from the file named by its argument, writes the results as JSON.
DRIVER = """
import { readFileSync } from "node:fs";
const js = await import(process.argv[2]);
const jobs = JSON.parse(readFileSync(process.argv[3], "utf8"));
const run = {
  mulberry32: (image, [seed, n]) => Array.from({ length: n }, js.mulberry32(seed)),
  transform: (image, [name, ...rest]) => Array.from(js.transform(name, image, ...rest)),
  distort: (image, args) => Array.from(js.distort(image, ...args)),
  compose: (image, args) => Array.from(js.compose(image, ...args)),
};
const results = jobs.map(({ op, image, args }) => run[op](image, args));
process.stdout.write(JSON.stringify(results));
"""


def run_js(tmp_path: Path, jobs: list[dict]) -> list:
    driver = tmp_path / "driver.mjs"
    driver.write_text(DRIVER)
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    done = subprocess.run(
        [NODE, str(driver), MODULE.as_uri(), str(tmp_path / "jobs.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def digits():
    return mnist(False, transform=None).data[:60]


def compare(tmp_path, cases):
    """``cases``: (op, image, args, expected uint8 28x28). Returns the JS outputs' largest
    difference in grey levels and the share of pixels that differ."""
    out = run_js(
        tmp_path,
        [dict(op=op, image=image.flatten().tolist(), args=args) for op, image, args, _ in cases],
    )
    got = torch.tensor(out, dtype=torch.int64).reshape(-1, 28, 28)
    expected = torch.stack([e for *_, e in cases]).to(torch.int64)
    diff = (got - expected).abs()
    return diff.max().item(), (diff > 0).double().mean().item()


def test_distort_matches_torchvision(tmp_path, digits):
    g = torch.Generator().manual_seed(11)
    wide = D.DistortionRanges(4.0, 4.0, (0.6, 1.6), (0.3, 3.0), 1.2)
    table = torch.cat([D.random_table(g, D.PAPER_DISTORTIONS, 120), D.random_table(g, wide, 120)])
    params = [D.DistortionParams(*row.tolist()) for row in table]
    params += [
        D.DistortionParams(),  # the identity
        D.DistortionParams(translate_x=0.5),
        D.DistortionParams(translate_y=-0.5),
        D.DistortionParams(translate_x=20.0),
        D.DistortionParams(translate_y=-17.0),
        D.DistortionParams(translate_x=13.5, translate_y=13.5),  # pushed out of the field
        D.DistortionParams(scale=0.2),
        D.DistortionParams(scale=4.0),
        D.DistortionParams(squeeze=0.1),
        D.DistortionParams(squeeze=10.0),
        D.DistortionParams(shear=3.0),
        D.DistortionParams(shear=-3.0),
        D.DistortionParams(2.3, -1.1, 0.7, 0.25, -1.5),
    ]
    cases = [
        (
            "distort",
            digits[k % len(digits)],
            [{f: getattr(p, f) for f in D.FIELDS}],
            D.distort(digits[k % len(digits)], p),
        )
        for k, p in enumerate(params)
    ]
    worst, share = compare(tmp_path, cases)
    assert worst <= 1
    assert share < 2e-3
    identity = run_js(tmp_path, [dict(op="distort", image=digits[0].flatten().tolist(), args=[{}])])
    assert identity[0] == digits[0].flatten().tolist()


EXTREMES = {
    "translation": [-30.0, -13.5, 0.5, 2.25, 29.0],
    "rotation": [-180.0, -135.0, 7.3, 90.0],
    "scale": [0.1, 0.33, 2.7, 6.0],
    "squeeze": [0.05, 0.77, 9.0],
    "stroke": [-7.0, -2.6, 0.3, 1.7, 9.0, 14.0],
    "noise": [0.003, 0.77, 1.0],
}


@pytest.mark.parametrize("name", list(T.TRANSFORMATIONS))
def test_demonstrations_match_python(tmp_path, digits, name):
    strengths = list(T.TRANSFORMATIONS[name].strengths) + EXTREMES[name]
    seeds = [0, 7, -3, 2**31 + 5]
    cases = []
    for k, s in enumerate(strengths):
        for image in digits[k % 6 * 10 : k % 6 * 10 + 4]:
            seed = seeds[k % len(seeds)]
            expected = T.noise(image, s, seed) if name == "noise" else T.transform(name, image, s)
            cases.append(("transform", image, [name, s, seed], expected))
    worst, share = compare(tmp_path, cases)
    assert worst == 0 if name in ("stroke", "noise") else worst <= 1
    # shifts by half pixels put many values exactly halfway between two grey levels, where
    # float32 and float64 sampling round to either side: more pixels differ, by one level
    assert share < 1e-2


def test_mulberry32_is_the_same_generator(tmp_path):
    seeds = [0, 1, 42, -1, 2**32 + 3, 123456789]
    got = run_js(tmp_path, [dict(op="mulberry32", image=None, args=[s, 50]) for s in seeds])
    assert torch.tensor(got, dtype=torch.float64).equal(torch.from_numpy(T.mulberry32(seeds, 50)))
    # a 32-bit generator's outputs are multiples of 2^-32
    assert all(math.ldexp(v, 32).is_integer() for row in got for v in row)


def test_noise_batch_seeds_follow_the_digits(digits):
    """Image k of a batch has the noise of seed + k, whichever batch it sits in (so the browser
    reproduces test digit i's noise from seed NOISE_SEED + i)."""
    batch = T.noise(digits[:5], 0.2, seed=10)
    for k in range(5):
        assert torch.equal(batch[k], T.noise(digits[k], 0.2, seed=10 + k))


def test_composed_demonstrations_agree(tmp_path, digits):
    """The invariance panel's composition: every transformation at once, in one order."""
    identities = {name: t.identity for name, t in T.TRANSFORMATIONS.items()}
    settings = [
        {
            "translation": 2.0,
            "rotation": 20.0,
            "scale": 0.8,
            "squeeze": 1.19,
            "stroke": 0.5,
            "noise": 0.05,
        },
        {"translation": -3.0, "scale": 1.3, "stroke": -0.75},
        {"rotation": -40.0, "noise": 0.2},
        {"translation": 14.0},  # the digit pushed out of the field
        {"noise": 1.0},
    ]
    cases = [
        ("compose", digit, [strengths, identities], T.compose(digit, strengths))
        for digit in digits[:8]
        for strengths in settings
    ]
    largest, share = compare(tmp_path, cases)
    # Each step can round a tie differently (one grey level) and the next step carries it on.
    assert largest <= 2 and share < 0.01
    assert torch.equal(T.compose(digits[0], {}), digits[0])
    with pytest.raises(ValueError, match="unknown transformation"):
        T.compose(digits[0], {"blur": 1.0})
