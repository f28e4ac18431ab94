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

The Cypher text returns three small tables, each aggregated per node: the enterprises with the
services they need (one row per enterprise, its needs as a list), the platforms with the services
they offer, and the service names — about one row per enterprise instead of one per (need, platform)
pair, 25 million at a million relationships. The matching itself (distance, rank) is done on those
tables in Python by the same matcher the networkx implementation uses (``_matched``), because the
rounding of a computed distance is not portable between Cypher engines. The matcher (``_Matcher``)
first takes the needs whose best class (same sector and same province) holds at least ``top``
platforms: each is scored only against its (service, province, sector) groups, and of a group of
more than ``_GRID_FROM`` × ``top`` platforms only against those a spatial grid of the group finds
near it (``_group_candidates``), so a need costs about the same whatever the size of the graph (at a
million relationships, 1.1 million pairs instead of 25 million). The other needs are scored against
every platform of their service as numpy matrices. Either way only the platforms that can rank in
the ``top`` are kept, and ranked by the key above. A data folder whose enterprises state no
``needs`` gives no record.
"""

from __future__ import annotations

import numpy as np

from graph.errors import QueryError

from .common import resolve_sector
from .helpers import EARTH_RADIUS_KM, distance_km, resolve_any_province, resolve_service
from .registry import Param, named_query

__all__ = ["supply_demand", "CYPHER", "KEYS"]

CYPHER = """\
MATCH (e:Enterprise)-[:NEEDS]->(v:Service)
WHERE ($sector IS NULL OR $sector IN coalesce(e.sectors, []))
  AND ($service IS NULL OR v.id = $service)
  AND ($province IS NULL OR e.province = $province)
WITH e, collect(DISTINCT v.id) AS services
RETURN 'need' AS kind, e.id AS id, e.name AS name, e.province AS province, e.sectors AS sectors, e.lat AS lat,
       e.lon AS lon, services
UNION ALL
MATCH (p:Platform)-[:OFFERS]->(v:Service)
WITH p, collect(DISTINCT v.id) AS services
RETURN 'offer' AS kind, p.id AS id, p.name AS name, p.province AS province, p.sectors AS sectors, p.lat AS lat,
       p.lon AS lon, services
UNION ALL
MATCH (v:Service)
RETURN 'service' AS kind, v.id AS id, v.name AS name, null AS province, null AS sectors, null AS lat, null AS lon,
       null AS services
