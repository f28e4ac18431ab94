"""Collecting every problem of a table before raising, with file, row and column.

A table module converts each column with ``Checker.column``: the cell function runs once per
distinct value (vectorised through ``Series.map``), and every row whose value failed gets a
``Problem``. After all columns, ``Checker.raise_if_any`` raises one ``InputError`` listing them all.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from graph.errors import InputError, Problem

from .read import ROW, RawTable

__all__ = ["Checker"]

_FAILED = object()


class Checker:
    """Problems and warnings of one raw table."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = list(raw.warnings)

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.raw.file, row, self._label(column), message))

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(self.raw.file, row, self._label(column), message))

    def _label(self, column: str | None) -> str | None:
        return None if column is None else self.raw.col_label(column)

    def column(self, column: str, convert: Callable[[str], object], *, required: bool = False,
               required_mask: pd.Series | None = None, missing: str = "a value is required") -> pd.Series:
        """Convert one column; empty cells become None (or a problem where the value is required).

        ``convert`` raises ``ValueError`` with the expected value for a bad cell.
        """
        df = self.raw.df
        if column not in df.columns:
            if required:
                self.error(None, column, "required column is missing")
            return pd.Series([None] * len(df), index=df.index, dtype="object")
        cells = df[column]
        # each distinct value is converted once, then spread by the factorized codes: vectorised
        cached = self.raw.codes.pop(column, None)  # used once: its memory goes back
        if cached is not None and len(cached[0]) == len(cells):
            codes, uniques = cached  # factorized when read
        else:
            codes, uniques = pd.factorize(cells.to_numpy(dtype=object))  # an array: no string Index is made
            uniques = uniques.tolist()
        blank = np.array([v == "" for v in uniques] + [False])
        empty = blank[codes]
        if required_mask is not None:
            empty &= required_mask.to_numpy(dtype=bool)
        elif not required:
            empty[:] = False
        for row in df[ROW].to_numpy()[empty]:
            self.error(int(row), column, missing)
        messages: dict[str, str] = {}

        def safe(v: str):
            try:
                return convert(v)
            except ValueError as err:
                messages[v] = str(err)
                return _FAILED

        values = np.empty(len(uniques) + 1, dtype=object)
        if convert is str:  # text as read: nothing to convert
            values[:-1] = uniques
            values[:-1][blank[:-1]] = None
        else:
            values[:-1] = [None if v == "" else safe(v) for v in uniques]
        values[-1] = None  # code -1: a missing cell
        failed = np.array([v is _FAILED for v in values.tolist()])
        if messages:
            bad = failed[codes]
            for row, code in zip(df[ROW].to_numpy()[bad], codes[bad]):
                self.error(int(row), column, messages[uniques[code]])
            values[failed] = None
        return pd.Series(values[codes], index=cells.index, dtype="object")

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(sorted(self.problems, key=lambda p: (p.row or 0, p.column or "")))
