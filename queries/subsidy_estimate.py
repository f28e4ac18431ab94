"""The money rules of measures 1, 6 and 7: ratio, cap and amount for a project or for every platform.

The rules are the bundled table ``graph/data/subsidy_rules.csv`` (one row per rule: measure, project
kind, measure-1 tier, ratio, ratio for an independent legal entity, cap in 万元, the clause's text);
nothing here repeats its numbers. ``kind`` picks the rule family:

* ``new`` — measure 1, a new platform project; the ratio and cap depend on the industry's tier
  (国际引领, 固本强安, 未来产业: 35% capped at 1亿元; 能级提升: 25% capped at 5000万元), and rise
  for a platform built and run by an independent legal entity (45%, 35%);
* ``major_pilot`` — measure 6, 市级重大中试平台、中试产线、中试零号工厂 (30%, 5000万元);
* ``digital`` and ``green`` — measure 7, 智能化 and 绿色低碳 technical upgrades (20% and 30%, 3000万元).

A sector's tier is its ``tier`` column in ``sectors.csv`` (the bundled taxonomy gives it for the
policy's industries), so the tiers hold whatever sectors a data folder brings. ``amount_wan`` =
min(investment × ratio, cap), rounded to 0.01 万元; ``capped`` says whether the cap bit.

Two modes:

* a project: ``investment=…`` (万元) with ``kind`` (default ``new``), ``industry`` (a sector id or
  name; needed for ``new`` only) and ``independent=true|false`` (``new`` only) — one record;
* no ``investment``: every Platform with an ``investment`` figure (the optional ``investment``
  column, 总投资（万元）, of ``organizations.csv``), using its sectors (the most favourable tier) and
  its ``independent_legal_entity``. Where the data cannot give an answer the record says why in
  ``note`` and leaves the amount ``None``; when no platform has an investment figure (the bundled
  dataset has none) the result is one record whose ``note`` says so.

The Cypher text fetches the sector's tier, or the platforms with their investment, independence and
sectors' tiers; the rule table is applied to its rows in Python (``_from_cypher``), because the
table is data read from a file, not part of the graph.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from graph import data as bundled
from graph.keys import sector_node
from graph.errors import QueryError

from .common import resolve_sector
from .registry import Param, named_query

__all__ = ["subsidy_estimate", "read_rules", "CYPHER", "KEYS", "KINDS"]

KINDS = ("new", "major_pilot", "digital", "green")
#: the kinds in Chinese, as the meeting pack prints them
KIND_ZH = {"new": "新建中试平台", "major_pilot": "市级重大中试平台", "digital": "智能化改造", "green": "绿色低碳改造"}

CYPHER = """\
UNWIND (CASE WHEN $investment IS NULL THEN [] ELSE [1] END) AS project
OPTIONAL MATCH (s:Sector)
WHERE s.id = $industry
RETURN null AS platform_id, null AS platform_name, $investment AS investment, $independent AS independent,
       CASE WHEN s IS NULL THEN [] ELSE [[s.id, s.tier]] END AS tiers
UNION ALL
MATCH (p:Platform)
WHERE $investment IS NULL AND p.investment IS NOT NULL
OPTIONAL MATCH (p)-[:IN_SECTOR]->(s:Sector)
RETURN p.id AS platform_id, p.name AS platform_name, p.investment AS investment,
       p.independent_legal_entity AS independent, collect(CASE WHEN s IS NULL THEN null ELSE [s.id, s.tier] END) AS tiers
