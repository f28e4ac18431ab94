"""The meeting pack page: make it on the server, follow its progress, download its files."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import audit, pack
from .models import PackJob
from .views_common import snapshot
from .views_errors import error_page

__all__ = ["pack_page", "pack_start", "pack_status", "pack_file"]

#: jobs listed on the page
SHOWN = 10


def _jobs(request):
    return PackJob.objects.filter(owner=request.user).order_by("-created")[:SHOWN]


def _row(job: PackJob) -> dict:
    return {"id": job.pk, "state": job.state, "state_zh": pack.STATES_ZH.get(job.state, job.state),
            "progress": job.progress, "created": job.created, "fingerprint": job.fingerprint[:12],
            "pdf": job.state == "done" and job.error != "no-pdf", "running": job.state in ("queued", "running")}


@require_GET
def pack_page(request):
    snap = snapshot(request)
    return render(request, "workspace/pack.html", {"jobs": [_row(j) for j in _jobs(request)],
                                                   "fingerprint": snap.fingerprint[:12]})


@require_POST
def pack_start(request):
    snap = snapshot(request)
    job = pack.start(request.user, snap)
    audit.record(request, "pack", job=job.pk, fingerprint=snap.fingerprint[:12])
    if request.htmx:
        return render(request, "workspace/_pack_job.html", {"j": _row(job)})
    return redirect("/pack")


@require_GET
def pack_status(request, job_id: int):
    job = get_object_or_404(PackJob, pk=job_id, owner=request.user)
    return render(request, "workspace/_pack_job.html", {"j": _row(job)})


@require_GET
def pack_file(request, job_id: int, name: str):
    job = get_object_or_404(PackJob, pk=job_id, owner=request.user)
    if name not in pack.FILES or job.state != "done":
        return error_page(request, 404, "未找到", "没有这个文件，或材料包尚未生成完毕。")
    folder = pack.pack_folder(job.fingerprint)
    audit.record(request, "download", name="pack", file=name, job=job.pk)
    who = request.user.get_username()
    if name == "workbook.xlsx":
        resp = HttpResponse(pack.workbook_for(folder / name, who), content_type=pack.FILES[name])
    else:
        path = folder / name if name != "briefing.pdf" else folder / "pdf" / f"job-{job.pk}.pdf"
        if not path.is_file():
            return error_page(request, 404, "未找到", "此服务器没有 Chromium，无法打印 PDF；请下载 HTML 简报后打印。")
        resp = FileResponse(open(path, "rb"), content_type=pack.FILES[name])
    resp["Content-Disposition"] = f'attachment; filename="jjjkg-{job.fingerprint[:12]}-{name}"'
    return resp
