"""What made a committed result, and the refusal of a stale one.

Every study's JSON (``lenet_nb/results/``) records what it was made from: the sha256 of the
checkpoints it measured, its settings, the constants of the code it chose or used. A reader of
the file names what the package holds now under the same keys; where any differs, the file
describes other networks or another measurement than the chapters claim, and is refused with
the command that regenerates it.
"""

import json
from pathlib import Path


class StaleResultsError(ValueError):
    """A results file made from other checkpoints, settings or constants than the package's."""


def load(path, command: str, made_from: dict) -> dict:
    """The JSON at ``path``, refused when it is missing or when ``refuse_stale`` finds that it
    records other ``made_from`` than the package's now. Keys may be dotted paths into the
    file (``"grammar.chosen"``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no results at {path}; compute them with `{command}`")
    data = json.loads(path.read_text())
    refuse_stale(path, command, data, made_from)
    return data


def refuse_stale(path, command: str, recorded: dict, made_from: dict) -> None:
    """Raise ``StaleResultsError``, naming ``command``, at the first key whose value in
    ``recorded`` (what the file says made it) differs from ``made_from``'s (what the package
    holds now)."""
    for key, now in made_from.items():
        then, now = _at(recorded, key), json.loads(json.dumps(now))  # tuples as the file's lists
        if then != now:
            raise StaleResultsError(
                f"{path} was made with other {key} than the package's now "
                f"({_difference(then, now)}); regenerate it with `{command}`"
            )


def _at(data: dict, key: str):
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _difference(then, now) -> str:
    if isinstance(then, dict) and isinstance(now, dict):
        return "differing: " + ", ".join(sorted(k for k in then | now if then.get(k) != now.get(k)))
    return f"the file's {then!r}, the package's {now!r}"
