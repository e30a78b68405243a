"""LeNet-5's family over seeds (Section III-C-2, Figs. 9-12): LeNet-1, LeNet-4, LeNet-4 with
k-NN on its last hidden layer, and boosted LeNet-4, each measured as the paper charts it.

    python -m lenet_nb family             # runs, boosting, measures -> lenet_nb/results/family.json
    python -m lenet_nb family --install   # then copy seed 0's networks into the package

The runs (``STUDY``: LeNet-1 and LeNet-4 over 3 seeds, LeNet-4 with distortions over 2, the first
nets of two boosted ensembles) go through ``lenet_nb.studies.runs``; each ensemble's other two
nets through ``lenet_nb.studies.boosting``. Every network is then measured on MNIST's 10,000 test
digits (``lenet_nb.studies.family_measures``): test error (Fig. 9), the share rejected to reach
0.5% error (Fig. 10), multiply-adds (Fig. 11) and parameters (Fig. 12).
"""

import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm.auto import tqdm

from lenet_nb import provenance
from lenet_nb.cli import Parser, positive_int
from lenet_nb.studies import family_measures, runs
from lenet_nb.training.checkpoint import PACKAGED, atomic_write, history_path

STUDY = runs.Study(
    command="python -m lenet_nb family",
    results=runs.RESULTS_DIR / "family_runs.json",
    seeds={"lenet1": (0, 1, 2), "lenet4": (0, 1, 2), "lenet4-distorted": (0, 1)},
)
RESULTS = runs.RESULTS_DIR / "family.json"
ENSEMBLES = STUDY.seeds["lenet4-distorted"]
ENSEMBLE_SPEC = "boosted-lenet4.json"  # lenet_nb.training.committed.ENSEMBLES


def boost_all(runs_dir: Path, jobs: int = 2) -> list[dict]:
    """Every ensemble's second and third nets, each ensemble in its own one-thread process."""

    def one(ensemble: int) -> dict:
        record = runs_dir / f"boosted-{ensemble}.json"
        if not record.is_file():
            command = [sys.executable, "-m", "lenet_nb.studies.boosting"]
            command += ["--ensemble", str(ensemble), "--runs", str(runs_dir)]
            runs.run_child(command, 1, f"ensemble {ensemble}")
        return json.loads(record.read_text())

    with ThreadPoolExecutor(jobs) as pool:
        return list(tqdm(pool.map(one, ENSEMBLES), total=len(ENSEMBLES), desc="boosting"))


def load_results(path: Path = RESULTS) -> dict:
    """The committed measures, refused when what made them has changed since (a recipe's
    configuration read with the defaults of fields added since, as ``runs.recorded_config``)."""
    data = provenance.load(path, STUDY.command, {})
    made_from = dict(data["made_from"])
    made_from["recipes"] = {n: runs.recorded_config(c) for n, c in made_from["recipes"].items()}
    now = {"made_from": family_measures.provenance()}
    provenance.refuse_stale(path, STUDY.command, {"made_from": made_from}, now)
    return data


def install(runs_dir: Path, data: dict) -> None:
    """Copy seed 0's networks (and their histories) into the package, and describe ensemble 0
    (its nets and its skip margin) for ``load_model("boosted-lenet4")``."""
    for name, source in family_measures.INSTALLED.items():
        shutil.copyfile(runs_dir / source, PACKAGED / name)
        shutil.copyfile(history_path(runs_dir / source), history_path(PACKAGED / name))
    first = next(e for e in data["members"]["boosted-lenet4"] if e["ensemble"] == 0)
    spec = dict(
        nets=[f"boosted-lenet4-{k}.pt" for k in (1, 2, 3)],
        confident_margin=first["confident_margin"],
        made_by=STUDY.command,
    )
    text = json.dumps(spec, indent=1) + "\n"
    atomic_write(PACKAGED / ENSEMBLE_SPEC, lambda tmp: Path(tmp).write_text(text))


def main(argv=None) -> None:
    p = Parser(prog=STUDY.command, description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=positive_int, default=2, help="runs at once")
    p.add_argument("--runs", type=Path, default=Path("runs") / "family", help="checkpoints go here")
    p.add_argument("--install", action="store_true", help="copy seed 0's networks in")
    args = p.parse_args(argv)
    args.runs.mkdir(parents=True, exist_ok=True)
    runs.run_all(STUDY, runs=args.runs, jobs=args.jobs)
    boosted = boost_all(args.runs, args.jobs)
    data = family_measures.measure_all(runs.load_results(STUDY), boosted, args.runs)
    if args.install:
        install(args.runs, data)
        data["made_from"] = family_measures.provenance()  # now with the installed hashes
    text = json.dumps(data, indent=1) + "\n"
    atomic_write(RESULTS, lambda tmp: Path(tmp).write_text(text))


if __name__ == "__main__":
    main()
