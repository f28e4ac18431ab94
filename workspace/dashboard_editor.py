"""The dashboard editor (``/dashboards/new``, ``/dashboards/SLUG/edit``), for analysts and above.

Plain forms with CSRF, each a POST that changes the saved dashboard and comes back to the editor: create a
dashboard (title, address name, the roles that may open it), set its title and roles, add a tile (a named
analysis or a saved query the author sees, a renderer, the parameters it takes from the parameter bar, for a
table its columns, for a bar chart the column it counts), rename a tile, move it up or down, remove it.
Every change goes through ``check_dashboard`` — the check JSON import uses — and leaves an audit row. It works
without script; ``app.js`` only submits the choice of source at once and hides what the renderer ignores.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from graph.errors import JjjkgError

from . import accounts, audit
from .dashboard_spec import FIELD_ZH, RENDERER_ZH, RENDERERS, check_dashboard, column_zh, param_zh
from .dashboards import available_sources, ensure_default, may_edit, opened
from .models import Dashboard
from .views_common import need

__all__ = ["new_dashboard", "edit_dashboard", "CHANGES"]

#: what an editor's POST may do (its ``action`` field)
CHANGES = ("meta", "add", "title", "up", "down", "remove")
#: parameters a new tile takes from the bar unless its author says otherwise
_USUAL_PARAMS = ("sector", "province")


def _roles(request) -> list[str]:
    return [r for r in accounts.ROLES if r in request.POST.getlist("roles")]


def _role_choices(chosen) -> list[dict]:
    return [{"name": r, "label": accounts.ROLE_ZH[r], "checked": r in chosen} for r in accounts.ROLES]


@require_http_methods(["GET", "POST"])
@need("use_console")
def new_dashboard(request):
    ensure_default()
    form = {"title": "", "slug": "", "roles": ["viewer", "analyst", "editor", "admin"]}
    error = None
    if request.method == "POST":
        form = {"title": request.POST.get("title", "")[:200], "slug": request.POST.get("slug", "").strip()[:80],
                "roles": _roles(request)}
        try:
            spec = check_dashboard({**form, "tiles": []})
            if Dashboard.objects.filter(slug=spec["slug"]).exists():
                raise JjjkgError(f"已有地址名为 {spec['slug']} 的看板，请换一个地址名")
        except JjjkgError as err:
            error = str(err)
        else:
            Dashboard.objects.create(slug=spec["slug"], title=spec["title"], roles=spec["roles"], tiles=[],
                                     owner=request.user)
            audit.record(request, "dashboard_edit", slug=spec["slug"], change="create", title=spec["title"],
                         roles=spec["roles"])
            return HttpResponseRedirect(f"/dashboards/{spec['slug']}/edit", status=303)
    return render(request, "workspace/dashboard_new.html", {
        "form": form, "role_choices": _role_choices(form["roles"]), "error": error}, status=400 if error else 200)


def _index(request, n: int) -> int:
    try:
        i = int(request.POST.get("tile", ""))
    except ValueError:
        raise JjjkgError("请求缺少图块序号（tile）") from None
    if not 1 <= i <= n:
        raise JjjkgError(f"没有第 {i} 个图块：看板有 {n} 个")
    return i - 1


def _new_tile(request) -> dict:
    """The tile the add form describes (checked afterwards with the whole dashboard)."""
    post = request.POST
    renderer = post.get("renderer", "")
    tile = {"title": post.get("title", "").strip(), "source": post.get("source", ""), "renderer": renderer,
            "params": post.getlist("params")}
    columns = [c for c in post.getlist("columns") if c]
    if post.get("columns_text", "").strip():  # a saved query whose columns are not known beforehand
        columns = [c.strip() for c in post["columns_text"].replace("、", ",").split(",") if c.strip()]
    if renderer == "table" and columns:
        tile["columns"] = columns
    if renderer == "bar":
        tile["column"] = post.get("column", "").strip()
    if renderer == "graph":
        edges = [[post.get(f"edge{k}_from", "").strip(), post.get(f"edge{k}_to", "").strip()]
                 for k in (1, 2) if post.get(f"edge{k}_from") or post.get(f"edge{k}_to")]
        if edges:  # none: the check says a graph needs one
            tile["edges"] = edges
    if renderer == "map":
        for key in ("id", "label"):
            if post.get(key, "").strip():
                tile[key] = post[key].strip()
    return tile


def _changed(request, d: Dashboard) -> tuple[dict, dict]:
    """(the dashboard as it would be after the POST, what changed for the audit)."""
    action = request.POST.get("action", "")
    if action not in CHANGES:
        raise JjjkgError("不认识的修改：" + action[:40])
    spec = {"slug": d.slug, "title": d.title, "roles": list(d.roles or []), "tiles": [dict(t) for t in d.tiles]}
    tiles = spec["tiles"]
    if action == "meta":
        spec["title"], spec["roles"] = request.POST.get("title", "")[:200], _roles(request)
        return spec, {"change": "meta", "title": spec["title"], "roles": spec["roles"]}
    if action == "add":
        tile = _new_tile(request)
        tiles.append(tile)
        return spec, {"change": "add", "tile": len(tiles), "source": tile["source"], "renderer": tile["renderer"]}
    i = _index(request, len(tiles))
    if action == "title":
        tiles[i]["title"] = request.POST.get("title", "").strip()
        if not tiles[i]["title"]:
            raise JjjkgError(f"第 {i + 1} 个图块的{FIELD_ZH['title']}不能为空")
    elif action == "remove":
        tiles.pop(i)
    else:
        j = i - 1 if action == "up" else i + 1
        if not 0 <= j < len(tiles):
            raise JjjkgError(f"第 {i + 1} 个图块已在{'最前' if action == 'up' else '最后'}")
        tiles[i], tiles[j] = tiles[j], tiles[i]
    return spec, {"change": action, "tile": i + 1, "title": d.tiles[i].get("title", "")}


def _version(d: Dashboard) -> str:
    return d.updated.isoformat()


@require_http_methods(["GET", "POST"])
@need("use_console")
def edit_dashboard(request, slug: str):
    d, refused = opened(request, slug, may_edit,
                        "只有看板的作者和管理员能修改它（工作台自带的看板只有管理员能修改）。")
    if refused:
        return refused
    available = available_sources(request)
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.POST.get("v") != _version(d):
                raise JjjkgError("看板在您打开编辑页之后已被修改：请刷新本页后重做这一步")
            spec, change = _changed(request, d)
            spec = check_dashboard(spec, available)
        except JjjkgError as err:
            error, status = str(err), 400
        else:
            d.title, d.roles, d.tiles = spec["title"], spec["roles"], spec["tiles"]
            d.save()
            audit.record(request, "dashboard_edit", slug=d.slug, **change)
            anchor = f"#tile-{change['tile']}" if change.get("tile") and change["change"] != "remove" else ""
            return HttpResponseRedirect(f"/dashboards/{d.slug}/edit{anchor}", status=303)
    chosen = request.POST.get("source") if error and request.POST.get("action") == "add" else request.GET.get("source")
    return render(request, "workspace/dashboard_edit.html", {
        "d": d, "v": _version(d), "error": error, "role_choices": _role_choices(d.roles or []),
        "tiles": [_tile_row(t, available) for t in d.tiles], "groups": _groups(available),
        "add": _add_form(available.get(chosen or ""), request.POST if error else None),
        "add_error": error if request.POST.get("action") == "add" else None,
        "renderers": [{"name": r, "label": RENDERER_ZH[r]} for r in RENDERERS],
    }, status=status)


def _tile_row(t: dict, available: dict) -> dict:
    src = available.get(t["source"])
    return {**t, "renderer_zh": RENDERER_ZH.get(t["renderer"], t["renderer"]),
            "source_zh": f"{src.group}：{src.title}" if src else t["source"],
            "params_zh": "、".join(param_zh(p) for p in t.get("params", [])),
            "columns_zh": "、".join(column_zh(c) for c in t.get("columns", [])),
            "column_zh": column_zh(t["column"]) if t.get("column") else ""}


def _groups(available: dict) -> list[dict]:
    groups: dict[str, list] = {}
    for s in available.values():
        groups.setdefault(s.group, []).append({"key": s.key, "label": f"{s.title}（{s.name}）"})
    return [{"label": g, "items": items} for g, items in groups.items()]


def _add_form(src, posted) -> dict | None:
    """The second step of adding a tile: what the chosen source offers, with sensible defaults."""
    if src is None:
        return None
    columns = src.columns
    options = [{"name": c, "label": f"{column_zh(c)}（{c}）"} for c in (columns or [])]
    ids = [c for c in (columns or []) if c == "id" or c.endswith("_id")]
    names = [c for c in (columns or []) if c == "name" or c.endswith("_name")]
    if posted is not None:
        chosen = {"title": posted.get("title", ""), "renderer": posted.get("renderer", "table"),
                  "params": posted.getlist("params"), "columns": posted.getlist("columns"),
                  "column": posted.get("column", ""), "id": posted.get("id", ""), "label": posted.get("label", ""),
                  "columns_text": posted.get("columns_text", ""),
                  "edges": [(posted.get(f"edge{k}_from", ""), posted.get(f"edge{k}_to", "")) for k in (1, 2)]}
    else:
        chosen = {"title": src.title, "renderer": "table", "params": [p for p in src.params if p in _USUAL_PARAMS],
                  "columns": [], "column": (columns or [""])[0], "id": (ids or [""])[0],
                  "label": (names or [""])[0], "columns_text": "",
                  "edges": [tuple(ids[0:2]) if len(ids) >= 2 else ("", ""),
                            tuple(ids[1:3]) if len(ids) >= 3 else ("", "")]}
    return {"source": src, "known": columns is not None, "columns": options, "chosen": chosen,
            "params": [{"name": p, "label": param_zh(p), "checked": p in chosen["params"]} for p in src.params],
            "edges": [{"k": k, "from": a, "to": b} for k, (a, b) in enumerate(chosen["edges"], start=1)]}
