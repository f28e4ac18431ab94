"""Resolving names to ids: sectors and services by id or name, places in the region tree.

A sector cell may hold ids or Chinese (or English) names. A name that two sectors share — the
bundled taxonomy has a 生物医药 chain and a 生物医药 cluster — is an error that lists both ids,
so the user writes the id instead.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pandas as pd

from . import normalize

__all__ = ["NameIndex", "RegionIndex", "normalize_text_key"]


class NameIndex:
    """Ids and names of sectors or services, for resolving cells."""

    def __init__(self, df: pd.DataFrame, what: str, file: str):
        self.what = what
        self.file = file
        self.ids = set(df["id"])
        self.by_name: dict[str, list[str]] = {}
        kinds = df["kind"] if "kind" in df.columns else pd.Series([None] * len(df), index=df.index)
        self.kind = dict(zip(df["id"], kinds))
        for i, name, name_en in zip(df["id"], df["name"], df.get("name_en", pd.Series([None] * len(df)))):
            for key in {self._key(name), self._key(name_en)} - {""}:
                self.by_name.setdefault(key, []).append(i)

    @staticmethod
    def _key(name) -> str:
        return normalize_text_key(name)

    def resolve(self, value: str) -> str:
        if value in self.ids:
            return value
        hits = sorted(set(self.by_name.get(self._key(value), [])))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = ", ".join(f"{h} ({self.kind[h]})" if self.kind.get(h) else h for h in hits)
            raise ValueError(f"{self.what} name {value!r} matches {len(hits)} {self.what}s: {listed}; "
                             "write the id instead")
        raise ValueError(f"unknown {self.what} {value!r}: expected an id or name from {self.file} "
                         f"(e.g. {self._examples()})")

    def resolve_list(self, cell: str) -> list[str]:
        out, errors = [], []
        for item in normalize.split_list(cell):
            try:
                rid = self.resolve(item)
            except ValueError as err:
                errors.append(str(err))
                continue
            if rid not in out:
                out.append(rid)
        if errors:
            raise ValueError("; ".join(errors))
        return out

    def _examples(self) -> str:
        return ", ".join(sorted(self.ids)[:3]) + (" …" if len(self.ids) > 3 else "")


def normalize_text_key(name) -> str:
    if name is None or (isinstance(name, float) and name != name):
        return ""
    return unicodedata.normalize("NFKC", str(name)).strip().lower().replace(" ", "")


_SUFFIXES = ("自治县", "新区", "市", "区", "县")


def _short(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


class RegionIndex:
    """The region tree, for placing an organization at its most specific known region."""

    def __init__(self, df: pd.DataFrame):
        self.parent = dict(zip(df["id"], df["parent"]))
        self.level = dict(zip(df["id"], df["level"]))
        self.name = dict(zip(df["id"], df["name"]))
        self.children: dict[str | None, dict[str, list[str]]] = {}
        self.province_region: dict[str, str] = {}
        for rid, name, level, parent, aliases, prov in zip(df["id"], df["name"], df["level"], df["parent"],
                                                           df["aliases"], df["province"]):
            if level == "province" and prov:
                self.province_region[prov] = rid
            keys = {name, _short(name), *(aliases if isinstance(aliases, list) else [])}
            bucket = self.children.setdefault(parent if isinstance(parent, str) else None, {})
            for k in keys:
                bucket.setdefault(k, []).append(rid)
        self.locate = lru_cache(maxsize=None)(self._locate)

    def _find_under(self, parent: str, name: str) -> str | None:
        """A region named ``name`` among the children, or the grandchildren, of ``parent``."""
        keys = (name, _short(name))
        for k in keys:
            hits = self.children.get(parent, {}).get(k)
            if hits and len(hits) == 1:
                return hits[0]
        found: set[str] = set()
        for child in self._child_ids(parent):
            for k in keys:
                found.update(self.children.get(child, {}).get(k, []))
        return found.pop() if len(found) == 1 else None

    def _child_ids(self, parent: str) -> list[str]:
        return sorted({r for ids in self.children.get(parent, {}).values() for r in ids})

    def _locate(self, province: str | None, city: str | None, district: str | None) -> tuple[str | None, str]:
        """(region id, note) — the note explains a place that was not found in the tree."""
        if not province:
            return None, ""
        here = self.province_region.get(province)
        if here is None:
            return None, ""
        note = ""
        if city and _short(city) not in (province, _short(self.name.get(here, ""))):
            found = self._find_under(here, city)
            if found is None:
                return here, f"city {city!r} is not in the region tree of {province}; placed at {province}"
            here = found
        if district:
            found = self._find_under(here, district)
            if found is None:
                where = self.name.get(here, here)
                note = f"district {district!r} is not in the region tree under {where}; placed at {where}"
            else:
                here = found
        return here, note
