"""The audit trail: sign-ins, runs, downloads, imports, role changes — appended, never changed.

Every row holds the time, the account, an action and a detail (what was run, with which
parameters, how many rows, how long, the outcome). Rows are kept: nothing in the workspace deletes
them (网络安全法 Art. 21 asks for at least six months), and reading them is itself recorded.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timezone

from .models import AuditEvent

__all__ = ["record", "events", "as_jsonl", "as_csv", "connect", "ACTIONS_ZH"]

ACTIONS_ZH = {
    "login": "登录", "logout": "退出", "login_failed": "登录失败", "locked_out": "账户锁定",
    "search": "检索", "view": "查看", "analysis": "运行分析", "cypher": "运行 Cypher", "download": "下载",
    "pack": "生成会商材料包", "import_plan": "导入名单（方案）", "import_apply": "导入名单（应用）",
    "role": "角色变更", "account_add": "新增账户", "account_remove": "删除账户", "audit_read": "查看审计",
    "error": "服务器错误", "denied": "无权访问", "save_query": "保存查询", "dashboard": "看板",
    "dashboard_edit": "修改看板",
}


def _address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:64] if request is not None else ""


def record(request, action: str, user: str | None = None, **detail) -> None:
    """Append one row; ``user`` defaults to the request's account (or the command line's)."""
    if user is None:
        u = getattr(request, "user", None)
        user = u.get_username() if u is not None and u.is_authenticated else ""
    AuditEvent.objects.create(user=user[:150], action=action, detail=_plain(detail), address=_address(request))


def _plain(v):
    """JSON-safe detail (sets, tuples and dates become lists and text)."""
    return json.loads(json.dumps(v, ensure_ascii=False, default=str))


def events(since: date | None = None, limit: int | None = None):
    qs = AuditEvent.objects.all()
    if since is not None:
        qs = qs.filter(time__gte=datetime.combine(since, time.min, tzinfo=timezone.utc))
    qs = qs.order_by("time", "id")
    return qs[:limit] if limit else qs


def row(e: AuditEvent) -> dict:
    from django.utils import timezone

    return {"time": timezone.localtime(e.time).isoformat(timespec="seconds"), "user": e.user, "action": e.action,
            "detail": e.detail}


def detail_text(detail: dict) -> str:
    """A row's detail for people: ``key：value`` pairs."""
    return "；".join(f"{k}：{json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}"
                    for k, v in detail.items())


def as_jsonl(qs) -> str:
    return "".join(json.dumps(row(e), ensure_ascii=False) + "\n" for e in qs.iterator())


def as_csv(qs) -> str:
    from viz.excel_safe import neutralise

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["time", "user", "action", "detail"])
    for e in qs.iterator():
        r = row(e)
        w.writerow([neutralise(r["time"]), neutralise(r["user"]), r["action"],
                    neutralise(json.dumps(r["detail"], ensure_ascii=False))])
    return buf.getvalue()


def _logged_in(sender, request, user, **kw) -> None:
    record(request, "login", user=user.get_username(), via="gateway" if not user.has_usable_password() else "password")


def _logged_out(sender, request, user, **kw) -> None:
    if user is not None:
        record(request, "logout", user=user.get_username())


def _login_failed(sender, credentials, request=None, **kw) -> None:
    name = str(credentials.get("username", ""))[:150]
    record(request, "login_failed", user=name)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_logged_in, dispatch_uid="jjjkg-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="jjjkg-audit-logout")
    user_login_failed.connect(_login_failed, dispatch_uid="jjjkg-audit-failed")
