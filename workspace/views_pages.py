"""The planner's pages: home and search, the organization page, the watermark."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from graph import schema

from . import audit, profile
from .live import live
from .views_common import snapshot, watermark_text

__all__ = ["home", "search_results", "organization", "watermark"]

#: neighbours drawn in an organization's small graph (the table lists them all)
GRAPH_NEIGHBOURS = 24


@require_GET
def home(request):
    snap = snapshot(request)
    content = snap.content()
    chains = [{"id": c["id"], "name": c["name"], "status": c["status"], "status_zh": c["status_zh"],
               "paths": c["paths"], "words": c["words"]} for c in content["chains"]]
    built = snap.meta.get("built_at", "")
    return render(request, "workspace/home.html", {
        "figures": content["figures"], "headline": content["headline"], "chains": chains,
        "coverage": content["coverage"], "path_rows": content["path_rows"][:10],
        "n_paths": len(content["path_rows"]), "built_at": built[:10], "fingerprint": snap.fingerprint[:12],
        "data_source": snap.meta.get("data_source", ""), "sources": content["sources"][:12],
        "n_sources": len(content["sources"]), "changes": snap.changes(),
        "query": request.GET.get("q", "")[:100],
        "results": _with_type_zh(profile.search(snap, request.GET.get("q", "")[:100])) if request.GET.get("q") else None,
    })


@require_GET
def search_results(request):
    """The result list under the search box (htmx swaps it in as the user types)."""
    snap = snapshot(request)
    q = request.GET.get("q", "")[:100]
    return render(request, "workspace/_search_results.html", {"results": _with_type_zh(profile.search(snap, q)),
                                                              "query": q})


def _with_type_zh(results: list[dict]) -> list[dict]:
    return [{**r, "type_zh": schema.ORG_TYPES[r["type"]].zh if r["type"] in schema.ORG_TYPES else r["type"]}
            for r in results]


@require_GET
def organization(request, oid: str):
    snap = snapshot(request)
    org = profile.organization(live(), snap, oid)
    if org is None:
        raise Http404(oid)
    audit.record(request, "view", page="organization", id=oid[:200])
    G = snap.G
    name = lambda i: G.nodes[i].get("name", i) if i in G else i  # noqa: E731
    paths = [{"rnd": name(p["rnd_id"]), "rnd_id": p["rnd_id"], "platform": name(p["platform_id"]),
              "platform_id": p["platform_id"], "site": name(p["site_id"]), "site_id": p["site_id"],
              "sectors": "、".join(p["sectors"])} for p in org["paths"]]
    from viz.report.content import _gap_zh

    gap_zh = _gap_zh()
    gaps = [{"sector": g["sector"], "sector_name": G.nodes[("Sector", g["sector"])].get("name", g["sector"])
             if ("Sector", g["sector"]) in G else g["sector"], "gap": g["gap"], "gap_zh": gap_zh.get(g["gap"], g["gap"])}
            for g in org["gaps"]]
    return render(request, "workspace/organization.html", {
        "org": org, "props": profile.property_rows(org), "paths": paths, "gaps": gaps,
        "stages": [profile.STAGE_ZH[s] for s in org["stages"]],
        "type_zh": schema.ORG_TYPES[org["type"]].zh if org.get("type") in schema.ORG_TYPES else org.get("type"),
        "graph": _small_graph(org), "sources": _sources(org),
    })


def _sources(org: dict) -> list[str]:
    """The organization's own sources, one per line (the data joins several with ' ; ')."""
    text = org.get("source") or ""
    return [s.strip() for s in str(text).split(" ; ") if s.strip()]


def _small_graph(org: dict) -> dict:
    """The organization and its neighbours on a circle: positions for the page's SVG (drawn server-side)."""
    seen, nodes = set(), []
    for r in org["relations"]:
        if r["id"] in seen or len(nodes) >= GRAPH_NEIGHBOURS:
            continue
        seen.add(r["id"])
        nodes.append(r)
    n = max(len(nodes), 1)
    cx, cy, radius = 300, 190, 150
    placed = []
    for i, r in enumerate(nodes):
        a = 2 * math.pi * i / n - math.pi / 2
        x, y = cx + radius * math.cos(a), cy + radius * math.sin(a)
        anchor = "start" if math.cos(a) > 0.2 else "end" if math.cos(a) < -0.2 else "middle"
        dx = 8 if anchor == "start" else -8 if anchor == "end" else 0
        dy = 16 if math.sin(a) > 0.5 else -10 if math.sin(a) < -0.5 else 4
        placed.append({"x": round(x, 1), "y": round(y, 1), "tx": round(x + dx, 1), "ty": round(y + dy, 1),
                       "anchor": anchor, "name": _short(r["name"] or r["id"]), "id": r["id"],
                       "rel": r["type_zh"], "out": r["direction"] == "out"})
    return {"cx": cx, "cy": cy, "nodes": placed, "more": max(len({r["id"] for r in org["relations"]}) - len(nodes), 0)}


def _short(name: str, n: int = 14) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


@never_cache
@require_GET
def watermark(request):
    """A tile with the account and the time, laid over every page (light, not in the way of clicks)."""
    text = escape(watermark_text(request))
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="340" height="200" viewBox="0 0 340 200">'
           '<text x="20" y="120" transform="rotate(-24 170 100)" font-family="Noto Sans CJK SC, sans-serif" '
           f'font-size="15" fill="#1f2937" fill-opacity="0.10">{text}</text></svg>')
    resp = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    return resp
