"""LeNet-5's family over seeds (Section III-C-2, Figs. 9-12): LeNet-1, LeNet-4, and LeNet-4
trained with distortions, the first net of boosted LeNet-4 (``lenet_nb.studies.boosting``).

    python -m lenet_nb family          # the runs below -> lenet_nb/results/family_runs.json
"""

from lenet_nb.studies import runs

STUDY = runs.Study(
    command="python -m lenet_nb family",
    results=runs.RESULTS_DIR / "family_runs.json",
    seeds={"lenet1": (0, 1, 2), "lenet4": (0, 1, 2), "lenet4-distorted": (0, 1)},
)


def load_runs(path=None) -> dict:
    """The committed runs, checked to match the recipes as the code defines them now."""
    return runs.load_results(STUDY, path)


def main(argv=None) -> None:
    runs.main(STUDY, __doc__, argv)


if __name__ == "__main__":
    main()
