"""Synthetic data in the contract's format, for scale and tests — labelled synthetic everywhere.

``generate(n_orgs, seed)`` returns contract-format tables (organizations, relations) that go through the
same loaders as real data. Every ``source`` cell says ``synthetic``, every name starts with ``合成``
(synthetic), and ids start with ``syn-``. The shape follows the bundled dataset: its province split and
type mix, the bundled sectors, coordinates inside real districts of the region tree, valid 统一社会信用代码
with matching region digits, heavy-tailed degrees (a few hubs, many small firms, by preferential
attachment), and a share of planted gaps (platforms with no scale-up, R&D with no transfer).

Deterministic for a seed. Never mixed into the bundled dataset.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from graph import data as bundled
from graph import schema
from graph.errors import JjjkgError
from graph.safe_write import make_folder, open_replacing, write_text

from .normalize import credit_code_check_digit

__all__ = ["generate", "write_folder", "check_size", "SOURCE"]

SOURCE = "synthetic (jjjkg generate; not real data)"

#: share of organizations per province (the bundled dataset's) and per type (a registry: mostly firms,
#: few platforms — Beijing recognised 146 pilot platforms among its hundreds of thousands of firms)
PROVINCE_SHARE = {"北京": 0.54, "天津": 0.15, "河北": 0.31}
TYPE_SHARE = {"enterprise": 0.59, "platform": 0.03, "university": 0.04, "institute": 0.09, "site": 0.08,
              "park": 0.10, "alliance": 0.02, "agency": 0.03, "financial": 0.02}
#: relations per organization, by type, and their targets
REL_MIX = (("TRANSFERS_TO", 0.025), ("SCALES_UP_AT", 0.02), ("PARTNERS_WITH", 0.45), ("OPERATES", 0.02),
           ("MEMBER_OF", 0.25), ("SUPPORTS", 0.235))
#: how heavy the tail is: weight of the k-th most connected organization ∝ 1 / k ** HUB_EXPONENT
HUB_EXPONENT = 0.6
_CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _credit_codes(rng: np.random.Generator, region_codes: np.ndarray) -> list[str]:
    body = rng.integers(0, 31, size=(len(region_codes), 9))
    out = []
    for code, digits in zip(region_codes, body):
        first = "91" + code + "".join(_CC_CHARS[d] for d in digits)
        out.append(first + credit_code_check_digit(first))
    return out


#: memory one generated row takes while the tables are made (measured: 20,000 organizations with 1 and
#: 21 relation draws each), with some margin
ORG_BYTES, RELATION_BYTES = 2048, 512


def _available_memory() -> int:
    """Bytes this machine can give now (``MemAvailable``), else its physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8 << 30


def check_size(n_orgs, relations_per_org) -> None:
    """Refuse arguments the machine cannot hold: at most half of its available memory, estimated per row.

    Raises
    ------
    JjjkgError
        Not a positive number of organizations, not a finite non-negative number of relations, or
        tables larger than half of the memory available.
    """
    if not isinstance(n_orgs, (int, np.integer)) or n_orgs < 1:
        raise JjjkgError(f"--orgs {n_orgs!r}: expected a positive number of organizations")
    r = float(relations_per_org)
    if not math.isfinite(r) or r < 0:
        raise JjjkgError(f"--relations-per-org {relations_per_org!r}: expected a number of relations, 0 or more")
    need = n_orgs * ORG_BYTES + n_orgs * r * RELATION_BYTES
    budget = _available_memory() // 2
    if need > budget:
        raise JjjkgError(f"--orgs {n_orgs:,} with --relations-per-org {relations_per_org:g} would take about "
                         f"{_gib(need)} of memory to generate, more than half of what this machine has available "
                         f"({_gib(budget * 2)}); lower --orgs or --relations-per-org")


def _gib(n: float) -> str:
    return f"{n / (1 << 30):,.1f} GiB"


