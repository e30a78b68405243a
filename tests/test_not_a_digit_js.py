"""The page's not-a-digit rule (static/src/not_a_digit.js) against Python's, under node: the same
statistics and the same reasons on test digits, noise, fills and scribbles."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from lenet_nb.book.widgets.base import SOURCES
from lenet_nb.digits.ink import ink_statistics
from lenet_nb.digits.mnist import mnist
from lenet_nb.digits.normalise import normalise_digit
from lenet_nb.reading import not_a_digit

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on the PATH")

DRIVER = """
import { readFileSync } from "node:fs";
const { inkStatistics, notADigit } = await import(process.argv[2]);
const { rule, digits } = JSON.parse(readFileSync(process.argv[3], "utf8"));
console.log(JSON.stringify(digits.map((d) => ({ ...inkStatistics(d, rule.ink_level),
                                               reason: notADigit(d, rule) }))));
"""


def _cases() -> np.ndarray:
    rng = np.random.default_rng(0)
    test = mnist(False, transform=None).data.numpy()[:200]
    noise = rng.integers(0, 256, size=(20, 28, 28), dtype=np.uint8)
    fills = np.stack([np.full((28, 28), v, np.uint8) for v in (0, 127, 128, 255)])
    scribbles = np.stack([normalise_digit(not_a_digit.scribble(s)) for s in range(20)])
    return np.concatenate([test, noise, fills, scribbles])


def test_the_page_refuses_what_python_refuses(tmp_path):
    cases = _cases()
    rule = not_a_digit.rule()
    (tmp_path / "driver.mjs").write_text(DRIVER)
    (tmp_path / "cases.json").write_text(
        json.dumps({"rule": rule, "digits": cases.reshape(len(cases), -1).tolist()})
    )
    done = subprocess.run(
        [
            NODE,
            str(tmp_path / "driver.mjs"),
            (SOURCES / "not_a_digit.js").as_uri(),
            str(tmp_path / "cases.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    stats = ink_statistics(cases)
    assert [p["inkPixels"] for p in page] == stats["ink_pixels"].tolist()
    assert [p["eulerNumber"] for p in page] == stats["euler_number"].tolist()
    assert [p["reason"] for p in page] == not_a_digit.reasons(cases)
    refused = [p["reason"] is not None for p in page]
    assert not any(refused[:200]) or sum(refused[:200]) <= 2  # test digits: kept
    assert all(refused[200:224])  # noise and fills: refused
