"""The taxonomy tables: ``sectors.csv``, ``services.csv`` and the region tree.

A folder that brings its own ``sectors.csv`` uses it instead of the bundled taxonomy. Ids must be
unique, ``kind`` one of chain/cluster/industry (Chinese accepted; empty means industry), and a
``parent`` an id of the same file.
"""

from __future__ import annotations

import pandas as pd

from graph import schema

from . import normalize
from .check import Checker
from .read import RawTable

__all__ = ["validate_sectors", "validate_services", "unique_ids"]


def unique_ids(ck: Checker, column: str = "id") -> None:
    """Report every repeated id after its first row."""
    df = ck.raw.df
    seen: dict[str, int] = {}
    for row, v in zip(df["__row__"], df[column]):
        if not v:
            continue
        if v in seen:
            ck.error(int(row), column, f"duplicate id {v!r}: row {seen[v]} has it already; ids must be unique")
        else:
            seen[v] = int(row)


def validate_sectors(raw: RawTable) -> tuple[pd.DataFrame, list]:
    """Validate a raw sector table; return it and its warnings, or raise InputError."""
    ck = Checker(raw)
    out = pd.DataFrame(index=raw.df.index)
    out["id"] = ck.column("id", str, required=True)
    unique_ids(ck)
    out["name"] = ck.column("name", str, required=True)
    out["name_en"] = ck.column("name_en", str)
    out["kind"] = ck.column("kind", lambda v: normalize.enum(v, schema.SECTOR_KINDS, "sector kind"))
    out["kind"] = out["kind"].fillna("industry")
    ids = set(raw.df["id"])
    out["parent"] = ck.column("parent", lambda v: _known(v, ids, "sector id of this file"))
    out["tier"] = ck.column("tier", str)
    out["source"] = ck.column("source", str)
    ck.raise_if_any()
    return out.reset_index(drop=True), ck.warnings


def validate_services(raw: RawTable) -> tuple[pd.DataFrame, list]:
    """Validate a raw service catalogue; return it and its warnings, or raise InputError."""
    ck = Checker(raw)
    out = pd.DataFrame(index=raw.df.index)
    out["id"] = ck.column("id", str, required=True)
    unique_ids(ck)
    out["name"] = ck.column("name", str, required=True)
    out["name_en"] = ck.column("name_en", str)
    out["measure"] = ck.column("measure", str)
    out["source"] = ck.column("source", str)
    ck.raise_if_any()
    return out.reset_index(drop=True), ck.warnings


def validate_regions(raw: RawTable) -> tuple[pd.DataFrame, list]:
    """Validate the region tree (bundled, or a folder's own ``regions.csv``)."""
    ck = Checker(raw)
    out = pd.DataFrame(index=raw.df.index)
    out["id"] = ck.column("id", str, required=True)
    unique_ids(ck)
    out["name"] = ck.column("name", str, required=True)
    out["name_en"] = ck.column("name_en", str)

    def level(v: str) -> str:
        if v not in schema.REGION_LEVELS:
            raise ValueError(f"expected a region level: {', '.join(schema.REGION_LEVELS)}; got {v!r}")
        return v

    out["level"] = ck.column("level", level, required=True)
    ids = set(raw.df["id"])
    out["parent"] = ck.column("parent", lambda v: _known(v, ids, "region id of this file"))
    out["province"] = ck.column("province", normalize.province)
    out["aliases"] = ck.column("aliases", normalize.split_list).map(lambda v: v if isinstance(v, list) else [])
    out["lat"] = ck.column("lat", normalize.number)
    out["lon"] = ck.column("lon", normalize.number)
    out["source"] = ck.column("source", str)
    ck.raise_if_any()
    return out.reset_index(drop=True), ck.warnings


def _known(v: str, ids: set, what: str) -> str:
    if v not in ids:
        raise ValueError(f"expected a {what}, got {v!r}")
    return v


__all__ += ["validate_regions"]