def generate(n_orgs: int, seed: int = 0, *, relations_per_org: float = 5.0) -> dict[str, pd.DataFrame]:
    """Contract-format ``organizations`` and ``relations`` tables of synthetic data.

    Parameters
    ----------
    n_orgs : int
        Number of organizations.
    seed : int
        The same seed gives the same tables.
    relations_per_org : float
        Average relation draws per organization; a pair drawn twice (a partnership either way) is written once,
        so the folder holds somewhat fewer rows.

    Returns
    -------
    dict of DataFrame
        ``{"organizations": …, "relations": …}`` with the contract's columns as text.

    Raises
    ------
    JjjkgError
        Arguments the machine cannot hold (``check_size``).

    Examples
    --------
    >>> t = generate(50, seed=1)
    >>> len(t["organizations"]), set(t["organizations"]["source"]) == {SOURCE}
    (50, True)
    """
    check_size(n_orgs, relations_per_org)
    rng = np.random.default_rng(seed)
    regions = _read(bundled.REGIONS_CSV)
    sectors = _read(bundled.SECTORS_CSV)
    services = _read(bundled.SERVICES_CSV)
    sector_ids = sectors["id"].to_numpy()
    chain_ids = sectors.loc[sectors["kind"] == "chain", "id"].to_numpy()
    service_ids = services["id"].to_numpy()

    n = n_orgs
    ids = np.array([f"syn-{i:07d}" for i in range(n)])
    types = rng.choice(list(TYPE_SHARE), size=n, p=list(TYPE_SHARE.values()))
    provinces = rng.choice(list(PROVINCE_SHARE), size=n, p=list(PROVINCE_SHARE.values()))
    # districts with coordinates, per province: each organization sits near one
    located = regions[(regions["level"] == "district") & (regions["lat"] != "") & regions["id"].str.isdigit()]
    city_of = dict(zip(regions["id"], regions["parent"]))
    name_of = dict(zip(regions["id"], regions["name"]))
    district = np.empty(n, dtype=object)
    for prov in PROVINCE_SHARE:
        pool = located[located["province"] == prov]
        mask = provinces == prov
        district[mask] = rng.choice(pool["id"].to_numpy(), size=int(mask.sum()))
    lat_of = dict(zip(located["id"], located["lat"].astype(float)))
    lon_of = dict(zip(located["id"], located["lon"].astype(float)))
    lat = np.array([lat_of[d] for d in district]) + rng.normal(0, 0.03, n)
    lon = np.array([lon_of[d] for d in district]) + rng.normal(0, 0.03, n)
    lat = np.clip(lat, schema.JJJ_BOX["lat"][0] + 0.01, schema.JJJ_BOX["lat"][1] - 0.01)
    lon = np.clip(lon, schema.JJJ_BOX["lon"][0] + 0.01, schema.JJJ_BOX["lon"][1] - 0.01)
    city = np.array([name_of.get(city_of.get(d), "") if not str(d).startswith(("11", "12")) else
                     {"11": "北京", "12": "天津"}[str(d)[:2]] for d in district])
    # one to three sectors, mostly chains
    sector_cells = []
    for _ in range(n):
        k = rng.integers(1, 4)
        pick = rng.choice(chain_ids, size=1).tolist() + rng.choice(sector_ids, size=k - 1).tolist()
        sector_cells.append(";".join(dict.fromkeys(pick)))
    is_platform = types == "platform"
    is_enterprise = types == "enterprise"
    services_cells = [";".join(rng.choice(service_ids, size=rng.integers(1, 5), replace=False)) if p else ""
                      for p in is_platform]
    needs_cells = [";".join(rng.choice(service_ids, size=rng.integers(1, 3), replace=False))
                   if e and rng.random() < 0.3 else "" for e in is_enterprise]
    level = np.where(is_platform, rng.choice(["national", "municipal", "district", "none"], size=n,
                                             p=[0.05, 0.25, 0.3, 0.4]), "")
    no_province = np.isin(types, ["alliance", "agency"]) & (rng.random(n) < 0.5)
    orgs = pd.DataFrame({
        "id": ids,
        "name": [f"合成{schema.ORG_TYPES[t].zh}{i}" for i, t in zip(range(n), types)],
        "name_en": [f"Synthetic {schema.ORG_TYPES[t].en} {i}" for i, t in zip(range(n), types)],
        "type": types,
        "province": np.where(no_province, "", provinces),
        "city": np.where(no_province, "", city),
        "district": np.where(no_province, "", [name_of[d] for d in district]),
        "sectors": sector_cells,
        "level": level,
        "platform_kind": np.where(is_platform, rng.choice(list(schema.PLATFORM_KINDS), size=n), ""),
        "independent_legal_entity": np.where(is_platform, rng.choice(["true", "false"], size=n), ""),
        "services": services_cells,
        "needs": needs_cells,
        "credit_code": np.where(no_province | ~np.isin(types, ["enterprise", "platform", "site"]), "",
                                _credit_codes(rng, np.array([str(d)[:6] for d in district]))),
        "lat": np.where(no_province, "", np.round(lat, 5).astype(str)),
        "lon": np.where(no_province, "", np.round(lon, 5).astype(str)),
        "source": SOURCE,
    })
    return {"organizations": orgs, "relations": _relations(rng, orgs, relations_per_org)}


