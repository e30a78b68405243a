"""Running a JS test's ES-module driver under node: the driver is written into the test's own
folder, run with its arguments, and the one JSON value it prints read back. Needs ``node``
(v18 or newer) on PATH; the tests that use it skip without it (``NODE`` is None)."""

import base64
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np

NODE = shutil.which("node")


def run_driver(folder: Path, driver: str, *args, name: str = "driver.mjs", timeout: int = 300):
    """What ``driver`` (the text of an ES module) prints as JSON, run as ``folder / name`` with
    ``args`` (made strings); its stderr in the failure message if it exits with an error."""
    script = Path(folder) / name
    script.write_text(driver)
    done = subprocess.run(
        [NODE, str(script), *map(str, args)], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def float32(text: str) -> np.ndarray:
    """Little-endian float32 values from their base64 (as the drivers print arrays)."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4")
