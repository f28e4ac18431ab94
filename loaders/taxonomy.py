"""The taxonomy tables: ``sectors.csv``, ``services.csv`` and the region tree.

A folder that brings its own ``sectors.csv`` or ``services.csv`` uses it instead of the bundled one. Ids
must be unique; a sector's ``kind`` is chain/cluster/industry (Chinese accepted; empty means industry);
a ``parent`` must be an id of the same file.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from graph import schema

from . import normalize
from .check import Checker
from .read import ROW, RawTable

__all__ = ["validate_sectors", "validate_services", "validate_regions", "unique_ids"]


def unique_ids(ck: Checker, column: str = "id") -> None:
    """Report every repeated id after its first row."""
    df = ck.raw.df
    seen: dict[str, int] = {}
    for row, v in zip(df[ROW], df[column]):
        if not v:
            continue
        if v in seen:
            ck.error(int(row), column, f"duplicate id {v!r}: row {seen[v]} has it already; ids must be unique")
        else:
            seen[v] = int(row)


def _known_in_file(raw: RawTable, what: str) -> Callable[[str], str]:
    ids = set(raw.df["id"])

    def check(v: str) -> str:
        if v not in ids:
            raise ValueError(f"expected a {what} id of this file, got {v!r}")
        return v

    return check


def _validate(raw: RawTable, special: dict[str, Callable[[str], object]]) -> tuple[pd.DataFrame, list]:
    """Check every column of the raw table's schema: ``special`` converters, else plain text."""
    ck = Checker(raw)
    out = pd.DataFrame(index=raw.df.index)
    for c in schema.TABLES[raw.name].columns:
        convert = special.get(c.name) or {"list": normalize.split_list, "float": normalize.number}.get(c.kind, str)
        out[c.name] = ck.column(c.name, convert, required=c.required)
        if c.kind == "list":
            out[c.name] = out[c.name].map(lambda v: v if isinstance(v, list) else [])
        if c.name == "id":
            unique_ids(ck)
    ck.raise_if_any()
    return out.reset_index(drop=True), ck.warnings


def validate_sectors(raw: RawTable) -> tuple[pd.DataFrame, list]:
    """Validate a raw sector table; return it and its warnings, or raise InputError."""
    out, warnings = _validate(raw, {
        "kind": lambda v: normalize.enum(v, schema.SECTOR_KINDS, "sector kind"),
        "parent": _known_in_file(raw, "sector"),
    })
    out["kind"] = out["kind"].fillna("industry")
    return out, warnings


def validate_services(raw: RawTable) -> tuple[pd.DataFrame, list]:
    """Validate a raw service catalogue; return it and its warnings, or raise InputError."""
    return _validate(raw, {})


def validate_regions(raw: RawTable) -> tuple[pd.DataFrame, list]:
    """Validate the region tree (the bundled ``regions.csv``)."""

    def level(v: str) -> str:
        if v not in schema.REGION_LEVELS:
            raise ValueError(f"expected a region level: {', '.join(schema.REGION_LEVELS)}; got {v!r}")
        return v

    return _validate(raw, {"level": level, "parent": _known_in_file(raw, "region"),
                           "province": normalize.province})
