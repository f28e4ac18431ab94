"""Sign-in and sign-out: Django's own views and form, our Chinese page; lockout by django-axes."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.views.decorators.cache import never_cache

from . import audit
from .views_errors import error_page

__all__ = ["login", "logout", "locked_out"]

login = login_not_required(never_cache(auth_views.LoginView.as_view(
    template_name="workspace/login.html", redirect_authenticated_user=True)))
logout = auth_views.LogoutView.as_view(next_page="/login")


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes answers once an account has failed five times."""
    name = str((credentials or {}).get("username", ""))[:150]
    audit.record(request, "locked_out", user=name)
    return error_page(request, 403, "账户已锁定", "密码连续错误 5 次，此账户已被锁定 30 分钟。"
                                                "如需提前解锁，请联系管理员（jjjkg users unlock 账户名）。")
