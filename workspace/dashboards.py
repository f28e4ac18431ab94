"""Dashboards (``/dashboards/…``): ordered tiles over the named analyses, saved queries and the briefing.

A tile names its source — ``analysis:NAME`` (a named analysis, cached per store version), ``query:NAME`` (a
saved query of the console) or ``briefing:figures`` / ``briefing:chains`` (the meeting pack's content) —, the
parameters it takes from the dashboard's one parameter bar, and a renderer: ``table``, ``value``, ``bar``
(counts of a column), ``graph`` (links between columns) or ``map`` (the organizations its ``id`` column
names). Tables, values and bars are drawn on the server (HTML and SVG); a graph or a map is the views' own
page in a frame (``workspace.views_embed``). Nothing comes from another server. A dashboard's address
carries its parameters; opening it checks the viewer's role. ``/dashboards/SLUG/export.json`` gives it as JSON,
``POST /api/dashboards`` (analysts and above) imports one. The workspace makes 京津冀中试生态总览 on first use.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from graph.errors import JjjkgError

from . import accounts, audit
from .live import live
from .models import Dashboard
from .profile import run_analysis
from .views_common import need, snapshot
from .views_embed import tile_frame_url
from .views_errors import api_error, error_page, forbidden

__all__ = ["DEFAULT", "RENDERERS", "check_dashboard", "dashboard_list", "dashboard_page", "dashboard_export",
           "api_dashboard_import"]

RENDERERS = ("table", "value", "bar", "graph", "map")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SOURCE = re.compile(r"^(analysis|query|briefing):([a-z0-9][a-z0-9-]{0,63})$")
MAX_ROWS_SHOWN = 200

DEFAULT = {
    "slug": "overview", "title": "京津冀中试生态总览", "roles": list(accounts.ROLES),
    "tiles": [
        {"title": "核心数字", "source": "briefing:figures", "renderer": "value"},
        {"title": "各产业链贯通情况", "source": "briefing:chains", "renderer": "table"},
        {"title": "完整链路：北京研发 → 北京中试 → 津冀量产", "source": "analysis:rd-scaleup-paths",
         "renderer": "graph", "params": ["sector", "province"],
         "edges": [["rnd_id", "platform_id"], ["platform_id", "site_id"]]},
        {"title": "各领域断点数", "source": "analysis:alliance-gaps", "renderer": "bar", "params": ["sector"],
         "column": "sector"},
        {"title": "中试平台供给清单", "source": "analysis:supply-list", "renderer": "table",
         "params": ["sector", "province"],
         "columns": ["platform_name", "province", "city", "level", "sector_names", "service_names"]},
        {"title": "中试平台分布", "source": "analysis:supply-list", "renderer": "map", "params": ["sector", "province"],
         "label": "platform_name", "id": "platform_id"},
    ],
}


def check_dashboard(spec) -> dict:
    """A dashboard's JSON, checked (what import accepts and export gives); raises JjjkgError in Chinese."""
    if not isinstance(spec, dict):
        raise JjjkgError("看板应为 JSON 对象 {slug, title, roles, tiles}")
    slug, title, roles, tiles = spec.get("slug"), spec.get("title"), spec.get("roles"), spec.get("tiles")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise JjjkgError("slug 应为小写字母、数字和连字符（最多 64 个）")
    if not isinstance(title, str) or not title.strip() or len(title) > 100:
        raise JjjkgError("请给看板一个标题（最多 100 个字符）")
    if not isinstance(roles, list) or not roles or any(r not in accounts.ROLES for r in roles):
        raise JjjkgError(f"roles 应为 {', '.join(accounts.ROLES)} 中的一个或几个")
    if not isinstance(tiles, list) or not 1 <= len(tiles) <= 30:
        raise JjjkgError("tiles 应为 1 到 30 个图块")
    out = []
    for i, t in enumerate(tiles, start=1):
        if not isinstance(t, dict):
            raise JjjkgError(f"第 {i} 个图块应为 JSON 对象")
        m = _SOURCE.match(str(t.get("source", "")))
        if not m:
            raise JjjkgError(f"第 {i} 个图块的 source 应为 analysis:NAME、query:NAME 或 briefing:figures|chains")
        if t.get("renderer") not in RENDERERS:
            raise JjjkgError(f"第 {i} 个图块的 renderer 应为 {', '.join(RENDERERS)} 之一")
        if m.group(1) == "analysis":
            import queries

            if m.group(2) not in queries.QUERIES:
                raise JjjkgError(f"第 {i} 个图块：没有名为 {m.group(2)} 的分析")
        if m.group(1) == "briefing" and m.group(2) not in ("figures", "chains"):
            raise JjjkgError(f"第 {i} 个图块：briefing 只有 figures 和 chains")
        params = t.get("params", [])
        if not isinstance(params, list) or not all(isinstance(p, str) and re.match(r"^[A-Za-z_]\w{0,63}$", p)
                                                   for p in params):
            raise JjjkgError(f"第 {i} 个图块的 params 应为参数名称的列表")
        tile = {"title": str(t.get("title") or m.group(2))[:100], "source": t["source"], "renderer": t["renderer"],
                "params": params}
        for key in ("column", "label", "id"):
            if isinstance(t.get(key), str):
                tile[key] = t[key][:64]
        if isinstance(t.get("columns"), list):
            tile["columns"] = [str(c)[:64] for c in t["columns"][:30]]
        if isinstance(t.get("edges"), list):
            tile["edges"] = [[str(a)[:64], str(b)[:64]] for a, b in
                             (e for e in t["edges"][:10] if isinstance(e, list) and len(e) == 2)]
        out.append(tile)
    return {"slug": slug, "title": title.strip(), "roles": [r for r in accounts.ROLES if r in roles], "tiles": out}


