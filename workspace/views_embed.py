"""Views shown inside other pages: the console's result graph and a dashboard's ``graph`` and ``map`` tiles.

Each is the views' own page (``viz.page.render_html`` in its linked form: vis-network, ``page.js`` placing
the names, the legend, 保存为 PNG with the account and time burnt in), loaded in a frame of the page that
shows it. Only these addresses may be framed, and only by the workspace itself (``X-Frame-Options:
SAMEORIGIN``, ``frame-ancestors 'self'``); every other page keeps ``DENY``.

* The console posts the nodes and relationships of a result (``POST /api/console/graph``, CSRF): the ids
  and labels that find each node in the graph, the name of one the graph does not hold, and each
  relationship's type, start and end. The server draws them (``viz.result_view``, at most ``RESULT_CAP``
  nodes) and answers the address of the page, ``/console/graph/TOKEN``, which only that account may open.
* A dashboard tile's frame is ``/dashboards/SLUG/tiles/N`` with the dashboard's parameters: the tile's
  records are fetched as the dashboard fetches them, under the same role check, and drawn — ``graph``: the
  links the tile declares between its columns; ``map``: the geo view restricted to the organizations the
  records name.

Every frame is audited as a view is.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from graph.errors import JjjkgError

from . import audit
from .views_common import json_response, need, snapshot, watermark_text
from .views_errors import api_error, error_page

__all__ = ["api_console_graph", "console_graph_page", "tile_frame", "tile_frame_url", "FRAMED_CSP"]

#: the policy of a page that the workspace's own pages may frame
FRAMED_CSP = {"frame-ancestors": ["'self'"]}
#: result graphs kept for their frames (the oldest dropped first)
KEPT = 64
#: what a posted result may hold at most
MAX_POSTED_NODES = 5_000
MAX_POSTED_RELATIONSHIPS = 20_000

_kept: OrderedDict[str, tuple[int, str]] = OrderedDict()
_kept_lock = threading.Lock()


def _framed_page(request, v, *, standalone: bool = False) -> HttpResponse:
    """The view ``v`` as the views' linked page, for a frame (whose page lays the watermark over it), or,
    ``standalone``, opened in a window of its own (with the watermark)."""
    from viz.page import render_html

    from .views_graph import ASSET_URLS, EXPAND_URL

    html = render_html(v, asset_urls=ASSET_URLS, org_url="/org/{id}", expand_url=EXPAND_URL,
                       watermark=watermark_text(request))
    html = html.replace("</head>", '<link rel="icon" href="/static/workspace/icon.svg" type="image/svg+xml">\n'
                                   '<link rel="stylesheet" href="/static/workspace/viewbar.css">\n</head>', 1)
    if standalone:
        body_end = html.index(">", html.index("<body")) + 1
        html = html[:body_end] + '<div class="watermark" aria-hidden="true"></div>' + html[body_end:]
    return HttpResponse(html)


# ----------------------------------------------------------------------------- the console's result graph


def _posted_graph(body) -> tuple[list[dict], list[dict], int]:
    """(nodes, relationships, total) of a posted result, checked; raises JjjkgError in Chinese."""
    if not isinstance(body, dict):
        raise JjjkgError("请求内容应为 JSON 对象 {nodes, relationships}")
    nodes, rels = body.get("nodes"), body.get("relationships", [])
    if not isinstance(nodes, list) or not isinstance(rels, list):
        raise JjjkgError("nodes 和 relationships 应为列表")
    if len(nodes) > MAX_POSTED_NODES or len(rels) > MAX_POSTED_RELATIONSHIPS:
        raise JjjkgError(f"一次最多画 {MAX_POSTED_NODES} 个节点、{MAX_POSTED_RELATIONSHIPS} 条关系")
    out_nodes = []
    for n in nodes:
        if not isinstance(n, dict) or n.get("identity") is None or isinstance(n.get("identity"), (dict, list)):
            raise JjjkgError("每个节点应为 {identity, id, labels, name}")
        labels = n.get("labels") if isinstance(n.get("labels"), list) else []
        out_nodes.append({"key": n["identity"], "id": n.get("id"), "labels": [str(x) for x in labels[:10]],
                          "name": n.get("name") if isinstance(n.get("name"), (str, int, float)) else None})
    out_rels = []
    for r in rels:
        if not isinstance(r, dict) or r.get("start_identity") is None or r.get("end_identity") is None:
            raise JjjkgError("每条关系应为 {type, start_identity, end_identity}")
        out_rels.append({"from": r["start_identity"], "to": r["end_identity"], "type": str(r.get("type") or "")[:64]})
    total = body.get("total_nodes")
    return out_nodes, out_rels, total if isinstance(total, int) and total >= 0 else len(out_nodes)


@require_POST
@need("use_console")
def api_console_graph(request):
    """Draw a result's nodes and relationships; answer where the drawing is (``{url, nodes, edges, total}``)."""
    from viz.result_view import RESULT_CAP, build_result_view

    try:
        nodes, rels, total = _posted_graph(json.loads(request.body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return api_error("请求内容应为 JSON 对象 {nodes, relationships}", 400)
    except JjjkgError as err:
        return api_error(str(err), 400)
    snap = snapshot(request)
    v = build_result_view(snap.G, nodes, rels, total=total, meta=snap.meta, title="查询结果的图",
                          subtitle="Cypher 结果中的节点和关系（方向与结果相同） nodes and relationships of the result")
    html = _framed_page(request, v).content.decode("utf-8")
    token = secrets.token_urlsafe(18)
    with _kept_lock:
        _kept[token] = (request.user.pk, html)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    audit.record(request, "view", page="console-graph", nodes=len(v.nodes), edges=len(v.edges), total=total)
    return json_response({"url": f"/console/graph/{token}", "nodes": len(v.nodes), "edges": len(v.edges),
                          "total": max(total, len(v.nodes)), "cap": RESULT_CAP})


@require_GET
@need("use_console")
@xframe_options_sameorigin
@csp_replace(FRAMED_CSP)
def console_graph_page(request, token: str):
    with _kept_lock:
        kept = _kept.get(token)
    if kept is None or kept[0] != request.user.pk:
        return error_page(request, 404, "未找到", "这幅结果图已过期，请重新运行语句。")
    return HttpResponse(kept[1])


# ----------------------------------------------------------------------------- dashboard tiles


def tile_frame_url(slug: str, index: int, tile: dict, given: dict[str, str], *, window: bool = False) -> str:
    """The address of a tile's frame: the dashboard, the tile's number and the parameters it takes
    (``window``: to open in a window of its own, with the watermark)."""
    mine = {k: v for k, v in given.items() if k in tile.get("params", [])}
    if window:
        mine["window"] = "1"
    return f"/dashboards/{slug}/tiles/{index}" + (f"?{urlencode(mine)}" if mine else "")


def _tile_graph(snap, tile: dict, records: list[dict]):
    """The links a tile declares between its columns, as nodes and relationships of ``viz.result_view``."""
    from graph import schema
    from viz.result_view import build_result_view, graph_key

    G = snap.G
    nodes, rels, seen = {}, [], set()
    for r in records:
        for a, b in tile.get("edges", []):
            va, vb = r.get(a), r.get(b)
            if va is None or vb is None or isinstance(va, (dict, list)) or isinstance(vb, (dict, list)):
                continue
            for v in (va, vb):
                nodes.setdefault(str(v), {"key": str(v), "id": v, "name": v})
            ka, kb = graph_key(G, va), graph_key(G, vb)
            kinds = list(G.get_edge_data(ka, kb, default={})) if ka is not None and kb is not None else []
            kind = next((k for k in schema.INPUT_RELATIONS if k in kinds), next(iter(kinds), None))
            if (str(va), str(vb), kind) in seen:
                continue
            seen.add((str(va), str(vb), kind))
            rels.append({"from": str(va), "to": str(vb), "type": kind, "info": f"{a} → {b}"})
    return build_result_view(G, list(nodes.values()), rels, title=tile["title"], meta=snap.meta,
                             subtitle="看板图块 · 记录中各列之间的联系 links between the columns of the records")


def _tile_map(snap, tile: dict, records: list[dict]):
    """The geo view of the organizations the records name (by the tile's ``id`` column)."""
    from viz.pyvis_html import build_view

    col = tile.get("id") or "id"
    ids = [str(r[col]) for r in records if r.get(col) is not None and not isinstance(r.get(col), (dict, list))]
    v = build_view(snap.G, view="geo", ids=ids, title=tile["title"], meta=snap.meta)
    missing = len([i for i in ids if i not in snap.G.orgs()]) + (len(records) - len(ids))
    if missing:
        v.message = {"zh": f"另有 {missing} 条记录没有图谱中的机构编号（{col} 列），未画在图上。",
                     "en": f"{missing} records name no organization of the graph (column {col}): not drawn."}
    return v


@require_GET
@xframe_options_sameorigin
@csp_replace(FRAMED_CSP)
def tile_frame(request, slug: str, index: int):
    from .dashboards import _records, opened
    from .live import live

    d, refused = opened(request, slug)
    if refused:
        return refused
    if not 1 <= index <= len(d.tiles) or d.tiles[index - 1].get("renderer") not in ("graph", "map"):
        return error_page(request, 404, "未找到", f"看板 {slug} 没有第 {index} 个图或地图图块。")
    tile = d.tiles[index - 1]
    snap = snapshot(request)
    given = {k: v for k, v in request.GET.items() if k in tile.get("params", []) and v.strip() and len(v) <= 200}

    def make():
        records = _records(request, snap, tile, given)
        return (_tile_graph if tile["renderer"] == "graph" else _tile_map)(snap, tile, records)

    try:
        if tile["source"].startswith("query:"):  # what a saved query shows depends on who asks: never shared
            v = make()
        else:
            key = (snap.fingerprint, "tile-view", json.dumps(tile, sort_keys=True), tuple(sorted(given.items())))
            v = live().cached(key, make)
    except JjjkgError as err:
        return error_page(request, 400, "参数有误", str(err))
    audit.record(request, "view", page="dashboard-tile", slug=d.slug, tile=index, params=given, nodes=len(v.nodes))
    return _framed_page(request, v, standalone=request.GET.get("window") == "1")
