"""Scale-up partners to propose in Tianjin and Hebei for a platform or a sector, each with its reasons.

The anchor is one Platform (``platform=ID``); or, for ``sector=ID``, every Platform in 北京 in that
sector; or, with neither, every Platform in 北京 (the Beijing pilot system as a whole, its sectors
pooled). Candidates are the organizations in 天津 or 河北 that may receive ``SCALES_UP_AT`` (Sites,
Parks and Enterprises) and that no anchor scales up at yet. Each candidate's score is the sum of
four documented parts, each printed beside it so a planner can defend the list:

* ``shared_sectors`` — the anchors' sectors (the platform's, the one sector, or all the anchors')
  that the candidate is in;
  weight ``WEIGHTS["sectors"]`` per sector;
* ``adamic_adar`` — shared partners: Σ 1/ln(degree of w) over the organizations w linked both to
  the candidate and to an anchor (``common_partners``), on the undirected graph of
  ``PARTNERS_WITH``, ``SCALES_UP_AT`` and ``TRANSFERS_TO`` (degree = distinct neighbours there);
  weight ``WEIGHTS["adamic_adar"]``;
* ``shared_alliances`` — alliances (``MEMBER_OF``) the candidate shares with an anchor; weight
  ``WEIGHTS["alliance"]`` when there is one;
* ``distance_km`` — to the nearest anchor with coordinates; scores ``WEIGHTS["proximity"]`` ×
  100 / (100 + km): the full weight next door, half at 100 km, nothing when unknown.

``score`` is rounded to 4 decimals; records are sorted by score (highest first), then id, and cut
to ``limit`` (0: all).

The Cypher text bounds the candidates before any row reaches Python. From the anchors' side (so the
work grows with the anchors' partners' links, not with candidates × anchors) it finds each
candidate's common partners and their degrees, and sums the shared-partner part; with ``limit``,
it finds a floor under the ``limit``-th best of those sums (a threshold at least ``limit``
candidates reach, refined in 64 × 64 steps; no list is sorted), and keeps only the candidates that
can still reach it with every other part at its most (all their sectors shared, an alliance, full
proximity). Its rows: the anchors' coordinates, the anchors' sectors, those candidates with their
common partners, and the candidates without common partners that their sectors alone could lift
that far. Each kept candidate's shared alliances are looked up last, for the few kept. Intermediate
lists are never carried beside many rows (FalkorDB copies a carried list into every row). The rows
are joined, and the logarithms, the distance and the sum taken, in Python (``_from_cypher``), with
the function the networkx implementation uses, so both round alike. The distance to the nearest
anchor is found through a grid (``helpers.NearestPoint``), and only for the candidates that can
still reach the first ``limit``.
"""

from __future__ import annotations

import heapq
import math

from graph import schema
from graph.errors import QueryError

from .common import resolve_sector
from .helpers import NearestPoint, in_rel, out_rel, resolve_org
from .registry import Param, named_query

__all__ = ["partner_candidates", "CYPHER", "KEYS", "WEIGHTS", "LINK_RELATIONS"]

#: the weights of the score's parts
WEIGHTS = {"sectors": 1.0, "adamic_adar": 1.0, "alliance": 0.5, "proximity": 0.5}
#: km at which proximity scores half its weight
HALF_DISTANCE_KM = 100.0
#: the relations whose shared partners count (read as undirected)
LINK_RELATIONS = ("PARTNERS_WITH", "SCALES_UP_AT", "TRANSFERS_TO")
#: who can be a scale-up partner: the targets the schema allows for SCALES_UP_AT
CANDIDATE_LABELS = schema.RELATIONS["SCALES_UP_AT"].targets
_LINKS = frozenset(LINK_RELATIONS)


def _anchor(v: str) -> str:
    """The Cypher condition that the Platform ``v`` is an anchor (the three cases of the module docstring)."""
    return (f"(($platform IS NOT NULL AND {v}.id = $platform) OR ($platform IS NULL AND {v}.province = '北京' "
            f"AND ($sector IS NULL OR $sector IN coalesce({v}.sectors, []))))")


def _anchor_sectors(keep: str = "") -> str:
    """Cypher: the anchors' sectors as ``anchor_sectors`` (one row, ``keep`` carried along)."""
    return f"""MATCH (a:Platform)
WHERE {_anchor("a")}
UNWIND coalesce(a.sectors, []) + [null] AS s
WITH {keep}CASE WHEN $sector IS NOT NULL THEN [$sector] ELSE collect(DISTINCT s) END AS anchor_sectors
"""


