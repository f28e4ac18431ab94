"""Normalizers for single cells: provinces, booleans, enumerations, lists, credit codes.

Each returns the canonical value, or raises ``ValueError`` whose text says what was expected;
the table modules turn that text into a ``Problem`` naming file, row and column.
"""

from __future__ import annotations

import operator
import re

from graph import schema

__all__ = ["province", "boolean", "enum", "split_list", "credit_code_error", "credit_code_check_digit",
           "integer", "number"]

_PROVINCE = {alias.lower(): canon for canon, aliases in schema.PROVINCES.items() for alias in aliases}


def province(value: str) -> str:
    """``'北京市'``, ``'Beijing'``, ``'京'`` → ``'北京'``.

    >>> province("河北省"), province("Tianjin")
    ('河北', '天津')
    """
    canon = _PROVINCE.get(value.strip().lower())
    if canon is None:
        raise ValueError(f"expected 北京, 天津 or 河北 (or 北京市, Beijing …), got {value!r}")
    return canon


def boolean(value: str) -> bool:
    """``'是'``/``'true'``/``'1'`` → True, ``'否'``/``'false'``/``'0'`` → False."""
    low = value.strip().lower()
    for result, spellings in schema.BOOLEANS.items():
        if low in spellings:
            return result
    raise ValueError(f"expected true/false or 是/否, got {value!r}")


def enum(value: str, choices: dict[str, tuple[str, ...]], what: str) -> str:
    """Resolve ``value`` against ``{canonical: spellings}`` (case-insensitive)."""
    low = value.strip().lower()
    for canon, spellings in choices.items():
        if low == canon or low in (s.lower() for s in spellings):
            return canon
    listed = ", ".join(f"{k} ({v[1] if len(v) > 1 else k})" for k, v in choices.items())
    raise ValueError(f"expected a {what}: {listed}; got {value!r}")


_SPLIT = re.compile(r"\s*[;；|]\s*")


def split_list(value: str) -> list[str]:
    """``'CH_H2; 机器人;'`` → ``['CH_H2', '机器人']`` (full-width ``；`` accepted)."""
    return [x for x in _SPLIT.split(value.strip()) if x]


#: what a store and Cypher can hold: a larger whole number is an error, never a silent clamp
INT64 = (-(2 ** 63), 2 ** 63 - 1)


def integer(value: str) -> int:
    """``'2017'`` or ``'2017.0'`` → 2017; exact (not through a float), within 64 bits."""
    try:
        n = int(value)
    except ValueError:
        try:
            f = float(value)
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
        if not f.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}") from None
        n = int(f)
    if not INT64[0] <= n <= INT64[1]:
        raise ValueError(f"expected a whole number between {INT64[0]} and {INT64[1]} (a 64-bit integer), "
                         f"got {value!r}")
    return n


def number(value: str) -> float:
    """``'39.92'`` → 39.92."""
    try:
        f = float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite number, got {value!r}")
    return f


# GB 32100-2015: the unified social credit code
_CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_VALUE = {c: i for i, c in enumerate(_CC_CHARS)}
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_ONLY = re.compile(f"[{_CC_CHARS}]*")


def credit_code_check_digit(first17: str) -> str:
    """The 18th character that GB 32100 computes from the first 17.

    >>> credit_code_check_digit("91110108551385082")
    'Q'
    """
    total = sum(map(operator.mul, map(_CC_VALUE.__getitem__, first17), _CC_WEIGHTS))
    return _CC_CHARS[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, or None when it is."""
    c = code.strip().upper()
    if len(c) != 18:
        return f"expected 18 characters (统一社会信用代码), got {len(c)}: {code!r}"
    bad = None if _CC_ONLY.fullmatch(c) else sorted({ch for ch in c if ch not in _CC_VALUE})
    if bad:
        return (f"expected digits and capital letters except I, O, S, V, Z; {code!r} contains "
                + ", ".join(repr(b) for b in bad))
    want = credit_code_check_digit(c[:17])
    if c[17] != want:
        return f"check digit is {c[17]!r} but GB 32100 gives {want!r} for {c[:17]!r}: a character is mistyped"
    return None
