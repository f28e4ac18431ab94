"""The analyst's Cypher console: the ``/console`` page and its JSON API (contract §5).

A statement runs as ``jjjkg cypher`` runs it — ``graph.cypher.habits.run_cypher``: Neo4j habits rewritten
with their notes, ``LOAD CSV`` refused, the engine's memory cap, at most ``MAX_ROWS`` rows — always
read-only, with the role's timeout, on one of the console's own servers (``workspace.engine``), so that
取消 ends it on the server. Every run is kept in the account's history and leaves an audit row.
Saved queries are ``.cypher`` files in ``<state>/queries/`` in the format of ``jjjkg query --queries``
(``workspace.saved_queries``).
"""

from __future__ import annotations

import io
import json
import math
import re
import secrets
import threading
import time

from csp.constants import NONCE
from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from graph.errors import JjjkgError, QueryError

from . import accounts, audit, saved_queries
from .bundle import bundle_files
from .engine import TooManyRuns, engines, role_timeout
from .live import live
from .models import ConsoleParams, ConsoleRun
from .views_common import json_response, need, snapshot
from .views_errors import api_error

__all__ = ["console_page", "api_cypher", "api_cancel", "api_history", "api_params", "api_queries", "api_queries_root",
           "api_saved", "api_saved_list", "saved_list_page", "saved_page", "visible_queries", "console_download",
           "console_schema", "chinese_error", "MAX_ROWS", "SAVED_FOLDER"]

