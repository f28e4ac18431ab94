"""Accounts and the four roles (contract §5), kept as Django groups of the workspace's permissions.

=========  =========================================================================  ============
role       may                                                                        permissions
=========  =========================================================================  ============
viewer     search, organization pages, views, analyses and saved queries as forms,    use_workspace
           dashboards, the meeting pack
analyst    + the Cypher console, saving queries and dashboard tiles, downloads        + use_console, export_data
editor     + importing lists and rebuilding the store                                 + import_lists
admin      + accounts and the audit                                                   + manage_accounts, read_audit
=========  =========================================================================  ============

Every account holds exactly one role. Passwords are hashed with Argon2 by Django; five failed
sign-ins lock an account (django-axes) until the lockout passes or ``jjjkg users unlock``.
"""

from __future__ import annotations

import time

from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from graph.errors import JjjkgError

__all__ = ["ROLES", "ROLE_ZH", "ensure_roles", "role_of", "set_role", "add_user", "remove_user", "list_users",
           "unlock", "GatewayBackend", "Argon2Hasher", "has"]

#: role → the permissions it holds (each role holds its predecessor's)
ROLES: dict[str, tuple[str, ...]] = {
    "viewer": ("use_workspace",),
    "analyst": ("use_workspace", "use_console", "export_data"),
    "editor": ("use_workspace", "use_console", "export_data", "import_lists"),
    "admin": ("use_workspace", "use_console", "export_data", "import_lists", "manage_accounts", "read_audit"),
}
ROLE_ZH = {"viewer": "浏览者（规划人员）", "analyst": "分析人员", "editor": "编辑", "admin": "管理员"}
#: what a session records at sign-in, for the 8-hour limit
LOGIN_AT = "jjjkg_login_at"


def ensure_roles(**_) -> None:
    """Create (or repair) the four role groups with exactly their permissions."""
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="workspace")}
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        missing = [c for c in codenames if c not in perms]
        if missing:  # before the first migration has made them
            return
        group.permissions.set([perms[c] for c in codenames])


def has(user, codename: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(f"workspace.{codename}"))


def role_of(user) -> str | None:
    names = set(user.groups.values_list("name", flat=True))
    for role in reversed(ROLES):  # the highest, should there be more than one
        if role in names:
            return role
    return None


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise JjjkgError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return role


@transaction.atomic
def set_role(user: User, role: str) -> None:
    _check_role(role)
    ensure_roles()
    user.groups.set([Group.objects.get(name=role)])


def _user(name: str) -> User:
    try:
        return User.objects.get(username=name)
    except User.DoesNotExist:
        raise JjjkgError(f"no account {name!r}; `jjjkg users list` shows the accounts") from None


def add_user(name: str, role: str, password: str) -> User:
    """A new local account with ``role``; the password is checked against Django's validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    _check_role(role)
    if not name or len(name) > 150 or not all(ch.isalnum() or ch in "@.+-_" for ch in name):
        raise JjjkgError(f"account name {name!r}: use letters, digits and @ . + - _ (at most 150)")
    if User.objects.filter(username=name).exists():
        raise JjjkgError(f"an account {name!r} exists already; `jjjkg users set-role {name} ROLE` changes its role")
    user = User(username=name)
    try:
        validate_password(password, user)
    except ValidationError as err:
        raise JjjkgError("password refused: " + " ".join(err.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        set_role(user, role)
    return user


def remove_user(name: str) -> None:
    _user(name).delete()


def change_role(name: str, role: str) -> str:
    user = _user(name)
    before = role_of(user)
    set_role(user, role)
    return before or ""


def unlock(name: str) -> None:
    from axes.utils import reset

    _user(name)
    reset(username=name)


def list_users() -> list[dict]:
    rows = []
    for u in User.objects.order_by("username").prefetch_related("groups"):
        rows.append({"name": u.username, "role": role_of(u) or "", "active": u.is_active,
                     "last_login": u.last_login.isoformat(timespec="seconds") if u.last_login else "",
                     "local": u.has_usable_password()})
    return rows


class Argon2Hasher(Argon2PasswordHasher):
    """Django's Argon2id hasher with OWASP's 19 MiB, 2 passes, 1 lane: Django's default (100 MiB) per sign-in
    would take 800 MB when eight people sign in at once on a small intranet server."""

    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1


class GatewayBackend(RemoteUserBackend):
    """Accounts signed in by the agency's gateway (统一身份认证), whose header the proxy sets.

    Only the middleware asks it, and only for requests from the configured proxy address. An
    account seen for the first time is created as a viewer without a local password.
    """

    create_unknown_user = True

    def configure_user(self, request, user, created=True):
        if created:
            user.set_unusable_password()
            user.save()
            set_role(user, "viewer")
        return user


def _on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = time.time()


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_migrate

    post_migrate.connect(ensure_roles, dispatch_uid="jjjkg-roles")
    user_logged_in.connect(_on_login, dispatch_uid="jjjkg-login-at")
