"""Where the package's committed files are: one home for every path the modules share."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPOSITORY = PACKAGE.parent  # a clone's root: book/, data/, static/
CHECKPOINTS = PACKAGE / "checkpoints"  # the committed, trained networks
RESULTS = PACKAGE / "results"  # the studies' committed results, as JSON
