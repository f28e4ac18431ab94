"""Where the chain breaks: the gaps of contract section 4, ``alliance-gaps``, per sector.

Sectors checked: every sector of kind ``chain``, and every other sector that some organization
names. A sector with no gap gives no record. "Complete paths of a sector" are the
``rd-scaleup-paths`` triples whose platform is in that sector.
"""

from __future__ import annotations

from graph import schema
from graph.keys import node_id

from .common import relation_ends, resolve_sector
from .helpers import checked_sectors
from .rd_scaleup_paths import triples
from .registry import Param, named_query

__all__ = ["alliance_gaps", "GAPS", "CYPHER"]

#: the gap kinds, in the order records are sorted within a sector
GAPS = ("NO_BEIJING_RND", "NO_PILOT_PLATFORM", "NO_SCALEUP_SITE", "NO_COMPLETE_PATH",
        "DEAD_END_PLATFORM", "ORPHAN_RND", "SINGLE_POINT", "NOT_IN_ALLIANCE")
GAP_ZH = {
    "NO_BEIJING_RND": "北京无研发主体", "NO_PILOT_PLATFORM": "北京无中试平台", "NO_SCALEUP_SITE": "津冀无量产承接",
    "NO_COMPLETE_PATH": "无完整链路", "DEAD_END_PLATFORM": "平台无津冀放大", "ORPHAN_RND": "研发无中试转化",
    "SINGLE_POINT": "链路单点依赖", "NOT_IN_ALLIANCE": "未加入联盟",
}

CYPHER = """\
MATCH (s:Sector)
WHERE $sector IS NULL OR s.id = $sector
OPTIONAL MATCH (o:Organization)-[:IN_SECTOR]->(s)
WITH s, count(o) AS named,
     count(CASE WHEN (o:University OR o:Institute OR o:Enterprise) AND o.province = '北京' THEN 1 END) AS rnd,
     count(CASE WHEN o:Platform AND o.province = '北京' THEN 1 END) AS pilots,
     count(CASE WHEN o.province IN ['天津', '河北'] THEN 1 END) AS sites
WHERE s.kind = 'chain' OR named > 0
OPTIONAL MATCH (r:Organization)-[:TRANSFERS_TO]->(p:Platform)-[:SCALES_UP_AT]->(x:Organization), (p)-[:IN_SECTOR]->(s)
WHERE (r:University OR r:Institute OR r:Enterprise) AND r.province = '北京' AND p.province = '北京'
  AND x.province IN ['天津', '河北']
WITH s, rnd, pilots, sites, count(p) AS paths, collect(DISTINCT p.id) AS hubs
UNWIND [['NO_BEIJING_RND', rnd = 0, null], ['NO_PILOT_PLATFORM', pilots = 0, null],
        ['NO_SCALEUP_SITE', sites = 0, null], ['NO_COMPLETE_PATH', paths = 0, null],
        ['SINGLE_POINT', size(hubs) = 1, hubs[0]]] AS g
WITH s, g
WHERE g[1]
RETURN s.id AS sector, g[0] AS gap, g[2] AS entity_id
UNION ALL
MATCH (p:Platform)-[:IN_SECTOR]->(s:Sector)
WHERE p.province = '北京' AND ($sector IS NULL OR s.id = $sector)
OPTIONAL MATCH (p)-[:SCALES_UP_AT]->(x:Organization)
WHERE x.province IN ['天津', '河北']
WITH s, p, count(x) AS n
WHERE n = 0
RETURN s.id AS sector, 'DEAD_END_PLATFORM' AS gap, p.id AS entity_id
UNION ALL
MATCH (o:Organization)-[:IN_SECTOR]->(s:Sector)
WHERE (o:University OR o:Institute) AND o.province = '北京' AND ($sector IS NULL OR s.id = $sector)
OPTIONAL MATCH (o)-[t:TRANSFERS_TO]->(:Organization)
WITH s, o, count(t) AS n
WHERE n = 0
RETURN s.id AS sector, 'ORPHAN_RND' AS gap, o.id AS entity_id
UNION ALL
MATCH (r:Organization)-[:TRANSFERS_TO]->(p:Platform)-[:SCALES_UP_AT]->(x:Organization), (p)-[:IN_SECTOR]->(s:Sector)
WHERE (r:University OR r:Institute OR r:Enterprise) AND r.province = '北京' AND p.province = '北京'
  AND x.province IN ['天津', '河北'] AND ($sector IS NULL OR s.id = $sector)
UNWIND [r, p, x] AS o
WITH DISTINCT s, o
OPTIONAL MATCH (o)-[m:MEMBER_OF]->(:Organization)
WITH s, o, count(m) AS n
WHERE n = 0
RETURN s.id AS sector, 'NOT_IN_ALLIANCE' AS gap, o.id AS entity_id
"""

