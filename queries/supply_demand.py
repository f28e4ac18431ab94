"""Measure 9's matching (供需对接): each enterprise need, the platforms that offer it, best first.

A need is ``(e)-[:NEEDS]->(service)`` from the ``needs`` column of ``organizations.csv``; an offer is
``(p)-[:OFFERS]->(service)`` from a platform's ``services``. For each need, every Platform offering
the service is listed and ranked:

1. ``same_sector`` — the platform shares at least one sector with the enterprise (first);
2. ``same_province`` — the platform is in the enterprise's province (first);
3. ``distance_km`` — great-circle distance between their coordinates, nearest first; unknown
   (either side without ``lat``/``lon``) after every known distance;
4. the platform id;

and the best ``top`` (default 5; 0: all) are kept.

A need that no platform offers gives one record with ``rank``, ``platform_id`` and the match columns
``None``. With ``gaps=true`` only those unmet needs are listed, as the gap list by sector and
service: one record per sector of the enterprise (``sector_id``; ``None`` for an enterprise with no
sector), service and enterprise.

The Cypher text finds the needs, the offering platforms and the sector and province matches; the
distance and the rank are computed from its rows in Python (``_from_cypher``), with the same
function the networkx implementation uses, because the rounding of a computed distance is not
portable between Cypher engines. A data folder whose enterprises state no ``needs`` gives no record.
"""

from __future__ import annotations

from graph.errors import QueryError

from .common import resolve_sector
from .helpers import distance_km, resolve_any_province, resolve_service
from .registry import Param, named_query

__all__ = ["supply_demand", "CYPHER", "KEYS"]

CYPHER = """\
MATCH (e:Enterprise)-[:NEEDS]->(v:Service)
WHERE ($sector IS NULL OR $sector IN coalesce(e.sectors, []))
  AND ($service IS NULL OR v.id = $service)
  AND ($province IS NULL OR e.province = $province)
OPTIONAL MATCH (p:Platform)-[:OFFERS]->(v)
WITH e, v, p
WHERE $gaps IS NULL OR $gaps = false OR p IS NULL
UNWIND (CASE WHEN $gaps = true AND size(coalesce(e.sectors, [])) > 0 THEN e.sectors ELSE [null] END) AS sector_id
RETURN e.id AS enterprise_id, e.name AS enterprise_name, v.id AS service_id, v.name AS service_name,
       p.id AS platform_id, p.name AS platform_name, sector_id,
       CASE WHEN p IS NULL THEN null
            ELSE size([x IN coalesce(e.sectors, []) WHERE x IN coalesce(p.sectors, [])]) > 0 END AS same_sector,
       CASE WHEN p IS NULL THEN null ELSE coalesce(e.province = p.province, false) END AS same_province,
       e.lat AS e_lat, e.lon AS e_lon, p.lat AS p_lat, p.lon AS p_lon
"""

KEYS = ("enterprise_id", "enterprise_name", "service_id", "service_name", "rank", "platform_id", "platform_name",
        "same_sector", "same_province", "distance_km", "sector_id")


def _prepare(G, params):
    top = params["top"]
    if top is None or top < 0:
        raise QueryError(f"parameter 'top': expected 0 (all) or more, got {top!r}")
    return {"sector": resolve_sector(G, params["sector"]), "service": resolve_service(G, params["service"]),
            "province": resolve_any_province(params["province"]), "gaps": bool(params["gaps"]), "top": top}


def _ranked(rows: list[dict], gaps: bool, top: int = 0) -> list[dict]:
    """Rank the candidate rows of each need; sort; keep the record keys (shared by both engines)."""
    for r in rows:
        r["distance_km"] = (distance_km(r.pop("e_lat"), r.pop("e_lon"), r.pop("p_lat"), r.pop("p_lon"))
                            if r["platform_id"] is not None else None)
        for k in ("e_lat", "e_lon", "p_lat", "p_lon"):
            r.pop(k, None)
    if gaps:
        rows.sort(key=lambda r: (r["sector_id"] is None, r["sector_id"] or "", r["service_id"], r["enterprise_id"]))
        for r in rows:
            r["rank"] = None
        return [{k: r[k] for k in KEYS} for r in rows]

    def best(r):
        d = r["distance_km"]
        return (not r["same_sector"], not r["same_province"], d is None, d or 0.0, r["platform_id"])

    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r["enterprise_id"], r["service_id"]), []).append(r)
    out = []
    for key in sorted(groups):
        offers = [r for r in groups[key] if r["platform_id"] is not None]
        if not offers:
            r = groups[key][0]
            r["rank"] = None
            out.append(r)
            continue
        ranked = sorted(offers, key=best)
        for i, r in enumerate(ranked[:top] if top else ranked, start=1):
            r["rank"] = i
            out.append(r)
    return [{k: r[k] for k in KEYS} for r in out]


