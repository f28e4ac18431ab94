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

Betweenness cannot be written in portable Cypher: the Cypher text fetches the link graph and, per
sector, the organizations on every complete path; the betweenness is then computed from those rows
in Python (``_from_cypher``), with the same function the networkx implementation uses. Its rows are
flat: one per link (``id`` → ``linked``), one per organization (``about``: its name, type and
province), and one per (organization, sector it is critical to) (``about``: the sector's id).

Cost: one breadth-first search per source over the link graph, level by level in numpy
(``_subset_betweenness``: Brandes' accumulation restricted to the targets, as networkx's
``betweenness_centrality_subset`` does it). With more than ``k`` Beijing organizations on the link
graph, betweenness is *estimated* from ``k`` of them, drawn with a seeded ``random.Random(SEED)``
from the sorted ids (so a run is repeatable), and scaled by (Beijing organizations) / ``k``; with
``k`` or fewer it is exact. By default ``k`` is 100, lowered on large graphs to ``WORK`` / links
sources (at least ``MIN_K``; 19 at 510k links), which bounds the searches' total work and keeps the
cost linear in the graph; the bundled data is exact. ``k=0`` asks for the exact value at
any size, which grows with (Beijing organizations) × (links).
"""

from __future__ import annotations

import bisect
import random

import numpy as np

from graph import schema
from graph.errors import QueryError

from .rd_scaleup_paths import triples
from .registry import Param, named_query

__all__ = ["brokers", "CYPHER", "KEYS", "LINK_RELATIONS"]

#: the relations that make the link graph
LINK_RELATIONS = ("TRANSFERS_TO", "SCALES_UP_AT", "OPERATES", "PARTNERS_WITH")
#: the seed of the source sample
SEED = 20300
#: the most sources sampled by default
DEFAULT_K = 100
#: links visited in all by the default sample, and the fewest sources it draws
WORK = 10_000_000
MIN_K = 16

CYPHER = """\
MATCH (a:Organization)-[:TRANSFERS_TO|SCALES_UP_AT|OPERATES|PARTNERS_WITH]->(b:Organization)
RETURN a.id AS id, b.id AS linked, null AS about
UNION ALL
MATCH (o:Organization)
RETURN o.id AS id, null AS linked, [o.name, o.type, o.province] AS about
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
RETURN o.id AS id, null AS linked, s.id AS about
"""

KEYS = ("org_id", "org_name", "type", "province", "betweenness", "cross_links", "critical_sectors")


def default_k(links: int) -> int:
    """The number of sources sampled by default on a link graph of ``links`` links."""
    return max(MIN_K, min(DEFAULT_K, WORK // max(links, 1)))


def _subset_betweenness(indptr: np.ndarray, indices: np.ndarray, sources, is_target: np.ndarray) -> np.ndarray:
    """Σ over ``sources`` s of Brandes' dependency of s on each node, counting only paths to targets.

    ``indptr``/``indices``: the undirected graph as compressed rows (each link in both rows);
    ``is_target``: 1.0 for a target, else 0.0. Equal to twice networkx's
    ``betweenness_centrality_subset(normalized=False)`` on an undirected graph. Each search runs
    one level at a time: the links out of the level, the nodes they reach first, the path counts
    (sigma) summed into them; the dependencies are then summed back up the levels.
    """
    n = len(indptr) - 1
    deg = np.diff(indptr)
    bc = np.zeros(n)
    dist = np.empty(n, dtype=np.int32)
    dense = max(1, n // 16)  # above this many entries, sum over every node rather than sort them

    def gather(keys, weights):
        if len(keys) > dense:
            total = np.bincount(keys, weights=weights, minlength=n)
            nz = np.flatnonzero(total)
            return nz, total[nz]
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, np.bincount(inverse, weights=weights)

    for s in sources:
        dist.fill(-1)
        sigma = np.zeros(n)
        dist[s], sigma[s] = 0, 1.0
        frontier = np.array([s], dtype=np.int64)
        levels = []
        while True:
            count = deg[frontier]
            total = int(count.sum())
            if not total:
                break
            at = np.arange(total) + np.repeat(indptr[frontier] - (np.cumsum(count) - count), count)
            w = indices[at]
            fresh = dist[w] < 0
            u, w = np.repeat(frontier, count)[fresh], w[fresh]
            if not len(w):
                break
            frontier, paths = gather(w, sigma[u])
            sigma[frontier] = paths
            dist[frontier] = len(levels) + 1
            levels.append((u, w))
        delta = np.zeros(n)
        for u, w in reversed(levels):
            nodes, add = gather(u, sigma[u] * ((delta[w] + is_target[w]) / sigma[w]))
            delta[nodes] += add
        delta[s] = 0.0
        bc += delta
    return bc


def _records(ids: list, a: np.ndarray, b: np.ndarray, describe, province, critical: dict, limit: int = 0,
             k: int | None = None) -> list[dict]:
    """Score the link graph and merge the critical sectors (shared by both engines).

    ``ids``: node ids, sorted; ``a``, ``b``: the links as positions into ``ids``, in either direction,
    repeats and self-links allowed; ``describe``: id → (name, type, province), for the records;
    ``province``: id → its province, for every id with a link; ``critical``: id → set of sector ids; ``k``: the number of sampled sources (0: all;
    None: ``default_k``). Nodes are numbered by sorted id, so both engines add in the same order.
    """
    n = len(ids)
    keep = a != b
    a, b = a[keep].astype(np.int64), b[keep].astype(np.int64)
    key = np.minimum(a, b) * n + np.maximum(a, b)
    key.sort()
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key  # each link once, in one order
    a, b = key // max(n, 1), key % max(n, 1)
    src, dst = np.r_[a, b], np.r_[b, a]
    order = np.argsort(src * max(n, 1) + dst)
    src, dst = src[order], dst[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    linked = np.flatnonzero(indptr[1:] > indptr[:-1]).tolist()
    side = np.full(n, -1, dtype=np.int64)
    code = {schema.BEIJING: 0, **{p: 1 for p in schema.SCALEUP_PROVINCES}}
    side[linked] = [code.get(province(ids[i]), -1) for i in linked]
    sources = np.flatnonzero(side == 0).tolist()
    if k is None:
        k = default_k(len(key))
    scale = 1.0
    if k and len(sources) > k:
        scale = len(sources) / k
        sources = sorted(random.Random(SEED).sample(sources, k))
    between = _subset_betweenness(indptr, dst, sources, (side == 1).astype(float)) * scale
    cross = np.bincount(src[(side[src] >= 0) & (side[dst] >= 0) & (side[src] != side[dst])], minlength=n)
    # the records: every organization with a betweenness above 0 (rounded) or a critical sector; an
    # organization on a complete path has a TRANSFERS_TO or SCALES_UP_AT link, so it is among the ids
    chosen = np.flatnonzero(between > 0)
    rounded = dict(zip(chosen.tolist(), (round(x, 4) for x in between[chosen].tolist())))
    crit_at = {bisect.bisect_left(ids, x): x for x in critical}
    pos = sorted({i for i, v in rounded.items() if v > 0} | set(crit_at))
    score = np.array([rounded.get(i, 0.0) for i in pos])
    n_crit = np.array([len(critical[crit_at[i]]) if i in crit_at else 0 for i in pos], dtype=np.int64)
    pos = np.array(pos, dtype=np.int64)
    order = np.lexsort((pos, -n_crit, -score))  # ids are sorted: position order is id order
    out = []
    for i, b in zip(pos[order].tolist(), score[order].tolist()):
        x = ids[i]
        name, typ, prov = describe(x)
        out.append({"org_id": x, "org_name": name, "type": typ, "province": prov, "betweenness": b,
                    "cross_links": int(cross[i]), "critical_sectors": sorted(critical[x]) if x in critical else []})
    return out[:limit] if limit else out


def _prepare(G, params):
    limit = params["limit"]
    if limit is None or limit < 0:
        raise QueryError(f"parameter 'limit': expected 0 (all) or more, got {limit!r}")
    k = params["k"]
    if k is not None and k < 0:
        raise QueryError(f"parameter 'k': expected 0 (every source) or more, got {k!r}")
    return {"limit": limit, "k": k}


def _from_cypher(rows, params):
    """The links, the organizations' names, types and provinces, and the critical sectors of the Cypher rows."""
    info, critical, src, dst = {}, {}, [], []
    for r in rows:
        about = r["about"]
        if about is None:
            src.append(r["id"])
            dst.append(r["linked"])
        elif isinstance(about, list):
            info[r["id"]] = tuple(about)
        else:
            critical.setdefault(r["id"], set()).add(about)
    ids = sorted(set(src).union(dst, critical))
    position = {x: i for i, x in enumerate(ids)}
    a = np.fromiter(map(position.__getitem__, src), dtype=np.int64, count=len(src))
    b = np.fromiter(map(position.__getitem__, dst), dtype=np.int64, count=len(dst))
    return _records(ids, a, b, info.__getitem__, lambda x: info[x][2], critical, params["limit"], params["k"])


@named_query("brokers", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("limit", int, 0, "keep the first N organizations (0: all)"),
                     Param("k", int, None, "estimate betweenness from N sampled Beijing sources (default: 100, fewer "
                                           "past 100k links; 0: all, exact)")))
