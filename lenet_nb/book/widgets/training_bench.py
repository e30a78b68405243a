"""Speed and outcome of training LeNet-5 in the browser (the Training chapter's "Watch it learn").

    python -m lenet_nb bench-train-js                 # both update modes, one pass each
    python -m lenet_nb bench-train-js --modes 1 --patterns 2000
    python -m lenet_nb bench-train-js --modes 1 --seeds 0 1 2   # the spread over seeds

Opens the widget (``static/src/training_widget.js``, as bundled) in headless Chromium on a page of
its own, with the book's ``static/lenet5_training.js``, presses start, and waits until the
worker has trained ``--patterns`` patterns (by default one pass over the 10,000 digits). Reports
the worker's patterns per second (the time spent training, the curvature estimates included,
the test error's measures not) and the test error on the 1,000 held-out digits at the end. A
benchmark, not a test: the speed varies with the machine and its load.
"""

import functools
import http.server
import itertools
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from lenet_nb.book.widgets.base import BUNDLE
from lenet_nb.book.widgets.training import MODES, trainer_data
from lenet_nb.book.widgets.training_data import OUT, TRAIN_DIGITS
from lenet_nb.cli import Parser, int_at_most, non_negative_int

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE = """<!doctype html>
<html data-content_root="./"><head><meta charset="utf-8">
<link rel="stylesheet" href="lenet_widgets.css"></head><body><div id="widget"></div>
<script type="module">
import widget from "./lenet_widgets.js";
const state = {_kind: "trainer", data: %s};
const model = {get: (k) => state[k], set: (k, v) => { state[k] = v; }, on() {}, off() {},
  save_changes() { throw new Error("no kernel"); }, send() { throw new Error("no kernel"); }};
widget.render({model, el: document.getElementById("widget")});
</script></body></html>
"""


def chromium_path() -> str:
    found = os.environ.get("LENET_NB_CHROMIUM") or shutil.which("chromium")
    if not found:
        raise RuntimeError("needs Chromium: apt-get install chromium, or set LENET_NB_CHROMIUM")
    return found


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder: str) -> str:
    handler = functools.partial(_QuietHandler, directory=folder)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/"


def bench_train_js(
    mode: str = "8", patterns: int = TRAIN_DIGITS, seed: int = 0, timeout_s: float = 600
) -> dict:
    """{"mode", "seed", "patterns", "patternsPerSecond", "testError", "seconds"} of one run in
    Chromium, as a reader starts it: the seed typed in, the update mode chosen, start pressed."""
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        for name in ("lenet_widgets.js", "lenet_widgets.css"):
            shutil.copy(BUNDLE / name, folder / name)
        (folder / "_static").mkdir()
        shutil.copy(OUT, folder / "_static" / OUT.name)
        (folder / "index.html").write_text(PAGE % json.dumps(trainer_data()))
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(_serve(str(folder)) + "index.html")
        page.select_option(".lenet-train-mode", mode)
        page.fill(".lenet-train-seed", str(seed))
        started = time.perf_counter()
        page.click(".lenet-train-button >> text=start")
        page.wait_for_function(
            f"() => Number(document.querySelector('.lenet-trainer').dataset.patterns) >= {patterns}"
            " && document.querySelector('.lenet-trainer').dataset.testAt >= " + str(patterns),
            timeout=timeout_s * 1000,
            polling=200,
        )
        seconds = time.perf_counter() - started
        result = page.evaluate("() => ({...document.querySelector('.lenet-trainer').dataset})")
        browser.close()
    if errors:
        raise RuntimeError(f"the page failed: {errors}")
    return {
        "mode": mode,
        "seed": seed,
        "patterns": int(result["patterns"]),
        "patternsPerSecond": float(result["rate"]),
        "testError": float(result["testError"]),
        "seconds": seconds,
    }


def main(argv=None) -> None:
    parser = Parser(prog="python -m lenet_nb bench-train-js", description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument(
        "--patterns",
        type=int_at_most(20 * TRAIN_DIGITS),
        default=TRAIN_DIGITS,
        help=f"train this many patterns (default: one pass, {TRAIN_DIGITS:,})",
    )
    parser.add_argument("--seeds", nargs="+", type=non_negative_int, default=[0])
    args = parser.parse_args(argv)
    chromium_path()
    for mode, seed in itertools.product(args.modes, args.seeds):
        r = bench_train_js(mode, args.patterns, seed)
        print(
            f"updates of {MODES[mode].batch_size}, seed {seed}: "
            f"{r['patternsPerSecond']:.0f} patterns/s in the "
            f"worker; test error {100 * r['testError']:.1f}% after {r['patterns']:,} patterns "
            f"({r['seconds']:.0f} s in all, loading and test measures included)"
        )


if __name__ == "__main__":
    main()