"""

KEYS = ("enterprise_id", "enterprise_name", "service_id", "service_name", "rank", "platform_id", "platform_name",
        "same_sector", "same_province", "distance_km", "sector_id")


def _prepare(G, params):
    top = params["top"]
    if top is None or top < 0:
        raise QueryError(f"parameter 'top': expected 0 (all) or more, got {top!r}")
    return {"sector": resolve_sector(G, params["sector"]), "service": resolve_service(G, params["service"]),
            "province": resolve_any_province(params["province"]), "gaps": bool(params["gaps"]), "top": top}


def _from_cypher(rows, params):
    """The needs, offers and service names of the Cypher rows, matched as the networkx implementation matches them."""
    orgs, offers, names, needs = {}, {}, {}, []
    for r in rows:
        kind = r["kind"]
        if kind == "service":
            names[r["id"]] = r["name"]
            continue
        orgs[r["id"]] = {"name": r["name"], "province": r["province"], "sectors": r["sectors"] or (),
                         "lat": r["lat"], "lon": r["lon"]}
        if kind == "need":
            needs.extend((r["id"], sid) for sid in r["services"])
        else:
            for sid in r["services"]:
                offers.setdefault(sid, []).append(r["id"])
    return _matched(orgs, names, offers, needs, params["gaps"], params["top"])


def _matched(orgs, service_names, offers: dict, needs: list, gaps: bool, top: int) -> list[dict]:
    """The records of ``needs`` ((enterprise id, service id) pairs) against ``offers`` (service id → platform ids).

    ``orgs``: id → ``name``, ``province``, ``sectors``, ``lat``, ``lon`` of the enterprises and
    platforms; ``service_names``: service id → name. Shared by both engines.
    """
    needs = sorted(needs)
    if gaps:
        return _gap_records(orgs, service_names, [(e, v) for e, v in needs if not offers.get(v)])
    return _Matcher(orgs, service_names, offers, needs, top).records()


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
    nodes = G._node
    offers: dict = {}  # service id → offering platforms
    for p, v in G.relation_pairs("OFFERS"):
        if nodes[p].get("label") == "Platform" and nodes[v].get("label") == "Service":
            offers.setdefault(v[1], []).append(p)
    needs = []  # (enterprise, service id)
    for e, v in G.relation_pairs("NEEDS"):
        d = nodes[e]
        if d.get("label") != "Enterprise" or nodes[v].get("label") != "Service":
            continue
        if service is not None and v[1] != service:
            continue
        if sector is not None and sector not in d.get("sectors", ()):
            continue
        if province is not None and d.get("province") != province:
            continue
        needs.append((e, v[1]))
    names = {v[1]: nodes[v].get("name") for v in G.nodes_with_label("Service")}
    return _matched(nodes, names, offers, needs, gaps, top)


def _gap_records(orgs, service_names, unmet) -> list[dict]:
    out = []
    for e, v in unmet:
        d = orgs[e]
        for s in sorted(set(d.get("sectors") or ())) or [None]:
            out.append({"enterprise_id": e, "enterprise_name": d.get("name"), "service_id": v,
                        "service_name": service_names.get(v), "rank": None, "platform_id": None,
                        "platform_name": None, "same_sector": None, "same_province": None, "distance_km": None,
                        "sector_id": s})
    out.sort(key=lambda r: (r["sector_id"] is None, r["sector_id"] or "", r["service_id"], r["enterprise_id"]))
    return out


#: matrix cells (needs × platforms of one service) scored at once
_BLOCK = 1 << 21
#: chord margin that keeps every platform whose rounded distance (0.1 km) can tie the last one kept,
#: plus the float error of a chord taken from a dot product
_TIE_CHORD = 0.1 / EARTH_RADIUS_KM + 1e-7


class _Matcher:
    """The matching of ``supply-demand`` (both engines), scored in numpy.

    Needs whose same-sector, same-province class holds ``top`` platforms are scored only against
    that class, through a spatial grid where it is large (``_same_sector_and_province``). For the
    others, by service, the needs × offering platforms are scored as a matrix: the rank class
    (same sector, same province) and the chord between their unit vectors. Of each need only the
    platforms whose (class, chord) can place them among the ``top`` are kept (every platform
    within one rounding step of the ``top``-th); their distances are then taken with the haversine
    formula of ``distance_km`` and they are ranked by exactly the key of the module docstring.
    """

    def __init__(self, orgs, service_names, offers: dict, needs: list, top: int):
        self.orgs, self.service_names, self.offers, self.needs, self.top = orgs, service_names, offers, needs, top
        self.platforms = sorted({p for ps in offers.values() for p in ps})
        self.enterprises = sorted({e for e, _ in needs})
        sector_bit = {s: i for i, s in enumerate(sorted({s for p in self.platforms
                                                          for s in orgs[p].get("sectors") or ()}))}
        provinces = {p: i for i, p in enumerate(sorted({orgs[n].get("province") for n in self.platforms} - {None}))}
        self.p_arr = self._arrays(self.platforms, sector_bit, provinces, -1)
        self.e_arr = self._arrays(self.enterprises, sector_bit, provinces, -2)

    def _arrays(self, keys, sector_bit, provinces, no_province):
        nodes = self.orgs
        words = max(1, -(-len(sector_bit) // 64))
        bits, prov, lat, lon = [], [], [], []
        nan = float("nan")
        for n in keys:
            d = nodes[n]
            m = 0
            for s in d.get("sectors") or ():
                b = sector_bit.get(s)
                if b is not None:
                    m |= 1 << b
            bits.append(m)
            prov.append(provinces.get(d.get("province"), no_province))
            known = d.get("lat") is not None and d.get("lon") is not None
            lat.append(d["lat"] if known else nan)
            lon.append(d["lon"] if known else nan)
        full = (1 << 64) - 1
        mask = np.array([[(m >> (64 * w)) & full for w in range(words)] for m in bits], dtype=np.uint64)
        mask = mask.reshape(len(keys), words)
        lat, lon = np.array(lat, dtype=float), np.array(lon, dtype=float)
        phi, lam = np.radians(lat), np.radians(lon)
        unit = np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)
        return {"mask": mask, "prov": np.array(prov, dtype=np.int64), "lat": lat, "lon": lon, "unit": unit}

    def _candidates(self, e_pos, p_pos):
        """(row, column, class) of the matrix cells that can be among each row's ``top``."""
        E, P = self.e_arr, self.p_arr
        same_sector = np.zeros((len(e_pos), len(p_pos)), dtype=bool)
        for w in range(E["mask"].shape[1]):
            same_sector |= (E["mask"][e_pos, w][:, None] & P["mask"][p_pos, w][None, :]) != 0
        same_prov = E["prov"][e_pos][:, None] == P["prov"][p_pos][None, :]
        cls = (~same_sector).astype(np.int8) * 2 + (~same_prov)
        top = self.top
        if not top or len(p_pos) <= top:
            rows, cols = np.nonzero(np.ones_like(same_sector))
            return rows, cols, cls[rows, cols]
        chord = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * (E["unit"][e_pos] @ P["unit"][p_pos].T)))
        # unknown distances after known ones, by id (the columns are in id order)
        unknown = 4.0 + np.arange(len(p_pos)) / len(p_pos)
        key = cls * 10.0 + np.where(np.isnan(chord), unknown[None, :], chord)
        kth = np.partition(key, top - 1, axis=1)[:, top - 1:top]
        rows, cols = np.nonzero(key <= kth + _TIE_CHORD)
        return rows, cols, cls[rows, cols]

    def records(self) -> list[dict]:
        nodes = self.orgs
        e_index = {e: i for i, e in enumerate(self.enterprises)}
        p_index = {p: i for i, p in enumerate(self.platforms)}
        by_service: dict = {}
        for order, (e, v) in enumerate(self.needs):
            by_service.setdefault(v, []).append(order)
        need_e = np.array([e_index[e] for e, _ in self.needs], dtype=np.int64)
        parts = []  # (need order, platform position, class) of each candidate
        unmet = []
        resolved = self._same_sector_and_province(by_service, need_e, p_index, parts) if self.top else set()
        for v, orders in by_service.items():
            ps = self.offers.get(v)
            if not ps:
                unmet.extend(orders)
                continue
            orders = [o for o in orders if o not in resolved]
            if not orders:
                continue
            p_pos = np.array(sorted(p_index[p] for p in ps), dtype=np.int64)
            orders = np.array(orders, dtype=np.int64)
            step = max(1, _BLOCK // len(p_pos))
            for lo in range(0, len(orders), step):
                chunk = orders[lo:lo + step]
                rows, cols, cls = self._candidates(need_e[chunk], p_pos)
                parts.append((chunk[rows], p_pos[cols], cls))
        empty = np.zeros(0, dtype=np.int64)
        need = np.concatenate([empty, *(x[0] for x in parts)])
        plat = np.concatenate([empty, *(x[1] for x in parts)])
        cls = np.concatenate([empty, *(x[2].astype(np.int64) for x in parts)])
        km, unknown = self._distances(need_e[need], plat)
        order = np.lexsort((plat, km, unknown, cls, need))
        need, plat, cls, km, unknown = need[order], plat[order], cls[order], km[order], unknown[order]
        starts = np.flatnonzero(np.r_[True, need[1:] != need[:-1]]) if len(need) else empty
        rank = np.arange(len(need)) - np.repeat(starts, np.diff(np.r_[starts, len(need)])) + 1
        if self.top:
            keep = rank <= self.top
            need, plat, cls, km, unknown, rank = (a[keep] for a in (need, plat, cls, km, unknown, rank))
        if unmet:  # one record each, in its place among the needs (rank 0 sorts it first, alone)
            unmet = np.array(unmet, dtype=np.int64)
            need = np.r_[need, unmet]
            plat, cls, km = np.r_[plat, -np.ones_like(unmet)], np.r_[cls, -np.ones_like(unmet)], np.r_[km, 0 * unmet]
            unknown, rank = np.r_[unknown, np.ones(len(unmet), dtype=bool)], np.r_[rank, 0 * unmet]
            order = np.lexsort((rank, need))
            need, plat, cls, km, unknown, rank = (a[order] for a in (need, plat, cls, km, unknown, rank))
        names = self.service_names
        info = [(e, nodes[e].get("name"), sid, names.get(sid)) for e, sid in self.needs]
        pinfo = [(p, nodes[p].get("name")) for p in self.platforms] + [(None, None)]
        return [{"enterprise_id": i[0], "enterprise_name": i[1], "service_id": i[2], "service_name": i[3],
                 "rank": r or None, "platform_id": pi[0], "platform_name": pi[1],
                 "same_sector": None if c < 0 else c < 2, "same_province": None if c < 0 else c % 2 == 0,
                 "distance_km": None if u else d, "sector_id": None}
                for i, pi, c, d, u, r in zip(map(info.__getitem__, need.tolist()), map(pinfo.__getitem__, plat.tolist()),
                                             cls.tolist(), km.tolist(), unknown.tolist(), rank.tolist())]

    def _same_sector_and_province(self, by_service: dict, need_e, p_index: dict, parts: list) -> set:
        """Rank the needs whose first class (same sector and province) holds at least ``top`` platforms.

        Such a need's ``top`` all come from that class: the union of its (service, province, sector)
        groups. Of each group it takes only the platforms that can rank in the group's own ``top``
        (``_group_candidates``: a spatial grid, so about ``top`` platforms whatever the group's
        size); their union is then cut as a whole and goes to ``parts``. Returns the need orders
        done; the others are scored against every platform of their service.
        """
        n_bits = self.p_arr["mask"].shape[1] * 64
        services = {v: i for i, v in enumerate(sorted(set(self.offers) | set(by_service)))}
        n_prov = int(max(self.p_arr["prov"].max(initial=0), self.e_arr["prov"].max(initial=0))) + 3

        def codes(rows, service, arr):
            """(row, group code) of each sector of each row: (service, province, sector) as one number."""
            bits = np.unpackbits(arr["mask"].view(np.uint8), axis=1, bitorder="little")
            member, bit = np.nonzero(bits[rows])
            return member, (service[member] * n_prov + arr["prov"][rows[member]] + 2) * n_bits + bit

        offered = [(services[v], p_index[p]) for v, ps in self.offers.items() for p in ps]
        offered = np.array(offered, dtype=np.int64).reshape(-1, 2)
        member, code = codes(offered[:, 1], offered[:, 0], self.p_arr)
        group_codes, mg = np.unique(code, return_inverse=True)  # a group: platforms of one service, province, sector
        mp = offered[member, 1]
        need_service = np.zeros(len(need_e), dtype=np.int64)
        for v, orders in by_service.items():
            need_service[orders] = services[v]
        it_need, code = codes(need_e, need_service, self.e_arr)
        it_group = np.minimum(np.searchsorted(group_codes, code), max(0, len(group_codes) - 1))
        found = group_codes[it_group] == code if len(group_codes) else np.zeros(len(code), dtype=bool)
        it_need, it_group = it_need[found], it_group[found]
        if not len(it_need):
            return set()
        pn, pp = _group_candidates(self.e_arr["unit"][need_e[it_need]], it_group, mg.reshape(-1), mp,
                                   self.p_arr["unit"], self.top)
        pn = it_need[pn]
        n_plat = max(1, len(self.platforms))
        code = np.sort(pn * n_plat + pp)
        code = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code  # a platform in two shared sectors once
        pn, pp = code // n_plat, code % n_plat
        count = np.bincount(pn, minlength=len(need_e))
        keep = count[pn] >= self.top
        pn, pp = pn[keep], pp[keep]
        if not len(pn):
            return set()
        E, P = self.e_arr, self.p_arr
        dot = np.einsum("ij,ij->i", E["unit"][need_e[pn]], P["unit"][pp])
        chord = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * dot))
        key = np.where(np.isnan(chord), 4.0 + pp / n_plat, chord)  # unknown after known, by id
        order = np.argsort(pn * 8.0 + key, kind="stable")  # by need, then key (key < 5; the error is far below the margin)
        pn, pp, key = pn[order], pp[order], key[order]
        starts = np.flatnonzero(np.r_[True, pn[1:] != pn[:-1]])
        kth = key[starts + self.top - 1]
        keep = key <= np.repeat(kth, np.diff(np.r_[starts, len(pn)])) + _TIE_CHORD
        parts.append((pn[keep], pp[keep], np.zeros(int(keep.sum()), dtype=np.int64)))
        return set(pn[starts].tolist())

    def _distances(self, e_pos, p_pos):
        """``distance_km`` of each pair as an array (0.0 where unknown), and where it is unknown."""
        E, P = self.e_arr, self.p_arr
        lat1, lon1, lat2, lon2 = E["lat"][e_pos], E["lon"][e_pos], P["lat"][p_pos], P["lon"][p_pos]
        p1, p2 = np.radians(lat1), np.radians(lat2)
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        unknown = np.isnan(km)
        tenths = km * 10
        rounded = np.round(km, 1)
        # a distance within float noise of a rounding boundary is taken by distance_km itself
        close = np.flatnonzero(np.abs(tenths - np.floor(tenths) - 0.5) < 1e-6)
        for i in close.tolist():
            rounded[i] = distance_km(lat1[i], lon1[i], lat2[i], lon2[i])
        rounded[unknown] = 0.0
        return rounded, unknown


