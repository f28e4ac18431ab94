"""What any cell may hold, whatever its column: checks that run on every table read, before its own rules.

- Control characters (C0 other than TAB, DEL, C1) are errors in every cell: a NUL or an ESC in a name
  breaks Cypher strings, XML exports and terminals downstream.
- A line break is an error outside free-text columns (``source``). In a CSV file it usually means a
  stray quote merged several lines into one cell; the message says which lines.
- Invisible characters (zero-width space, bidi controls …) are warnings: the cell is kept, but it is
  not what the eye reads.
- An id mixing letters of two scripts (Latin with a Cyrillic or Greek look-alike) is a warning.

Each distinct value of a column is checked once; a column with no suspicious character costs one
regular-expression scan of its distinct values joined.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from graph.errors import Problem

from .read import ROW, RawTable

__all__ = ["check_cells", "check_value", "printable", "MULTILINE_COLUMNS"]

#: columns where a line break is text, not a mistake
MULTILINE_COLUMNS = frozenset({"source"})
#: columns that hold ids
ID_COLUMNS = frozenset({"id"})

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f"  # TAB, LF and CR are judged apart
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
              "\u2066-\u206f\u3164\ufeff\uffa0\U000e0000-\U000e007f")
_SUSPECT = {True: re.compile(f"[{_CONTROL}{_INVISIBLE}]"), False: re.compile(f"[{_CONTROL}{_INVISIBLE}\n\r]")}
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_BREAK_RE = re.compile("[\n\r]")


#: the C0 controls by their standard abbreviations (unicodedata has no names for them)
_C0 = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC "
       "FS GS RS US").split()


def _char_name(ch: str) -> str:
    o = ord(ch)
    if o < 0x20:
        return _C0[o]
    if o == 0x7F:
        return "DEL"
    if 0x80 <= o <= 0x9F:
        return "C1 control"
    return unicodedata.name(ch, "unnamed")


def _describe(ch: str, value: str) -> str:
    return f"U+{ord(ch):04X} ({_char_name(ch)}) at character {value.index(ch) + 1}"


def check_cells(raw: RawTable) -> tuple[list[Problem], list[Problem]]:
    """The problems and warnings of every cell of ``raw``, with file, row and column."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    df = raw.df
    rows = df[ROW].to_numpy()
    for column in df.columns:
        if column == ROW:
            continue
        cached = raw.codes.get(column)
        if cached is not None and len(cached[0]) == len(df):
            codes, uniques = cached
        else:
            codes, uniques = pd.factorize(df[column].to_numpy(dtype=object))
            uniques = uniques.tolist()
        uniques = ["" if not isinstance(u, str) else u for u in uniques]
        multiline = column in MULTILINE_COLUMNS
        label = raw.col_label(column)
        if _SUSPECT[multiline].search("\t".join(uniques)):
            suspect = [k for k, value in enumerate(uniques) if _SUSPECT[multiline].search(value)]
            for row, k in _rows_with(rows, codes, suspect):
                _judge(raw, row, label, uniques[k], multiline, problems, warnings)
        if multiline and raw.lines and raw.sep:  # a free-text cell over several lines: rows merged by a quote?
            for row, span in raw.lines.items():
                pos = int(np.searchsorted(rows, row))
                if pos < len(rows) and rows[pos] == row and codes[pos] >= 0 and \
                        _looks_like_rows(raw, uniques[codes[pos]]):
                    problems.append(Problem(raw.file, row, label, f"this cell runs over lines {span[0]}–{span[1]} of "
                                            "the file and its lines look like rows of the table: a stray quote (\") "
                                            "probably merged them into one cell; close or remove the quote"))
        if column in ID_COLUMNS:
            mixed = {k: m for k, value in enumerate(uniques) if not value.isascii() and (m := _mixed_scripts(value))}
            for row, k in _rows_with(rows, codes, list(mixed)):
                warnings.append(Problem(raw.file, row, label, mixed[k]))
    return problems, warnings


def printable(value: str) -> str:
    """``value`` with its control and invisible characters written as escapes (``\\x1b``), for a message."""
    return _SUSPECT[False].sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def check_value(file: str, row: int | None, label: str, value: str,
                multiline: bool = False) -> tuple[list[Problem], list[Problem]]:
    """The problems and warnings of one value typed outside a table (an edited plan's id), as ``check_cells``."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if _SUSPECT[multiline].search(value):
        _judge(RawTable("", file, pd.DataFrame()), row, label, value, multiline, problems, warnings)
    return problems, warnings


def _rows_with(rows: np.ndarray, codes: np.ndarray, ks: list[int]):
    """``(row, code)`` of every row whose value is one of the distinct values ``ks``: one pass, any number."""
    if not ks:
        return []
    hit = np.isin(codes, ks)
    return zip(rows[hit].tolist(), codes[hit].tolist())


def _judge(raw: RawTable, row: int, label: str, value: str, multiline: bool,
           problems: list[Problem], warnings: list[Problem]) -> None:
    control = _CONTROL_RE.search(value)
    if control:
        problems.append(Problem(raw.file, row, label, f"control character {_describe(control.group(), value)}: "
                                "not allowed in a cell; delete it (it breaks queries, exports and terminals)"))
    span = (raw.lines or {}).get(row)
    if not multiline and _BREAK_RE.search(value):
        if span and span[1] > span[0]:
            problems.append(Problem(raw.file, row, label, f"a line break inside a one-line column: this cell runs "
                                    f"over lines {span[0]}–{span[1]} of the file, so a stray quote (\") probably "
                                    f"merged {span[1] - span[0] + 1} lines into one row; close or remove the quote"))
        else:
            problems.append(Problem(raw.file, row, label, "a line break inside a one-line column: keep the value "
                                    "on one line"))
    invisible = _INVISIBLE_RE.search(value)
    if invisible:
        warnings.append(Problem(raw.file, row, label, f"invisible character {_describe(invisible.group(), value)}: "
                                "the value is not what it looks like (kept; delete the character)"))


def _looks_like_rows(raw: RawTable, value: str) -> bool:
    """Whether the lines after the first of a free-text cell carry a row's worth of delimiters each."""
    if not raw.sep:
        return False
    need = max(len(raw.headers) - 1, 2)
    rest = _BREAK_RE.split(value)[1:]
    return bool(rest) and all(line.count(raw.sep) >= need for line in rest if line.strip())


_SCRIPT_OF_PREFIX = {"LATIN": "Latin", "CYRILLIC": "Cyrillic", "GREEK": "Greek", "ARMENIAN": "Armenian",
                     "CHEROKEE": "Cherokee", "COPTIC": "Coptic"}


def _mixed_scripts(value: str) -> str | None:
    """A warning when an id mixes Latin letters with a look-alike script, else None.

    Chinese, Japanese and Korean characters mix with Latin ones in ordinary ids (``北京-PF1``) and
    are not counted.
    """
    scripts: dict[str, str] = {}
    for ch in value:
        if ch.isascii():
            if ch.isalpha():
                scripts.setdefault("Latin", ch)
            continue
        if not ch.isalpha():
            continue
        script = _SCRIPT_OF_PREFIX.get(unicodedata.name(ch, "").split(" ", 1)[0])
        if script:
            scripts.setdefault(script, ch)
    if len(scripts) < 2:
        return None
    names = sorted(scripts)
    odd = next((ch for s, ch in scripts.items() if s != "Latin"), None)
    return (f"id {value!r} mixes {' and '.join(names)} letters ({odd!r} is {unicodedata.name(odd)}): it looks "
            "like an id it is not; type it again in one script")

