"""Records as text: an aligned table (CJK-aware), CSV or one JSON array, for the command line and the workspace.

Tables print each organization's or sector's Chinese name beside its id; CSV and JSON keep exactly
the analysis's keys, so scripts see the contract's columns. An empty result keeps its column names
(a ``Rows`` from an engine knows them). JSON is strict JSON: a float that JSON cannot hold (NaN,
Infinity, -Infinity) is written as the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``.

CSV is written for people unless ``raw``: a text cell that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, tab, CR first) gets a leading ``'`` (``viz.excel_safe``), and CSV sent
to a file (``> gaps.csv``) starts with a UTF-8 byte-order mark so that Chinese Excel reads it. With
``raw`` the values are exactly as stored and no BOM is written, for programs. JSON is never neutralised.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
import unicodedata
from collections.abc import Iterable
from json.encoder import encode_basestring

__all__ = ["render", "display_width", "visible", "FORMATS"]

FORMATS = ("table", "csv", "json")

#: the header of the name column printed beside an id column in tables
NAME_HEADERS = {
    "rnd_id": "研发主体", "platform_id": "中试平台", "site_id": "量产承接", "entity_id": "名称",
    "sector": "领域名称", "id": "名称", "org_id": "名称", "operator_id": "运营方",
}
MAX_CELL = 40


def display_width(s: str) -> int:
    """Columns a string takes in a terminal: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)


#: control, format (zero-width, bidirectional) and line/paragraph separator characters
_UNSHOWN = ("Cc", "Cf", "Zl", "Zp")


def visible(text: str, keep: str = "") -> str:
    r"""``text`` with each control or invisible format character shown escaped, for a terminal.

    Text from a store or a saved query may hold ESC sequences (which can retitle, clear or rewrite
    a terminal), bidirectional overrides or zero-width characters; tables and messages show them
    as ``\x1b``, ``\u202e`` and so on. Characters in ``keep`` (e.g. a message's newlines) pass.
    CSV and JSON output keep the data exact and do not use this.

    >>> visible("a\x1b[2Jb\u202e\n", keep="\n")
    'a\\x1b[2Jb\\u202e\n'
    """
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c in keep or unicodedata.category(c) not in _UNSHOWN:
            out.append(c)
        elif ord(c) < 0x100:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
    return "".join(out)


def _json_safe(v):
    """``v`` with every NaN or infinite float replaced by its name as a string (JSON has no such numbers)."""
    if isinstance(v, float):
        if v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    return v


def _float_text(v: float) -> str:
    return float.__repr__(v) if v - v == 0 else encode_basestring(_json_safe(v))  # NaN and ±inf as names


#: the JSON text of a scalar, by its exact type (``json``'s own spelling of each)
_SCALAR_TEXT = {str: encode_basestring, int: int.__repr__, float: _float_text, bool: lambda v: "true" if v else "false",
                type(None): lambda v: "null"}


class _NotFlat(Exception):
    """A value the flat writer does not spell (a map, a nested list, an object of another type)."""


def _flat_value(v, pad: str) -> str:
    text = _SCALAR_TEXT.get(type(v))
    if text is not None:
        return text(v)
    if type(v) not in (list, tuple):
        raise _NotFlat
    if not v:
        return "[]"
    try:
        items = [_SCALAR_TEXT[type(x)](x) for x in v]
    except KeyError:
        raise _NotFlat from None
    return f"[\n{pad}  " + f",\n{pad}  ".join(items) + f"\n{pad}]"


