"""Speed of the in-browser LeNet-5 (``lenet_nb/book/widgets/static/src/lenet5.js``), under node.

    python -m lenet_nb bench-js                 # ms per digit, both networks, 1,000 test digits

Times ``preprocess`` + ``forward`` (every layer's activations) per digit on MNIST test digits,
after a warm-up, and the one-off decoding of the weights file. A benchmark, not a test: figures
vary with the machine and its load, and a browser's engine may differ from node's.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from lenet_nb.cli import Parser, int_at_most
from lenet_nb.digits.mnist import mnist
from lenet_nb.paths import PACKAGE, REPOSITORY

TEST_DIGITS = 10_000  # MNIST's test set: the most --digits can take

SOURCES = PACKAGE / "book" / "widgets" / "static" / "src"
LENET5_JS = SOURCES / "lenet5.js"
LOADER_JS = SOURCES / "weights.js"  # decodes the weights file
WEIGHTS_JS = REPOSITORY / "static" / "lenet5_weights.js"

DRIVER = """
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { performance } from "node:perf_hooks";
const [moduleUrl, loaderUrl, weightsFile, inputsFile, network] = process.argv.slice(2);
const lenet5 = await import(moduleUrl);
const { decodeNetworks } = await import(loaderUrl);
vm.runInThisContext(readFileSync(weightsFile, "utf8"));
let start = performance.now();
const net = decodeNetworks(globalThis.LENET5_WEIGHTS)[network];
const decodeMs = performance.now() - start;
const digits = JSON.parse(readFileSync(inputsFile, "utf8")).map((d) => Uint8Array.from(d));
let check = 0;
const run = () => {
  for (const d of digits) check += lenet5.decide(lenet5.forward(net, lenet5.preprocess(d)).output);
};
run();  // warm-up: let the engine compile the hot loops
start = performance.now();
run();
const msPerDigit = (performance.now() - start) / digits.length;
console.log(JSON.stringify({ network, digits: digits.length, msPerDigit, decodeMs, check }));
"""


def bench_js(digits: int = 1000, network: str = "paper") -> dict:
    """{"msPerDigit", "decodeMs", ...} of lenet5.js under node, on the first ``digits`` test
    digits."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH; install Node.js 18 or newer")
    images = mnist(train=False, transform=None).data[:digits]
    with tempfile.TemporaryDirectory() as tmp:
        driver, inputs = Path(tmp) / "bench.mjs", Path(tmp) / "digits.json"
        driver.write_text(DRIVER)
        inputs.write_text(json.dumps(images.flatten(1).tolist()))
        done = subprocess.run(
            [
                node,
                str(driver),
                LENET5_JS.as_uri(),
                LOADER_JS.as_uri(),
                str(WEIGHTS_JS),
                str(inputs),
                network,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout)


def main(argv=None) -> None:
    parser = Parser(prog="python -m lenet_nb bench-js", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--digits",
        type=int_at_most(TEST_DIGITS),
        default=1000,
        help="the first N test digits (at most 10,000)",
    )
    parser.add_argument(
        "--network", choices=["paper", "distorted"], nargs="+", default=["paper", "distorted"]
    )
    args = parser.parse_args(argv)
    if shutil.which("node") is None:
        parser.error("node is not on PATH; install Node.js 18 or newer")
    for network in args.network:
        r = bench_js(args.digits, network)
        print(
            f"{network}: {r['msPerDigit']:.3f} ms per digit (preprocess + forward, "
            f"{r['digits']} digits under node); decoding the weights {r['decodeMs']:.1f} ms"
        )


if __name__ == "__main__":
    main()
