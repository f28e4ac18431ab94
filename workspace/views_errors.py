"""Error pages in Chinese: never a traceback, always an audit row for a server error."""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.template.response import TemplateResponse

__all__ = ["error_page", "forbidden", "csrf_failure", "bad_request", "not_found", "server_error", "api_error"]

_log = logging.getLogger("jjjkg.workspace")


def api_error(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


def error_page(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return api_error(message, status)
    return TemplateResponse(request, "workspace/error.html", {"status": status, "title": title, "message": message},
                            status=status).render()


def forbidden(request, message: str = "您的角色无权访问此页面。"):
    from . import audit

    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        audit.record(request, "denied", path=request.path[:300])
    return error_page(request, 403, "无权访问", message)


def csrf_failure(request, reason: str = ""):
    return error_page(request, 403, "请求未通过校验", "页面已过期或请求缺少安全令牌（CSRF），请刷新页面后重试。")


def bad_request(request, exception=None):
    return error_page(request, 400, "请求有误", "请求的内容无法处理，请检查后重试。")


def permission_denied(request, exception=None):
    return forbidden(request)


def not_found(request, exception=None):
    return error_page(request, 404, "未找到", "没有这个页面或机构。请从首页检索。")


def server_error(request):
    from . import audit

    try:
        audit.record(request, "error", path=request.path[:300])
    except Exception:  # the database itself may be what failed; the page must still answer
        _log.exception("could not record a server error in the audit trail")
    return error_page(request, 500, "服务器出错", "服务器处理请求时出错，已记录。请稍后重试或联系管理员。")
