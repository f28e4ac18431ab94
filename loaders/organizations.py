"""``organizations.csv``: one row per organization (contract section 1).

Checks every rule of the contract and collects all problems of the file before raising: ids
present and unique, a known type, a province for all but alliances and agencies, sectors and
services that resolve to exactly one id, levels and platform kinds from the schema, credit codes
with a valid GB 32100 check digit (and a warning when their GB/T 2260 region digits point to
another province), coordinates inside the Jing-Jin-Ji box. Resolves each row's most specific
region from the region tree.
"""

from __future__ import annotations

import pandas as pd

from graph import schema

from . import normalize
from .check import Checker
from .read import ROW, RawTable
from .resolve import NameIndex, RegionIndex

__all__ = ["validate_organizations"]


def validate_organizations(raw: RawTable, sectors: NameIndex, services: NameIndex,
                           regions: RegionIndex) -> tuple[pd.DataFrame, list]:
    """Validate raw organization rows; return the table and its warnings, or raise InputError."""
    ck = Checker(raw)
    df = raw.df
    out = pd.DataFrame(index=df.index)

    out["id"] = ck.column("id", str, required=True)
    dup = df["id"].ne("") & df["id"].duplicated(keep=False)
    if dup.any():
        first_row = df[dup].groupby("id")[ROW].min()
        for row, v in zip(df.loc[dup, ROW], df.loc[dup, "id"]):
            if row != first_row[v]:
                ck.error(int(row), "id", f"duplicate id {v!r}: row {int(first_row[v])} has it already; "
                                         "ids must be unique")
    out["name"] = ck.column("name", str, required=True)
    out["name_en"] = ck.column("name_en", str)

    def org_type(v: str) -> str:
        t = schema.org_type(v)
        if t is None:
            known = ", ".join(f"{t.key} ({t.zh})" for t in schema.ORG_TYPES.values())
            raise ValueError(f"expected an organization type: {known}; got {v!r}")
        return t.key

    out["type"] = ck.column("type", org_type, required=True)
    needs_province = out["type"].map(lambda t: t is not None and schema.ORG_TYPES[t].province_required)
    out["province"] = ck.column("province", normalize.province, required_mask=needs_province,
                                missing="a province is required for this type: 北京, 天津 or 河北")
    if "province" not in df.columns and needs_province.any():  # else every chain would lack its Beijing end
        ck.error(1, "province", "required column is missing (header 'province' or '省份'): the analyses need "
                                "北京, 天津 or 河北 for every organization but alliances and agencies")
    out["city"] = ck.column("city", str)
    out["district"] = ck.column("district", str)
    out["sectors"] = ck.column("sectors", sectors.resolve_list)
    _group_unknown_sectors(ck, sectors)
    out["level"] = ck.column("level", lambda v: normalize.enum(v, schema.LEVELS, "level"))
    out["platform_kind"] = ck.column("platform_kind",
                                     lambda v: normalize.enum(v, schema.PLATFORM_KINDS, "platform kind"))
    out["independent_legal_entity"] = ck.column("independent_legal_entity", normalize.boolean)
    out["services"] = ck.column("services", services.resolve_list)
    out["needs"] = ck.column("needs", services.resolve_list)

    def credit(v: str) -> str:
        msg = normalize.credit_code_error(v)
        if msg:
            raise ValueError(msg)
        return v.upper()

    out["credit_code"] = ck.column("credit_code", credit)
    out["lat"] = ck.column("lat", _in_box("lat"))
    out["lon"] = ck.column("lon", _in_box("lon"))
    half = out["lat"].isna() != out["lon"].isna()
    for row, has_lat in zip(df.loc[half, ROW], out.loc[half, "lat"].notna()):
        ck.error(int(row), "lon" if has_lat else "lat",
                 "give both lat and lon, or neither (a point needs both coordinates)")
    out["source"] = ck.column("source", str)
    out["aliases"] = ck.column("aliases", normalize.split_list)
    out["investment"] = ck.column("investment", normalize.number)
    out["open_to_public"] = ck.column("open_to_public", normalize.boolean)

    for col in ("sectors", "services", "needs", "aliases"):
        out[col] = pd.Series([v if type(v) is list else [] for v in out[col].tolist()], index=out.index, dtype=object)

    # where the row sits in the region tree; credit-code region digits against the province
    regions_found = []
    for row, prov, city, district, code in zip(df[ROW], out["province"], out["city"], out["district"],
                                               out["credit_code"]):
        region, note = regions.locate(prov, city, district)
        regions_found.append(region)
        if note:
            ck.warn(int(row), "district" if district else "city", note)
        if code and prov:
            want = schema.PROVINCE_CODES[prov]
            if code[2:4] != want:
                ck.warn(int(row), "credit_code", f"region digits {code[2:8]!r} (GB/T 2260) are not in {prov} "
                                                 f"(codes there start {want}); check the code or the province")
    out["region"] = regions_found

    # soft checks: the cell is kept, the user is told
    for row, t, svc in zip(df[ROW], out["type"], out["services"]):
        if svc and t not in (None, "platform"):
            ck.warn(int(row), "services", "services are offered by platforms; kept for this "
                                          f"{t} all the same")
    ck.raise_if_any()
    return out.reset_index(drop=True), ck.warnings


