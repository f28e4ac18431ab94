"""An ``.xlsx`` workbook as read for a data folder's tables, and the cells its values cannot show.

A workbook stores, for each formula, the value it last computed. One written by a program (or by a
spreadsheet that never recalculated it) may hold a formula with no saved value: read for its values,
the cell looks empty, and the row would silently lose that field. ``Workbook.formulas_without_values``
finds such cells in the sheets that are read, so the user can open and save the workbook first.

The sheet XML is scanned only when it holds a formula at all, so ordinary data workbooks cost one
fast byte scan per sheet.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

from graph.errors import InputError, Problem

__all__ = ["Workbook", "open_workbook"]

_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
#: merged ranges read from one sheet at most (a notice's list has tens; each costs work when headers are read)
MAX_MERGES = 10_000
_MERGE_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def open_workbook(path: Path) -> Workbook:
    """Open a workbook for its values (read-only, saved values of formulas, no external links)."""
    return Workbook(path)


class Workbook:
    """An open workbook: ``wb`` for pandas, and the checks pandas cannot make."""

    def __init__(self, path: Path):
        import openpyxl

        self.path = path
        self.wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.wb.close()  # a read-only workbook holds its archive open

    def formulas_without_values(self, sheets: dict[str, pd.DataFrame]) -> list[Problem]:
        """A problem for each formula cell with no saved value in these sheets (name → frame as read)."""
        problems: list[Problem] = []
        with zipfile.ZipFile(self.path) as zf:
            for sheet, df in sheets.items():
                part = getattr(self.wb[sheet], "_worksheet_path", None)
                if not part or part not in zf.namelist():
                    continue
                with zf.open(part) as f:
                    if not _has_formula(f):
                        continue
                with zf.open(part) as f:
                    for ref, formula in _empty_formula_cells(f):
                        problems.append(self._problem(sheet, df, ref, formula))
        return problems

    def merged_ranges(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """The merged cells of a sheet as ``(first row, first column, last row, last column)``, 0-based.

        A read-only workbook does not load them, so they are read from the sheet's XML (its
        ``<mergeCell ref="B2:C2"/>`` elements), in one streamed pass.
        """
        part = getattr(self.wb[sheet], "_worksheet_path", None)
        out: list[tuple[int, int, int, int]] = []
        with zipfile.ZipFile(self.path) as zf:
            if not part or part not in zf.namelist():
                return out
            with zf.open(part) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    data = tail + chunk
                    end = 0
                    for m in _MERGE_REF.finditer(data):
                        if len(out) >= MAX_MERGES:
                            raise InputError(Problem(f"{self.path.name}[{sheet}]", None, None, f"more than "
                                                     f"{MAX_MERGES:,} merged cell ranges: a list has a few; unmerge "
                                                     "the cells (or save the sheet as CSV) and try again"))
                        c0, r0, c1, r1 = m.groups()
                        out.append((int(r0) - 1, _column_index(c0.decode()), int(r1) - 1, _column_index(c1.decode())))
                        end = m.end()
                    tail = data[max(end, len(data) - 256):]
        return out

    def _problem(self, sheet: str, df: pd.DataFrame, ref: str, formula: str | None) -> Problem:
        m = _CELL_REF.fullmatch(ref)
        row, column = (int(m.group(2)), _column_index(m.group(1))) if m else (None, None)
        header = str(df.columns[column]) if column is not None and column < len(df.columns) else None
        what = f"a formula (={formula})" if formula else "a shared formula"
        return Problem(f"{self.path.name}[{sheet}]", row, header, f"cell {ref} holds {what} with no saved value, so "
                       "its value cannot be read; open the workbook in Excel or LibreOffice, recalculate and save "
                       "it (or paste the values), then build again")


def _has_formula(f) -> bool:
    tail = b""
    while chunk := f.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _empty_formula_cells(f):
    """``(cell reference, formula text)`` of each cell with a formula and no saved value.

    A formula that computed an empty string is saved as ``t="str"`` with an empty value: that is a
    value, not a missing one.
    """
    for _event, elem in ElementTree.iterparse(f, events=("end",)):
        if _local(elem.tag) != "c":
            continue
        formula = value = None
        has_value = False
        for child in elem:
            name = _local(child.tag)
            if name == "f":
                formula = child
            elif name == "v":
                has_value = True
                value = child.text
            elif name == "is":
                has_value = True
        if formula is not None and not (has_value and (value or elem.get("t") == "str")):
            yield elem.get("r", "?"), formula.text
        elem.clear()


def _column_index(letters: str) -> int:
    """``'A'`` → 0, ``'AB'`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
