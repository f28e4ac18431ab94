"""Small pieces shared by the policy analyses: parameter resolution, names, distances, checked sectors.

Read by ``sector_coverage``, ``supply_list``, ``supply_demand``, ``partner_candidates``, ``brokers``,
``subsidy_estimate``, ``targets_2030`` and ``platform_scorecard``. Kept apart from ``common.py`` so
the two contract analyses do not depend on it.
"""

from __future__ import annotations

import math

from graph import schema
from graph.keys import sector_node, service_node
from graph.errors import QueryError

from .common import resolve_node_id, resolve_province

__all__ = ["resolve_service", "resolve_level", "resolve_any_province", "resolve_org", "distance_km",
           "checked_sectors", "name", "service_name", "out_rel", "in_rel", "NearestPoint", "EARTH_RADIUS_KM",
           "PROVINCE_ORDER"]

#: mean Earth radius (IUGG), for the haversine distance
EARTH_RADIUS_KM = 6371.0088
#: the order provinces are listed in
PROVINCE_ORDER = (schema.BEIJING, schema.TIANJIN, schema.HEBEI)


def resolve_service(G, value: str | None) -> str | None:
    """A service id for an id or a unique name (Chinese or English); None stays None."""
    return resolve_node_id(G, schema.SERVICE, "service", value)


def resolve_level(value: str | None) -> str | None:
    """``'国家级'`` → ``'national'``; checked against the schema's levels."""
    if value is None:
        return None
    low = value.strip().lower()
    for canon, spellings in schema.LEVELS.items():
        if low in spellings:
            return canon
    raise QueryError(f"level: expected one of {', '.join(schema.LEVELS)} (or 国家级, 市级, 区级), got {value!r}")


def resolve_any_province(value: str | None) -> str | None:
    """Any of the three provinces, in any accepted spelling."""
    return resolve_province(value, allowed=PROVINCE_ORDER)


def resolve_org(G, value: str | None, label: str | None = None) -> str | None:
    """An organization id that exists (with ``label`` when given); None stays None."""
    if value is None:
        return None
    if value not in G or "type" not in G.nodes[value]:
        raise QueryError(f"no organization with id {value!r}")
    if label is not None and G.nodes[value]["label"] != label:
        raise QueryError(f"{value!r} is a {G.nodes[value]['label']}, not a {label}")
    return value


def distance_km(lat1, lon1, lat2, lon2) -> float | None:
    """Great-circle (haversine) distance in km, rounded to 0.1 km; None when a coordinate is missing."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a))), 1)


def checked_sectors(G) -> list[str]:
    """The sectors an overview reports: every chain, and every other sector some organization names."""
    named = {s for s, members in G._index["sector"].items() if members}
    return [s for s in G.sector_ids() if G.nodes[sector_node(s)].get("kind") == "chain" or s in named]


def name(G, n) -> str | None:
    """The ``name`` property of a node key (organization id, or a tuple key)."""
    return G.nodes[n].get("name") if n in G else None


def service_name(G, service_id: str) -> str | None:
    """The name of a service id."""
    return name(G, service_node(service_id))


def out_rel(G, n, rel: str) -> list:
    """Targets of ``n``'s outgoing ``rel`` relations (``G.out_relations`` without building edge tuples)."""
    return [v for v, keys in G._succ[n].items() if rel in keys]


def in_rel(G, n, rel: str) -> list:
    """Sources of ``n``'s incoming ``rel`` relations (``G.in_relations`` without building edge tuples)."""
    return [u for u, keys in G._pred[n].items() if rel in keys]


class NearestPoint:
    """The ``distance_km`` to the nearest of a fixed set of ``[lat, lon]`` points, without trying them all.

    ``km(lat, lon)`` is exactly ``min(distance_km(lat, lon, *p) for p in points)`` (None when no
    distance is known). The points are kept as unit vectors; for each cube of side ``cell_km`` a
    query falls in, the points that can be nearest to some spot in the cube are listed once (those
    no farther from the cube than the farthest spot of the cube is from the best point), and a
    query measures only those. A chord is monotone in the great-circle distance, so the shortlist
    holds the nearest point; ``distance_km`` is then taken for every shortlisted point within a
    rounding margin of it.

    Examples
    --------
    >>> pts = [[39.9 + i / 10, 116.4 + i / 7] for i in range(30)] + [[None, 1.0]]
    >>> near = NearestPoint(pts)
    >>> near.km(39.0, 117.0) == min(distance_km(39.0, 117.0, a, b) for a, b in pts[:30])
    True
    >>> near.km(None, 117.0) is None, NearestPoint([]).km(39.0, 117.0) is None
    (True, True)
    """

    #: chord slack for float rounding (about 6 mm on the Earth)
    _EPS = 1e-9
    #: up to this many points, every point is measured
    _BRUTE = 16

    def __init__(self, points, cell_km: float = 20.0):
        self.points = [(p[0], p[1]) for p in points if p is not None and p[0] is not None and p[1] is not None]
        self.cell = cell_km / EARTH_RADIUS_KM
        self._shortlists: dict[tuple, list] = {}
        self._xyz = None
        if len(self.points) > self._BRUTE:
            import numpy as np

            self._np = np
            self._xyz = np.array([self._unit(a, b) for a, b in self.points])

    @staticmethod
    def _unit(lat, lon):
        p, lam = math.radians(lat), math.radians(lon)
        return (math.cos(p) * math.cos(lam), math.cos(p) * math.sin(lam), math.sin(p))

    def _shortlist(self, key) -> list:
        """Indices of the points that can be nearest to some spot of the cube ``key``."""
        np = self._np
        lo = np.array(key, dtype=float) * self.cell
        hi = lo + self.cell
        xyz = self._xyz
        near = np.linalg.norm(xyz - np.clip(xyz, lo, hi), axis=1)  # nearest spot of the cube
        far = np.linalg.norm(np.maximum(np.abs(xyz - lo), np.abs(xyz - hi)), axis=1)  # farthest spot
        return np.nonzero(near <= far.min() + self._EPS)[0]

    def km(self, lat, lon) -> float | None:
        """The rounded distance to the nearest point, or None."""
        return self.km_many([(lat, lon)])[0]

    def km_many(self, queries) -> list:
        """``km`` of each ``(lat, lon)``, in order; queries that share a cube share its shortlist."""
        out: list = [None] * len(queries)
        if not self.points:
            return out
        if self._xyz is None:
            for i, (lat, lon) in enumerate(queries):
                if lat is not None and lon is not None:
                    out[i] = min(distance_km(lat, lon, a, b) for a, b in self.points)
            return out
        np = self._np
        idx = [i for i, (lat, lon) in enumerate(queries) if lat is not None and lon is not None]
        if not idx:
            return out
        q = np.array([self._unit(*queries[i]) for i in idx])
        keys = np.floor(q / self.cell).astype(np.int64)
        cells, inverse = np.unique(keys, axis=0, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        bounds = np.searchsorted(inverse.ravel()[order], np.arange(len(cells) + 1))
        for c in range(len(cells)):
            members = order[bounds[c]:bounds[c + 1]]
            short = self._shortlist(tuple(cells[c].tolist()))
            chord = np.linalg.norm(q[members][:, None, :] - self._xyz[short][None, :, :], axis=2)
            close = chord <= chord.min(axis=1, keepdims=True) + self._EPS
            for row, m in enumerate(members.tolist()):
                lat, lon = queries[idx[m]]
                out[idx[m]] = min(distance_km(lat, lon, *self.points[j]) for j in short[close[row]].tolist())
        return out
