"""Measure 14's evaluation (中试平台效能评估): per platform, four indicators and a weighted composite.

The indicators, counted on the graph for each Platform:

* ``capability`` (中试能力) — services offered (``OFFERS``);
* ``openness`` (对外开放) — organizations with ``TRANSFERS_TO`` to the platform that do not operate
  it (``OPERATES``): whom it serves beyond its own operator;
* ``service`` (服务水平) — organizations with ``TRANSFERS_TO`` to the platform, operators included;
* ``benefit`` (综合效益) — organizations in 天津 or 河北 it scales up at (``SCALES_UP_AT``).

``composite`` = Σ weight × indicator ÷ (the largest value of that indicator among the platforms
reported; an indicator that is 0 everywhere contributes 0), rounded to 4 decimals, so it lies
between 0 and 1. The weights default to 0.25 each; ``weights=capability=0.4,benefit=0.6`` (names
left out weigh 0) or four numbers in that order change them; they are scaled to sum to 1 and
printed in every record (``weights``). Because the scale is the reported set, filtering by
province or sector rescales the composite. ``rank`` is the position by composite (ties by id).
"""

from __future__ import annotations

from graph import schema
from graph.errors import QueryError

from .common import resolve_sector
from .helpers import resolve_any_province
from .registry import Param, named_query

__all__ = ["platform_scorecard", "parse_weights", "CYPHER", "KEYS", "INDICATORS", "DEFAULT_WEIGHTS"]

#: the indicators, in the order four plain numbers are read
INDICATORS = ("capability", "openness", "service", "benefit")
DEFAULT_WEIGHTS = "capability=0.25,openness=0.25,service=0.25,benefit=0.25"

CYPHER = """\
MATCH (p:Platform)
WHERE ($province IS NULL OR p.province = $province) AND ($sector IS NULL OR $sector IN coalesce(p.sectors, []))
OPTIONAL MATCH (p)-[:OFFERS]->(v:Service)
WITH p, count(DISTINCT v) AS capability
OPTIONAL MATCH (op:Organization)-[:OPERATES]->(p)
WITH p, capability, collect(op.id) AS operators
OPTIONAL MATCH (r:Organization)-[:TRANSFERS_TO]->(p)
WITH p, capability, count(DISTINCT r) AS service,
     count(DISTINCT CASE WHEN NOT r.id IN operators THEN r.id END) AS openness
OPTIONAL MATCH (p)-[:SCALES_UP_AT]->(x:Organization)
WHERE x.province IN ['天津', '河北']
WITH p, capability, openness, service, count(DISTINCT x) AS benefit
WITH collect({platform_id: p.id, platform_name: p.name, province: p.province, level: p.level,
              capability: capability, openness: openness, service: service, benefit: benefit}) AS rows,
     max(capability) AS mc, max(openness) AS mo, max(service) AS ms, max(benefit) AS mb
UNWIND rows AS r
RETURN r.platform_id AS platform_id, r.platform_name AS platform_name, r.province AS province, r.level AS level,
       r.capability AS capability, r.openness AS openness, r.service AS service, r.benefit AS benefit,
       $weights[0] * (CASE WHEN mc = 0 THEN 0.0 ELSE toFloat(r.capability) / mc END)
       + $weights[1] * (CASE WHEN mo = 0 THEN 0.0 ELSE toFloat(r.openness) / mo END)
       + $weights[2] * (CASE WHEN ms = 0 THEN 0.0 ELSE toFloat(r.service) / ms END)
       + $weights[3] * (CASE WHEN mb = 0 THEN 0.0 ELSE toFloat(r.benefit) / mb END) AS composite
"""

KEYS = ("rank", "platform_id", "platform_name", "province", "level", "capability", "openness", "service", "benefit",
        "composite", "weights")


