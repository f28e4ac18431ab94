"""Live views: the network, the map, a chain and the matrix, drawn by the page code ``jjjkg viz`` writes.

The page is ``viz.pyvis_html.render_html`` in its linked form (vis-network and the page's own script
and stylesheet served from ``/views/assets/…``, nothing inline), with the workspace's bar and
watermark laid over it (and burned into its saved PNG); a node's double click opens its organization page. Filters come from the
query string (``sector``, ``province``, ``type``, repeatable) and are checked by the same code as
``jjjkg viz``. Pages are cached per store version and filters.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from graph.errors import JjjkgError

from . import audit
from .live import live
from .views_common import snapshot, watermark_text
from .views_errors import api_error, error_page

__all__ = ["view_page", "chain_page", "view_asset", "api_view", "api_expand"]

#: the views by address, and what ``build_view`` calls them
KINDS = {"network": "network", "map": "geo", "chain": "chain", "matrix": "network"}
ASSET_URLS = {"vis_js": "/views/assets/vis_js", "vis_css": "/views/assets/vis_css",
              "page_js": "/views/assets/page_js", "page_css": "/views/assets/page_css"}
#: at most this many filter values of each kind
MAX_FILTERS = 20
#: where a click on a cell of the matrix goes
CELL_URL = "/views/network?sector={sector}&province={province}"
#: where a page asks for an organization's neighbours
EXPAND_URL = "/api/views/expand/{id}"
#: at most this many ids of the organizations a page shows are taken from ``exclude``
MAX_EXCLUDE = 5000


def _filters(request) -> dict:
    provinces = request.GET.getlist("province")[:MAX_FILTERS]
    types = request.GET.getlist("type")[:MAX_FILTERS]
    sector = request.GET.get("sector") or None
    return {"provinces": [p for p in provinces if p] or None, "types": [t for t in types if t] or None,
            "sector": sector}


def _view(request, kind: str, sector: str | None = None):
    """The View of ``kind`` for the request's filters (cached per store version)."""
    from viz.pyvis_html import build_view

    snap = snapshot(request)
    f = _filters(request)
    if sector is not None:
        f["sector"] = sector
    key = (snap.fingerprint, "view", kind, f["sector"], tuple(f["provinces"] or ()), tuple(f["types"] or ()))

    def make():
        extra = {"max_nodes": 1} if kind == "matrix" else {}
        return build_view(snap.G, view=KINDS[kind], sector=f["sector"], provinces=f["provinces"], types=f["types"],
                          highlight_paths=True, gaps=True, meta=snap.meta, **extra)

    return live().cached(key, make)


def _cell_url(request) -> str:
    """Where a cell of the matrix goes: the network of its sector and province, with the page's types."""
    from urllib.parse import quote

    return CELL_URL + "".join(f"&type={quote(t, safe='')}" for t in _filters(request)["types"] or ())


def _page(request, kind: str, sector: str | None = None):
    from viz.pyvis_html import render_html

    try:
        v = _view(request, kind, sector)
    except JjjkgError as err:
        return error_page(request, 400, "参数有误", str(err))
    if v.aggregated:  # the command line's advice (flags of jjjkg viz) means nothing here: say it the page's way
        import dataclasses

        v = dataclasses.replace(v, message={
            "zh": f"共 {len(request.snapshot.G.orgs())} 个机构：本页按产业领域 × 省份汇总数量，格子颜色表示缺口。"
                  "要看具体机构，请在地址中加上 ?sector=领域编号 或 &province=北京，或打开产业链视图。",
            "en": "Counts by sector × province; add ?sector=ID or &province=北京 to the address to see organizations."})
    html = render_html(v, asset_urls=ASSET_URLS, org_url="/org/{id}", expand_url=EXPAND_URL,
                       view_url=_cell_url(request) if v.aggregated else None, watermark=watermark_text(request))
    bar = render_to_string("workspace/_view_bar.html", {"kind": kind, "title": v.title}, request=request)
    html = html.replace("</head>", '<link rel="icon" href="/static/workspace/icon.svg" type="image/svg+xml">\n'
                                   '<link rel="stylesheet" href="/static/workspace/viewbar.css">\n</head>', 1)
    body_at = html.index("<body")
    body_end = html.index(">", body_at) + 1
    html = html[:body_end] + bar + html[body_end:]
    audit.record(request, "view", page=kind, sector=sector or request.GET.get("sector", ""), nodes=len(v.nodes))
    return HttpResponse(html)


@require_GET
def view_page(request, kind: str):
    if kind not in KINDS or kind == "chain":
        raise Http404(kind)
    return _page(request, kind)


@require_GET
def chain_page(request, sector: str):
    return _page(request, "chain", sector)


@require_GET
@cache_control(max_age=3600, private=True)
def view_asset(request, name: str):
    from viz.pyvis_html import PAGE_ASSETS, page_asset

    if name not in PAGE_ASSETS:
        raise Http404(name)
    body, media = page_asset(name)
    return HttpResponse(body, content_type=media)


@require_GET
def api_view(request, kind: str):
    """What a view draws: the ids of its organizations and its relations (the page's node count is this)."""
    if kind not in KINDS:
        return api_error(f"没有这种视图：{escape(kind)}（network、map、chain、matrix）", 404)
    if kind == "chain" and not request.GET.get("sector"):
        return api_error("链条视图需要 sector 参数", 400)
    try:
        v = _view(request, kind)
    except JjjkgError as err:
        return api_error(f"参数有误：{err}", 400)
    nodes = [n.get("id") for n in v.nodes]
    body = {"view": kind, "title": v.title, "nodes": len(nodes), "ids": nodes, "edges": len(v.edges),
            "aggregated": bool(v.aggregated)}
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8")


@require_GET
def api_expand(request, oid: str):
    """An organization's neighbours that the page does not show (``?exclude=a,b,…``), up to the cap."""
    from viz.pyvis_html import EXPAND_CAP, neighbourhood

    snap = snapshot(request)
    if oid not in snap.G.orgs():
        return api_error(f"没有编号为 {escape(oid)} 的机构", 404)
    exclude = [x for x in request.GET.get("exclude", "").split(",", MAX_EXCLUDE)[:MAX_EXCLUDE] if x]
    body = neighbourhood(snap.G, oid, exclude=exclude, cap=EXPAND_CAP)
    body["cap"] = EXPAND_CAP
    audit.record(request, "view", page="expand", org=oid, nodes=len(body["nodes"]))
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8")
