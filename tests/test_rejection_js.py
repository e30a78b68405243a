"""The page's rejection rule (``lenet_nb/book/widgets/static/src/rejection.js``, which every widget
that reads a digit uses) against Python's ``lenet_nb.reading.rejection.decide``, under node: the
same class or the same "not sure" for random penalties, ties, and margins on either side of the
threshold down to the last float32 bit."""

import json
import shutil
import subprocess

import numpy as np
import pytest
import torch

from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.book.widgets.network import network_data
from lenet_nb.reading.rejection import committed_threshold, decide, margins

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

DRIVER = """
import { readFileSync } from "node:fs";
const { judge } = await import(process.argv[2]);
const cases = JSON.parse(readFileSync(process.argv[3], "utf8"));
const out = cases.map(({ penalties, threshold }) => judge(Float32Array.from(penalties), threshold));
console.log(JSON.stringify(out));
"""


def cases() -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng(3)
    out = []
    for threshold in (committed_threshold("paper"), committed_threshold("distorted"), 0.0):
        for _ in range(200):
            out.append((rng.uniform(0, 60, 10).astype(np.float32), threshold))
    threshold = committed_threshold("paper")
    t32 = np.float32(threshold)
    below, above = np.nextafter(t32, np.float32(0)), np.nextafter(t32, np.float32(100))
    for margin in (t32, below, above, np.float32(0)):
        p = np.full(10, 90, np.float32)
        p[4], p[7] = 0, margin  # exactly `margin` apart
        out.append((p, threshold))
        out.append((p, float(t32) + 1e-9))  # a threshold between float32 values
    tie = np.full(10, 50, np.float32)
    tie[[2, 6]] = 10  # two smallest alike: the first wins, by no margin
    out += [(tie, 0.0), (tie, threshold)]
    return out


def test_judge_is_decide(tmp_path):
    all_cases = cases()
    (tmp_path / "driver.mjs").write_text(DRIVER)
    (tmp_path / "cases.json").write_text(
        json.dumps([{"penalties": p.tolist(), "threshold": t} for p, t in all_cases])
    )
    done = subprocess.run(
        [
            NODE,
            tmp_path / "driver.mjs",
            (SOURCES / "rejection.js").as_uri(),
            tmp_path / "cases.json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    answers = {True: 0, False: 0}
    for (p, t), js in zip(all_cases, results):
        penalties = torch.from_numpy(p)
        expected = decide(penalties, threshold=t)
        assert js["answer"] == (-1 if expected is None else expected), (p, t)
        assert js["best"] == int(penalties.argmin())
        assert js["margin"] == float(margins(penalties))  # float32, as PyTorch's
        answers[expected is None] += 1
    assert answers[True] > 10 and answers[False] > 10  # both outcomes were tested


def test_the_widgets_judge_with_the_committed_thresholds():
    assert network_data()["thresholds"] == {
        name: committed_threshold(name) for name in ("paper", "distorted")
    }
