"""Bringing a list (editors): upload it, read its plan as a table, decide the ambiguous rows, apply.

The same code as ``jjjkg import`` does every step — ``loaders.published.read_published`` reads the
list (title rows, merged headers, the workbook guard), ``loaders.listimport.make_plan`` resolves it
against the store the server holds, an edited plan goes through ``read_plan``'s checks, and
``apply_plan`` + ``graph.store.save_store`` write the new store version (refused when the store
changed since the plan was made). The server then switches to it at the next request.

An upload is kept in the state folder under a random name of its own (never the name it was sent
with), for the account that sent it, until it is applied or replaced.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from graph.errors import InputError, JjjkgError

from . import audit
from .live import live
from .views_common import need, snapshot
from .views_errors import error_page

__all__ = ["import_page", "import_plan", "import_apply"]

SUFFIXES = (".xlsx", ".csv")
#: the plan table's action names in Chinese
ACTION_ZH = {"match": "匹配已有", "new": "新建", "ambiguous": "待定", "skip": "跳过"}
_SESSION_KEY = "jjjkg_import"


def _folder(token: str) -> Path:
    if not token or not token.isalnum() or len(token) > 64:
        raise JjjkgError("导入编号无效")
    return settings.JJJKG.state / "imports" / token


def _options(request) -> dict:
    as_ = request.POST.get("as", "platforms")
    if as_ not in ("platforms", "organizations"):
        raise JjjkgError("“名单类型”应为平台名单或机构名单")
    province = request.POST.get("province", "").strip() or None
    return {"as_": as_, "province": province, "source": request.POST.get("source", "").strip()[:500] or None,
            "sheet": request.POST.get("sheet", "").strip()[:100] or None}


def _plan(folder: Path, opts: dict, tables):
    from loaders.listimport import make_plan
    from loaders.published import read_published

    upload = next(p for p in folder.iterdir() if p.name.startswith("upload"))
    lst = read_published(upload, opts["sheet"])
    return lst, make_plan(lst, tables, as_=opts["as_"], province=opts["province"], source=opts["source"])


@require_GET
@need("import_lists")
def import_page(request):
    snapshot(request)
    return render(request, "workspace/import.html", {"step": "upload"})


def _problem_page(request, err: JjjkgError, status: int = 400):
    lines = [str(p) for p in getattr(err, "problems", [])] or [str(err)]
    return render(request, "workspace/import.html", {"step": "upload", "errors": lines[:50],
                                                     "more": max(len(lines) - 50, 0)}, status=status)


@require_POST
@need("import_lists")
def import_plan(request):
    snap = snapshot(request)
    f = request.FILES.get("list")
    if f is None:
        return _problem_page(request, JjjkgError("请选择要导入的名单文件（.xlsx 或 .csv）"))
    suffix = Path(f.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        return _problem_page(request, JjjkgError(f"文件类型 {suffix or '（无）'} 不能导入：请上传 .xlsx 或 .csv"))
    token = secrets.token_hex(16)
    folder = _folder(token)
    folder.mkdir(parents=True, mode=0o700)
    with open(folder / f"upload{suffix}", "xb") as out:
        for chunk in f.chunks():
            out.write(chunk)
    try:
        opts = _options(request)
        lst, plan = _plan(folder, opts, snap.store.tables)
    except (InputError, JjjkgError) as err:
        shutil.rmtree(folder, ignore_errors=True)
        audit.record(request, "import_plan", file=(f.name or "")[:200], outcome="refused", error=str(err)[:300])
        return _problem_page(request, err)
    request.session[_SESSION_KEY] = {"token": token, "opts": opts, "name": (f.name or "")[:200],
                                     "fingerprint": snap.fingerprint}
    counts = plan.counts()
    audit.record(request, "import_plan", file=(f.name or "")[:200], rows=len(lst.rows), **counts)
    return render(request, "workspace/import.html", {
        "step": "plan", "lines": _lines(plan), "counts": counts, "name": f.name, "title": lst.title,
        "used": lst.used, "ignored": lst.ignored, "warnings": lst.warnings, "unplaced": plan.unplaced,
        "skipped": plan.skipped, "action_zh": ACTION_ZH})


def _lines(plan) -> list[dict]:
    out = []
    for i, line in enumerate(plan.lines):
        cands = [c.split(":")[0].strip() for c in line.candidates.split(";") if c.strip()] if line.candidates else []
        out.append({"i": i, "row": line.row, "entity": "平台" if line.entity == "platform" else "依托单位",
                    "name": line.name, "action": line.action, "action_zh": ACTION_ZH.get(line.action, line.action),
                    "id": line.id, "candidates": line.candidates, "choices": cands, "score": line.score,
                    "note": line.note})
    return out


@require_POST
@need("import_lists")
def import_apply(request):
    from graph.store import save_store
    from loaders.listimport import apply_plan, new_id, read_plan, write_plan

    pending = request.session.get(_SESSION_KEY)
    if not pending:
        return error_page(request, 400, "没有待应用的导入", "请先上传名单并查看导入方案。")
    snap = snapshot(request)
    if snap.fingerprint != pending["fingerprint"]:
        return error_page(request, 409, "数据已变化", "生成方案之后图谱已被更新，请重新上传名单，按最新数据生成方案。")
    folder = _folder(pending["token"])
    try:
        lst, plan = _plan(folder, pending["opts"], snap.store.tables)
        for i, line in enumerate(plan.lines):
            choice = request.POST.get(f"d{i}")
            if line.action != "ambiguous" or not choice:
                continue
            if choice == "skip":
                line.action = "skip"
            elif choice == "new":
                line.action, line.id = "new", new_id(line)
            else:
                line.action, line.id = "match", choice
        edited = write_plan(plan, folder / "plan.csv")
        plan = read_plan(edited, plan, snap.store.tables)  # the checks an edited plan gets on the command line
        applied = apply_plan(plan, snap.store.tables, lst.where)
        if applied.tables is None:
            outcome, meta = "nothing to change", None
        else:
            meta = save_store(applied.tables, live().path, based_on=snap.fingerprint)
            outcome = "applied"
    except (InputError, JjjkgError) as err:
        audit.record(request, "import_apply", file=pending["name"], outcome="refused", error=str(err)[:300])
        return _problem_page(request, err)
    del request.session[_SESSION_KEY]
    shutil.rmtree(folder, ignore_errors=True)
    added = 0 if applied.tables is None else len(applied.organizations)
    audit.record(request, "import_apply", file=pending["name"], outcome=outcome, organizations=added,
                 relations=0 if applied.tables is None else len(applied.relations),
                 fingerprint=(meta or {}).get("fingerprint", "")[:12], left_out=len(applied.left_out))
    return render(request, "workspace/import.html", {"step": "done", "outcome": outcome, "added": added,
                                                     "relations": 0 if applied.tables is None else len(applied.relations),
                                                     "left_out": applied.left_out, "name": pending["name"]})
