"""Every named analysis as a form, its result as a table, CSV (BOM, formula-safe) and XLSX downloads.

The form is built from the parameters the analysis declares in ``queries``; the values are parsed
and checked by the same code as ``jjjkg query --param`` (its error text, under a Chinese lead), and
the records are those of ``jjjkg query NAME --format json``, cached per store version.
"""

from __future__ import annotations

import io
import json
import time

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from graph.errors import JjjkgError

from . import audit
from .live import live
from .profile import run_analysis
from .views_common import json_response, need, snapshot
from .views_errors import api_error, error_page

__all__ = ["analysis_list", "analysis_page", "analysis_download", "api_analyses", "api_analysis", "records"]

#: records shown on the page (the downloads hold all)
PAGE_ROWS = 500
_TYPE_ZH = {"str": "文本", "int": "整数", "float": "数值", "bool": "是/否"}


def _query(name: str):
    import queries

    return queries.get_query(name)


def describe(q) -> dict:
    from viz.report.content import ANALYSES_ZH, KEY_ZH

    short, about = ANALYSES_ZH.get(q.name, (q.name, q.summary))
    return {"name": q.name, "title": about, "short": short, "summary": q.summary,
            "parameters": [{"name": p.name, "label": KEY_ZH.get(p.name, p.name), "type": p.type.__name__,
                            "default": p.default, "help": p.help, "choices": list(p.choices)}
                           for p in q.params.values()]}


def _given(request) -> dict[str, str]:
    """The query string's values, the empty ones (a form field left blank) left out; the last of repeats."""
    return {k: v for k, v in request.GET.items() if v.strip() != "" and k not in ("format", "run")}


def records(request, name: str) -> tuple[object, list[dict], dict]:
    """(analysis, records, typed parameters) for the request's query string; raises JjjkgError for bad input."""
    q = _query(name)
    params = q.parse_params(_given(request))
    snap = snapshot(request)
    t0 = time.perf_counter()
    rows = run_analysis(live(), snap, name, params)
    audit.record(request, "analysis", name=name, params={k: str(v) for k, v in params.items()}, rows=len(rows),
                 ms=round(1000 * (time.perf_counter() - t0)))
    return q, rows, params


def _json_rows(q, rows) -> list[dict]:
    from viz.records_text import render

    buf = io.StringIO()
    render(rows, "json", q.keys, stream=buf)
    return json.loads(buf.getvalue())


@require_GET
def api_analyses(request):
    import queries

    return json_response([describe(queries.QUERIES[n]) for n in sorted(queries.QUERIES)])


@require_GET
def api_analysis(request, name: str):
    try:
        q, rows, params = records(request, name)
    except JjjkgError as err:
        return api_error(f"参数有误：{err}", 404 if _unknown(name) else 400)
    key = (request.snapshot.fingerprint, name, "json", tuple(sorted((k, repr(v)) for k, v in params.items())))
    body = live().cached(key, lambda: json.dumps(_json_rows(q, rows), ensure_ascii=False, allow_nan=False,
                                                 default=str).encode("utf-8"))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _unknown(name: str) -> bool:
    import queries

    return name not in queries.QUERIES


@require_GET
def analysis_list(request):
    import queries

    return render(request, "workspace/analyses.html",
                  {"analyses": [describe(queries.QUERIES[n]) for n in sorted(queries.QUERIES)]})


@require_GET
def analysis_page(request, name: str):
    if _unknown(name):
        return error_page(request, 404, "未找到", f"没有名为 {name} 的分析。")
    q = _query(name)
    error, rows, shown = None, None, []
    if request.GET:
        try:
            q, rows, _ = records(request, name)
            shown = _json_rows(q, rows)
        except JjjkgError as err:
            error = f"参数有误：{err}"
    fields = []
    for p in describe(q)["parameters"]:
        fields.append({**p, "value": request.GET.get(p["name"], ""), "type_zh": _TYPE_ZH.get(p["type"], p["type"])})
    table = {"headers": list(q.keys), "rows": []}
    if rows:
        from viz.report.content import analysis_table

        table = analysis_table(request.snapshot.G, q, rows[:PAGE_ROWS])
        table["rows"] = [[_cell(v) for v in r] for r in table["rows"]]
    return render(request, "workspace/analysis.html", {
        "a": describe(q), "fields": fields, "error": error, "keys": table["headers"], "rows": table["rows"],
        "n_rows": len(shown), "ran": rows is not None, "query_string": request.GET.urlencode(),
        "status": 400 if error else 200,
    }, status=400 if error else 200)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "；".join(map(str, v))
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


@require_GET
@need("export_data")
def analysis_download(request, name: str, fmt: str):
    if _unknown(name) or fmt not in ("csv", "xlsx"):
        return error_page(request, 404, "未找到", f"没有名为 {name} 的分析。")
    try:
        q, rows, params = records(request, name)
    except JjjkgError as err:
        return error_page(request, 400, "参数有误", str(err))
    who = request.user.get_username()
    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    audit.record(request, "download", name=name, format=fmt, params={k: str(v) for k, v in params.items()},
                 rows=len(rows))
    stem = f"{name}-{timezone.localtime(timezone.now()).strftime('%Y%m%d-%H%M')}"
    if fmt == "csv":
        from viz.records_text import render as render_rows

        buf = io.StringIO()
        buf.write("\ufeff")
        render_rows(rows, "csv", q.keys, stream=buf)
        resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        resp = HttpResponse(_xlsx(q, _json_rows(q, rows), who, when),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        fmt = "xlsx"
    resp["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return resp


def _xlsx(q, rows: list[dict], who: str, when: str) -> bytes:
    """A workbook: the account and the time in the header (printed on every page), then the records."""
    from openpyxl import Workbook

    from viz.excel_safe import neutralise

    wb = Workbook()
    ws = wb.active
    ws.title = q.name[:31]
    title = describe(q)["title"]
    ws.oddHeader.center.text = f"{title} — 下载：{who}，{when}"
    ws.oddFooter.center.text = f"jjjkg 工作台 · {who} · {when} · 第 &P 页"
    ws.append([title])
    ws.append([f"下载账户：{who}　时间：{when}　记录：{len(rows)} 条"])
    ws.append(list(q.keys))
    for r in rows:
        ws.append([neutralise(_cell(v)) if isinstance(v, (str, list)) else v for v in (r.get(k) for k in q.keys)])
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