#: chord margin of a group's own cut: ``_TIE_CHORD`` plus the difference between a chord taken from the
#: coordinates' difference (the grid) and one from their dot product (the final cut)
_GROUP_MARGIN = _TIE_CHORD + 1e-7
#: the grid's finest and coarsest cell sides, in km; past the coarsest a need takes its whole group
_CELL_KM = (0.25, 4096.0)
#: a group is looked up in the grid when it has more than this many times ``top`` known platforms; a
#: smaller one is scored whole, which costs less than the grid's levels (a need's blocks hold several
#: times ``top`` platforms). Chosen from runs at a million relationships with 1, 4, 8 and 24.
_GRID_FROM = 8


def _ranges(lo, hi):
    """(which range, index) of every index in the ranges ``[lo[i], hi[i])``."""
    counts = np.maximum(hi - lo, 0)
    which = np.repeat(np.arange(len(lo)), counts)
    first = np.cumsum(counts) - counts
    return which, np.arange(int(counts.sum())) - np.repeat(first - lo, counts)


def _group_candidates(q, qg, mg, mp, p_unit, top: int):
    """The platforms of each item's group that can rank in the group's own ``top``, as (item, platform) arrays.

    An item is a need's point ``q[i]`` (unit vector; NaN when its coordinates are unknown) and a group
    ``qg[i]``; a group's members are the platforms ``mp[j]`` with ``mg[j]`` equal to it, their points
    ``p_unit``. In a group, platforms rank by chord (unknown after known, by position); the candidates
    are every platform whose chord is within ``_GROUP_MARGIN`` of the ``top``-th, and the first ``top``
    unknown ones. A need without coordinates sees every platform as unknown: the group's first ``top``.

    The known platforms of a group larger than ``top`` are looked up in a grid of cubes over the unit
    sphere, the cube side doubling from ``_CELL_KM[0]`` (each group starting near the side its
    density calls for): an item looks at the 2×2×2 cubes around its point, which hold every point
    closer than half a side; it is done when its ``top``-th chord plus the margin is within that half
    side. So each item scores about ``top`` platforms, whatever the size of its group.
    """
    n_groups = int(max(mg.max(initial=-1), qg.max(initial=-1))) + 1
    size = np.bincount(mg, minlength=n_groups)
    unknown_p = np.isnan(p_unit[mp, 0])
    by_pos = np.lexsort((mp, mg))  # members by group, then position (id order)
    by_known = np.lexsort((mp, unknown_p, mg))  # known ones first
    start = np.r_[0, np.cumsum(size)[:-1]]
    known = np.bincount(mg[~unknown_p], minlength=n_groups)
    out_i, out_p = [], []

    def take(items, lo, hi, order):
        which, j = _ranges(lo, hi)
        out_i.append(items[which])
        out_p.append(mp[order[j]])

    q_unknown = np.isnan(q[:, 0])
    items = np.flatnonzero(q_unknown)  # every platform unknown to them: the first ``top`` by id
    g = qg[items]
    take(items, start[g], start[g] + np.minimum(size[g], top), by_pos)
    items = np.flatnonzero(~q_unknown)
    g = qg[items]
    lo = start[g] + known[g]  # the first ``top`` unknown platforms
    take(items, lo, lo + np.minimum(size[g] - known[g], top), by_known)
    small = known[g] <= top * _GRID_FROM  # every known platform: fewer pairs than the grid's blocks
    take(items[small], start[g[small]], start[g[small]] + known[g[small]], by_known)
    items = items[~small]
    if len(items):
        pending = _grid_search(q, qg, items, mg, mp, p_unit, unknown_p, known, top, out_i, out_p)
        g = qg[pending]
        take(pending, start[g], start[g] + known[g], by_known)
    return np.concatenate(out_i), np.concatenate(out_p)