#: rows a console result holds at most (as ``jjjkg cypher --max-rows`` by default)
MAX_ROWS = 100_000
#: the longest statement accepted
MAX_STATEMENT = saved_queries.MAX_STATEMENT
#: history entries kept per account
HISTORY_KEPT = 500
#: where saved queries live in the state folder
SAVED_FOLDER = saved_queries.FOLDER
PARAM_TYPES = ("text", "number", "list", "map")
#: how deep a list or map parameter may nest
MAX_DEPTH = 16
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_RUN_ID = re.compile(r"[0-9a-f]{8,64}")
_POSITION = re.compile(r"\bline (\d+), column (\d+)")
_INVALID = re.compile(r"\bline \d+, column \d+: Invalid input '(.*?)':")


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _body(request) -> dict:
    try:  # strict JSON: NaN and Infinity are not values (they could not be stored or answered again)
        value = json.loads(request.body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JjjkgError("请求内容应为 JSON 对象") from None
    if not isinstance(value, dict):
        raise JjjkgError("请求内容应为 JSON 对象")
    return value


def _depth(value, limit: int = MAX_DEPTH) -> int:
    """How deep lists and maps nest in ``value`` (counted without recursion, stopping past ``limit``)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            if d + 1 > limit:
                return d + 1
            deepest = max(deepest, d + 1)
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _check_values(params: dict) -> None:
    """Parameter values the engine can take: at most ``MAX_DEPTH`` deep, integers within 64 bits, finite numbers."""
    if _depth(params, MAX_DEPTH + 1) > MAX_DEPTH + 1:  # the map of parameters is one level
        raise JjjkgError(f"参数嵌套过深（列表和映射最多 {MAX_DEPTH} 层）")
    stack = list(params.values())
    while stack:
        v = stack.pop()
        if isinstance(v, bool):
            continue
        if isinstance(v, int) and not -2**63 <= v < 2**63:
            raise JjjkgError(f"参数中的整数 {v} 超出 64 位整数的范围")
        if isinstance(v, float) and not math.isfinite(v):
            raise JjjkgError(f"参数中的数值 {v} 不是有限的数")
        if isinstance(v, (list, dict)):
            stack.extend(v.values() if isinstance(v, dict) else v)


# ----------------------------------------------------------------------------- the page


def console_schema(snap) -> dict:
    """Labels, relationship types and property keys of the store (for completion), computed once per version."""
    def compute():
        from graph import schema

        types = set(schema.RELATIONS)
        keys = set(schema.property_keys())
        for _, _, rel, data in snap.G.edges(keys=True, data=True):
            types.add(rel)
            keys.update(data)
        for _, data in snap.G.nodes(data=True):
            keys.update(data)
        return {"labels": schema.all_labels(), "relationshipTypes": sorted(types),
                "propertyKeys": sorted(k for k in keys if isinstance(k, str) and not k.startswith("_")),
                "functions": [], "procedures": []}

    return live().cached((snap.fingerprint, "console-schema"), compute)


@require_GET
@need("use_console")
@csp_update({"style-src": ["'self'", NONCE]})  # CodeMirror's own stylesheet, injected with this nonce
def console_page(request):
    snap = snapshot(request)
    files = bundle_files()
    version = {name.replace(".", "_").replace("-", "_"): sha[:12] for name, sha in files.items()}
    return render(request, "workspace/console.html", {"schema": console_schema(snap), "bundle": version})


# ----------------------------------------------------------------------------- running


def chinese_error(message: str, timeout: float) -> str:
    """The engine's (English) message under a Chinese lead that says what happened and what to do."""
    if message.startswith("the query writes to the graph"):
        return "控制台只读：这条语句会修改图谱，已拒绝，图谱没有改变。"
    if message.startswith("the query timed out"):
        return (f"语句超时：运行超过了 {timeout:g} 秒的时间上限，已在服务器上终止。请缩小查询范围（例如加上 LIMIT）。"
                f"（{message}）")
    if "LOAD CSV" in message:
        return f"控制台不允许 LOAD CSV（它会读取文件或访问网络）。（{message}）"
    if message.startswith("missing parameter"):
        return f"缺少参数：请在参数面板中添加。（{message}）"
    if message.startswith("Cypher error"):
        m = _INVALID.search(message)
        if m:
            # where it is, the page says (and the editor marks): here, what was not understood
            return f"Cypher 语句有误：{m.group(1)!r} 无法识别（语法错误）。（{message}）"
        return f"Cypher 语句有误：{message}"
    if message.startswith("the answer is larger than"):
        return f"结果太大，服务器没有读取：请加上 LIMIT、减少列，或只返回 size(…) 或列表的一段。（{message}）"
    if message.startswith("out of memory"):
        return f"语句超出内存上限，已终止。请缩小查询范围。（{message}）"
    return f"语句无法运行：{message}"


def _rows_json(result) -> str:
    from viz.records_text import render

    buf = io.StringIO()
    render(result, "json", stream=buf)
    return buf.getvalue()


def _remember(request, statement: str, params: dict, *, rows=None, ms=None, error: str = "") -> int:
    run = ConsoleRun.objects.create(owner=request.user, statement=statement, params=params, rows=rows, ms=ms,
                                    error=error[:2000])
    old = ConsoleRun.objects.filter(owner=request.user).order_by("-time", "-id")[HISTORY_KEPT:HISTORY_KEPT + 100]
    ConsoleRun.objects.filter(pk__in=[r.pk for r in old]).delete()
    return run.pk


def run_statement(request, statement: str, params: dict, run_id: str):
    """(result, notes) of a statement run as the console runs it; raises JjjkgError with a Chinese message."""
    from graph.cypher.habits import run_cypher

    timeout = role_timeout(accounts.role_of(request.user))
    snap = snapshot(request)
    notes: list[str] = []
    current = None
    expired = threading.Event()
    try:
        with engines().run(request.user.get_username(), run_id, snap) as run:
            current = run
            if run.cancelled.is_set():
                raise QueryError("cancelled before it started")

            def expire():
                # a statement that ignores FalkorDB's own timeout (UNWIND range(…) of a huge range) still ends
                # within a fifth of a second of the limit: its server, which runs nothing else, is ended
                expired.set()
                run.engine.abort()

            timer = threading.Timer(timeout + 0.2, expire)
            timer.daemon = True
            timer.start()
            try:
                result = run_cypher(run.engine, statement, params, read_only=True, timeout=timeout,
                                    warn=notes.append, max_rows=MAX_ROWS)
            finally:
                timer.cancel()
    except TooManyRuns:
        raise
    except QueryError as err:
        if current is not None and current.cancelled.is_set():
            raise QueryError("语句已取消：服务器上的执行已终止。") from None
        if expired.is_set():
            raise QueryError(chinese_error(f"the query timed out after {timeout:g} s", timeout)) from None
        raise QueryError(chinese_error(str(err), timeout)) from None
    if current is not None and current.cancelled.is_set():
        raise QueryError("语句已取消：服务器上的执行已终止。")
    if getattr(result, "truncated", False):
        notes.append(f"结果超过 {MAX_ROWS:,} 行，只返回了前 {MAX_ROWS:,} 行：请加上 LIMIT 或缩小查询范围。")
    return result, notes


@require_POST
@need("use_console")
def api_cypher(request):
    try:
        body = _body(request)
    except JjjkgError as err:
        return api_error(str(err), 400)
    statement, params, run_id = body.get("statement"), body.get("params") or {}, body.get("run_id")
    if not isinstance(statement, str) or not statement.strip():
        return api_error("请输入 Cypher 语句", 400)
    if len(statement) > MAX_STATEMENT:
        return api_error(f"语句过长（最多 {MAX_STATEMENT:,} 个字符）", 400)
    if not isinstance(params, dict) or not all(isinstance(k, str) and _NAME.fullmatch(k) for k in params):
        return api_error("参数应为一个映射：名称 → 值，名称以字母或下划线开头", 400)
    try:
        _check_values(params)
    except JjjkgError as err:
        return api_error(str(err), 400)
    if len(json.dumps(params, ensure_ascii=False)) > 64_000:
        return api_error("参数太大（最多 64 KB）", 400)
    if run_id is None:
        run_id = secrets.token_hex(16)
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        return api_error("run_id 应为 8 到 64 位十六进制字符", 400)
    t0 = time.perf_counter()
    try:
        result, notes = run_statement(request, statement, params, run_id)
    except TooManyRuns as err:
        audit.record(request, "cypher", statement=statement[:2000], params=params, outcome="refused",
                     error=str(err))
        return api_error(str(err), 429)
    except QueryError as err:
        ms = round(1000 * (time.perf_counter() - t0))
        message = str(err)
        m = _POSITION.search(message)
        _remember(request, statement, params, ms=ms, error=message)
        audit.record(request, "cypher", statement=statement[:2000], params=params, outcome="error", ms=ms,
                     error=message[:500])
        extra = {"line": int(m.group(1)), "column": int(m.group(2))} if m else {}
        return api_error(message, 400, **extra)
    except JjjkgError as err:  # the engine could not be started or reached
        audit.record(request, "cypher", statement=statement[:2000], params=params, outcome="unavailable",
                     error=str(err)[:500])
        return api_error(f"数据库暂时不可用：{err}", 503)
    ms = round(1000 * (time.perf_counter() - t0))
    run_pk = _remember(request, statement, params, rows=len(result), ms=ms)
    audit.record(request, "cypher", statement=statement[:2000], params=params, outcome="ok", rows=len(result), ms=ms)
    head = {"columns": list(getattr(result, "columns", [])), "notes": notes, "elapsed_ms": ms,
            "truncated": bool(getattr(result, "truncated", False)),
            "downloads": {f: f"/console/download.{f}?run={run_pk}" for f in ("csv", "xlsx")}
            if accounts.has(request.user, "export_data") else {}}
    if hasattr(result, "lines"):
        head["plan"] = list(result.lines)
    text = json.dumps(head, ensure_ascii=False, allow_nan=False)[:-1] + ', "rows": ' + _rows_json(result) + "}"
    return HttpResponse(text, content_type="application/json; charset=utf-8")


@require_POST
@need("use_console")
def api_cancel(request):
    try:
        run_id = _body(request).get("run_id")
    except JjjkgError as err:
        return api_error(str(err), 400)
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        return api_error("run_id 应为 8 到 64 位十六进制字符", 400)
    cancelled = engines().cancel(request.user.get_username(), run_id)
    audit.record(request, "cypher", cancel=run_id, cancelled=cancelled)
    return json_response({"cancelled": cancelled})


# ----------------------------------------------------------------------------- history and parameters


@require_GET
@need("use_console")
def api_history(request):
    q = request.GET.get("q", "")
    if len(q) > 200:
        return api_error("检索词过长（最多 200 个字符）", 400)
    runs = ConsoleRun.objects.filter(owner=request.user)
    if q.strip():
        runs = runs.filter(statement__icontains=q.strip())
    items = [{"id": r.pk, "statement": r.statement, "params": r.params, "rows": r.rows, "ms": r.ms,
              "error": r.error, "time": timezone.localtime(r.time).strftime("%Y-%m-%d %H:%M")} for r in runs[:50]]
    return json_response({"items": items})


def check_params(entries) -> list[dict]:
    """The parameters panel's entries ``[{name, type, value}]``, checked; raises JjjkgError in Chinese."""
    if not isinstance(entries, list) or len(entries) > 100:
        raise JjjkgError("参数应为列表，最多 100 个")
    out, seen = [], set()
    for i, e in enumerate(entries, start=1):
        if not isinstance(e, dict):
            raise JjjkgError(f"第 {i} 个参数应为 {{name, type, value}}")
        name, kind, value = e.get("name"), e.get("type"), e.get("value")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise JjjkgError(f"第 {i} 个参数的名称 {name!r} 无效：应以字母或下划线开头，只含字母、数字和下划线")
        if name in seen:
            raise JjjkgError(f"参数 {name} 重复")
        ok = {"text": isinstance(value, str),
              "number": isinstance(value, (int, float)) and not isinstance(value, bool),
              "list": isinstance(value, list), "map": isinstance(value, dict)}.get(kind)
        if ok is None:
            raise JjjkgError(f"参数 {name} 的类型 {kind!r} 无效：应为 {', '.join(PARAM_TYPES)} 之一")
        if not ok:
            raise JjjkgError(f"参数 {name} 的值与类型 {kind} 不符")
        seen.add(name)
        out.append({"name": name, "type": kind, "value": value})
    _check_values({e["name"]: e["value"] for e in out})
    if len(json.dumps(out, ensure_ascii=False)) > 64_000:
        raise JjjkgError("参数太大（最多 64 KB）")
    return out


@require_http_methods(["GET", "PUT"])
@need("use_console")
def api_params(request):
    if request.method == "PUT":
        try:
            entries = check_params(_body(request).get("params"))
        except JjjkgError as err:
            return api_error(str(err), 400)
        ConsoleParams.objects.update_or_create(owner=request.user, defaults={"params": entries})
        return json_response({"params": entries})
    saved = ConsoleParams.objects.filter(owner=request.user).first()
    return json_response({"params": saved.params if saved else []})


# ----------------------------------------------------------------------------- saved queries


def saved_folder(create: bool = False):
    folder = settings.JJJKG.state / SAVED_FOLDER
    if create:
        folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def api_queries_root(request):
    """``GET /api/queries``: the saved queries the account may run; ``POST``: save one (analysts and above)."""
    if request.method == "GET":
        return api_saved_list(request)
    return api_queries(request)


@require_POST
@need("use_console")
def api_queries(request):
    try:
        body = _body(request)
        name = saved_queries.check_name(body.get("name"))
        title = saved_queries.check_title(body.get("title"))
        statement = saved_queries.check_statement(body.get("statement"))
        roles, params = body.get("roles") or [], check_params(body.get("params") or [])
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) and r in accounts.ROLES
                                                               for r in roles):
            raise JjjkgError(f"请选择能看到此查询的角色：{', '.join(accounts.ROLES)}")
        for p in params:
            if p["type"] in ("list", "map"):
                raise JjjkgError(f"参数 {p['name']}：保存的查询只支持文本和数字参数（与 jjjkg query --queries 相同）")
            saved_queries.check_default(p["name"], p["value"])
    except JjjkgError as err:
        return api_error(str(err), 400)
    folder = saved_folder(create=True)
    path = folder / f"{name}.cypher"
    author = request.user.get_username()
    if path.exists():
        from queries.saved import read_cypher_file

        try:
            old_author = saved_queries.author_of(read_cypher_file(path))
        except QueryError:
            old_author = ""
        if old_author != author and accounts.role_of(request.user) != "admin":
            return api_error(f"已有名为 {name} 的查询（由其他账户保存）：请换一个名称", 409)
    ordered = [r for r in accounts.ROLES if r in roles]
    saved_queries.write_query(folder, name, saved_queries.file_text(name, title, author, ordered, params, statement))
    audit.record(request, "save_query", name=name, title=title, roles=ordered, params=[p["name"] for p in params])
    return json_response({"name": name, "title": title, "roles": ordered}, status=201)