def _ensure_default() -> None:
    if not Dashboard.objects.filter(slug=DEFAULT["slug"]).exists():
        Dashboard.objects.get_or_create(slug=DEFAULT["slug"], defaults={
            "title": DEFAULT["title"], "roles": DEFAULT["roles"], "tiles": DEFAULT["tiles"]})


def _may_see(user, d: Dashboard) -> bool:
    role = accounts.role_of(user)
    return role == "admin" or role in (d.roles or [])


def _spec(d: Dashboard) -> dict:
    return {"slug": d.slug, "title": d.title, "roles": d.roles, "tiles": d.tiles}


# ----------------------------------------------------------------------------- the tiles


def _records(request, snap, tile: dict, given: dict[str, str]) -> list[dict]:
    kind, name = tile["source"].split(":", 1)
    mine = {k: v for k, v in given.items() if k in tile.get("params", [])}
    if kind == "briefing":
        content = snap.content()
        if name == "figures":
            return [{"label": f["label"], "value": f["value"]} for f in content["figures"]]
        return [{"产业链": c["name"], "状态": c["status_zh"], "完整链路": c["paths"], "主要断点": "；".join(c["words"])}
                for c in content["chains"]]
    if kind == "analysis":
        import queries

        q = queries.get_query(name)
        return run_analysis(live(), snap, name, q.parse_params(mine))
    import secrets

    from .console import _rows_json, run_statement, visible_queries

    sq = visible_queries(request.user).get(name)
    if sq is None:
        raise JjjkgError(f"没有名为 {name} 的保存查询（或您的角色看不到它）")
    result, _ = run_statement(request, sq.cypher, sq.parse_params(mine), secrets.token_hex(16))
    return json.loads(_rows_json(result))


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _draw(tile: dict, records: list[dict], snap) -> dict:
    """What the template needs to draw ``records`` with the tile's renderer."""
    kind = tile["renderer"]
    if kind == "value":
        if records and {"label", "value"} <= set(records[0]):
            return {"values": [{"label": r["label"], "value": r["value"]} for r in records]}
        return {"values": [{"label": tile["title"], "value": len(records)}]}
    if kind == "bar":
        column = tile.get("column") or (list(records[0])[0] if records else "")
        counts = Counter(_text(r.get(column)) for r in records).most_common(20)
        top = max((n for _, n in counts), default=1)
        return {"bars": [{"label": k or "（空）", "n": n, "w": round(300 * n / top), "y": 4 + 24 * i}
                         for i, (k, n) in enumerate(counts)], "height": 8 + 24 * len(counts)}
    columns = tile.get("columns") or (list(records[0]) if records else [])
    return {"columns": columns, "rows": [[_text(r.get(c)) for c in columns] for r in records[:MAX_ROWS_SHOWN]],
            "more": max(0, len(records) - MAX_ROWS_SHOWN)}


