"""Dashboards (``/dashboards/…``): ordered tiles over the named analyses, saved queries and the briefing.

A tile names its source — ``analysis:NAME`` (a named analysis, cached per store version), ``query:NAME`` (a
saved query of the console) or ``briefing:figures`` / ``briefing:chains`` (the meeting pack's content) —, the
parameters it takes from the dashboard's one parameter bar, and a renderer: ``table``, ``value``, ``bar``
(counts of a column), ``graph`` (links between columns) or ``map`` (the organizations its ``id`` column
names). Tables, values and bars are drawn on the server (HTML and SVG); a graph or a map is the views' own
page in a frame (``workspace.views_embed``). Nothing comes from another server. A dashboard's address
carries its parameters; opening it checks the viewer's role. ``/dashboards/SLUG/export.json`` gives it as JSON,
``POST /api/dashboards`` (analysts and above) imports one. The workspace makes 京津冀中试生态总览 on first use.
Analysts build dashboards in the editor (``dashboard_editor``); import and editor share one check
(``dashboard_spec.check_dashboard``). Tables and bars speak as the meeting pack does (its Chinese headers).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from graph.errors import JjjkgError

from . import accounts, audit
from .dashboard_spec import RENDERERS, check_dashboard, column_zh, param_zh, parse_json, sources
from .live import live
from .models import Dashboard
from .profile import run_analysis
from .views_common import need, snapshot
from .views_embed import tile_frame_url
from .views_errors import api_error, error_page, forbidden

__all__ = ["DEFAULT", "RENDERERS", "check_dashboard", "dashboard_list", "dashboard_page", "dashboard_export",
           "api_dashboard_import", "available_sources", "may_see", "may_edit", "ensure_default", "bar_fields"]

MAX_ROWS_SHOWN = 200
#: the time a dashboard page may spend running its tiles; the tiles left then say so
PAGE_SECONDS = 20
_log = logging.getLogger("jjjkg.workspace")
#: bars a bar tile draws (the most frequent)
BARS_SHOWN = 15
_LIGHTS = {"红": "red", "黄": "amber", "绿": "green"}

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


def ensure_default() -> None:
    if not Dashboard.objects.filter(slug=DEFAULT["slug"]).exists():
        Dashboard.objects.get_or_create(slug=DEFAULT["slug"], defaults={
            "title": DEFAULT["title"], "roles": DEFAULT["roles"], "tiles": DEFAULT["tiles"]})


def may_see(user, d: Dashboard) -> bool:
    role = accounts.role_of(user)
    return role == "admin" or role in (d.roles or []) or (d.owner_id is not None and d.owner_id == user.pk)


def opened(request, slug: str, may=None, refusal: str = "您的角色无权查看此看板。"):
    """The dashboard ``slug`` for this request, or the page that says why not: ``(dashboard, None)`` or
    ``(None, a 404 or 403 page)``. ``may`` (default ``may_see``) decides whether the account may have it."""
    ensure_default()
    d = Dashboard.objects.filter(slug=slug).first()
    if d is None:
        return None, error_page(request, 404, "未找到", f"没有名为 {slug} 的看板。")
    if not (may or may_see)(request.user, d):
        return None, forbidden(request, refusal)
    return d, None


def may_edit(user, d: Dashboard) -> bool:
    """Its author, or an admin (the workspace's own dashboards have no author: admins only)."""
    if not accounts.has(user, "use_console"):
        return False
    return accounts.role_of(user) == "admin" or (d.owner_id is not None and d.owner_id == user.pk)


def available_sources(request) -> dict:
    """The sources the request's account may put on a dashboard; a saved query's columns are those of a run
    with its defaults (once per store version and query text), unknown when that run fails."""
    import hashlib

    def columns(sq):
        def compute():
            import secrets

            from .console import run_statement

            try:
                result, _ = run_statement(request, sq.cypher, sq.parse_params({}), secrets.token_hex(16))
            except JjjkgError as err:
                audit.record(request, "analysis", saved_query=sq.name, purpose="columns", error=str(err)[:300])
                return None
            audit.record(request, "analysis", saved_query=sq.name, purpose="columns", rows=len(result))
            return list(getattr(result, "columns", []) or [])

        digest = hashlib.sha256(sq.cypher.encode("utf-8")).hexdigest()
        return live().cached((snapshot(request).fingerprint, "saved-columns", sq.name, digest), compute)

    return sources(request.user, columns)


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
        try:
            params = q.parse_params(mine)
        except JjjkgError as err:
            raise JjjkgError(f"参数有误：{err}") from None
        return run_analysis(live(), snap, name, params)
    import secrets

    from .console import _rows_json, run_statement, visible_queries

    sq = visible_queries(request.user).get(name)
    if sq is None:
        raise JjjkgError(f"没有名为 {name} 的保存查询（或您的角色看不到它）")
    try:
        params = sq.parse_params(mine)
    except JjjkgError as err:
        raise JjjkgError(f"参数有误：{err}") from None
    result, _ = run_statement(request, sq.cypher, params, secrets.token_hex(16))
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
        return {"values": [{"label": "条记录", "value": len(records)}]}
    if kind == "bar":
        column = tile.get("column") or (list(records[0])[0] if records else "")
        # counted by what a reader knows the value as: a sector's or organization's name, a gap in words
        headers, rows = _chinese(snap, [column], records)
        counts = Counter(str(r[-1]) for r in rows).most_common(BARS_SHOWN)
        top = max((n for _, n in counts), default=1)
        return {"bars": [{"label": k or "（空）", "short": _short(k or "（空）", 11), "n": n,
                          "w": round(300 * n / top), "y": 4 + 26 * i} for i, (k, n) in enumerate(counts)],
                "height": 8 + 26 * len(counts), "of": headers[-1],
                "more": max(0, len({str(r[-1]) for r in rows}) - BARS_SHOWN)}
    columns = tile.get("columns") or (list(records[0]) if records else [])
    headers, rows = _chinese(snap, columns, records[:MAX_ROWS_SHOWN])
    # a traffic light (the briefing's 红/黄/绿) is drawn as one, as on the home page
    lights = [h == "状态" for h in headers]
    cells = [[_text(v) for v in r] for r in rows]
    # a column of short words (省份, 级别) is never broken over two lines
    short = [all(len(r[i]) <= 4 for r in cells) for i in range(len(headers))]
    return {"columns": headers, "more": max(0, len(records) - MAX_ROWS_SHOWN), "short": short,
            "rows": [[{"text": t, "light": _LIGHTS.get(v) if lit else None, "short": sh}
                      for t, v, lit, sh in zip(c, r, lights, short)] for c, r in zip(cells, rows)]}


def _chinese(snap, columns: list[str], records: list[dict]) -> tuple[list[str], list[list]]:
    """Records as the meeting pack and the analysis pages show them: headers in Chinese, enumerations in
    words, a name beside each id the records do not name already."""
    from types import SimpleNamespace

    from viz.report.content import analysis_table

    table = analysis_table(snap.G, SimpleNamespace(keys=tuple(columns)), records)
    headers, rows = [column_zh(h) for h in table["headers"]], table["rows"]
    # a name looked up beside an id the records name already (a saved query's ``id, name``) is shown once
    seen, keep = set(), []
    for i in range(len(headers)):
        cells = tuple(str(r[i]) for r in rows)
        if not (rows and headers[i].endswith("名称") and cells in seen):
            keep.append(i)
            seen.add(cells)
    return [headers[i] for i in keep], [[r[i] for i in keep] for r in rows]


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


# ----------------------------------------------------------------------------- pages


@require_GET
def dashboard_list(request):
    ensure_default()
    items = [{"d": d, "editable": may_edit(request.user, d)} for d in Dashboard.objects.all()
             if may_see(request.user, d)]
    return render(request, "workspace/dashboards.html", {"items": items})


@require_GET
def dashboard_page(request, slug: str):
    d, refused = opened(request, slug)
    if refused:
        return refused
    snap = snapshot(request)
    declared = {p for t in d.tiles for p in t.get("params", [])}
    given = {k: v for k, v in request.GET.items() if k in declared and v.strip() and len(v) <= 200}
    fields = bar_fields(snap, d.tiles, given)
    shown = {f["name"]: f["shown"] for f in fields}
    tiles = []
    started = time.monotonic()
    for i, tile in enumerate(d.tiles, start=1):
        filters = [f"{param_zh(p)}：{shown[p]}" for p in tile.get("params", []) if p in given]
        if time.monotonic() - started > PAGE_SECONDS:
            tiles.append({**tile, "error": f"未运行：看板已用满 {PAGE_SECONDS} 秒的时间上限，请缩小条件后重试",
                          "n": 0, "draw": {}, "filters": filters})
            continue
        try:
            records = _records(request, snap, tile, given)
            draw = ({"frame": tile_frame_url(d.slug, i, tile, given),
                     "window": tile_frame_url(d.slug, i, tile, given, window=True)}
                    if tile["renderer"] in ("graph", "map") else _draw(tile, records, snap))
            tiles.append({**tile, "error": None, "n": len(records), "draw": draw,
                          "filters": filters, "empty": _why_empty(tile, filters)})
        except JjjkgError as err:
            tiles.append({**tile, "error": str(err), "n": 0, "draw": {}, "filters": filters})
        except Exception:  # one tile's fault (a column of lists drawn as a graph…) never takes the page down
            _log.exception("dashboard %s, tile %d", d.slug, i)
            audit.record(request, "error", path=request.path[:300], tile=i)
            tiles.append({**tile, "error": "这个图块的数据无法按所选方式呈现（已记录）。请作者检查图块的列和呈现方式。",
                          "n": 0, "draw": {}, "filters": filters})
    audit.record(request, "dashboard", slug=d.slug, params=given)
    return render(request, "workspace/dashboard.html", {
        "d": d, "tiles": tiles, "fields": fields, "given": any(f["value"] for f in fields),
        "can_edit": may_edit(request.user, d)})


def _why_empty(tile: dict, filters: list[str]) -> str:
    kind = tile["source"].split(":", 1)[0]
    what = {"analysis": "这项分析", "query": "这条保存的查询", "briefing": "会商材料"}[kind]
    if filters:
        return f"在所选条件（{'；'.join(filters)}）下，{what}没有符合的记录。可在上方参数栏放宽或清除条件。"
    return f"{what}在当前数据版本中没有记录。"


def bar_fields(snap, tiles: list[dict], given: dict[str, str]) -> list[dict]:
    """The dashboard's one parameter bar: each parameter some tile declares, in Chinese, with the choices the
    store offers (sectors by name, the three provinces, platform levels, yes/no) and the value given."""
    import queries
    from graph import schema
    from graph.build import sector_node
    from viz.report.content import sector_name

    types, choices = {}, {}
    for t in tiles:
        kind, name = t["source"].split(":", 1)
        q = queries.QUERIES.get(name) if kind == "analysis" else None
        for p in t.get("params", []):
            param = q.params.get(p) if q is not None else None
            types.setdefault(p, param.type.__name__ if param is not None else "str")
            if param is not None and param.choices:
                choices.setdefault(p, [(str(c), str(c)) for c in param.choices])
    out = []
    for name, kind in types.items():
        options, groups = choices.get(name), None
        if name == "sector":  # chains first, then clusters and industries, each under its heading
            G, kinds = snap.G, schema.SECTOR_KIND_ZH
            by_kind: dict[str, list] = {}
            for sid in G.sector_ids():
                kind_zh = kinds.get(G.nodes[sector_node(sid)].get("kind"), "其他")
                by_kind.setdefault(kind_zh, []).append((sid, f"{sector_name(G, sid)}（{sid}）"))
            groups = [{"label": k, "options": by_kind[k]} for k in [*kinds.values(), "其他"] if k in by_kind]
            options = [o for g in groups for o in g["options"]]
        elif name == "province":
            options = [(p, p) for p in schema.PROVINCES]
        elif name == "level":
            options = list(schema.LEVEL_ZH.items())
        elif kind == "bool":
            options = [("true", "是"), ("false", "否")]
        value = given.get(name, "")
        label = dict(options or []).get(value, value)
        out.append({"name": name, "label": param_zh(name), "value": value, "shown": label.split("（")[0] or value,
                    "options": options, "groups": groups or [{"label": "", "options": options or []}], "type": kind})
    return out


@require_GET
def dashboard_export(request, slug: str):
    d = Dashboard.objects.filter(slug=slug).first()
    if d is None or not may_see(request.user, d):
        return api_error("没有这个看板，或您的角色无权查看", 404)
    resp = HttpResponse(json.dumps(_spec(d), ensure_ascii=False, indent=2),
                        content_type="application/json; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="dashboard-{d.slug}.json"'
    return resp


@require_POST
@need("use_console")
def api_dashboard_import(request):
    try:
        given = parse_json(request.body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return api_error("请求内容应为看板的 JSON", 400)
    try:
        spec = check_dashboard(given, available_sources(request))
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
