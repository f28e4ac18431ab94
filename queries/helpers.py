"""Small pieces shared by the policy analyses: parameter resolution, names, distances, checked sectors.

Read by ``sector_coverage``, ``supply_list``, ``supply_demand``, ``partner_candidates``, ``brokers``,
``subsidy_estimate``, ``targets_2030`` and ``platform_scorecard``. Kept apart from ``common.py`` so
the two contract analyses do not depend on it.
"""

from __future__ import annotations

import math

from graph import schema
from graph.build import node_id, sector_node, service_node
from graph.errors import QueryError

from .common import resolve_province

__all__ = ["resolve_service", "resolve_level", "resolve_any_province", "resolve_org", "distance_km",
           "checked_sectors", "name", "service_name", "EARTH_RADIUS_KM", "PROVINCE_ORDER"]

#: mean Earth radius (IUGG), for the haversine distance
EARTH_RADIUS_KM = 6371.0088
#: the order provinces are listed in
PROVINCE_ORDER = (schema.BEIJING, schema.TIANJIN, schema.HEBEI)


def resolve_service(G, value: str | None) -> str | None:
    """A service id for an id or a unique name (Chinese or English); None stays None."""
    if value is None:
        return None
    services = G.nodes_with_label(schema.SERVICE)
    ids = {node_id(n) for n in services}
    if value in ids:
        return value
    key = value.strip().lower()
    hits = sorted(node_id(n) for n in services
                  if key in (str(G.nodes[n].get("name", "")).lower(), str(G.nodes[n].get("name_en", "")).lower()))
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise QueryError(f"service name {value!r} matches {len(hits)} services: {', '.join(hits)}; pass the id")
    raise QueryError(f"no service {value!r}; service ids: {', '.join(sorted(ids)[:12])}"
                     + (" …" if len(ids) > 12 else ""))


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
    named = {s for n in G.orgs() for s in G.nodes[n].get("sectors", ())}
    return [s for s in G.sector_ids() if G.nodes[sector_node(s)].get("kind") == "chain" or s in named]


def name(G, n) -> str | None:
    """The ``name`` property of a node key (organization id, or a tuple key)."""
    return G.nodes[n].get("name") if n in G else None


def service_name(G, service_id: str) -> str | None:
    """The name of a service id."""
    return name(G, service_node(service_id))
