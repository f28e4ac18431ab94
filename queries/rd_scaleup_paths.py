"""The policy's 北京研发中试、津冀量产放大 paths: R&D (Beijing) → platform (Beijing) → site (Tianjin/Hebei).

Contract section 4, ``rd-scaleup-paths``: one record per distinct triple (R, P, S) with R a
University, Institute or Enterprise in 北京, P a Platform in 北京, S any organization in 天津 or
河北, ``(R)-[:TRANSFERS_TO]->(P)`` and ``(P)-[:SCALES_UP_AT]->(S)``; ``sectors`` are the sector ids
P and S share, sorted.
"""

from __future__ import annotations

from graph import schema

from .common import resolve_province, resolve_sector
from .registry import Param, named_query

__all__ = ["rd_scaleup_paths", "CYPHER"]

#: the two halves of the paths, joined at the platform in ``_from_cypher``: each (R, P) once, with ``sectors``
#: null, and each (P, S) once, with the sectors P and S share. Both start from the Beijing platforms (the
#: ``WITH p`` keeps the planner from scanning every organization for R first), and a path's shared sectors
#: are worked out once per (P, S), not once per R: a fraction of the rows and of the work of matching
#: whole paths
CYPHER = """\
MATCH (p:Platform)
WHERE p.province = '北京' AND ($sector IS NULL OR $sector IN p.sectors)
WITH p
MATCH (p)<-[:TRANSFERS_TO]-(r:Organization)
WHERE r.province = '北京' AND r.type IN ['university', 'institute', 'enterprise']
RETURN DISTINCT r.id AS from_id, p.id AS to_id, null AS sectors
UNION ALL
MATCH (p:Platform)-[:SCALES_UP_AT]->(s:Organization)
WHERE p.province = '北京' AND ($sector IS NULL OR $sector IN p.sectors)
  AND s.province IN ['天津', '河北'] AND ($province IS NULL OR s.province = $province)
WITH DISTINCT p, s
RETURN p.id AS from_id, s.id AS to_id, [x IN coalesce(p.sectors, []) WHERE x IN coalesce(s.sectors, [])] AS sectors
"""

KEYS = ("rnd_id", "platform_id", "site_id", "sectors")


def _prepare(G, params):
    return {"sector": resolve_sector(G, params["sector"]), "province": resolve_province(params["province"])}


def _from_cypher(rows, params):
    """The records of the Cypher rows: every R of a platform with every S of it, sorted by the three ids."""
    rnd: dict[str, list[str]] = {}
    sites = []
    for row in rows:
        if row["sectors"] is None:
            rnd.setdefault(row["to_id"], []).append(row["from_id"])
        else:
            sites.append((row["from_id"], row["to_id"], sorted(row["sectors"])))
    out = [(r, p, s, both) for p, s, both in sites for r in rnd.get(p, ())]
    out.sort(key=lambda t: t[:3])
    return [{"rnd_id": r, "platform_id": p, "site_id": s, "sectors": list(both)} for r, p, s, both in out]


def triples(G, *, sector=None, province=None):
    """The (R, P, S) node keys of every path, unsorted (shared with other analyses)."""
    bj = G.orgs(province=schema.BEIJING)
    rnd = {n for n in bj if G.nodes[n]["label"] in schema.RND_LABELS}
    platforms = G.orgs(label="Platform", province=schema.BEIJING)
    if sector is not None:
        platforms &= G.orgs(sector=sector)
    sites = set()
    for prov in schema.SCALEUP_PROVINCES:
        if province in (None, prov):
            sites |= G.orgs(province=prov)
    out = set()
    for p in platforms:
        rs = [u for u, ks in G._pred[p].items() if "TRANSFERS_TO" in ks and u in rnd]
        if not rs:
            continue
        ss = [v for v, ks in G._succ[p].items() if "SCALES_UP_AT" in ks and v in sites]
        out.update((r, p, s) for r in rs for s in ss)
    return out


@named_query("rd-scaleup-paths", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("sector", str, None, "keep triples whose platform is in this sector (id or name)"),
                     Param("province", str, None, "the scale-up site's province: 天津 or 河北")))
def rd_scaleup_paths(G, *, sector=None, province=None):
    """R&D in Beijing → pilot platform in Beijing → scale-up in Tianjin/Hebei (北京研发中试、津冀量产放大).

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    sector : str, optional
        Keep triples whose platform is in this sector (an id, or a name that matches one sector).
    province : str, optional
        Keep triples whose scale-up organization is in this province: 天津 or 河北.

    Returns
    -------
    list of dict
        Keys ``rnd_id, platform_id, site_id, sectors`` (the sector ids P and S share, sorted),
        sorted by the three ids.

    Examples
    --------
    >>> [r["site_id"] for r in rd_scaleup_paths(tiny_graph(), province="天津")]
    ['tj-site-1', 'tj-site-1']
    >>> rd_scaleup_paths(tiny_graph(), sector="S_BIO")
    [{'rnd_id': 'bj-inst-1', 'platform_id': 'bj-pf-2', 'site_id': 'hb-site-1', 'sectors': ['S_BIO']}]
    """
    nodes = G._node
    shared: dict = {}
    out = []
    for r, p, s in sorted(triples(G, sector=sector, province=province)):
        both = shared.get((p, s))
        if both is None:
            both = shared[p, s] = sorted(set(nodes[p].get("sectors", ())) & set(nodes[s].get("sectors", ())))
        out.append({"rnd_id": r, "platform_id": p, "site_id": s, "sectors": list(both)})
    return out
