"""``relations.csv``: directed relationships between organizations (contract section 1).

Both ends must be ids of ``organizations.csv``; the relation must be one of the contract's six
(English name or Chinese alias). Duplicate rows — the same pair and relation, or for the undirected
``PARTNERS_WITH`` the same pair in either order — are merged into one, keeping the first row's
year and weight and every row's source; the merge is reported as a warning. An end whose type the
contract does not expect for the relation is kept and warned about.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph import schema

from . import normalize
from .check import Checker
from .read import ROW, RawTable

__all__ = ["validate_relations"]


def validate_relations(raw: RawTable, org_types: dict[str, str]) -> tuple[pd.DataFrame, list]:
    """Validate raw relation rows against the organizations' ``{id: type}``."""
    ck = Checker(raw)
    df = raw.df

    def known_id(v: str) -> str:
        if v not in org_types:
            raise ValueError(f"unknown organization id {v!r}: expected an id from organizations.csv")
        return v

    def rel_type(v: str) -> str:
        r = schema.relation(v)
        if r is None:
            known = ", ".join(f"{n} ({schema.RELATIONS[n].zh})" for n in schema.INPUT_RELATIONS)
            raise ValueError(f"expected a relation: {known}; got {v!r}")
        return r.name

    out = pd.DataFrame(index=df.index)
    out["from_id"] = ck.column("from_id", known_id, required=True)
    out["relation"] = ck.column("relation", rel_type, required=True)
    out["to_id"] = ck.column("to_id", known_id, required=True)
    out["year"] = ck.column("year", _year)
    out["weight"] = ck.column("weight", normalize.number)
    out["source"] = ck.column("source", str)
    ck.raise_if_any()

    # ends of a type the contract does not expect: kept, reported once per relation, side and label
    # on integer codes: each distinct id is looked up once, not once per row
    all_rows = df[ROW].to_numpy()
    rel_codes, rel_names = pd.factorize(out["relation"].to_numpy(dtype=object))
    ends, ids = pd.factorize(np.concatenate([out["from_id"].to_numpy(dtype=object),
                                             out["to_id"].to_numpy(dtype=object)]))
    label_of = {t: schema.ORG_TYPES[t].label for t in schema.ORG_TYPES}
    id_labels, label_names = pd.factorize(np.array([label_of.get(org_types.get(i)) for i in ids.tolist()] + [None],
                                                   dtype=object))
    for k, (side, allowed_of) in enumerate((("from_id", lambda r: r.sources), ("to_id", lambda r: r.targets))):
        labels = id_labels[ends[k * len(out):(k + 1) * len(out)]]  # an end that failed (-1) has no label
        kept = (rel_codes >= 0) & (labels >= 0)
        groups = pd.Series(all_rows[kept]).groupby(rel_codes[kept] * len(label_names) + labels[kept]).agg(["min", "size"])
        found = [(rel_names[g // len(label_names)], label_names[g % len(label_names)], first, n)
                 for g, first, n in zip(groups.index.tolist(), groups["min"].tolist(), groups["size"].tolist())]
        for rel, lab, first, n in sorted(found):
            allowed = allowed_of(schema.RELATIONS[rel])
            if schema.ORGANIZATION in allowed or lab in allowed:
                continue
            more = f" (and {n - 1} more row{'s' if n > 2 else ''})" if n > 1 else ""
            ck.warn(int(first), side, f"{rel} expects {' or '.join(allowed)} here, found {lab}; kept{more}")
    a, b = out["from_id"].to_numpy(), out["to_id"].to_numpy()
    loops = np.flatnonzero(a == b)
    for row, x in zip(df[ROW].to_numpy()[loops], a[loops]):
        ck.warn(int(row), "to_id", f"a relation from {x!r} to itself; kept")

    # merge duplicates; PARTNERS_WITH is read as undirected: its pair is keyed in sorted order
    undirected = out["relation"].isin([n for n in schema.INPUT_RELATIONS if not schema.RELATIONS[n].directed])
    swap = undirected.to_numpy() & (a > b)
    ca, cb = ends[:len(out)].astype(np.int64), ends[len(out):].astype(np.int64)
    key = (np.where(swap, cb, ca) * len(rel_names) + rel_codes) * len(ids) + np.where(swap, ca, cb)
    repeated = pd.Series(pd.Series(key).duplicated(keep=False).to_numpy(), index=out.index)
    if repeated.any():  # work on the repeated rows only: most inputs have few
        mask = repeated.to_numpy()
        sub = pd.DataFrame({"a": np.where(swap, b, a)[mask], "r": out["relation"].to_numpy()[mask],
                            "b": np.where(swap, a, b)[mask]}, index=out.index[mask], dtype=object)
        group = sub.groupby(["a", "r", "b"], sort=False).ngroup()
        first = pd.Series(sub.index, index=sub.index).groupby(group).transform("first")
        sources = out.loc[repeated, "source"].dropna()
        joined = sources.groupby(group[sources.index]).agg(lambda s: " ; ".join(dict.fromkeys(s)))
        is_first = first.index == first.to_numpy()
        out.loc[sub.index[is_first], "source"] = group[is_first].map(joined).to_numpy()
        later = sub.index[~is_first]
        rows = df[ROW].to_numpy()  # the frame has a fresh RangeIndex: labels are positions
        for row, first_row in zip(rows[later], rows[first[later].to_numpy()]):
            ck.warn(int(row), None, f"same relation as row {int(first_row)}; merged into it")
        out = out.drop(index=later)
    return out.reset_index(drop=True), ck.warnings


def _year(v: str) -> int:
    y = normalize.integer(v)
    if not 1900 <= y <= 2100:
        raise ValueError(f"expected a year between 1900 and 2100, got {v!r}")
    return y