#: Cypher: the candidates with common partners (``found``: [candidate, partner ids, their degrees,
#: shared-partner sum], none that an anchor scales up at already) and ``floor``, a value at least
#: ``limit`` of the sums reach (null when all are kept); one row. A candidate is marked as scaled up
#: at when it is itself a partner reached by an anchor's outgoing SCALES_UP_AT (marker 1).
_FOUND = f"""MATCH (a:Platform)-[r:PARTNERS_WITH|SCALES_UP_AT|TRANSFERS_TO]-(w:Organization)
WHERE {_anchor("a")}
WITH w, max(CASE WHEN type(r) = 'SCALES_UP_AT' AND startNode(r) = a THEN 1 ELSE 0 END) AS scaled
MATCH (w)-[:PARTNERS_WITH|SCALES_UP_AT|TRANSFERS_TO]-(y:Organization)
WITH w, scaled, collect(DISTINCT y) AS ys
UNWIND [y IN ys | [y, 0]] + (CASE WHEN scaled = 1 THEN [[w, 1]] ELSE [] END) AS pair
WITH w, size(ys) AS degree, pair[0] AS c, pair[1] AS marker
WHERE (c:Site OR c:Park OR c:Enterprise) AND c.province IN ['天津', '河北']
WITH c, max(marker) AS scaled, collect(CASE WHEN marker = 0 THEN w.id END) AS partners,
     collect(CASE WHEN marker = 0 THEN degree END) AS degrees,
     sum(CASE WHEN marker = 0 THEN 1.0 / log(degree) ELSE 0.0 END) AS aa
WHERE scaled = 0
WITH collect([c, partners, degrees, aa]) AS found, collect(aa) AS aas, max(aa) AS most
WITH found, aas, [i IN range(0, 63) | most * i / 64.0] AS steps
WITH found, aas, last([t IN steps WHERE size([x IN aas WHERE x >= t]) >= $limit]) AS coarse, steps[1] AS step
WITH found, CASE WHEN $limit = 0 OR size(found) < $limit THEN null
                 ELSE last([t IN [i IN range(0, 63) | coarse + step * i / 64.0]
                            WHERE size([x IN aas WHERE x >= t]) >= $limit]) END AS floor
"""

#: Cypher: the shared alliances of the candidate ``c`` (``al``, one row each)
_ALLIANCES = f"""OPTIONAL MATCH (c)-[:MEMBER_OF]->(al:Organization)<-[:MEMBER_OF]-(x:Platform)
WHERE {_anchor("x")}
"""

CYPHER = f"""\
MATCH (a:Platform)
WHERE {_anchor("a")} AND a.lat IS NOT NULL
RETURN 'anchor' AS kind, null AS id, null AS name, null AS type, null AS province, null AS sectors,
       a.lat AS lat, a.lon AS lon, null AS partners, null AS degrees, null AS shared_alliances
UNION ALL
{_anchor_sectors()}RETURN 'sectors' AS kind, null AS id, null AS name, null AS type, null AS province, anchor_sectors AS sectors,
       null AS lat, null AS lon, null AS partners, null AS degrees, null AS shared_alliances
UNION ALL
{_FOUND}UNWIND found AS f
WITH f[0] AS c, f[1] AS partners, f[2] AS degrees, f[3] AS aa, floor
WHERE floor IS NULL OR size(coalesce(c.sectors, [])) + aa + 1.0 >= floor - 0.001
{_ALLIANCES}WITH c, partners, degrees, collect(DISTINCT al.id) AS alliances
RETURN 'common' AS kind, c.id AS id, c.name AS name, c.type AS type, c.province AS province,
       coalesce(c.sectors, []) AS sectors, c.lat AS lat, c.lon AS lon, partners, degrees,
       alliances AS shared_alliances
UNION ALL
{_FOUND}WITH floor
{_anchor_sectors("floor, ")}MATCH (c:Organization)
WHERE (c:Site OR c:Park OR c:Enterprise) AND c.province IN ['天津', '河北']
  AND (floor IS NULL OR size([s IN coalesce(c.sectors, []) WHERE s IN anchor_sectors]) + 1.0 >= floor - 0.001)
WITH c
OPTIONAL MATCH (c)<-[:SCALES_UP_AT]-(x:Platform)
WHERE {_anchor("x")}
WITH c, count(x) AS scaled
WHERE scaled = 0
{_ALLIANCES}WITH c, collect(DISTINCT al.id) AS alliances
RETURN 'candidate' AS kind, c.id AS id, c.name AS name, c.type AS type, c.province AS province,
       coalesce(c.sectors, []) AS sectors, c.lat AS lat, c.lon AS lon, null AS partners, null AS degrees,
       alliances AS shared_alliances
"""

