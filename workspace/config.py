"""Where the workspace keeps its own data, and the Django settings made from it.

The state folder (``--state``, ``JJJKG_STATE``, default ``$XDG_STATE_HOME/jjjkg`` or
``~/.local/state/jjjkg``) holds the accounts, the audit trail, saved queries and dashboards (in
``workspace.sqlite3`` unless ``--database postgresql://…`` says otherwise) and the secret key that
signs sessions. It is the user's own: created 0700, and refused when it is a link, another user's,
or open to others — a colleague who could write there could sign sessions or rewrite the audit.
It is never inside a store: a store travels between colleagues, the accounts must not.
"""

from __future__ import annotations

import os
import secrets
import stat
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from graph.errors import JjjkgError
from graph.store import store_exists

__all__ = ["WorkspaceConfig", "state_folder", "database_settings", "configure", "IDLE_SECONDS", "MAX_SESSION_SECONDS"]

def _seconds_env(name: str, default: int) -> int:
    """A session limit, shorter only: an agency may tighten it (``JJJKG_SESSION_IDLE``/``_MAX``, seconds)."""
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if 0 < value <= default else default


#: a session ends after this long without a request …
IDLE_SECONDS = _seconds_env("JJJKG_SESSION_IDLE", 30 * 60)
#: … and after this long in all, however busy
MAX_SESSION_SECONDS = _seconds_env("JJJKG_SESSION_MAX", 8 * 3600)
#: failed sign-ins (per account) before the account is locked
FAILURE_LIMIT = 5
#: how long a locked account stays locked, unless an admin unlocks it (`jjjkg users unlock`)
LOCKOUT = timedelta(minutes=30)
#: the largest request body accepted (an uploaded list included)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SECRET_FILE = "secret.key"


def _default_state() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "jjjkg"


def state_folder(path: str | os.PathLike | None = None, *, create: bool = True) -> Path:
    """The state folder, checked (and created 0700 when missing and ``create``)."""
    folder = Path(path or os.environ.get("JJJKG_STATE") or _default_state()).expanduser()
    if not os.path.lexists(folder):
        if not create:
            raise JjjkgError(f"no workspace state at {str(folder)!r}: add an account first with "
                             f"`jjjkg users add NAME --role admin --state {folder}`")
        try:
            folder.mkdir(parents=True, mode=0o700)
        except OSError as err:
            raise JjjkgError(f"cannot create the workspace state folder {str(folder)!r}: {err.strerror}") from None
    st = os.lstat(folder)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise JjjkgError(f"workspace state {str(folder)!r} is not a folder of its own (a link or a file): "
                         "give --state a real folder")
    if st.st_uid != os.geteuid():
        raise JjjkgError(f"workspace state {str(folder)!r} belongs to another user: use a folder of your own")
    if st.st_mode & 0o077:
        raise JjjkgError(f"workspace state {str(folder)!r} is open to other users (mode {stat.S_IMODE(st.st_mode):o}): "
                         f"run `chmod 700 {folder}` or give --state another folder")
    if store_exists(folder) or (folder / "tables").is_dir():
        raise JjjkgError(f"workspace state {str(folder)!r} is a jjjkg store: keep the workspace's accounts apart "
                         "from the data, give --state another folder")
    return folder


def _secret_key(folder: Path) -> str:
    """The key that signs sessions: made once, kept 0600 in the state folder, checked like the folder."""
    path = folder / _SECRET_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        tmp = folder / f".{_SECRET_FILE}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return key
    except OSError as err:
        raise JjjkgError(f"{path}: not a regular file of yours ({err.strerror}); remove it and start again") from None
    with os.fdopen(fd) as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077 or st.st_size > 1024:
            raise JjjkgError(f"{path}: expected a small file of yours readable only by you (mode 600); "
                             "remove it to make a new one (everyone will have to sign in again)")
        key = f.read().strip()
    if len(key) < 32:
        raise JjjkgError(f"{path}: the key is too short; remove the file to make a new one")
    return key


