"""The chain map planners start from: per sector and province, who is there (measures 1, 8 and 13).

One record per sector × province (北京, 天津, 河北) for the sectors ``alliance-gaps`` checks (every
chain, and every other sector some organization names), zeros included, so a planner sees at a
glance where a chain has R&D but no platform, or platforms but nowhere to scale up.

Counted per sector and province, each organization once:

* ``rnd`` — Universities, Institutes and Enterprises;
* ``platforms_national``, ``platforms_municipal``, ``platforms_district``, ``platforms_other`` —
  Platforms by ``level`` (``other``: level ``none`` or not given);
* ``scaleup_hosts`` — organizations that receive at least one ``SCALES_UP_AT`` (any source);
* ``paths`` — ``rd-scaleup-paths`` triples whose platform is in the sector: on the 北京 row all of
  them (their R&D and platform are in Beijing), on the 天津 and 河北 rows those whose scale-up
  organization is in that province;
* ``alliance_members`` — organizations with at least one ``MEMBER_OF``.
"""

from __future__ import annotations

from graph import schema
from graph.keys import sector_node

from .common import relation_ends, resolve_sector
from .helpers import PROVINCE_ORDER, checked_sectors, in_rel, out_rel, resolve_any_province
from .registry import Param, named_query

__all__ = ["sector_coverage", "CYPHER", "KEYS"]

CYPHER = """\
MATCH (s:Sector)
WHERE $sector IS NULL OR s.id = $sector
OPTIONAL MATCH (n:Organization)-[:IN_SECTOR]->(s)
WITH s, count(n) AS named
WHERE s.kind = 'chain' OR named > 0
UNWIND ['北京', '天津', '河北'] AS province
WITH s, province
WHERE $province IS NULL OR province = $province
OPTIONAL MATCH (o:Organization)-[:IN_SECTOR]->(s)
WHERE o.province = province
OPTIONAL MATCH (o)-[m:MEMBER_OF]->(:Organization)
WITH s, province, o, count(m) AS memberships
OPTIONAL MATCH (:Organization)-[u:SCALES_UP_AT]->(o)
WITH s, province, o, memberships, count(u) AS hosted
WITH s, province,
     count(CASE WHEN o:University OR o:Institute OR o:Enterprise THEN 1 END) AS rnd,
     count(CASE WHEN o:Platform AND o.level = 'national' THEN 1 END) AS platforms_national,
     count(CASE WHEN o:Platform AND o.level = 'municipal' THEN 1 END) AS platforms_municipal,
     count(CASE WHEN o:Platform AND o.level = 'district' THEN 1 END) AS platforms_district,
     count(CASE WHEN o:Platform AND coalesce(o.level, 'none') = 'none' THEN 1 END) AS platforms_other,
     count(CASE WHEN hosted > 0 THEN 1 END) AS scaleup_hosts,
     count(CASE WHEN memberships > 0 THEN 1 END) AS alliance_members
OPTIONAL MATCH (r:Organization)-[:TRANSFERS_TO]->(p:Platform)-[:SCALES_UP_AT]->(x:Organization), (p)-[:IN_SECTOR]->(s)
WHERE (r:University OR r:Institute OR r:Enterprise) AND r.province = '北京' AND p.province = '北京'
  AND x.province IN ['天津', '河北'] AND (province = '北京' OR x.province = province)
WITH s, province, rnd, platforms_national, platforms_municipal, platforms_district, platforms_other,
     scaleup_hosts, alliance_members, count(p) AS paths
RETURN s.id AS sector_id, s.name AS sector_name, province, rnd, platforms_national, platforms_municipal,
       platforms_district, platforms_other, scaleup_hosts, paths, alliance_members
"""

KEYS = ("sector_id", "sector_name", "province", "rnd", "platforms_national", "platforms_municipal",
        "platforms_district", "platforms_other", "scaleup_hosts", "paths", "alliance_members")


def _sort_key(r):
    return (r["sector_id"], PROVINCE_ORDER.index(r["province"]))


def _prepare(G, params):
    return {"sector": resolve_sector(G, params["sector"]), "province": resolve_any_province(params["province"])}