def parse_weights(text: str | None) -> list[float]:
    """``'capability=0.4,benefit=0.6'`` or ``'0.4,0,0,0.6'`` → four weights summing to 1.

    Examples
    --------
    >>> parse_weights("capability=1,benefit=3")
    [0.25, 0.0, 0.0, 0.75]
    """
    text = (text or DEFAULT_WEIGHTS).strip()
    parts = [x.strip() for x in text.replace("，", ",").split(",") if x.strip()]
    values = dict.fromkeys(INDICATORS, 0.0)
    try:
        if all("=" in x for x in parts):
            for x in parts:
                k, v = (y.strip() for y in x.split("=", 1))
                if k not in values:
                    raise QueryError(f"weights: unknown indicator {k!r}; the indicators: {', '.join(INDICATORS)}")
                values[k] = float(v)
        elif len(parts) == len(INDICATORS) and not any("=" in x for x in parts):
            values = dict(zip(INDICATORS, map(float, parts)))
        else:
            raise ValueError
    except ValueError:
        raise QueryError(f"weights: expected e.g. {DEFAULT_WEIGHTS!r} or four numbers "
                         f"({', '.join(INDICATORS)}), got {text!r}") from None
    if any(v < 0 or v != v or v == float("inf") for v in values.values()) or sum(values.values()) <= 0:
        raise QueryError(f"weights: expected numbers of 0 or more, not all 0; got {text!r}")
    total = sum(values.values())
    return [values[k] / total for k in INDICATORS]


def _weights_text(weights) -> str:
    return ",".join(f"{k}={round(w, 4):g}" for k, w in zip(INDICATORS, weights))


def _prepare(G, params):
    return {"province": resolve_any_province(params["province"]), "sector": resolve_sector(G, params["sector"]),
            "weights": parse_weights(params["weights"])}


def _ranked(rows: list[dict], weights) -> list[dict]:
    text = _weights_text(weights)
    for r in rows:
        r["composite"] = round(r["composite"], 4)
        r["weights"] = text
    rows.sort(key=lambda r: (-r["composite"], r["platform_id"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return [{k: r[k] for k in KEYS} for r in rows]


def _from_cypher(rows, params):
    return _ranked([dict(r) for r in rows], params["weights"])


@named_query("platform-scorecard", cypher=CYPHER, keys=KEYS, from_cypher=_from_cypher, prepare=_prepare,
             params=(Param("weights", str, DEFAULT_WEIGHTS,
                           "indicator weights, e.g. capability=0.4,openness=0.2,service=0.2,benefit=0.2"),
                     Param("province", str, None, "platforms in this province: 北京, 天津 or 河北"),
                     Param("sector", str, None, "platforms in this sector (id or name)")))
def platform_scorecard(G, *, weights=DEFAULT_WEIGHTS, province=None, sector=None):
    """Platform scorecard (measure 14): capability, openness, service level, benefit, and a weighted composite.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph``.
    weights : str or list of float
        ``'capability=…,openness=…,service=…,benefit=…'`` (names left out weigh 0) or four numbers in
        that order; scaled to sum to 1. Default: 0.25 each.
    province : str, optional
        Platforms in this province: 北京, 天津 or 河北.
    sector : str, optional
        Platforms in this sector (an id, or a name that matches one sector).

    Returns
    -------
    list of dict
        Keys ``rank, platform_id, platform_name, province, level, capability, openness, service,
        benefit, composite, weights`` (the module docstring defines them), sorted by composite
        (highest first), then id.

    Examples
    --------
    >>> [(r["platform_id"], r["capability"], r["openness"], r["service"], r["benefit"], r["composite"])
    ...  for r in platform_scorecard(tiny_graph())][:3]
    [('bj-pf-1', 2, 1, 2, 2, 0.875), ('bj-pf-2', 1, 2, 2, 1, 0.75), ('tj-pf-1', 0, 1, 1, 1, 0.375)]
    """
    if not isinstance(weights, list):
        weights = parse_weights(weights)
    scaleup = set(schema.SCALEUP_PROVINCES)
    rows = []
    for p in G.orgs(label="Platform"):
        d = G.nodes[p]
        if province is not None and d.get("province") != province:
            continue
        if sector is not None and sector not in d.get("sectors", ()):
            continue
        operators = set(G.in_relations(p, "OPERATES"))
        sources = {u for u in G.in_relations(p, "TRANSFERS_TO") if "type" in G.nodes[u]}
        rows.append({"platform_id": p, "platform_name": d.get("name"), "province": d.get("province"),
                     "level": d.get("level"),
                     "capability": len({v for v in G.out_relations(p, "OFFERS")}),
                     "openness": len(sources - operators), "service": len(sources),
                     "benefit": len({v for v in G.out_relations(p, "SCALES_UP_AT")
                                     if G.nodes[v].get("province") in scaleup})})
    tops = {k: max((r[k] for r in rows), default=0) for k in INDICATORS}
    for r in rows:
        total = 0.0
        for w, k in zip(weights, INDICATORS):
            total = total + w * (0.0 if tops[k] == 0 else float(r[k]) / tops[k])
        r["composite"] = total
    return _ranked(rows, weights)
