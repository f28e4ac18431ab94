"""Finding the header of a table as people lay it out: below title rows, over one row or two.

A notice's attachment often has a title row, then a header of two rows with merged cells: 序号,
所在区 and 领域 merged down over both rows, 平台信息 merged across 平台名称 and 依托单位. Read only
its lower row, such a header loses 所在区 and 领域; read only its upper row, it has no name.
``find_header`` looks at the first rows of a grid of cells and returns the header band (one row or
two) with, for each column, the label a person reads there and the field it maps to.

Merged cells come from the workbook (``merges``): each cell of a merged range in the header takes the
range's value. A CSV file saved from such a workbook keeps the value in the first cell only; there,
an empty upper cell over a sub-header belongs to the group on its left, and an empty lower cell
under a header belongs to the header above it.

Both ``jjjkg import`` (published lists) and ``jjjkg build`` (a workbook whose table sheets carry a
title row) read headers through here. Readers: whoever changes how a header is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

__all__ = ["Header", "find_header", "fill_merges", "SEARCH_ROWS"]

#: rows searched for the header
SEARCH_ROWS = 20
#: a group label's word that is not part of the field's name (依托单位信息 / 名称 → 依托单位名称)
_GROUP_WORDS = ("信息", "情况", "基本情况")


@dataclass
class Header:
    """A header band: its first and last row (0-based in the grid), and per column a label and a field."""

    top: int
    bottom: int
    labels: list[str]  # as a person reads the column: '所在区', '依托单位信息/名称'; '' for none
    fields: list[str | None]  # the field each column maps to (each field once; later duplicates None)
    duplicates: list[int]  # columns whose field an earlier column already has

    @property
    def rows(self) -> str:
        """The header's spreadsheet row(s) in words: ``'row 2'`` or ``'rows 2–3'``."""
        return f"row {self.top + 1}" if self.top == self.bottom else f"rows {self.top + 1}–{self.bottom + 1}"


def fill_merges(grid: list[list[str]], merges: Sequence[tuple[int, int, int, int]], header_rows: int) -> None:
    """Give each cell of a merged range the range's value, in place.

    ``merges`` are ``(first row, first column, last row, last column)``, 0-based and inclusive. In the
    first ``header_rows`` rows every merged cell is filled; below them only ranges within one column
    (a district merged down over the rows of its platforms): a range across columns there is a
    section heading (一、天津市), not a value of each column.

    The ranges come from the file: each is clipped to the cells the grid has, and a range that
    overlaps an earlier one (no spreadsheet program writes that) is skipped, so the work is bounded
    by the grid's size however many ranges a file declares.
    """
    import numpy as np

    width = max((len(r) for r in grid), default=0)
    n = len(grid)
    head = min(header_rows, n)
    claimed = np.zeros((head, width), dtype=bool)  # header cells a range has filled
    below: dict[int, int] = {}  # column → the last row a single-column range below the header reached
    for r0, c0, r1, c1 in sorted(merges, key=lambda m: (m[1], m[0])):
        r1, c1 = min(r1, n - 1), min(c1, width - 1)
        if r0 > r1 or c0 > c1 or r0 < 0 or c0 < 0:
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else ""
        if not value:
            continue
        if r0 < head:
            top = min(r1, head - 1)
            if claimed[r0:top + 1, c0:c1 + 1].any():
                continue
            claimed[r0:top + 1, c0:c1 + 1] = True
            for r in range(r0, top + 1):
                row = grid[r]
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if not row[c]:
                        row[c] = value
        if c0 != c1 or r1 < head:
            continue
        start = max(r0, head)
        if below.get(c0, -1) >= start:
            continue
        below[c0] = r1
        for r in range(start, r1 + 1):
            row = grid[r]
            if len(row) <= c0:
                row.extend([""] * (c0 + 1 - len(row)))
            if not row[c0]:
                row[c0] = value


def _cells(grid: list[list[str]], i: int, width: int) -> list[str]:
    row = grid[i] if i < len(grid) else []
    return [str(row[j]).strip() if j < len(row) and row[j] is not None else "" for j in range(width)]


