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

The Cypher text finds the needs, the offering platforms and the sector and province matches, and
keeps of each need only the rank classes (by ``same_sector``, ``same_province``) that the best
``top`` reach; the distance and the rank are computed from its rows in Python (``_from_cypher``),
with the same function the networkx implementation uses, because the rounding of a computed
distance is not portable between Cypher engines. The networkx implementation cuts the same way,
and within the last class measures only the platforms whose chord can place them in the ``top``. A data folder whose enterprises state no ``needs`` gives no record.
"""

from __future__ import annotations

import heapq
import math
from operator import itemgetter

from graph.errors import QueryError

from .common import resolve_sector
from .helpers import EARTH_RADIUS_KM, distance_km, out_rel, resolve_any_province, resolve_service
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
WITH e, v, p,
     CASE WHEN p IS NULL THEN null
          ELSE size([x IN coalesce(e.sectors, []) WHERE x IN coalesce(p.sectors, [])]) > 0 END AS same_sector,
     CASE WHEN p IS NULL THEN null ELSE coalesce(e.province = p.province, false) END AS same_province
WITH e, v, collect(CASE WHEN p IS NULL THEN null
                        ELSE [p, same_sector, same_province,
                              (CASE WHEN same_sector THEN 0 ELSE 2 END) + (CASE WHEN same_province THEN 0 ELSE 1 END)]
                   END) AS offers
WITH e, v, offers,
     CASE WHEN $top IS NULL OR $top = 0 THEN 3
          ELSE coalesce(head([c IN [0, 1, 2] WHERE size([o IN offers WHERE o[3] <= c]) >= $top]), 3) END AS cut
UNWIND (CASE WHEN size(offers) = 0 THEN [null] ELSE [o IN offers WHERE o[3] <= cut] END) AS o
WITH e, v, o[0] AS p, o[1] AS same_sector, o[2] AS same_province
UNWIND (CASE WHEN $gaps = true AND size(coalesce(e.sectors, [])) > 0 THEN e.sectors ELSE [null] END) AS sector_id
RETURN e.id AS enterprise_id, e.name AS enterprise_name, v.id AS service_id, v.name AS service_name,
       p.id AS platform_id, p.name AS platform_name, sector_id, same_sector, same_province,
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
    pick = itemgetter(*KEYS)
    if gaps:
        rows.sort(key=lambda r: (r["sector_id"] is None, r["sector_id"] or "", r["service_id"], r["enterprise_id"]))
        for r in rows:
            r["rank"] = None
            r["distance_km"] = None
        return [dict(zip(KEYS, pick(r))) for r in rows]

    groups: dict[tuple, list] = {}
    for r in rows:
        key = (r["enterprise_id"], r["service_id"])
        g = groups.get(key)
        if g is None:
            groups[key] = [r]
        else:
            g.append(r)
    out = []
    for key in sorted(groups):
        ranked = []
        for r in groups[key]:
            if r["platform_id"] is not None:
                d = r["distance_km"] = distance_km(r["e_lat"], r["e_lon"], r["p_lat"], r["p_lon"])
                ranked.append(((not r["same_sector"], not r["same_province"], d is None, d or 0.0, r["platform_id"]),
                               r))
        if not ranked:
            r = groups[key][0]
            r["rank"] = r["distance_km"] = None
            out.append(dict(zip(KEYS, pick(r))))
            continue
        ranked.sort(key=itemgetter(0))
        for i, (_, r) in enumerate(ranked[:top] if top else ranked, start=1):
            r["rank"] = i
            out.append(dict(zip(KEYS, pick(r))))
    return out


def _unit(lat, lon):
    """The unit vector of a coordinate, or None."""
    if lat is None or lon is None:
        return None
    p, lam = math.radians(lat), math.radians(lon)
    return (math.cos(p) * math.cos(lam), math.cos(p) * math.sin(lam), math.sin(p))


#: chord margin that keeps every platform whose rounded distance (0.1 km) can tie the last one kept
_TIE_CHORD = 0.1 / EARTH_RADIUS_KM + 1e-9


def _nearest(cls, need: int, e_unit, unit: dict):
    """The platforms of one rank class that can be among its ``need`` best (a superset of them).

    Within a class the order is: known distance, nearest first, then unknown, then id. A chord is
    monotone in the distance, so the ``need`` nearest by chord, and every platform whose chord is
    within one rounding step of the last of them, hold the ``need`` best; ``_ranked`` then
    measures and sorts only those.
    """
    if not e_unit:  # the enterprise has no coordinates: every distance is unknown, ids decide
        return sorted(cls)[:need]
    known = [(math.dist(e_unit, unit[p]), p) for p in cls if unit[p] is not None]
    if len(known) < need:
        return cls
    cut = heapq.nsmallest(need, known)[-1][0] + _TIE_CHORD
    return [p for c, p in known if c <= cut]


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
    nodes = G.nodes
    # the offers of each service, and by (service, sector) and (service, sector, province)
    offers: dict = {}
    by_sector: dict = {}
    by_both: dict = {}
    by_province: dict = {}
    unit: dict = {}
    for v in G.nodes_with_label("Service"):
        ps = [p for p, ks in G._pred[v].items() if "OFFERS" in ks and nodes[p]["label"] == "Platform"]
        offers[v] = ps
        for p in ps:
            pd_ = nodes[p]
            prov = pd_.get("province")
            for s in set(pd_.get("sectors", ())):
                by_sector.setdefault((v, s), set()).add(p)
                if prov is not None:
                    by_both.setdefault((v, s, prov), set()).add(p)
            if prov is not None:
                by_province.setdefault((v, prov), set()).add(p)
            if p not in unit:
                unit[p] = _unit(pd_.get("lat"), pd_.get("lon"))
    out = []
    for e in G.orgs(label="Enterprise"):
        d = nodes[e]
        if sector is not None and sector not in d.get("sectors", ()):
            continue
        if province is not None and d.get("province") != province:
            continue
        e_sectors = set(d.get("sectors", ()))
        e_prov = d.get("province")
        e_unit = None
        for v in out_rel(G, e, "NEEDS"):
            if service is not None and v[1] != service:
                continue
            base = {"enterprise_id": e, "enterprise_name": d.get("name"), "service_id": v[1],
                    "service_name": nodes[v].get("name"), "e_lat": d.get("lat"), "e_lon": d.get("lon")}
            vs = offers.get(v, ())
            if gaps and vs:
                continue
            if not vs:
                for s in (sorted(e_sectors) if gaps and e_sectors else [None]):
                    out.append({**base, "platform_id": None, "platform_name": None, "same_sector": None,
                                "same_province": None, "p_lat": None, "p_lon": None, "sector_id": s})
                continue
            # the rank classes, built only as far as the ranking reaches: (same sector, same province),
            # same sector only, same province only, neither
            both = (set().union(*(by_both.get((v, s, e_prov), ()) for s in e_sectors))
                    if e_prov is not None and e_sectors else set())
            classes = [(both, True, True)]
            if top == 0 or len(both) < top:
                same_sector = set().union(*(by_sector.get((v, s), ()) for s in e_sectors))
                classes.append((same_sector - both, True, False))
                if top == 0 or len(same_sector) < top:
                    same_prov = by_province.get((v, e_prov), set()) if e_prov is not None else set()
                    classes.append((same_prov - same_sector, False, True))
                    classes.append(([p for p in vs if p not in same_sector and p not in same_prov], False, False))
            need = top or len(vs)
            for cls, ss, sp in classes:
                if need <= 0:
                    break
                if top and len(cls) > need:
                    if e_unit is None:
                        e_unit = _unit(d.get("lat"), d.get("lon")) or ()
                    cls = _nearest(cls, need, e_unit, unit)
                for p in cls:
                    pd_ = nodes[p]
                    out.append({**base, "platform_id": p, "platform_name": pd_.get("name"), "same_sector": ss,
                                "same_province": sp, "p_lat": pd_.get("lat"), "p_lon": pd_.get("lon"),
                                "sector_id": None})
                need -= len(cls)
    return _ranked(out, gaps, top)
