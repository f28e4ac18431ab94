"""The admin's audit page (reading it is audited too)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import audit
from .views_api import parse_since
from .views_common import need
from .views_errors import error_page

__all__ = ["audit_page"]

PAGE_ROWS = 100


@require_GET
@need("read_audit")
def audit_page(request):
    try:
        since = parse_since(request.GET.get("since"))
    except ValueError as err:
        return error_page(request, 400, "参数有误", str(err))
    qs = audit.events(since).order_by("-time", "-id")
    who = request.GET.get("user", "").strip()[:150]
    action = request.GET.get("action", "").strip()[:40]
    if who:
        qs = qs.filter(user=who)
    if action:
        qs = qs.filter(action=action)
    page = Paginator(qs, PAGE_ROWS).get_page(request.GET.get("page"))
    audit.record(request, "audit_read", since=str(since or ""), user_filter=who, action_filter=action, via="page")
    rows = [{**audit.row(e), "action_zh": audit.ACTIONS_ZH.get(e.action, e.action), "address": e.address,
             "detail_text": audit.detail_text(e.detail)}
            for e in page.object_list]
    return render(request, "workspace/audit.html", {"rows": rows, "page": page, "since": request.GET.get("since", ""),
                                                    "user_filter": who, "action_filter": action,
                                                    "actions": sorted(audit.ACTIONS_ZH.items())})