def _from_cypher(rows, params):
    return _ranked([dict(r) for r in rows], params["gaps"], params["top"])


@named_query("supply-demand", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("sector", str, None, "needs of enterprises in this sector (id or name)"),
                     Param("service", str, None, "needs of this service (id or name)"),
                     Param("province", str, None, "needs of enterprises in this province: 北京, 天津 or 河北"),
                     Param("gaps", bool, False, "true: only the needs no platform offers, by sector and service"),
                     Param("top", int, 5, "keep the best N platforms per need (0: all)")))
def supply_demand(G, *, sector=None, service=None, province=None, gaps=False, top=5):
    """Match enterprise needs to the platforms offering the service: same sector, same province, nearest first.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    sector : str, optional
        Needs of enterprises in this sector (an id, or a name that matches one sector).
    service : str, optional
        Needs of this service (an id, or a name that matches one service).
    province : str, optional
        Needs of enterprises in this province: 北京, 天津 or 河北.
    gaps : bool, default False
        Only the needs no platform offers, one record per sector of the enterprise, service and
        enterprise (the gap list).
    top : int, default 5
        Keep the best ``top`` platforms of each need; 0 keeps all.

    Returns
    -------
    list of dict
        Keys ``enterprise_id, enterprise_name, service_id, service_name, rank, platform_id,
        platform_name, same_sector, same_province, distance_km, sector_id``. Matches are sorted by
        enterprise, service and rank (``sector_id`` is ``None``); an unmet need has ``rank`` and
        ``platform_id`` ``None``. With ``gaps=True``: sorted by sector (``None`` last), service and
        enterprise.

    Examples
    --------
    >>> [(r["enterprise_id"], r["service_id"], r["rank"], r["platform_id"]) for r in supply_demand(tiny_graph())]
    [('bj-ent-1', 'SV_TEST', 1, 'bj-pf-1'), ('bj-ent-2', 'SV_TEST', 1, 'bj-pf-1')]
    >>> supply_demand(tiny_graph(), gaps=True)
    []
    """
    rows = []
    for e in G.orgs(label="Enterprise"):
        d = G.nodes[e]
        if sector is not None and sector not in d.get("sectors", ()):
            continue
        if province is not None and d.get("province") != province:
            continue
        e_sectors = set(d.get("sectors", ()))
        for v in set(G.out_relations(e, "NEEDS")):
            if service is not None and v[1] != service:
                continue
            base = {"enterprise_id": e, "enterprise_name": d.get("name"), "service_id": v[1],
                    "service_name": G.nodes[v].get("name"), "e_lat": d.get("lat"), "e_lon": d.get("lon")}
            offers = [p for p in set(G.in_relations(v, "OFFERS")) if G.nodes[p]["label"] == "Platform"]
            if gaps and offers:
                continue
            if not offers:
                for s in (sorted(e_sectors) if gaps and e_sectors else [None]):
                    rows.append({**base, "platform_id": None, "platform_name": None, "same_sector": None,
                                 "same_province": None, "p_lat": None, "p_lon": None, "sector_id": s})
                continue
            for p in offers:
                pd_ = G.nodes[p]
                rows.append({**base, "platform_id": p, "platform_name": pd_.get("name"),
                             "same_sector": bool(e_sectors & set(pd_.get("sectors", ()))),
                             "same_province": d.get("province") is not None and d.get("province") == pd_.get("province"),
                             "p_lat": pd_.get("lat"), "p_lon": pd_.get("lon"), "sector_id": None})
    return _ranked(rows, gaps, top)