def _grid_search(q, qg, items, mg, mp, p_unit, unknown_p, known, top, out_i, out_p):
    """The grid levels of ``_group_candidates``, candidates to ``out_i``/``out_p``; the items no level settled."""
    grid = np.flatnonzero(~unknown_p & (known[mg] > top * _GRID_FROM))
    gg, gp = mg[grid], mp[grid]
    gu = p_unit[gp]
    n_groups = len(known)
    # the side at which a group's disc of half a side holds about ``top`` points, from its spread
    spread = np.zeros((n_groups, 3))
    mean = np.zeros((n_groups, 3))
    for a in range(3):
        mean[:, a] = np.bincount(gg, gu[:, a], n_groups) / np.maximum(known, 1)
        spread[:, a] = np.bincount(gg, (gu[:, a] - mean[gg, a]) ** 2, n_groups) / np.maximum(known, 1)
    area = 2 * np.pi * spread.sum(axis=1)
    side = 2 * np.sqrt(top * area / (np.pi * np.maximum(known, 1)))
    levels = []
    h = _CELL_KM[0] / EARTH_RADIUS_KM
    while h <= _CELL_KM[1] / EARTH_RADIUS_KM:
        levels.append(h)
        h *= 2
    first = np.searchsorted(levels, side / 2)  # a level finer than the estimate, in case of clusters
    pending = items
    for n, h in enumerate(levels):
        active = pending[first[qg[pending]] <= n]
        if not len(active):
            continue
        b = int(1 / h) + 2
        s = 2 * b + 3
        if n_groups * s ** 3 >= 1 << 62:
            continue
        cells = np.floor(gu / h).astype(np.int64) + b + 1
        keys = gg * s ** 3 + (cells[:, 0] * s + cells[:, 1]) * s + cells[:, 2]
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        pos = q[active] / h
        cell = np.floor(pos).astype(np.int64)
        step = np.where(pos - cell >= 0.5, 1, -1)
        cell += b + 1
        los, his = [], []
        for corner in range(8):
            c = cell + step * np.array([(corner >> 2) & 1, (corner >> 1) & 1, corner & 1])
            k = qg[active] * s ** 3 + (c[:, 0] * s + c[:, 1]) * s + c[:, 2]
            los.append(np.searchsorted(keys, k, "left"))
            his.append(np.searchsorted(keys, k, "right"))
        lo, hi = np.concatenate(los), np.concatenate(his)
        which, j = _ranges(lo, hi)
        which %= len(active)
        member = order[j]
        chord = np.sqrt(((q[active[which]] - gu[member]) ** 2).sum(axis=1))
        srt = np.argsort(which * 4.0 + chord, kind="stable")  # by item, then chord (< 2; the error is below the margin)
        which, member, chord = which[srt], member[srt], chord[srt]
        count = np.bincount(which, minlength=len(active))
        begin = np.r_[0, np.cumsum(count)[:-1]]
        enough = count >= top
        kth = np.full(len(active), np.inf)
        kth[enough] = chord[begin[enough] + top - 1]
        done = kth + _GROUP_MARGIN <= h / 2
        keep = done[which] & (chord <= kth[which] + _GROUP_MARGIN)
        out_i.append(active[which[keep]])
        out_p.append(gp[member[keep]])
        settled = np.zeros(len(q), dtype=bool)
        settled[active[done]] = True
        pending = pending[~settled[pending]]
        if not len(pending):
            break
    return pending