# ----------------------------------------------------------------------------- saved queries as forms

_TYPE_ZH = {"str": "文本", "int": "整数", "float": "数值", "bool": "是/否"}


def visible_queries(user) -> dict:
    """The saved queries ``user``'s role may see, by name (a query names its roles in ``// roles:``)."""
    role = accounts.role_of(user)
    return {name: sq for name, sq in saved_queries.read_folder(saved_folder()).items()
            if role == "admin" or role in saved_queries.roles_of(sq.cypher)}


def _describe(sq) -> dict:
    return {"name": sq.name, "title": sq.summary,
            "parameters": [{"name": p.name, "type": p.type.__name__, "default": p.default}
                           for p in sq.params.values()]}


def _saved_records(request, sq):
    """(result, notes) of a saved query with the request's parameters (the form's fields, blanks left out)."""
    given = {k: v for k, v in request.GET.items() if v.strip() != "" and k != "run"}
    params = sq.parse_params(given)
    _check_values(params)
    t0 = time.perf_counter()
    result, notes = run_statement(request, sq.cypher, params, secrets.token_hex(16))
    audit.record(request, "analysis", saved_query=sq.name, params={k: str(v) for k, v in params.items()},
                 rows=len(result), ms=round(1000 * (time.perf_counter() - t0)))
    return result, notes