# ----------------------------------------------------------------------------- pages


@require_GET
def dashboard_list(request):
    _ensure_default()
    items = [d for d in Dashboard.objects.all() if _may_see(request.user, d)]
    return render(request, "workspace/dashboards.html", {"items": items})


@require_GET
def dashboard_page(request, slug: str):
    _ensure_default()
    d = Dashboard.objects.filter(slug=slug).first()
    if d is None:
        return error_page(request, 404, "未找到", f"没有名为 {slug} 的看板。")
    if not _may_see(request.user, d):
        return forbidden(request, "您的角色无权查看此看板。")
    snap = snapshot(request)
    given = {k: v for k, v in request.GET.items() if v.strip() and len(v) <= 200}
    names = list(dict.fromkeys(p for t in d.tiles for p in t.get("params", [])))
    tiles = []
    for i, tile in enumerate(d.tiles, start=1):
        try:
            records = _records(request, snap, tile, given)
            draw = ({"frame": tile_frame_url(d.slug, i, tile, given),
                     "window": tile_frame_url(d.slug, i, tile, given, window=True)}
                    if tile["renderer"] in ("graph", "map") else _draw(tile, records, snap))
            tiles.append({**tile, "error": None, "n": len(records), "draw": draw})
        except JjjkgError as err:
            tiles.append({**tile, "error": str(err), "n": 0, "draw": {}})
    audit.record(request, "dashboard", slug=d.slug, params=given)
    return render(request, "workspace/dashboard.html", {
        "d": d, "tiles": tiles, "fields": [{"name": n, "value": given.get(n, "")} for n in names],
        "can_edit": accounts.has(request.user, "use_console")})


@require_GET
def dashboard_export(request, slug: str):
    d = Dashboard.objects.filter(slug=slug).first()
    if d is None or not _may_see(request.user, d):
        return api_error("没有这个看板，或您的角色无权查看", 404)
    resp = HttpResponse(json.dumps(_spec(d), ensure_ascii=False, indent=2),
                        content_type="application/json; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="dashboard-{d.slug}.json"'
    return resp


@require_POST
@need("use_console")
def api_dashboard_import(request):
    try:
        spec = check_dashboard(json.loads(request.body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return api_error("请求内容应为看板的 JSON", 400)
    except JjjkgError as err:
        return api_error(str(err), 400)
    d = Dashboard.objects.filter(slug=spec["slug"]).first()
    if d is not None and d.owner_id not in (None, request.user.pk) and accounts.role_of(request.user) != "admin":
        return api_error(f"已有名为 {spec['slug']} 的看板（由其他账户保存）", 409)
    if d is not None and d.owner_id is None and accounts.role_of(request.user) != "admin":
        return api_error(f"看板 {spec['slug']} 是工作台自带的，只有管理员能替换", 409)
    Dashboard.objects.update_or_create(slug=spec["slug"], defaults={
        "title": spec["title"], "roles": spec["roles"], "tiles": spec["tiles"], "owner": request.user})
    audit.record(request, "dashboard", slug=spec["slug"], imported=True)
    return HttpResponse(json.dumps(spec, ensure_ascii=False), content_type="application/json; charset=utf-8",
                        status=201)
