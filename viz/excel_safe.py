"""Text that people open in Excel or LibreOffice: no cell from data runs as a formula, Chinese not garbled.

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
versions, one that starts with a tab or a carriage return) as a formula, so a name such as
``=HYPERLINK("http://…")`` or ``+cmd|' /C calc'!A0`` in a colleague's data would run when the file
is opened (CSV injection). Every CSV and workbook written *for people* passes its text cells
through ``neutralise``, which puts an apostrophe in front, as OWASP recommends; numbers stay numbers
(``-3.5`` is a value, not a formula), and a text that is itself a plain number (``"-12"``) is left
alone because the spreadsheet reads it as that number and runs nothing.

``open_csv_for_people`` opens a CSV file as UTF-8 with a byte-order mark, the form in which
Chinese Excel shows Chinese without asking for an encoding.

Machine exports (``export --format neo4j-csv``, RDF, GraphML, GEXF, ``query --format json``,
``--raw``) keep every value exactly as stored and say so in their help.

Readers: whoever writes a file that a person may open in a spreadsheet.
"""

from __future__ import annotations

import re
from pathlib import Path

from graph.safe_write import open_replacing

__all__ = ["neutralise", "open_csv_for_people", "FORMULA_STARTS", "CSV_ENCODING"]

#: first characters that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: UTF-8 with a byte-order mark: Chinese Excel opens it without garbling
CSV_ENCODING = "utf-8-sig"

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """``value`` made safe for a spreadsheet cell: text that would run as a formula gets a leading ``'``.

    Only text is changed; numbers, booleans and ``None`` come back as they are, and so does a text
    that is a plain number (``"-12"``, ``"+3.5"``), which a spreadsheet reads as that number.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://example.invalid")')
    '\\'=HYPERLINK("http://example.invalid")'
    >>> neutralise("@SUM(1)"), neutralise(-3.5), neutralise("-12"), neutralise("清华大学")
    ("'@SUM(1)", -3.5, '-12', '清华大学')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def open_csv_for_people(path: str | Path):
    """Open ``path`` for writing a CSV that people open in Excel: UTF-8 with BOM, newlines as the csv module wants."""
    return open_replacing(path, "w", encoding=CSV_ENCODING, newline="")