def _band(grid, top: int, bottom: int, width: int, lookup: Callable[[str], str | None],
          merged: bool) -> tuple[list[str], list[str | None]]:
    """Labels and fields of the columns of rows ``top``..``bottom`` (one row or two)."""
    upper = _cells(grid, top, width)
    if top == bottom:
        return upper, [lookup(c) if c else None for c in upper]
    lower = _cells(grid, bottom, width)
    if not merged:  # a CSV file: an empty upper cell over a sub-header belongs to the group on its left
        for j in range(1, width):
            if not upper[j] and lower[j] and upper[j - 1] and lower[j - 1]:
                upper[j] = upper[j - 1]
    labels, fields = [], []
    for up, low in zip(upper, lower):
        if not low or low == up:
            labels.append(up)
            fields.append(lookup(up) if up else None)
            continue
        if not up:
            labels.append(low)
            fields.append(lookup(low))
            continue
        groups = [up] + [up.removesuffix(w) for w in _GROUP_WORDS if up.endswith(w) and len(up) > len(w)]
        combined = next((f for f in (lookup(g + low) for g in groups) if f), None)
        if combined:
            labels.append(f"{up}/{low}")
            fields.append(combined)
        else:
            f = lookup(low)
            labels.append(low if f else f"{up}/{low}")
            fields.append(f)
    return labels, fields


def find_header(grid: list[list[str]], lookup: Callable[[str], str | None],
                accept: Callable[[list[str | None]], bool], merged: bool = False,
                search: int = SEARCH_ROWS) -> Header | None:
    """The first header band in ``grid[:search]`` whose fields ``accept`` takes, or None.

    Parameters
    ----------
    grid : list of rows of cell texts
        Merged cells already filled (``fill_merges``) when ``merged``.
    lookup : callable
        A header text → the field it names, or None.
    accept : callable
        The fields of a band (None for a column of no field) → whether it is the header.
    merged : bool
        Whether the grid's merged cells are known (a workbook) or not (a CSV file).

    A row is the header alone unless the row below it names more fields and holds nothing under
    the columns the row names itself (a data row would); a row that names some fields but not
    enough is the upper half of a two-row header when the two rows together are accepted.

    Examples
    --------
    >>> grid = [["名单"], ["序号", "平台信息", "", "所在区"], ["", "平台名称", "依托单位", ""], ["1", "甲平台", "乙公司", "西青区"]]
    >>> look = {"平台名称": "name", "依托单位": "operator", "所在区": "district"}.get
    >>> h = find_header(grid, look, lambda fields: "name" in fields)
    >>> h.rows, h.fields
    ('rows 2–3', [None, 'name', 'operator', 'district'])
    """
    rows = grid[:search + 1]
    width = max((len(r) for r in rows), default=0)
    for i in range(min(search, len(grid))):
        one = _band(grid, i, i, width, lookup, merged)
        two = _band(grid, i, i + 1, width, lookup, merged) if i + 1 < len(grid) else None
        named_one = [f for f in one[1] if f]
        if accept(one[1]):
            if two is not None and accept(two[1]) and len(set(f for f in two[1] if f)) > len(set(named_one)):
                lower = _cells(grid, i + 1, width)
                upper = _cells(grid, i, width)
                if all(not lower[j] or lower[j] == upper[j] for j, f in enumerate(one[1]) if f):
                    return _header(i, i + 1, *two)
            return _header(i, i, *one)
        if named_one and two is not None and accept(two[1]):
            return _header(i, i + 1, *two)
    return None


def _header(top: int, bottom: int, labels: list[str], fields: list[str | None]) -> Header:
    seen: set[str] = set()
    unique: list[str | None] = []
    duplicates: list[int] = []
    for j, f in enumerate(fields):
        if f is not None and f in seen:
            unique.append(None)
            duplicates.append(j)
            continue
        if f is not None:
            seen.add(f)
        unique.append(f)
    return Header(top, bottom, labels, unique, duplicates)
