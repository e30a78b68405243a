import os

import pytest


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` retrain the network (minutes): they run when LENET_NB_SLOW=1,
    as .ci/run sets it."""
    if os.environ.get("LENET_NB_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="retrains from scratch; set LENET_NB_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