def _relations(rng: np.random.Generator, orgs: pd.DataFrame, per_org: float) -> pd.DataFrame:
    """Relation rows whose endpoints follow the contract, with heavy-tailed degrees."""
    n_rel = int(len(orgs) * per_org)
    by = {}
    types = orgs["type"].to_numpy()
    prov = orgs["province"].to_numpy()
    ids = orgs["id"].to_numpy()
    for key, mask in {
        "rnd": np.isin(types, ["university", "institute", "enterprise"]),
        "platform": types == "platform",
        "scaleup_target": np.isin(types, ["site", "park", "enterprise"]),
        "scaleup_target_jj": np.isin(types, ["site", "park", "enterprise"]) & np.isin(prov, ["天津", "河北"]),
        "alliance": types == "alliance",
        "funder": np.isin(types, ["agency", "financial"]),
        "any": np.ones(len(types), dtype=bool),
    }.items():
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            idx = np.arange(len(types))
        # Zipf-like weights: a few hubs take many relations
        w = 1.0 / (1.0 + rng.permutation(len(idx))) ** HUB_EXPONENT
        by[key] = (idx, w / w.sum())
    # planted gaps: a share of platforms never scale up, a share of R&D never transfers
    dead_end = set(rng.choice(by["platform"][0], size=len(by["platform"][0]) // 5, replace=False).tolist())
    rows_from, rows_rel, rows_to = [], [], []
    counts = rng.multinomial(n_rel, [p for _, p in REL_MIX])
    for (rel, _), k in zip(REL_MIX, counts):
        src_key, dst_key = {
            "TRANSFERS_TO": ("rnd", "platform"),
            "SCALES_UP_AT": ("platform", "scaleup_target_jj"),
            "PARTNERS_WITH": ("any", "any"),
            "OPERATES": ("any", "platform"),
            "MEMBER_OF": ("any", "alliance"),
            "SUPPORTS": ("funder", "any"),
        }[rel]
        s_idx, s_w = by[src_key]
        d_idx, d_w = by[dst_key]
        src = rng.choice(s_idx, size=k, p=s_w)
        dst = rng.choice(d_idx, size=k, p=d_w)
        if rel == "SCALES_UP_AT":
            keep = np.array([s not in dead_end for s in src], dtype=bool)
            src, dst = src[keep], dst[keep]
        keep = src != dst
        rows_from.append(ids[src[keep]])
        rows_to.append(ids[dst[keep]])
        rows_rel.append(np.full(int(keep.sum()), rel, dtype=object))
    frm, rel, to = np.concatenate(rows_from), np.concatenate(rows_rel), np.concatenate(rows_to)
    # one row per relation, as a person would write it: a repeated pair (or a partnership written both
    # ways) would only be merged again by the loader, with a warning per row
    undirected = np.isin(rel, [n for n in schema.INPUT_RELATIONS if not schema.RELATIONS[n].directed])
    swap = undirected & (frm > to)
    key = pd.DataFrame({"a": np.where(swap, to, frm), "r": rel, "b": np.where(swap, frm, to)})
    keep = ~key.duplicated().to_numpy()
    frm, rel, to = frm[keep], rel[keep], to[keep]
    years = rng.integers(2012, 2026, size=len(frm))
    return pd.DataFrame({"from_id": frm, "relation": rel, "to_id": to,
                         "year": years.astype(str), "weight": "", "source": SOURCE})


def write_folder(tables: dict[str, pd.DataFrame], out: str | Path) -> Path:
    """Write generated tables as a contract-format data folder (UTF-8 CSV)."""
    out = make_folder(out)
    for name, df in tables.items():
        with open_replacing(out / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            df.to_csv(f, index=False, quoting=csv.QUOTE_MINIMAL)
    write_text(out / "README.md",
               "# Synthetic data — not real\n\nGenerated by `jjjkg generate` for scale tests and benchmarks. Every row "
               "is synthetic and says so in its `source` cell.\n")
    return out
