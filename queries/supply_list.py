"""The 中试平台供给清单 of measure 9: every platform with what it is, who runs it, what it offers, where.

One record per Platform: its kind and level, its operators (the organizations with ``OPERATES`` to
it), its sectors and services (ids with names beside them, in the same order), whether it is open
to outside users, and its location. ``open_to_public`` comes from the optional ``open_to_public``
column (对外开放) of ``organizations.csv``; where a data folder does not give it, the value is
``None`` (unknown), never guessed.
"""

from __future__ import annotations

from .common import resolve_sector
from .helpers import PROVINCE_ORDER, resolve_any_province, resolve_level, resolve_service
from .registry import Param, named_query

__all__ = ["supply_list", "CYPHER", "KEYS", "LEVEL_ORDER"]

CYPHER = """\
MATCH (p:Platform)
WHERE ($province IS NULL OR p.province = $province)
  AND ($level IS NULL OR coalesce(p.level, 'none') = $level)
  AND ($sector IS NULL OR $sector IN coalesce(p.sectors, []))
  AND ($service IS NULL OR $service IN coalesce(p.services, []))
OPTIONAL MATCH (op:Organization)-[:OPERATES]->(p)
WITH p, collect(CASE WHEN op IS NULL THEN null ELSE [op.id, op.name] END) AS operators
OPTIONAL MATCH (p)-[:IN_SECTOR]->(s:Sector)
WITH p, operators, collect(CASE WHEN s IS NULL THEN null ELSE [s.id, s.name] END) AS sectors
OPTIONAL MATCH (p)-[:OFFERS]->(v:Service)
WITH p, operators, sectors, collect(CASE WHEN v IS NULL THEN null ELSE [v.id, v.name] END) AS services
RETURN p.id AS platform_id, p.name AS platform_name, p.province AS province, p.city AS city,
       p.district AS district, p.platform_kind AS kind, p.level AS level, operators, sectors, services,
       p.open_to_public AS open_to_public, p.lat AS lat, p.lon AS lon
"""

KEYS = ("platform_id", "platform_name", "province", "city", "district", "kind", "level", "operator_ids",
        "operator_names", "sectors", "sector_names", "services", "service_names", "open_to_public", "lat", "lon")

#: the order platforms are listed in within a province
LEVEL_ORDER = ("national", "municipal", "district", "none")


def _sort_key(r):
    prov = PROVINCE_ORDER.index(r["province"]) if r["province"] in PROVINCE_ORDER else len(PROVINCE_ORDER)
    return (prov, LEVEL_ORDER.index(r["level"] or "none"), r["platform_id"])


def _prepare(G, params):
    return {"sector": resolve_sector(G, params["sector"]), "service": resolve_service(G, params["service"]),
            "province": resolve_any_province(params["province"]), "level": resolve_level(params["level"])}


def _split(pairs):
    """``[[id, name], …]`` → (ids, names), sorted by id."""
    pairs = sorted((tuple(x) for x in pairs or ()), key=lambda x: x[0])
    return [i for i, _ in pairs], [n for _, n in pairs]


def _record(fields: dict, operators, sectors, services) -> dict:
    rec = dict(fields)
    rec["operator_ids"], rec["operator_names"] = _split(operators)
    rec["sectors"], rec["sector_names"] = _split(sectors)
    rec["services"], rec["service_names"] = _split(services)
    return {k: rec.get(k) for k in KEYS}


def _from_cypher(rows, params):
    out = [_record({k: r[k] for k in KEYS if k in r}, r["operators"], r["sectors"], r["services"]) for r in rows]
    return sorted(out, key=_sort_key)


@named_query("supply-list", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("sector", str, None, "platforms in this sector (id or name)"),
                     Param("service", str, None, "platforms offering this service (id or name)"),
                     Param("province", str, None, "platforms in this province: 北京, 天津 or 河北"),
                     Param("level", str, None, "platforms of this level: national, municipal, district, none")))
def supply_list(G, *, sector=None, service=None, province=None, level=None):
    """The platform supply list (中试平台供给清单): kind, level, operators, sectors, services, openness, location.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    sector : str, optional
        Platforms in this sector (an id, or a name that matches one sector).
    service : str, optional
        Platforms offering this service (an id, or a name that matches one service).
    province : str, optional
        Platforms in this province: 北京, 天津 or 河北.
    level : str, optional
        Platforms of this level: ``national``, ``municipal``, ``district`` or ``none`` (also 国家级,
        市级, 区级, 无); ``none`` includes platforms whose level is not given.

    Returns
    -------
    list of dict
        Keys ``platform_id, platform_name, province, city, district, kind, level, operator_ids,
        operator_names, sectors, sector_names, services, service_names, open_to_public, lat, lon``
        (missing values ``None``; ``open_to_public`` is ``None`` when the data does not say), sorted by
        province (北京, 天津, 河北), level (national first) and id.

    Examples
    --------
    >>> rows = supply_list(tiny_graph(), service="产品性能测试")
    >>> [(r["platform_id"], r["level"], r["operator_names"], r["service_names"]) for r in rows]
    [('bj-pf-1', 'national', ['样例氢能科技'], ['工艺放大熟化', '产品性能测试'])]
    """
    out = []
    for p in G.orgs(label="Platform"):
        d = G.nodes[p]
        if province is not None and d.get("province") != province:
            continue
        if level is not None and d.get("level", "none") != level:
            continue
        if sector is not None and sector not in d.get("sectors", ()):
            continue
        if service is not None and service not in d.get("services", ()):
            continue
        operators = [(o, G.nodes[o].get("name")) for o in set(G.in_relations(p, "OPERATES"))
                     if "type" in G.nodes[o]]
        sectors = [(s[1], G.nodes[s].get("name")) for s in set(G.out_relations(p, "IN_SECTOR"))]
        services = [(v[1], G.nodes[v].get("name")) for v in set(G.out_relations(p, "OFFERS"))]
        fields = {"platform_id": p, "platform_name": d.get("name"), "province": d.get("province"),
                  "city": d.get("city"), "district": d.get("district"), "kind": d.get("platform_kind"),
                  "level": d.get("level"), "open_to_public": d.get("open_to_public"), "lat": d.get("lat"),
                  "lon": d.get("lon")}
        out.append(_record(fields, operators, sectors, services))
    return sorted(out, key=_sort_key)
