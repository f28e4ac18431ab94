"""Beijing's platforms against the policy's 2030 targets: 10 national-level, 50 municipal-level.

The policy's preamble: "力争到2030年，在京落地10家国家级制造业中试平台，支持建设50家市级中试平台".
Counted: Platforms whose province is 北京 with ``level`` ``national`` or ``municipal``. One
``overall`` record per level with the target and the shortfall (target minus count, never below 0),
then one ``sector`` record per level for every sector ``alliance-gaps`` checks (every chain, and
every other sector some organization names). The policy sets no per-sector targets, so sector
records carry ``target`` and ``shortfall`` ``None``; a platform in two sectors counts in both.
"""

from __future__ import annotations

from graph import schema
from graph.keys import sector_node

from .common import resolve_sector
from .helpers import checked_sectors
from .registry import Param, named_query

__all__ = ["targets_2030", "CYPHER", "KEYS", "TARGETS", "CLAUSE"]

#: the policy's 2030 targets by platform level
TARGETS = {"national": 10, "municipal": 50}
CLAUSE = "力争到2030年，在京落地10家国家级制造业中试平台，支持建设50家市级中试平台（京发改规〔2026〕1号，总体要求）"

_TARGET_LIST = "[" + ", ".join(f"['{level}', {n}]" for level, n in TARGETS.items()) + "]"

CYPHER = """\
UNWIND %(targets)s AS t
OPTIONAL MATCH (p:Platform)
WHERE p.province = '北京' AND p.level = t[0]
WITH t, collect(CASE WHEN p IS NULL THEN null ELSE [p.id, p.name] END) AS platforms
RETURN 'overall' AS scope, null AS sector_id, null AS sector_name, t[0] AS level, t[1] AS target,
       size(platforms) AS count, CASE WHEN t[1] > size(platforms) THEN t[1] - size(platforms) ELSE 0 END AS shortfall,
       platforms
UNION ALL
MATCH (s:Sector)
WHERE $sector IS NULL OR s.id = $sector
OPTIONAL MATCH (n:Organization)-[:IN_SECTOR]->(s)
WITH s, count(n) AS named
WHERE s.kind = 'chain' OR named > 0
UNWIND %(targets)s AS t
OPTIONAL MATCH (p:Platform)-[:IN_SECTOR]->(s)
WHERE p.province = '北京' AND p.level = t[0]
WITH s, t, collect(CASE WHEN p IS NULL THEN null ELSE [p.id, p.name] END) AS platforms
RETURN 'sector' AS scope, s.id AS sector_id, s.name AS sector_name, t[0] AS level, null AS target,
       size(platforms) AS count, null AS shortfall, platforms
""" % {"targets": _TARGET_LIST}

KEYS = ("scope", "sector_id", "sector_name", "level", "target", "count", "shortfall", "platform_ids",
        "platform_names")

_LEVELS = tuple(TARGETS)


def _sort_key(r):
    return (r["scope"] != "overall", r["sector_id"] or "", _LEVELS.index(r["level"]))


def _prepare(G, params):
    return {"sector": resolve_sector(G, params["sector"])}


def _record(fields, platforms):
    pairs = sorted(tuple(x) for x in platforms)
    return {**{k: fields.get(k) for k in KEYS}, "platform_ids": [i for i, _ in pairs],
            "platform_names": [n for _, n in pairs]}


def _from_cypher(rows, params):
    return sorted((_record(r, r["platforms"]) for r in rows), key=_sort_key)


@named_query("targets-2030", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("sector", str, None, "sector records for this sector only (id or name)"),))
def targets_2030(G, *, sector=None):
    """Beijing's national- and municipal-level platforms against the 2030 targets (10 and 50), with the shortfall.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    sector : str, optional
        Give the sector records of this sector only (an id, or a name that matches one sector); the
        two overall records always come first.

    Returns
    -------
    list of dict
        Keys ``scope`` (``overall`` or ``sector``), ``sector_id, sector_name, level`` (``national`` or
        ``municipal``), ``target, count, shortfall`` (``None`` on sector records: the policy sets no
        per-sector targets), ``platform_ids, platform_names`` (sorted by id). Overall records first,
        then by sector id and level.

    Examples
    --------
    >>> [(r["scope"], r["sector_id"], r["level"], r["count"], r["shortfall"]) for r in targets_2030(tiny_graph(), sector="S_H2")]
    [('overall', None, 'national', 1, 9), ('overall', None, 'municipal', 1, 49), ('sector', 'S_H2', 'national', 1, None), ('sector', 'S_H2', 'municipal', 0, None)]
    """
    bj = {p for p in G.orgs(label="Platform") if G.nodes[p].get("province") == schema.BEIJING}
    out = []
    for level, target in TARGETS.items():
        ps = [(p, G.nodes[p].get("name")) for p in bj if G.nodes[p].get("level") == level]
        out.append(_record({"scope": "overall", "level": level, "target": target, "count": len(ps),
                            "shortfall": max(0, target - len(ps))}, ps))
    sectors = checked_sectors(G)
    if sector is not None:
        sectors = [s for s in sectors if s == sector]
    for s in sectors:
        members = G.orgs(sector=s) & bj
        for level in TARGETS:
            ps = [(p, G.nodes[p].get("name")) for p in members if G.nodes[p].get("level") == level]
            out.append(_record({"scope": "sector", "sector_id": s, "sector_name": G.nodes[sector_node(s)].get("name"),
                                "level": level, "count": len(ps)}, ps))
    return sorted(out, key=_sort_key)
