"""The organizations that hold the Beijing ↔ Tianjin/Hebei links together, and those a chain cannot lose.

Two measures, one record per organization that scores on either:

* ``betweenness`` — on the cross-region link graph: organizations as nodes, and an undirected edge
  wherever one of the working relations ``TRANSFERS_TO``, ``SCALES_UP_AT``, ``OPERATES`` or
  ``PARTNERS_WITH`` joins two of them (``MEMBER_OF`` and ``SUPPORTS`` are left out: an alliance or
  a funder would be a hub by construction). The value is subset betweenness with the organizations
  in 北京 as sources and those in 天津 and 河北 as targets: for each (Beijing, Tianjin/Hebei) pair,
  the share of its shortest paths that pass through the organization, summed over the pairs,
  rounded to 4 decimals. (networkx's ``betweenness_centrality_subset`` halves this on an undirected
  graph; it is doubled back, so each pair counts once.) ``cross_links`` counts its neighbours
  on the other side (Beijing ↔ Tianjin/Hebei).
* ``critical_sectors`` — resilience: the sectors whose every complete path (``rd-scaleup-paths``
  triple with the platform in the sector) passes through the organization, so that removing it
  leaves the sector with no complete path.

Betweenness cannot be written in portable Cypher: the Cypher text fetches the link graph's edges and,
per sector, the organizations on every complete path; the betweenness is then computed from those
rows in Python (``_from_cypher``), with the same function the networkx implementation uses.

Cost: one breadth-first search per source. With more than ``k`` (default 100) Beijing organizations
on the link graph, betweenness is *estimated* from ``k`` of them, drawn with a seeded
``random.Random(SEED)`` from the sorted ids (so a run is repeatable), and scaled by (Beijing
organizations) / ``k``; with ``k`` or fewer (the bundled data) it is exact. ``k=0`` asks for the exact
value at any size, which grows with (Beijing organizations) × (links). Even sampled, each search
walks the whole link graph: about 2 s per source at 1M relationships (so minutes at the
default ``k``; the 2 s budget of the other analyses is out of reach for betweenness).
"""

from __future__ import annotations

import random

import networkx as nx

from graph import schema
from graph.errors import QueryError

from .rd_scaleup_paths import triples
from .registry import Param, named_query

__all__ = ["brokers", "CYPHER", "KEYS", "LINK_RELATIONS"]

#: the relations that make the link graph
LINK_RELATIONS = ("TRANSFERS_TO", "SCALES_UP_AT", "OPERATES", "PARTNERS_WITH")
#: the seed of the source sample
SEED = 20300
#: the default number of sampled sources
DEFAULT_K = 100

CYPHER = """\
MATCH (a:Organization)-[:TRANSFERS_TO|SCALES_UP_AT|OPERATES|PARTNERS_WITH]->(b:Organization)
WITH DISTINCT a, b
RETURN 'link' AS kind, a.id AS u, a.name AS u_name, a.province AS u_province, a.type AS u_type,
       b.id AS v, b.name AS v_name, b.province AS v_province, b.type AS v_type, null AS sector
UNION ALL
MATCH (r:Organization)-[:TRANSFERS_TO]->(p:Platform)-[:SCALES_UP_AT]->(x:Organization), (p)-[:IN_SECTOR]->(s:Sector)
WHERE (r:University OR r:Institute OR r:Enterprise) AND r.province = '北京' AND p.province = '北京'
  AND x.province IN ['天津', '河北']
WITH DISTINCT s, r, p, x
WITH s, collect([r, p, x]) AS paths
UNWIND paths AS path
UNWIND path AS o
WITH s, size(paths) AS n, o, count(*) AS k
WHERE k = n
RETURN 'critical' AS kind, o.id AS u, o.name AS u_name, o.province AS u_province, o.type AS u_type,
       null AS v, null AS v_name, null AS v_province, null AS v_type, s.id AS sector
"""

KEYS = ("org_id", "org_name", "type", "province", "betweenness", "cross_links", "critical_sectors")


def _side(province):
    if province == schema.BEIJING:
        return "bj"
    if province in schema.SCALEUP_PROVINCES:
        return "jj"
    return None


