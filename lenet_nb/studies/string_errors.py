"""How wrong a string reader is: per digit (edit distance over length) and per string."""

import numpy as np


def edit_distance(a: str, b: str) -> int:
    """Levenshtein's: the fewest insertions, deletions and substitutions that turn a into b."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def errors(answers, truths) -> dict:
    """Per-digit error (summed edit distances over summed lengths) and string error."""
    distance = sum(edit_distance(a, t) for a, t in zip(answers, truths))
    return {
        "digit_error": distance / sum(map(len, truths)),
        "string_error": float(np.mean([a != t for a, t in zip(answers, truths)])),
        "strings": len(truths),
    }