#: distinct unknown sector names from which, with no sectors.csv, one grouped error replaces the rows'
GROUP_UNKNOWN_SECTORS = 3


def _group_unknown_sectors(ck: Checker, sectors: NameIndex) -> None:
    """Many unknown sectors and no sectors.csv: the data uses sectors of its own; say so once."""
    if sectors.file != "the bundled sectors" or "sectors" not in ck.raw.df.columns:
        return
    label = ck.raw.col_label("sectors")
    bad = {p.row for p in ck.problems if p.column == label and p.message.startswith("unknown sector")}
    if not bad:
        return
    df = ck.raw.df[ck.raw.df[ROW].isin(bad)]
    rows_of: dict[str, list[int]] = {}
    for row, cell in zip(df[ROW], df["sectors"]):
        for item in normalize.split_list(cell) if cell else ():
            try:
                sectors.resolve(item)
            except ValueError as err:
                if str(err).startswith("unknown"):
                    rows_of.setdefault(item, []).append(int(row))
    if len(rows_of) < GROUP_UNKNOWN_SECTORS:
        return
    ck.problems = [p for p in ck.problems if not (p.column == label and p.message.startswith("unknown sector")
                                                   and " matches " not in p.message)]
    rows = sorted({r for rs in rows_of.values() for r in rs})

    def where(rs: list[int]) -> str:
        return f"row{'s' if len(rs) > 1 else ''} {', '.join(map(str, rs[:3]))}{' …' if len(rs) > 3 else ''}"

    shown = "; ".join(f"{v!r} ({where(rs)})" for v, rs in list(rows_of.items())[:5])
    more = f"; and {len(rows_of) - 5} more" if len(rows_of) > 5 else ""
    ck.error(None, "sectors", f"{len(rows_of)} sector names in {len(rows)} rows are not in the bundled sectors: "
                              f"{shown}{more}. If the data uses sectors of its own, add a sectors.csv (columns id, "
                              "name, kind) that lists them; else write ids or names of the bundled sectors")


def _in_box(axis: str):
    lo, hi = schema.JJJ_BOX[axis]

    def check(v: str) -> float:
        f = normalize.number(v)
        if not lo <= f <= hi:
            other = "lon" if axis == "lat" else "lat"
            hint = f" (is it the {other}? the columns may be swapped)" if _inside(other, f) else ""
            raise ValueError(f"expected a {axis} inside the Jing-Jin-Ji box, {lo}–{hi} degrees; got {v}{hint}")
        return f

    return check


def _inside(axis: str, f: float) -> bool:
    lo, hi = schema.JJJ_BOX[axis]
    return lo <= f <= hi