def brokers(G, *, limit=0, k=None):
    """Brokers of the Beijing ↔ Tianjin/Hebei links (subset betweenness) and the organizations each sector's paths all need.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    limit : int, default 0
        Keep the first ``limit`` organizations; 0 keeps all.
    k : int, optional
        Estimate betweenness from ``k`` sampled Beijing sources when there are more (the module
        docstring says how, and what the default is); 0 computes it exactly from every source.

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
    nodes = G._node
    ids, a, b = G.relation_positions(*LINK_RELATIONS)
    org = np.fromiter(("type" in nodes[x] for x in ids), dtype=bool, count=len(ids))
    if not org.all():  # links join organizations (a graph changed by hand may hold other ends)
        keep = org[a] & org[b]
        a, b = a[keep], b[keep]

    def describe(n):
        d = nodes[n]
        return d.get("name"), d.get("type"), d.get("province")

    by_sector: dict[str, list] = {}
    for t in triples(G):
        for s in G.nodes[t[1]].get("sectors", ()):
            by_sector.setdefault(s, []).append(t)
    critical: dict = {}
    for s, paths in by_sector.items():
        for o in set.intersection(*(set(t) for t in paths)):
            critical.setdefault(o, set()).add(s)
    return _records(ids, a, b, describe, lambda x: nodes[x].get("province"), critical, limit, k)