def _json_text(rows: list[dict], keys: list[str]) -> str:
    """The JSON array of ``rows`` restricted to ``keys``, indented by two, non-ASCII kept (``json.dumps``'s text).

    Records of scalars and lists of scalars (every analysis's) are spelled value by value with ``json``'s C
    string encoder: the indenting encoder is pure Python and, on a large answer, slower than the query."""
    if rows and keys and all(type(k) is str for k in keys):
        heads = [f"    {encode_basestring(k)}: " for k in keys]
        try:
            return "[\n" + ",\n".join("  {\n" + ",\n".join([h + _flat_value(r.get(k), "    ")
                                                           for h, k in zip(heads, keys)]) + "\n  }"
                                       for r in rows) + "\n]"
        except _NotFlat:
            pass
    return json.dumps([{k: _json_safe(r.get(k)) for k in keys} for r in rows], ensure_ascii=False, indent=2,
                      default=str, allow_nan=False)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ";".join(_cell(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _clip(s: str, width: int = MAX_CELL) -> str:
    if display_width(s) <= width:
        return s
    out, w = "", 0
    for c in s:
        cw = display_width(c)
        if w + cw > width - 1:
            break
        out += c
        w += cw
    return out + "…"


def _pad(s: str, width: int) -> str:
    return s + " " * (width - display_width(s))


def _with_names(rows: list[dict], keys: list[str], name_of) -> tuple[list[dict], list[str]]:
    """Add a name column after each id column whose values name nodes."""
    if name_of is None:
        return rows, keys
    out_keys: list[str] = []
    extra: dict[str, str] = {}
    for k in keys:
        out_keys.append(k)
        has_own_name = k.endswith("_id") and k[:-3] + "_name" in keys  # the record names it already
        if k in NAME_HEADERS and not has_own_name and any(isinstance(r.get(k), str) and name_of(r[k]) for r in rows):
            header = NAME_HEADERS[k]
            while header in keys or header in out_keys:
                header += "_"
            extra[k] = header
            out_keys.append(header)
    if not extra:
        return rows, keys
    named = []
    for r in rows:
        r2 = dict(r)
        for k, header in extra.items():
            r2[header] = name_of(r[k]) if isinstance(r.get(k), str) else None
        named.append(r2)
    return named, out_keys


def _starts_a_file(stream) -> bool:
    """True when ``stream`` writes the start of a file on disk (not a terminal, a pipe, memory or ``>>``)."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode) and stream.tell() == 0
    except (AttributeError, OSError, ValueError):
        return False


def render(rows: list[dict], fmt: str = "table", keys: Iterable[str] | None = None, *, name_of=None,
           stream=None, raw: bool = False) -> None:
    """Write ``rows`` to ``stream`` (stdout) as a table, CSV or a JSON array.

    ``keys`` fixes the columns (default: ``rows.columns`` when the rows carry them, else the first
    row's keys); ``name_of(id) -> str | None`` adds name columns in tables. CSV is Excel-safe
    (formula-like text neutralised, a BOM when the stream is a file on disk) unless ``raw``.
    """
    stream = stream or sys.stdout
    if keys is None:
        keys = getattr(rows, "columns", None) or (list(rows[0]) if rows else [])
    keys = list(keys)
    if fmt == "json":
        # one write: json.dump would write each of a large answer's million tokens on its own
        stream.write(_json_text(rows, keys) + "\n")
        return
    if fmt == "csv":
        from viz.excel_safe import neutralise

        safe = (lambda v: v) if raw else neutralise
        if not raw and _starts_a_file(stream):
            stream.write("\ufeff")
        w = csv.writer(stream, lineterminator="\n")
        w.writerow([safe(k) for k in keys])
        for r in rows:
            w.writerow([safe(_cell(r.get(k))) for k in keys])
        return
    rows, keys = _with_names(rows, keys, name_of)
    cells = [[_clip(visible(_cell(r.get(k)))) for k in keys] for r in rows]
    keys = [visible(str(k)) for k in keys]
    widths = [max([display_width(k)] + [display_width(row[i]) for row in cells]) for i, k in enumerate(keys)]
    stream.write("  ".join(_pad(k, w) for k, w in zip(keys, widths)).rstrip() + "\n")
    stream.write("  ".join("─" * w for w in widths) + "\n")
    for row in cells:
        stream.write("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() + "\n")
    stream.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
