"""What every request passes through, beyond Django's own security middleware.

* ``GatewayHeaderMiddleware`` — the agency's gateway signs people in by a header; it is believed
  only from the configured proxy address (Django's ``PersistentRemoteUserMiddleware`` does the rest).
* ``SessionLimitsMiddleware`` — 30 minutes idle are enforced by the session's own expiry
  (``SESSION_COOKIE_AGE`` renewed at each request); this ends a session 8 hours after sign-in.
* ``SignInRequiredMiddleware`` — Django's ``LoginRequiredMiddleware``, but ``/api/…`` answers 401
  in JSON instead of redirecting; an account without the workspace permission gets 403.
* ``page_context`` — what every page shows: the account, its role, the watermark, the data banner.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import LoginRequiredMiddleware, PersistentRemoteUserMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect

from . import accounts
from .config import MAX_SESSION_SECONDS

__all__ = ["BodyLimitMiddleware", "GatewayHeaderMiddleware", "SessionLimitsMiddleware", "SignInRequiredMiddleware",
           "page_context"]


class BodyLimitMiddleware:
    """Refuse, before reading it, a request body larger than an uploaded list may be (413, in Chinese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .config import MAX_UPLOAD_BYTES
        from .views_errors import error_page

        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > MAX_UPLOAD_BYTES:
            return error_page(request, 413, "文件过大",
                              f"上传的内容超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，服务器没有接收。名单通常只有几百 KB。")
        return self.get_response(request)


class GatewayHeaderMiddleware(PersistentRemoteUserMiddleware):
    """Sign in the account the gateway names in its header, for requests from the gateway only."""

    def __init__(self, get_response):
        super().__init__(get_response)
        cfg = settings.JJJKG
        self.enabled = bool(cfg.trusted_header)
        self.header = "HTTP_" + (cfg.trusted_header or "X_REMOTE_USER").upper().replace("-", "_")
        self.proxies = set(cfg.trusted_proxies)

    def process_request(self, request):
        if not self.enabled or request.META.get("REMOTE_ADDR") not in self.proxies:
            return None  # the header means nothing from any other address
        return super().process_request(request)


class SessionLimitsMiddleware:
    """End a session 8 hours after sign-in, however active it was."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(accounts.LOGIN_AT)
            if not isinstance(started, (int, float)) or time.time() - started > MAX_SESSION_SECONDS:
                auth.logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "会话已过期，请重新登录"}, status=401)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Pages need a session (redirect to /login); the JSON API answers 401; a role is needed too."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if not request.user.is_authenticated:
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "请先登录"}, status=401)
            return self.handle_no_permission(request, view_func)
        if not accounts.has(request.user, "use_workspace"):
            from .views_errors import forbidden

            return forbidden(request, "您的账户还没有角色，请联系管理员。")
        return None


def page_context(request) -> dict:
    """Variables every template sees."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    live = getattr(request, "live", None)
    role = accounts.role_of(user)
    ctx = {"role": role, "role_zh": accounts.ROLE_ZH.get(role or "", "无角色"),
           "can": {c: accounts.has(user, c) for c in ("use_console", "export_data", "import_lists",
                                                       "manage_accounts", "read_audit")}}
    if live is not None:
        ctx["snapshot"] = live
    return ctx
