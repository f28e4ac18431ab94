""""Did you mean …?": which known name a mistyped file, sheet or header name stands for.

A name is close to a known one when a few keystrokes apart (optimal string alignment distance, so a
swap of two neighbours counts once): none for names under three characters, one up to five, two
beyond. Short Chinese headers (省份, 城市) are two characters, so their misspellings are caught by the
aliases in ``graph.schema`` rather than by distance.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["edit_distance", "closest"]


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours that turn ``a`` into ``b``.

    >>> edit_distance("provnce", "province"), edit_distance("nmae", "name")
    (1, 1)
    """
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _limit(a: str, b: str) -> int:
    shortest, longest = min(len(a), len(b)), max(len(a), len(b))
    if shortest < 3:
        return 0
    return 1 if longest <= 5 else 2


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is a near miss of (the nearest; the first on a tie), else None.

    >>> closest("relation", ["organizations", "relations"])
    'relations'
    >>> closest("notes", ["organizations", "relations"]) is None
    True
    """
    best, best_d = None, None
    for k in known:
        d = edit_distance(name, k)
        if 0 < d <= _limit(name, k) and (best_d is None or d < best_d):
            best, best_d = k, d
    return best
