"""What the page and API views share: the snapshot to answer from, role checks, the data banner."""

from __future__ import annotations

from functools import wraps

from . import accounts
from .live import Snapshot, live
from .views_errors import api_error, forbidden

__all__ = ["snapshot", "need", "json_response", "SEEN_FINGERPRINT", "watermark_text"]

#: the store version a session last saw (a new one shows the "data changed" banner once)
SEEN_FINGERPRINT = "jjjkg_seen_fp"


def watermark_text(request) -> str:
    """What the watermark says: the account and the time (minutes, the server's local time)."""
    from django.utils import timezone

    return f"{request.user.get_username()} · {timezone.localtime(timezone.now()).strftime('%Y-%m-%d %H:%M')}"


def snapshot(request) -> Snapshot:
    """The store version to answer from; notes on the request when it changed since the session's last page."""
    snap = live().current()
    request.snapshot = snap
    request.data_changed = False
    page = hasattr(request, "session") and not request.path.startswith("/api/") and not getattr(request, "htmx", False)
    if page:  # the banner is for people reading pages: the JSON API and page fragments leave it for them
        seen = request.session.get(SEEN_FINGERPRINT)
        request.data_changed = bool(seen and seen != snap.fingerprint)
        if seen != snap.fingerprint:
            request.session[SEEN_FINGERPRINT] = snap.fingerprint
    return snap


def need(codename: str):
    """Refuse (403, audited) a request whose account lacks the workspace permission ``codename``."""
    def deco(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not accounts.has(request.user, codename):
                if request.path.startswith("/api/"):
                    from . import audit

                    audit.record(request, "denied", path=request.path[:300])
                    return api_error("您的角色无权进行此操作", 403)
                return forbidden(request)
            return view(request, *args, **kwargs)
        return wrapped
    return deco


def json_response(value, status: int = 200):
    """A JSON answer as the command line prints JSON: UTF-8 unescaped, strict (no NaN), dates as text."""
    import json

    from django.http import HttpResponse

    return HttpResponse(json.dumps(value, ensure_ascii=False, allow_nan=False, default=str),
                        content_type="application/json; charset=utf-8", status=status)
