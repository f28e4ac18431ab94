"""The JSON API of contract §5 (session cookie; answers equal the command line's)."""

from __future__ import annotations

from datetime import date

from django.views.decorators.http import require_GET

from . import audit, profile
from .live import live
from .views_common import json_response, need, snapshot
from .views_errors import api_error

__all__ = ["api_search", "api_organization", "api_audit"]


@require_GET
def api_search(request):
    q = request.GET.get("q", "")
    if len(q) > 100:
        return api_error("检索词过长（最多 100 个字符）", 400)
    return json_response(profile.search(snapshot(request), q))


@require_GET
def api_organization(request, oid: str):
    snap = snapshot(request)
    org = profile.organization(live(), snap, oid)
    if org is None:
        return api_error(f"没有编号为 {oid!r} 的机构", 404)
    return json_response(org)


def parse_since(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"since={text!r}：日期应写作 YYYY-MM-DD") from None


@require_GET
@need("read_audit")
def api_audit(request):
    try:
        since = parse_since(request.GET.get("since"))
    except ValueError as err:
        return api_error(str(err), 400)
    rows = [audit.row(e) for e in audit.events(since)]
    audit.record(request, "audit_read", since=str(since or ""), rows=len(rows), via="api")
    return json_response(rows)
