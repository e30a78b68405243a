"""``python -m lenet_nb COMMAND [options]``: every command line of the package in one place.

``python -m lenet_nb`` lists the commands; ``python -m lenet_nb COMMAND --help`` lists a
command's options. Each command is the ``main(argv)`` of one module, which also runs as
``python -m lenet_nb.<module path>``.
"""

import importlib
import sys

COMMANDS = {
    "train": ("lenet_nb.training.train", "train one network and write its checkpoint"),
    "recipes": ("lenet_nb.training.recipes", "the Keras-style summary of every named recipe"),
    "predict": ("lenet_nb.reading.predict", "read digits from image files"),
    "rejection": ("lenet_nb.reading.rejection", "measure Fig. 10's rejection threshold"),
    "seeds": ("lenet_nb.studies.seeds", "the reproduction and training study over seeds"),
    "procedure": (
        "lenet_nb.studies.procedure",
        "the paper's per-pattern SDLM and the authors' departures",
    ),
    "ablation": ("lenet_nb.studies.ablation", "the tutorials and one-change ablations"),
    "family": ("lenet_nb.studies.family", "Fig. 9's LeNet-1, LeNet-4 and boosted LeNet-4"),
    "baselines": ("lenet_nb.studies.baselines", "Fig. 9's linear, k-NN and MLP classifiers"),
    "strings": ("lenet_nb.studies.strings", "the SDNN against segmentation on digit strings"),
    "invariance": ("lenet_nb.studies.invariance", "error against rotation, scale, shear, noise"),
    "bench": ("lenet_nb.studies.bench", "training and evaluation speed, side by side"),
    "bench-js": ("lenet_nb.studies.bench_js", "the in-browser forward pass's speed under node"),
    "bench-train-js": (
        "lenet_nb.book.widgets.training_bench",
        "training in the browser: patterns/s and the error after a pass",
    ),
    "export": ("lenet_nb.book.widgets.export", "write the weights the book's pages load"),
    "export-training": (
        "lenet_nb.book.widgets.training_data",
        "write the digits the Training chapter's page trains on",
    ),
    "architecture": ("lenet_nb.book.figures.architecture", "redraw the landing page's figure"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    rows = "\n".join(f"  {name:<{width}}  {summary}" for name, (_, summary) in COMMANDS.items())
    return f"usage: python -m lenet_nb COMMAND [options]\n\ncommands:\n{rows}\n"


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), end="")
        return
    command, *rest = argv
    if command not in COMMANDS:
        print(
            f"python -m lenet_nb: error: unknown command {command!r}; choose one of "
            f"{', '.join(COMMANDS)}",
            file=sys.stderr,
        )
        raise SystemExit(2)
    importlib.import_module(COMMANDS[command][0]).main(rest)


if __name__ == "__main__":
    main()