def database_settings(url: str | None, folder: Path) -> dict:
    """Django's ``DATABASES['default']`` for ``--database`` (None: SQLite in the state folder).

    >>> database_settings("postgresql://ws:pw@db.local:5433/jjjkg", Path("/s"))["PORT"]
    5433
    >>> database_settings("postgresql:///jjjkg?host=/run/pg", Path("/s"))["HOST"]
    '/run/pg'
    """
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "workspace.sqlite3"),
                # WAL: pages read while the audit is written; NORMAL: one fsync per checkpoint, not per row
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise JjjkgError(f"--database {url.split('@')[-1]!r}: expected postgresql://USER:PASSWORD@HOST:PORT/NAME "
                         "(or leave it out for SQLite in the state folder)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise JjjkgError("--database: name the database, e.g. postgresql://user@host/jjjkg")
    try:
        port = parts.port
    except ValueError:
        raise JjjkgError("--database: the port is not a number") from None
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name, "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or "") or os.environ.get("PGPASSWORD", ""),
            "HOST": query.get("host") or parts.hostname or "", "PORT": port or "",
            "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}


class WorkspaceConfig:
    """What ``jjjkg serve`` was told: the store, the state, the database, the gateway."""

    def __init__(self, *, state=None, database: str | None = None, host: str = "127.0.0.1",
                 trusted_header: str | None = None, trusted_proxies: tuple[str, ...] = (),
                 allowed_hosts: tuple[str, ...] = (), secure_cookies: bool = False, create_state: bool = True):
        self.state = state_folder(state, create=create_state)
        self.database = database or os.environ.get("JJJKG_DATABASE") or None
        self.host = host
        self.trusted_header = trusted_header
        self.trusted_proxies = tuple(trusted_proxies)
        if trusted_header and not trusted_proxies:
            raise JjjkgError("--trusted-header needs --trusted-proxy ADDRESS: the header is believed only from "
                             "the gateway's address")
        self.allowed_hosts = tuple(allowed_hosts)
        self.secure_cookies = secure_cookies

    def settings(self) -> dict:
        hosts = list(self.allowed_hosts) or (["127.0.0.1", "localhost", "[::1]"] +
                                             ([self.host] if self.host not in ("0.0.0.0", "::") else ["*"]))
        return {
            "DEBUG": False,
            "SECRET_KEY": _secret_key(self.state),
            "ALLOWED_HOSTS": hosts,
            "ROOT_URLCONF": "workspace.urls",
            "INSTALLED_APPS": [
                "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                "django.contrib.staticfiles", "django_htmx", "axes", "workspace.apps.WorkspaceApp",
            ],
            "MIDDLEWARE": [
                "workspace.middleware.BodyLimitMiddleware",
                "django.middleware.security.SecurityMiddleware",
                "whitenoise.middleware.WhiteNoiseMiddleware",
                "django.contrib.sessions.middleware.SessionMiddleware",
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
                "workspace.middleware.GatewayHeaderMiddleware",
                "workspace.middleware.SessionLimitsMiddleware",
                "workspace.middleware.SignInRequiredMiddleware",
                "django.middleware.clickjacking.XFrameOptionsMiddleware",
                "csp.middleware.CSPMiddleware",
                "django_htmx.middleware.HtmxMiddleware",
                "axes.middleware.AxesMiddleware",
            ],
            "TEMPLATES": [{
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": [
                    "django.template.context_processors.request",
                    "django.template.context_processors.csrf",
                    "django.contrib.auth.context_processors.auth",
                    "workspace.middleware.page_context",
                ]},
            }],
            "DATABASES": {"default": database_settings(self.database, self.state)},
            "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
            "AUTHENTICATION_BACKENDS": [
                "axes.backends.AxesStandaloneBackend",
                "django.contrib.auth.backends.ModelBackend",
                "workspace.accounts.GatewayBackend",
            ],
            "PASSWORD_HASHERS": [
                "workspace.accounts.Argon2Hasher",
                "django.contrib.auth.hashers.Argon2PasswordHasher",
                "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            ],
            "AUTH_PASSWORD_VALIDATORS": [
                {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
                {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                 "OPTIONS": {"min_length": 10}},
                {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
                {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
            ],
            "LOGIN_URL": "/login",
            "LOGIN_REDIRECT_URL": "/",
            "LANGUAGE_CODE": "zh-hans",
            "LANGUAGES": [("zh-hans", "简体中文")],
            "USE_I18N": True,
            "TIME_ZONE": "Asia/Shanghai",
            "USE_TZ": True,
            "STATIC_URL": "/static/",
            "WHITENOISE_USE_FINDERS": True,
            "WHITENOISE_AUTOREFRESH": False,
            "SESSION_COOKIE_AGE": IDLE_SECONDS,
            "SESSION_SAVE_EVERY_REQUEST": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "SESSION_COOKIE_NAME": "jjjkg_session",
            "CSRF_COOKIE_HTTPONLY": True,
            "CSRF_COOKIE_SAMESITE": "Strict",
            "CSRF_COOKIE_SECURE": self.secure_cookies,
            "CSRF_FAILURE_VIEW": "workspace.views_errors.csrf_failure",
            "X_FRAME_OPTIONS": "DENY",
            "SECURE_CONTENT_TYPE_NOSNIFF": True,
            "SECURE_REFERRER_POLICY": "same-origin",
            "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
            "CONTENT_SECURITY_POLICY": {"DIRECTIVES": {
                "default-src": ["'self'"],
                "img-src": ["'self'", "data:", "blob:"],
                "frame-ancestors": ["'none'"],
                "form-action": ["'self'"],
                "base-uri": ["'none'"],
                "object-src": ["'none'"],
            }},
            "DATA_UPLOAD_MAX_MEMORY_SIZE": MAX_UPLOAD_BYTES,
            "FILE_UPLOAD_MAX_MEMORY_SIZE": MAX_UPLOAD_BYTES,
            "DATA_UPLOAD_MAX_NUMBER_FIELDS": 200,
            "DATA_UPLOAD_MAX_NUMBER_FILES": 1,
            "AXES_FAILURE_LIMIT": FAILURE_LIMIT,
            "AXES_LOCKOUT_PARAMETERS": ["username"],
            "AXES_COOLOFF_TIME": LOCKOUT,
            "AXES_RESET_ON_SUCCESS": True,
            "AXES_LOCKOUT_CALLABLE": "workspace.views_auth.locked_out",
            "AXES_VERBOSE": False,
            "LOGGING": {"version": 1, "disable_existing_loggers": False,
                        "handlers": {"stderr": {"class": "logging.StreamHandler"}},
                        "loggers": {"django": {"handlers": ["stderr"], "level": "ERROR"},
                                    "axes": {"handlers": [], "level": "ERROR", "propagate": False}}},
            "JJJKG": self,
        }


_configured: WorkspaceConfig | None = None


def configure(cfg: WorkspaceConfig, *, migrate: bool = True) -> WorkspaceConfig:
    """Set Django up for ``cfg`` (once per process) and bring the database's tables up to date."""
    global _configured
    import django
    from django.conf import settings

    if _configured is None:
        settings.configure(**cfg.settings())
        django.setup()
        _configured = cfg
    if migrate:
        from django.core.management import call_command

        try:
            call_command("migrate", interactive=False, verbosity=0)
        except Exception as err:  # the database's own words: it is down, refused us, or is not ours
            from django.db import DatabaseError

            if isinstance(err, DatabaseError):
                raise JjjkgError(f"the workspace database could not be prepared: {str(err).strip().splitlines()[0]}") \
                    from None
            raise
    return cfg