@require_GET
def api_saved_list(request):
    return json_response([_describe(sq) for _, sq in sorted(visible_queries(request.user).items())])


@require_GET
def api_saved(request, name: str):
    sq = visible_queries(request.user).get(name)
    if sq is None:
        return api_error(f"没有名为 {name} 的查询（或您的角色看不到它）", 404)
    try:
        result, _ = _saved_records(request, sq)
    except TooManyRuns as err:
        return api_error(str(err), 429)
    except JjjkgError as err:
        return api_error(f"参数有误：{err}" if not str(err).startswith(("语句", "控制台", "缺少", "Cypher")) else str(err),
                         400)
    return HttpResponse(_rows_json(result), content_type="application/json; charset=utf-8")


@require_GET
def saved_list_page(request):
    items = [_describe(sq) for _, sq in sorted(visible_queries(request.user).items())]
    return render(request, "workspace/saved_queries.html", {"items": items})


@require_GET
def saved_page(request, name: str):
    from .views_errors import error_page

    sq = visible_queries(request.user).get(name)
    if sq is None:
        return error_page(request, 404, "未找到", f"没有名为 {name} 的查询，或您的角色看不到它。")
    error, result, notes = None, None, []
    if request.GET:
        try:
            result, notes = _saved_records(request, sq)
        except JjjkgError as err:
            error = str(err)
    fields = [{**p, "value": request.GET.get(p["name"], ""), "type_zh": _TYPE_ZH.get(p["type"], p["type"])}
              for p in _describe(sq)["parameters"]]
    columns = list(getattr(result, "columns", []) or [])
    rows = json.loads(_rows_json(result))[:500] if result is not None else []
    from .views_analyses import _cell

    return render(request, "workspace/saved_query.html", {
        "q": _describe(sq), "fields": fields, "error": error, "columns": columns, "notes": notes,
        "rows": [[_cell(r.get(c)) if not isinstance(r.get(c), dict) else json.dumps(r.get(c), ensure_ascii=False)
                  for c in columns] for r in rows],
        "n_rows": len(result) if result is not None else 0, "ran": result is not None,
    }, status=400 if error else 200)