KEYS = ("rank", "candidate_id", "candidate_name", "type", "province", "score", "shared_sectors", "adamic_adar",
        "common_partners", "shared_alliances", "distance_km")


def _prepare(G, params):
    platform, sector = params["platform"], params["sector"]
    if platform is not None and sector is not None:
        raise QueryError("partner-candidates takes platform=ID or sector=ID, not both")
    limit = params["limit"]
    if limit is None or limit < 0:
        raise QueryError(f"parameter 'limit': expected 0 (all) or more, got {limit!r}")
    return {"platform": resolve_org(G, platform, "Platform"), "sector": resolve_sector(G, sector), "limit": limit}


def _scored(rows: list[dict], limit: int, anchor_points: list) -> list[dict]:
    """Score, sort and cut candidate rows (shared by both engines).

    Each row: candidate fields, ``shared_sectors``, ``commons`` ([[id, degree], …]),
    ``shared_alliances``, ``lat``, ``lon``; ``anchor_points``: the anchors' ``[lat, lon]``.
    The distance is measured only for the rows that can still reach the first ``limit``: the
    proximity part is at most ``WEIGHTS["proximity"]``, so a row whose other parts fall short of
    the ``limit``-th best score by more than that cannot.
    """
    parts = []
    for r in rows:
        commons = sorted(tuple(x) for x in r["commons"] if x is not None) if r["commons"] else []
        aa = sum((1.0 / math.log(deg) for _, deg in commons), 0.0)
        shared = sorted(r["shared_sectors"])
        alliances = sorted(r["shared_alliances"])
        base = (WEIGHTS["sectors"] * len(shared) + WEIGHTS["adamic_adar"] * aa
                + WEIGHTS["alliance"] * (1.0 if alliances else 0.0))
        parts.append((base, r, commons, aa, shared, alliances))
    if limit and len(parts) > limit:
        parts.sort(key=lambda x: (-x[0], x[1]["candidate_id"]))
        near = NearestPoint(anchor_points)
        head = parts[:limit]
        dists = near.km_many([(x[1]["lat"], x[1]["lon"]) for x in head])
        threshold = min(_total(x[0], d) for x, d in zip(head, dists))
        # rounding to 4 decimals moves a score by at most 5e-5: keep a margin of 1e-4
        parts = [x for x in parts if x[0] + WEIGHTS["proximity"] >= threshold - 1e-4]
    dists = NearestPoint(anchor_points).km_many([(x[1]["lat"], x[1]["lon"]) for x in parts])
    out = []
    for (base, r, commons, aa, shared, alliances), dist in zip(parts, dists):
        out.append({"candidate_id": r["candidate_id"], "candidate_name": r["candidate_name"], "type": r["type"],
                    "province": r["province"], "score": round(_total(base, dist), 4), "shared_sectors": shared,
                    "adamic_adar": round(aa, 4), "common_partners": [w for w, _ in commons],
                    "shared_alliances": alliances, "distance_km": dist})
    out.sort(key=lambda r: (-r["score"], r["candidate_id"]))
    if limit:
        out = out[:limit]
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return [{k: r[k] for k in KEYS} for r in out]


def _reachable(candidates, limit: int, nodes, anchor_sectors, commons, alliances) -> list:
    """The candidates that can still reach the first ``limit`` (the bound of ``_scored``, before any row is made).

    The ``limit``-th best score is at least the ``limit``-th best score without proximity (``L``),
    and proximity adds at most ``WEIGHTS["proximity"]``; a candidate below ``L`` by more than that
    (and a margin for rounding) is left out.
    """
    base = {}
    for c in candidates:
        b = WEIGHTS["sectors"] * sum(1 for s in nodes[c].get("sectors", ()) if s in anchor_sectors)
        got = commons.get(c)
        if got:
            b += WEIGHTS["adamic_adar"] * sum(1.0 / math.log(deg) for _, deg in got)
        if c in alliances:
            b += WEIGHTS["alliance"]
        base[c] = b
    floor = heapq.nlargest(limit, base.values())[-1] - WEIGHTS["proximity"] - 1e-4
    return [c for c, b in base.items() if b >= floor]


def _total(base: float, dist: float | None) -> float:
    """The score: the sector, shared-partner and alliance parts (``base``), plus proximity."""
    return base + (WEIGHTS["proximity"] * HALF_DISTANCE_KM / (HALF_DISTANCE_KM + dist) if dist is not None else 0.0)


