"""What the workspace says about one organization (机构画像) and what search finds.

Both read the graph held in memory and the named analyses of ``queries`` (through the cache of
``live``); nothing here computes a path or a gap of its own.
"""

from __future__ import annotations

from graph import schema
from graph.build import node_id, sector_node

from .live import Snapshot, fold

__all__ = ["search", "organization", "STAGE_ZH", "run_analysis"]

#: at most this many search results (contract §5)
MAX_RESULTS = 20
STAGE_ZH = {"rnd": "研发", "pilot": "中试", "scaleup": "量产放大"}
#: among equally good matches, platforms first (the workspace is about pilot-scale platforms), then R&D, then hosts
_TYPE_ORDER = {"platform": 0, "institute": 1, "university": 1, "enterprise": 2, "site": 3, "park": 3}
#: how precise a position is, as the page says it
_PRECISION_ZH = {"exact": "精确坐标", "district": "区县中心（近似位置）", "city": "城市中心（近似位置）"}
#: organization properties shown, in this order, with their Chinese names
_PROPS = ("id", "name", "name_en", "type", "province", "city", "district", "level", "platform_kind",
          "independent_legal_entity", "credit_code", "aliases", "lat", "lon", "coord_precision", "source")
_PROP_ZH = {"id": "编号", "name": "名称", "name_en": "英文名称", "type": "类型", "province": "省份", "city": "城市",
            "district": "区县", "level": "级别", "platform_kind": "平台类别", "independent_legal_entity": "独立法人",
            "credit_code": "统一社会信用代码", "aliases": "别名", "lat": "纬度", "lon": "经度",
            "coord_precision": "位置精度", "source": "来源"}


def run_analysis(live, snap: Snapshot, name: str, params: dict) -> list[dict]:
    """The records of ``jjjkg query NAME`` with typed ``params``, cached per store version."""
    import queries

    q = queries.get_query(name)
    key = (snap.fingerprint, name, tuple(sorted((k, repr(v)) for k, v in params.items())))
    return live.cached(key, lambda: q.func(snap.G, **params))


def search(snap: Snapshot, text: str, limit: int = MAX_RESULTS) -> list[dict]:
    """Organizations whose id, credit code, name or alias holds ``text``, best first.

    Order: the id or credit code itself, then names that start with the text, then names that hold
    it (shorter names first: the closer match), then the rest by name.
    """
    q = fold(text)
    if not q:
        return []
    hits = []
    for oid, codes, names, name in snap.search_index():
        if q == fold(str(oid)) or q in codes.split("\x00"):
            rank = 0
        elif any(n.startswith(q) for n in names.split("\x00")):
            rank = 1
        elif q in names:
            rank = 2
        elif q in codes:
            rank = 3
        else:
            continue
        hits.append((rank, _TYPE_ORDER.get(snap.G.nodes[oid].get("type"), 9), len(name), name, oid))
    hits.sort()
    G = snap.G
    return [{"id": oid, "name": G.nodes[oid].get("name"), "type": G.nodes[oid].get("type"),
             "province": G.nodes[oid].get("province")} for *_, oid in hits[:limit]]


def _name(G, key) -> str:
    d = G.nodes[key] if key in G else {}
    return d.get("name") or node_id(key)


def _stages(G, oid: str) -> list[str]:
    """Where the organization stands in the chains: 研发, 中试, 量产放大 (by type, province and relations)."""
    d = G.nodes[oid]
    label = d.get("label")
    out = []
    if label in ("University", "Institute", "Enterprise") and (G.out_relations(oid, "TRANSFERS_TO") or
                                                              d.get("province") == schema.BEIJING):
        out.append("rnd")
    if label == "Platform":
        out.append("pilot")
    if G.in_relations(oid, "SCALES_UP_AT") or (d.get("province") in ("天津", "河北") and
                                                label in ("Site", "Park", "Enterprise")):
        out.append("scaleup")
    return out


def organization(live, snap: Snapshot, oid: str) -> dict | None:
    """Everything the organization page and ``GET /api/organizations/ID`` show; None for an unknown id."""
    G = snap.G
    if oid not in G or "type" not in G.nodes[oid]:
        return None
    d = G.nodes[oid]
    out = {k: d[k] for k in _PROPS if k in d}
    out["label"] = d.get("label")
    out["sectors"] = [{"id": s, "name": _name(G, sector_node(s))} for s in d.get("sectors", ())]
    out["services"] = [{"id": s, "name": _name(G, ("Service", s))} for s in d.get("services", ())]
    out["needs"] = [{"id": s, "name": _name(G, ("Service", s))} for s in d.get("needs", ())]
    rels = []
    for _, other, rel, attrs in G.out_edges(oid, keys=True, data=True):
        if rel in schema.INPUT_RELATIONS:
            rels.append(_relation("out", rel, other, attrs, G))
    for other, _, rel, attrs in G.in_edges(oid, keys=True, data=True):
        if rel in schema.INPUT_RELATIONS:
            rels.append(_relation("in", rel, other, attrs, G))
    rels.sort(key=lambda r: (r["type"], r["direction"], r["name"] or "", r["id"]))
    out["relations"] = rels
    out["paths"] = [p for p in run_analysis(live, snap, "rd-scaleup-paths", {})
                    if oid in (p["rnd_id"], p["platform_id"], p["site_id"])]
    out["gaps"] = [g for g in run_analysis(live, snap, "alliance-gaps", {}) if g["entity_id"] == oid]
    out["stages"] = _stages(G, oid)
    if d.get("label") == "Platform":
        out["partner_candidates"] = run_analysis(live, snap, "partner-candidates", {"platform": oid, "limit": 10})
        out["supply_demand"] = [m for m in run_analysis(live, snap, "supply-demand", {}) if m["platform_id"] == oid]
    elif d.get("label") == "Enterprise":
        out["supply_demand"] = [m for m in run_analysis(live, snap, "supply-demand", {}) if m["enterprise_id"] == oid]
    return out


def _relation(direction: str, rel: str, other, attrs: dict, G) -> dict:
    return {"direction": direction, "type": rel, "type_zh": schema.RELATIONS[rel].zh, "id": node_id(other),
            "name": _name(G, other),
            "year": attrs.get("year"), "source": attrs.get("source")}


def property_rows(org: dict) -> list[tuple[str, str]]:
    """(Chinese name, value as text) for the page's property table."""
    rows = []
    for k in _PROPS:
        if k in org and org[k] not in (None, "", []):
            v = org[k]
            if isinstance(v, list):
                v = "；".join(map(str, v))
            elif isinstance(v, bool):
                v = "是" if v else "否"
            elif k == "type":
                v = schema.ORG_TYPES[v].zh if v in schema.ORG_TYPES else v
            elif k == "level":
                v = schema.LEVEL_ZH.get(v, v)
            elif k == "platform_kind":
                v = schema.PLATFORM_KIND_ZH.get(v, v)
            elif k == "coord_precision":
                v = _PRECISION_ZH.get(v, v)
            rows.append((_PROP_ZH[k], str(v)))
    return rows