# ----------------------------------------------------------------------------- downloads


@require_GET
@need("export_data")
def console_download(request, fmt: str):
    """A console result as CSV (UTF-8 with BOM, formula-safe) or XLSX: the history entry ``run`` run again."""
    from .views_errors import error_page

    if fmt not in ("csv", "xlsx"):
        return error_page(request, 404, "未找到", "只能下载 CSV 或 XLSX。")
    run = request.GET.get("run", "")
    entry = ConsoleRun.objects.filter(owner=request.user, pk=int(run)).first() \
        if re.fullmatch(r"[0-9]{1,18}", run) else None
    if entry is None:
        return error_page(request, 404, "未找到", "没有这次运行的记录（下载只针对您自己的历史）。")
    if not accounts.has(request.user, "use_console"):
        return error_page(request, 403, "无权访问", "您的角色无权使用控制台。")
    try:
        result, _ = run_statement(request, entry.statement, entry.params, secrets.token_hex(16))
    except JjjkgError as err:
        return error_page(request, 400, "无法下载", str(err))
    columns = list(getattr(result, "columns", []))
    audit.record(request, "download", console_run=entry.pk, statement=entry.statement[:2000], format=fmt,
                 rows=len(result))
    stem = f"console-{timezone.localtime(timezone.now()).strftime('%Y%m%d-%H%M')}"
    if fmt == "csv":
        from viz.records_text import render as render_rows

        buf = io.StringIO()
        buf.write("\ufeff")
        render_rows(result, "csv", columns, stream=buf)
        resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        resp = HttpResponse(_xlsx(entry.statement, columns, json.loads(_rows_json(result)), request),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return resp


def _xlsx(statement: str, columns: list[str], rows: list[dict], request) -> bytes:
    """A workbook: who downloaded it and when (also in the printed header), the statement, then the rows."""
    from openpyxl import Workbook

    from viz.excel_safe import neutralise

    who = request.user.get_username()
    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    wb = Workbook()
    ws = wb.active
    ws.title = "控制台结果"
    ws.oddHeader.center.text = f"Cypher 控制台结果 — 下载：{who}，{when}"
    ws.append([f"下载账户：{who}　时间：{when}　记录：{len(rows)} 条"])
    ws.append([neutralise(" ".join(statement.split())[:1000])])
    ws.append([neutralise(c) for c in columns])
    for r in rows:
        ws.append([v if isinstance(v, (int, float)) and not isinstance(v, bool) else
                   neutralise(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) if v is not None
                   else None for v in (r.get(c) for c in columns)])
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