def _from_cypher(rows, params):
    """Join the anchor points, the anchors' sectors and the candidates (each once; with common partners first)."""
    points = [[r["lat"], r["lon"]] for r in rows if r["kind"] == "anchor"]
    anchor_sectors = {s for r in rows if r["kind"] == "sectors" for s in r["sectors"]}
    candidates: dict = {}
    for r in sorted((r for r in rows if r["kind"] in ("common", "candidate")), key=lambda r: r["kind"] != "common"):
        if r["id"] not in candidates:
            commons = list(zip(r["partners"], r["degrees"])) if r["kind"] == "common" else []
            candidates[r["id"]] = {"candidate_id": r["id"], "candidate_name": r["name"], "type": r["type"],
                                   "province": r["province"],
                                   "shared_sectors": [s for s in r["sectors"] if s in anchor_sectors],
                                   "commons": commons, "shared_alliances": r["shared_alliances"],
                                   "lat": r["lat"], "lon": r["lon"]}
    return _scored(list(candidates.values()), params["limit"], points)


@named_query("partner-candidates", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("platform", str, None, "the platform id to find partners for"),
                     Param("sector", str, None, "or: a sector (id or name); anchors are its Beijing platforms"),
                     Param("limit", int, 20, "keep the best N (0: all)")))
def partner_candidates(G, *, platform=None, sector=None, limit=20):
    """Tianjin/Hebei organizations to propose as scale-up partners, scored by sectors, shared partners, alliance, distance.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    platform : str, optional
        The platform id to find partners for.
    sector : str, optional
        Instead of a platform: a sector (an id, or a name that matches one sector); the anchors are
        the Platforms in 北京 in it. With neither, the anchors are all Platforms in 北京.
    limit : int, default 20
        Keep the best ``limit`` candidates; 0 keeps all.

    Returns
    -------
    list of dict
        Keys ``rank, candidate_id, candidate_name, type, province, score, shared_sectors,
        adamic_adar, common_partners, shared_alliances, distance_km`` (the module docstring defines
        the score), sorted by score (highest first), then id.

    Raises
    ------
    QueryError
        When both ``platform`` and ``sector`` are given, or the platform is unknown.

    Examples
    --------
    >>> [(r["candidate_id"], r["score"], r["shared_sectors"], r["shared_alliances"])
    ...  for r in partner_candidates(tiny_graph(), sector="S_BIO")]
    [('tj-site-1', 0.5, [], ['alliance-1']), ('hb-park-1', 0.0, [], [])]
    """
    if platform is not None:
        anchors = [platform]
        anchor_sectors = set(G.nodes[platform].get("sectors", ()))
    else:
        anchors = sorted(G.orgs(label="Platform", province=schema.BEIJING, sector=sector))
        anchor_sectors = {sector} if sector is not None else {s for a in anchors for s in G.nodes[a].get("sectors", ())}
    if not anchors:
        return []
    succ, pred = G._succ, G._pred
    link_cache: dict = {}

    def links(n):
        got = link_cache.get(n)
        if got is None:
            got = link_cache[n] = {v for v, ks in succ[n].items() if not _LINKS.isdisjoint(ks)}
            got.update(u for u, ks in pred[n].items() if not _LINKS.isdisjoint(ks))
        return got

    existing = {v for a in anchors for v in out_rel(G, a, "SCALES_UP_AT")}
    anchor_links = set().union(*(links(a) for a in anchors))
    anchor_alliances = {al for a in anchors for al in out_rel(G, a, "MEMBER_OF")}
    anchor_points = [[G.nodes[a]["lat"], G.nodes[a]["lon"]] for a in anchors if G.nodes[a].get("lat") is not None]
    candidates = set()
    for prov in schema.SCALEUP_PROVINCES:
        for label in CANDIDATE_LABELS:
            candidates |= G.orgs(label=label, province=prov)
    candidates -= existing
    # common partners and shared alliances, found from the anchors' side (links are undirected)
    commons: dict = {}
    for w in anchor_links:
        degree = None
        for c in links(w):
            if c in candidates:
                if degree is None:
                    degree = len(links(w))
                commons.setdefault(c, []).append([w, degree])
    alliances: dict = {}
    for al in anchor_alliances:
        for c in in_rel(G, al, "MEMBER_OF"):
            if c in candidates:
                alliances.setdefault(c, []).append(al)
    nodes = G._node
    if limit and len(candidates) > limit:
        candidates = _reachable(candidates, limit, nodes, anchor_sectors, commons, alliances)
    rows = []
    for c in candidates:
        d = nodes[c]
        rows.append({"candidate_id": c, "candidate_name": d.get("name"), "type": d.get("type"),
                     "province": d.get("province"),
                     "shared_sectors": [s for s in d.get("sectors", ()) if s in anchor_sectors],
                     "commons": commons.get(c, []), "shared_alliances": alliances.get(c, []),
                     "lat": d.get("lat"), "lon": d.get("lon")})
    return _scored(rows, limit, anchor_points)