"""

KEYS = ("platform_id", "platform_name", "kind", "industry", "tier", "independent", "investment_wan", "rule_id",
        "measure", "ratio", "cap_wan", "amount_wan", "capped", "clause", "note")

NO_INVESTMENT = ("no platform has an investment figure: add the optional column investment (总投资（万元）) to "
                 "organizations.csv, or estimate one project with investment=… (万元)")


@lru_cache(maxsize=1)
def read_rules() -> tuple[dict, ...]:
    """The rules of ``graph/data/subsidy_rules.csv``, ratios and caps as numbers."""
    with open(bundled.SUBSIDY_RULES_CSV, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        out.append({**r, "ratio": float(r["ratio"]),
                    "ratio_independent": float(r["ratio_independent"]) if r["ratio_independent"] else None,
                    "cap_wan": float(r["cap_wan"]), "tier": r["tier"] or None})
    return tuple(out)


def _tiers() -> list[str]:
    return [r["tier"] for r in read_rules() if r["kind"] == "new" and r["tier"]]


def _rule(kind: str, tier: str | None) -> dict | None:
    return next((r for r in read_rules() if r["kind"] == kind and (kind != "new" or r["tier"] == tier)), None)


def _prepare(G, params):
    kind = params["kind"] or "new"
    if kind not in KINDS:
        raise QueryError(f"parameter 'kind': expected one of {', '.join(KINDS)}, got {kind!r}")
    investment, industry, independent = params["investment"], params["industry"], params["independent"]
    if investment is None:
        if industry is not None or independent is not None:
            raise QueryError("industry and independent describe one project: pass investment=… (万元) with them, "
                             "or leave all three out to estimate every platform with an investment figure")
        return {"kind": kind, "investment": None, "industry": None, "independent": None}
    if investment <= 0:
        raise QueryError(f"parameter 'investment': expected the project's total investment in 万元, more than 0; "
                         f"got {investment!r}")
    if kind != "new":
        if industry is not None:
            raise QueryError(f"kind={kind}: the rule does not depend on the industry (only kind=new, measure 1, "
                             "does); drop industry")
        if independent:
            raise QueryError(f"kind={kind}: an independent legal entity raises the ratio only under measure 1 "
                             "(kind=new); drop independent")
        return {"kind": kind, "investment": float(investment), "industry": None, "independent": independent}
    if industry is None:
        raise QueryError("kind=new (measure 1) needs industry=… (a sector id or name): the ratio and cap "
                         f"depend on its tier ({', '.join(_tiers())})")
    sector = resolve_sector(G, industry)
    tier = G.nodes[sector_node(sector)].get("tier")
    if _rule("new", tier) is None:
        with_tier = sorted(s for s in G.sector_ids() if G.nodes[sector_node(s)].get("tier") in _tiers())
        raise QueryError(f"industry {sector!r} has no measure-1 tier ({', '.join(_tiers())}) in sectors.csv; "
                         f"sectors with one: {', '.join(with_tier) or 'none'}")
    return {"kind": kind, "investment": float(investment), "industry": sector, "independent": bool(independent)}


def _estimate(row: dict, kind: str) -> dict:
    """The record of one project or platform: ``row`` has platform_id, platform_name, investment,
    independent and tiers (``[[sector id, tier], …]``)."""
    rec = dict.fromkeys(KEYS)
    rec.update(platform_id=row["platform_id"], platform_name=row["platform_name"], kind=kind,
               investment_wan=row["investment"])
    independent = row["independent"]
    notes = []
    if kind == "new":
        options = []
        for sector, tier in sorted(tuple(x) for x in row["tiers"] if x is not None):
            rule = _rule("new", tier)
            if rule is not None:
                ratio = rule["ratio_independent"] if independent and rule["ratio_independent"] else rule["ratio"]
                options.append((-ratio, -rule["cap_wan"], sector, tier, rule))
        if not options:
            rec["note"] = f"no sector of this platform has a measure-1 tier ({', '.join(_tiers())}) in sectors.csv"
            rec["independent"] = independent
            return rec
        _, _, rec["industry"], rec["tier"], rule = min(options)
        if independent is None:
            notes.append("independent_legal_entity not given: the base ratio is used")
        ratio = rule["ratio_independent"] if independent and rule["ratio_independent"] else rule["ratio"]
    else:
        rule = _rule(kind, None)
        ratio = rule["ratio"]
    rec["independent"] = independent
    rec.update(rule_id=rule["id"], measure=rule["measure"], ratio=ratio, cap_wan=rule["cap_wan"], clause=rule["clause"])
    raw = row["investment"] * ratio
    rec["capped"] = raw > rule["cap_wan"]
    rec["amount_wan"] = round(min(raw, rule["cap_wan"]), 2)
    if row["investment"] < 0:
        notes.append("the investment figure is negative: check organizations.csv")
        rec["amount_wan"], rec["capped"] = None, None
    rec["note"] = "; ".join(notes) or None
    return rec


def _records(rows: list[dict], params: dict) -> list[dict]:
    out = [_estimate(r, params["kind"]) for r in rows]
    if params["investment"] is None and not out:
        out = [{**dict.fromkeys(KEYS), "kind": params["kind"], "note": NO_INVESTMENT}]
    return sorted(out, key=lambda r: r["platform_id"] or "")


def _from_cypher(rows, params):
    return _records(rows, params)


@named_query("subsidy-estimate", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("industry", str, None, "the project's industry: a sector id or name (kind=new)"),
                     Param("investment", float, None, "the project's total investment in 万元"),
                     Param("independent", bool, None, "built and run by an independent legal entity (kind=new)"),
                     Param("kind", str, None, "new (measure 1, default), major_pilot (6), digital or green (7)",
                           choices=KINDS)))
def subsidy_estimate(G, *, industry=None, investment=None, independent=None, kind=None):
    """Subsidy estimate under measures 1, 6 and 7: ratio, cap, amount and the clause, for a project or each platform.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    industry : str, optional
        The project's industry, a sector id or name whose ``tier`` decides the measure-1 rule
        (``kind=new`` only).
    investment : float, optional
        The project's total investment in 万元. Without it, every Platform with an ``investment``
        figure is estimated.
    independent : bool, optional
        The project is built and run by an independent legal entity (``kind=new`` only).
    kind : {'new', 'major_pilot', 'digital', 'green'}, optional
        The rule family (default ``new``).

    Returns
    -------
    list of dict
        Keys ``platform_id, platform_name`` (``None`` for a project), ``kind, industry, tier,
        independent, investment_wan, rule_id, measure, ratio, cap_wan, amount_wan, capped, clause,
        note``; platforms sorted by id.

    Raises
    ------
    QueryError
        For a combination the policy does not define (e.g. ``industry`` with ``kind=digital``), a
        missing ``industry`` for ``kind=new``, or an industry without a measure-1 tier.

    Examples
    --------
    >>> from graph.build import sector_node
    >>> G = tiny_graph()
    >>> G.nodes[sector_node("S_H2")]["tier"] = "能级提升"  # the tiny taxonomy gives no tiers
    >>> r = subsidy_estimate(G, industry="S_H2", investment=30000, independent=True)[0]
    >>> r["tier"], r["ratio"], r["cap_wan"], r["amount_wan"], r["capped"]
    ('能级提升', 0.35, 5000.0, 5000.0, True)
    >>> subsidy_estimate(G, investment=1000, kind="digital")[0]["amount_wan"]
    200.0
    >>> subsidy_estimate(tiny_graph())[0]["note"].startswith("no platform has an investment figure")
    True
    """
    if investment is not None:
        rows = [{"platform_id": None, "platform_name": None, "investment": investment, "independent": independent,
                 "tiers": [[industry, G.nodes[sector_node(industry)].get("tier")]] if industry else []}]
    else:
        rows = []
        for p in G.orgs(label="Platform"):
            d = G.nodes[p]
            if d.get("investment") is None:
                continue
            rows.append({"platform_id": p, "platform_name": d.get("name"), "investment": d["investment"],
                         "independent": d.get("independent_legal_entity"),
                         "tiers": [[s[1], G.nodes[s].get("tier")] for s in set(G.out_relations(p, "IN_SECTOR"))]})
    return _records(rows, {"kind": kind, "investment": investment})
