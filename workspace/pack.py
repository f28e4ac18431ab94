"""The meeting pack made on the server: ``viz.report.write_report`` in a background thread.

A pack is made once per store version (the files are those ``jjjkg report`` writes, into
``STATE/packs/<fingerprint>/``); each request for it is a job of the account that asked, whose
progress the page follows. The PDF is printed for that account with the watermark burned in, and
the workbook is handed out with the account and the time in its page header.
"""

from __future__ import annotations

import html
import io
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from graph.safe_write import write_text

from .models import PackJob

__all__ = ["start", "pack_folder", "FILES", "workbook_for", "STATES_ZH"]

FILES = {"briefing.html": "text/html; charset=utf-8", "workbook.xlsx":
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "briefing.pdf": "application/pdf"}
STATES_ZH = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(fingerprint: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(fingerprint, threading.Lock())


def pack_folder(fingerprint: str) -> Path:
    return settings.JJJKG.state / "packs" / fingerprint[:32]


def start(user, snap) -> PackJob:
    """Queue a pack for ``user`` from the snapshot ``snap``; returns the job (its thread runs on)."""
    job = PackJob.objects.create(owner=user, fingerprint=snap.fingerprint, state="queued", progress="排队中")
    who = user.get_username()
    threading.Thread(target=_run, args=(job.pk, snap, who), name=f"pack-{job.pk}", daemon=True).start()
    return job


def _set(job_id: int, **fields) -> None:
    PackJob.objects.filter(pk=job_id).update(**fields)


def _run(job_id: int, snap, who: str) -> None:
    from viz.report import find_chromium, write_report

    close_old_connections()
    try:
        folder = pack_folder(snap.fingerprint)
        with _lock(snap.fingerprint):
            if not (folder / "workbook.xlsx").exists():
                _set(job_id, state="running", progress="正在汇总数据、绘制产业链图、撰写简报和工作簿")
                tmp = folder.with_name(folder.name + ".part")
                shutil.rmtree(tmp, ignore_errors=True)
                tmp.mkdir(parents=True, mode=0o700)
                write_report(snap.store, tmp)
                shutil.rmtree(folder, ignore_errors=True)
                tmp.rename(folder)
        pdf = ""
        if find_chromium():
            _set(job_id, state="running", progress="正在打印 PDF（加水印）")
            pdf = str(_print_watermarked(folder, job_id, who))
        _set(job_id, state="done", progress="已完成", folder=str(folder), error="" if pdf else "no-pdf")
    except Exception as err:  # the page says it failed; the audit and the server log keep why
        import logging

        logging.getLogger("jjjkg.workspace").exception("pack %s failed", job_id)
        _set(job_id, state="failed", progress="失败", error=str(err)[:500])
    finally:
        close_old_connections()


def _print_watermarked(folder: Path, job_id: int, who: str) -> Path:
    """The briefing printed to PDF with the account and the time laid over every page."""
    from viz.report import print_pdf

    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    mark = html.escape(f"{who} · {when}")
    tiles = "".join(f'<span>{mark}</span>' for _ in range(60))
    overlay = ("<style>.jjjkg-wm{position:fixed;inset:0;display:flex;flex-wrap:wrap;gap:90px 60px;"
               "align-content:flex-start;padding:40px;pointer-events:none;z-index:9999;"
               "transform:rotate(-24deg);transform-origin:center;opacity:.10;font-size:15px;color:#111}"
               "</style>" f'<div class="jjjkg-wm" aria-hidden="true">{tiles}</div>')
    text = (folder / "briefing.html").read_text(encoding="utf-8")
    marked = text.replace("</body>", overlay + "</body>", 1)
    out_dir = folder / "pdf"
    out_dir.mkdir(exist_ok=True, mode=0o700)
    src = write_text(out_dir / f"job-{job_id}.html", marked, private=True)
    try:
        return print_pdf(src, out_dir / f"job-{job_id}.pdf")
    finally:
        src.unlink(missing_ok=True)


def workbook_for(path: Path, who: str) -> bytes:
    """The pack's workbook with the account and the time in every sheet's page header."""
    from openpyxl import load_workbook

    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    wb = load_workbook(path)
    for ws in wb.worksheets:
        ws.oddHeader.right.text = f"下载：{who}，{when}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