KEYS = ("sector", "gap", "entity_id")


def _sort_key(r):
    return (r["sector"], GAPS.index(r["gap"]), r["entity_id"] or "")


def _prepare(G, params):
    return {"sector": resolve_sector(G, params["sector"])}


def _from_cypher(rows, params):
    return sorted(rows, key=_sort_key)


@named_query("alliance-gaps", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("sector", str, None, "report only this sector (id or name)"),))
def alliance_gaps(G, *, sector=None):
    """Gaps per sector: missing R&D, platforms or sites, dead ends, orphans, single points, non-members.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    sector : str, optional
        Report only this sector (an id, or a name that matches one sector).

    Returns
    -------
    list of dict
        Keys ``sector, gap, entity_id`` (``None`` for the sector-wide gaps), sorted by sector, by the
        gap's order in the contract's table, then by entity id.

    Examples
    --------
    >>> [(r["gap"], r["entity_id"]) for r in alliance_gaps(tiny_graph(), sector="S_BIO")]  # doctest: +NORMALIZE_WHITESPACE
    [('DEAD_END_PLATFORM', 'bj-pf-3'), ('ORPHAN_RND', 'bj-inst-2'), ('SINGLE_POINT', 'bj-pf-2'),
     ('NOT_IN_ALLIANCE', 'bj-inst-1'), ('NOT_IN_ALLIANCE', 'hb-site-1')]
    """
    checked = checked_sectors(G)
    if sector is not None:
        checked = [s for s in checked if s == sector]
    # the complete paths indexed by their platform's sectors, not scanned once per sector
    paths_of: dict[str, list] = {}
    for t in triples(G):
        for s in set(G.nodes[t[1]].get("sectors", ())):
            paths_of.setdefault(s, []).append(t)
    has_transfer = relation_ends(G, "TRANSFERS_TO")["TRANSFERS_TO"][0]
    # the lookups' own sets, intersected in place of a pass over each sector's members
    idx = G._index
    by_sector, by_label, by_province = idx["sector"], idx["label"], idx["province"]
    bj_all = by_province.get(schema.BEIJING, set())
    rnd_all = set().union(*(by_label.get(lab, ()) for lab in schema.RND_LABELS)) & bj_all
    orphan_all = set().union(*(by_label.get(lab, ()) for lab in schema.ORPHAN_RND_LABELS)) & bj_all
    platforms_bj = by_label.get("Platform", set()) & bj_all
    scaleup = set().union(*(by_province.get(p, ()) for p in schema.SCALEUP_PROVINCES))
    succ = G._succ
    members_of: dict = {}  # organization on a path → whether it is an alliance member

    def in_alliance(o) -> bool:
        m = members_of.get(o)
        if m is None:
            m = members_of[o] = any("MEMBER_OF" in ks for ks in succ[o].values())
        return m

    out = []
    for s in checked:
        members = by_sector.get(s, set())
        sector_paths = paths_of.get(s, [])
        hubs = sorted({p for _, p, _ in sector_paths})
        pilots = members & platforms_bj

        def gap(kind, entity=None):
            out.append({"sector": s, "gap": kind, "entity_id": None if entity is None else node_id(entity)})

        if members.isdisjoint(rnd_all):
            gap("NO_BEIJING_RND")
        if not pilots:
            gap("NO_PILOT_PLATFORM")
        if members.isdisjoint(scaleup):
            gap("NO_SCALEUP_SITE")
        if not sector_paths:
            gap("NO_COMPLETE_PATH")
        for p in sorted(pilots):
            if not any(v in scaleup for v, ks in succ[p].items() if "SCALES_UP_AT" in ks):
                gap("DEAD_END_PLATFORM", p)
        for o in sorted((members & orphan_all) - has_transfer):
            gap("ORPHAN_RND", o)
        if len(hubs) == 1:
            gap("SINGLE_POINT", hubs[0])
        on_paths = {o for t in sector_paths for o in t}
        for o in sorted(o for o in on_paths if not in_alliance(o)):
            gap("NOT_IN_ALLIANCE", o)
    return sorted(out, key=_sort_key)