def _from_cypher(rows, params):
    return sorted(rows, key=_sort_key)


@named_query("sector-coverage", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("sector", str, None, "report only this sector (id or name)"),
                     Param("province", str, None, "report only this province: 北京, 天津 or 河北")))
def sector_coverage(G, *, sector=None, province=None):
    """Per sector × province: R&D, platforms by level, scale-up hosts, complete paths, alliance members.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    sector : str, optional
        Report only this sector (an id, or a name that matches one sector).
    province : str, optional
        Report only this province: 北京, 天津 or 河北 (any accepted spelling).

    Returns
    -------
    list of dict
        Keys ``sector_id, sector_name, province, rnd, platforms_national, platforms_municipal,
        platforms_district, platforms_other, scaleup_hosts, paths, alliance_members`` (counts, see
        the module docstring), sorted by sector id, then 北京, 天津, 河北.

    Examples
    --------
    >>> rows = sector_coverage(tiny_graph(), sector="S_H2")
    >>> [(r["province"], r["rnd"], r["platforms_national"], r["scaleup_hosts"], r["paths"]) for r in rows]
    [('北京', 2, 1, 1, 4), ('天津', 0, 0, 1, 2), ('河北', 0, 0, 0, 2)]
    """
    # complete paths counted per platform, not enumerated: R&D in × scale-ups out, by province
    rnd_bj = {n for n in G.orgs(province=schema.BEIJING) if G.nodes[n]["label"] in schema.RND_LABELS}
    paths: dict[tuple, int] = {}
    for p in G.orgs(label="Platform", province=schema.BEIJING, sector=sector):
        n_rnd = len({u for u in in_rel(G, p, "TRANSFERS_TO") if u in rnd_bj})
        if not n_rnd:
            continue
        ends = [G.nodes[v].get("province") for v in out_rel(G, p, "SCALES_UP_AT")]
        by_prov = {prov: n_rnd * ends.count(prov) for prov in schema.SCALEUP_PROVINCES}
        for s in G.nodes[p].get("sectors", ()):
            for prov, n in (*by_prov.items(), (schema.BEIJING, sum(by_prov.values()))):
                paths[s, prov] = paths.get((s, prov), 0) + n
    sectors = checked_sectors(G)
    if sector is not None:
        sectors = [s for s in sectors if s == sector]
    provinces = [p for p in PROVINCE_ORDER if province in (None, p)]
    fields = ("rnd", "platforms_national", "platforms_municipal", "platforms_district", "platforms_other",
              "scaleup_hosts", "alliance_members")
    level_field = {"national": 1, "municipal": 2, "district": 3, "none": 4}
    counts = {(s, prov): [0] * len(fields) for s in sectors for prov in provinces}
    nodes = G._node
    hosts = {v for u, v in G.relation_pairs("SCALES_UP_AT") if "type" in nodes[u]}
    members = relation_ends(G, "MEMBER_OF")["MEMBER_OF"][0]
    wanted = set(sectors)
    # one pass over the organizations, counting each into its (sector, province) cells
    for n, d in nodes.items():
        if "type" not in d or d.get("province") not in provinces or not d.get("sectors"):
            continue
        mine = [s for s in set(d["sectors"]) if s in wanted]
        if not mine:
            continue
        flags = []
        if d["label"] in schema.RND_LABELS:
            flags.append(0)
        if d["label"] == "Platform" and d.get("level", "none") in level_field:
            flags.append(level_field[d.get("level", "none")])
        if n in hosts:
            flags.append(5)
        if n in members:
            flags.append(6)
        for s in mine:
            c = counts[s, d["province"]]
            for f in flags:
                c[f] += 1
    out = []
    for s in sectors:
        for prov in provinces:
            rec = {"sector_id": s, "sector_name": G.nodes[sector_node(s)].get("name"), "province": prov,
                   **dict(zip(fields, counts[s, prov])), "paths": paths.get((s, prov), 0)}
            out.append({k: rec[k] for k in KEYS})
    return sorted(out, key=_sort_key)