def _records(info: dict, links: set, critical: dict, limit: int = 0, k: int = DEFAULT_K) -> list[dict]:
    """Score the link graph and merge the critical sectors (shared by both engines).

    ``info``: id → (name, type, province); ``links``: undirected pairs (u, v) with u < v;
    ``critical``: id → set of sector ids; ``k``: the number of sampled sources (0: all).
    """
    H = nx.Graph()
    H.add_nodes_from(sorted(info))
    H.add_edges_from(sorted(links))
    sources = [n for n in sorted(H) if _side(info[n][2]) == "bj"]
    targets = [n for n in sorted(H) if _side(info[n][2]) == "jj"]
    scale = 1.0
    if k and len(sources) > k:
        scale = len(sources) / k
        sources = sorted(random.Random(SEED).sample(sources, k))
    between = nx.betweenness_centrality_subset(H, sources, targets, normalized=False) if H else {}
    if scale != 1.0:
        between = {n: b * scale for n, b in between.items()}
    out = []
    for n in sorted(set(info) | set(critical)):
        b = round(2 * between.get(n, 0.0), 4)
        crit = sorted(critical.get(n, ()))
        if b <= 0 and not crit:
            continue
        side = _side(info[n][2])
        cross = sum(1 for m in H[n] if side and _side(info[m][2]) not in (None, side)) if n in H else 0
        name, typ, prov = info[n]
        out.append({"org_id": n, "org_name": name, "type": typ, "province": prov, "betweenness": b,
                    "cross_links": cross, "critical_sectors": crit})
    out.sort(key=lambda r: (-r["betweenness"], -len(r["critical_sectors"]), r["org_id"]))
    return out[:limit] if limit else out


def _prepare(G, params):
    limit = params["limit"]
    if limit is None or limit < 0:
        raise QueryError(f"parameter 'limit': expected 0 (all) or more, got {limit!r}")
    k = params["k"]
    if k is None or k < 0:
        raise QueryError(f"parameter 'k': expected 0 (every source) or more, got {k!r}")
    return {"limit": limit, "k": k}


def _from_cypher(rows, params):
    info, links, critical = {}, set(), {}
    for r in rows:
        info[r["u"]] = (r["u_name"], r["u_type"], r["u_province"])
        if r["kind"] == "link":
            info[r["v"]] = (r["v_name"], r["v_type"], r["v_province"])
            if r["u"] != r["v"]:
                links.add(tuple(sorted((r["u"], r["v"]))))
        else:
            critical.setdefault(r["u"], set()).add(r["sector"])
    return _records(info, links, critical, params["limit"], params["k"])


@named_query("brokers", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("limit", int, 0, "keep the first N organizations (0: all)"),
                     Param("k", int, DEFAULT_K, "estimate betweenness from N sampled Beijing sources (0: all, exact)")))
def brokers(G, *, limit=0, k=DEFAULT_K):
    """Brokers of the Beijing ↔ Tianjin/Hebei links (subset betweenness) and the organizations each sector's paths all need.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    limit : int, default 0
        Keep the first ``limit`` organizations; 0 keeps all.
    k : int, default 100
        Estimate betweenness from ``k`` sampled Beijing sources when there are more (the module
        docstring says how); 0 computes it exactly from every source.

    Returns
    -------
    list of dict
        Keys ``org_id, org_name, type, province, betweenness, cross_links, critical_sectors`` (the
        module docstring defines them), one per organization with a betweenness above 0 or a
        critical sector, sorted by betweenness (highest first), number of critical sectors, id.

    Examples
    --------
    >>> [(r["org_id"], r["betweenness"], r["critical_sectors"]) for r in brokers(tiny_graph())][:3]
    [('bj-pf-1', 17.0, ['S_H2']), ('bj-uni-1', 16.0, []), ('tj-pf-1', 14.0, [])]
    """
    info, links, critical = {}, set(), {}

    def remember(n):
        d = G.nodes[n]
        info[n] = (d.get("name"), d.get("type"), d.get("province"))

    nodes = G._node
    for u, nbrs in G._succ.items():
        if "type" not in nodes[u]:
            continue
        for v, rels in nbrs.items():
            if "type" in nodes[v] and any(r in rels for r in LINK_RELATIONS):
                if u not in info:
                    remember(u)
                if v not in info:
                    remember(v)
                if u != v:
                    links.add((u, v) if u < v else (v, u))
    by_sector: dict[str, list] = {}
    for t in triples(G):
        for s in G.nodes[t[1]].get("sectors", ()):
            by_sector.setdefault(s, []).append(t)
    for s, paths in by_sector.items():
        for o in set.intersection(*(set(t) for t in paths)):
            remember(o)
            critical.setdefault(o, set()).add(s)
    return _records(info, links, critical, limit, k)
