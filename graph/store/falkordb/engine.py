"""``EmbeddedEngine``: the store's FalkorDB server behind the ``Engine`` interface.

Loading a graph (bulk or ``UNWIND``), running Cypher read-only unless asked, with parameters,
timeouts, memory caps, a row cap and ``LOAD CSV`` refused unless asked; recovering when the server
died. The server's process and files are ``server``'s; encoding is ``bulk``'s; results are ``values``'.
"""

from __future__ import annotations

import contextlib
import gc
import re
import secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from ... import schema
from ...errors import QueryError, StoreError, StoreUnavailable
from ...cypher.cypher_text import uses_load_csv
from ..rows import Rows
from .bulk import _bulk_calls, _check_name, _group_graph, _node_family, _plain_value
from .server import (
    DEFAULT_STORE, GRAPH_NAME, QUERY_MEMORY_ENV, REPLY_LIMIT_BYTES, SERVER_MEMORY_ENV, _Server, _find_running, _import_client,
    _is_our_server, _kill, _locked, _pid_alive, _ping, _server_dir, _size_text, _start, memory_limits,
)
from .values import _edge_endpoints, _known_nodes, plain_columns, to_plain

_LOAD_CSV_REFUSED = ("the query uses LOAD CSV, which fetches web addresses and reads files, and is refused unless "
                     "asked for; if you trust this query, run it with jjjkg cypher --allow-load-csv "
                     "(allow_load_csv=True)")

__all__ = ["EmbeddedEngine"]

_FINGERPRINT_KEY = "jjjkg:fingerprint"
_LOADING_SUFFIX = ":loading"
_LOAD_TIMEOUT_MS = 3_600_000  # load statements are ours and may be long; 0 would mean TIMEOUT_DEFAULT
_UNWIND_BATCH = 5_000  # rows per UNWIND statement


# ============================================================================= parameters and errors


#: how deeply lists and maps may nest in a parameter: real values nest a few levels; a deeper one is
#: refused before it can exhaust the client's or the server's stack
MAX_PARAM_DEPTH = 64


def _param(v, name: str, depth: int = 0):
    """A parameter value the client can send: plain types only, checked."""
    if v is None or isinstance(v, (bool, int, str)):
        if type(v) is int and not -(2**63) <= v < 2**63:
            raise QueryError(f"parameter {name!r} is {v}, beyond the 64-bit integers Cypher holds; pass a smaller "
                             "number, or text")
        if isinstance(v, str) and "\x00" in v:
            raise QueryError(f"parameter {name!r} contains a NUL character, which Cypher strings cannot hold")
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise QueryError(f"parameter {name!r} is {v!r}; pass a finite number")
        return v
    if depth >= MAX_PARAM_DEPTH and isinstance(v, (Mapping, list, tuple, set, frozenset)):
        raise QueryError(f"parameter {name!r} nests lists or maps more than {MAX_PARAM_DEPTH} deep; "
                         "pass a flatter value")
    if isinstance(v, Mapping):
        return {str(k): _param(x, f"{name}.{k}", depth + 1) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_param(x, name, depth + 1) for x in v]
    if hasattr(v, "item"):  # numpy scalars
        return _param(v.item(), name, depth)
    if hasattr(v, "tolist"):
        return _param(v.tolist(), name, depth)
    raise QueryError(f"parameter {name!r} has type {type(v).__name__}; "
                     "pass a string, number, boolean, null, list or map")


_ERR_POSITION = re.compile(r"errMsg:\s*(?P<msg>.*?)\s+line:\s*(?P<line>\d+),\s*column:\s*(?P<col>\d+)", re.S)


def _query_error(err: Exception, timeout: float, limit=lambda: None) -> QueryError:
    text = str(err).strip()
    if "mem consumption exceeded capacity" in text:
        cap = limit()
        return QueryError("out of memory: the query needed more than the "
                          + (f"{_size_text(cap)} " if cap else "") + "a query may use; narrow it (LIMIT, fewer "
                          f"rows per step), or raise ${QUERY_MEMORY_ENV} and run `jjjkg stop` so the server "
                          "restarts with it")
    if text.startswith("OOM "):
        return QueryError(f"out of memory: the embedded server is at its memory limit (${SERVER_MEMORY_ENV}); "
                          "raise it and run `jjjkg stop` so the server restarts with it")
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
        The store directory (default ``./.jjjkg``); the server's files live in a private folder of the user's
        (``server._server_dir``), never in the store.
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
            self._connect(_find_running(self._sdir) or _start(self._sdir, self._ms(self.timeout), self.store_path))

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
        self._replies_cut = self._cut_replies()

    def _reply_was_cut(self) -> bool:
        """Whether the server closed the connection because a reply passed ``REPLY_LIMIT_BYTES``."""
        before = getattr(self, "_replies_cut", None)
        try:
            self._db = self._server.client()  # the server closed the old connection
        except Exception:
            return False
        now = self._replies_cut = self._cut_replies()
        return before is not None and now is not None and now > before

    def _cut_replies(self) -> int | None:
        """How many replies the server has cut at ``REPLY_LIMIT_BYTES`` since it started (None: unknown)."""
        try:
            return int(self._conn().info("stats")["client_output_buffer_limit_disconnections"])
        except Exception:  # only a message depends on it
            return None

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
                    try:
                        conn.execute_command("GRAPH.BULK", tmp, *args)
                    except _import_client()[2].exceptions.ResponseError as err:
                        conn.execute_command("DEL", tmp)
                        if str(err).startswith("OOM "):
                            raise StoreError(
                                f"the graph does not fit in the embedded server's memory limit of "
                                f"{_size_text(memory_limits()['server'])}: raise ${SERVER_MEMORY_ENV} "
                                "(e.g. 16gb) and run `jjjkg stop` so the server restarts with it") from None
                        raise StoreError(f"loading the embedded graph failed: {err}") from err
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
        if self._server is not None and _is_our_server(self._server.pid, self._sdir) and _ping(self._server):
            if self._db is None:
                self._connect(self._server)
            return False
        server = _find_running(self._sdir)  # another command may have restarted it already
        started = server is None
        if started:
            server = _start(self._sdir, self._ms(self.timeout), self.store_path)
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
            read_only: bool = True, timeout: float | None = None, allow_load_csv: bool = False,
            max_rows: int | None = None) -> list[dict]:
        """Run one Cypher statement with ``$parameters``; rows as dicts of plain values.

        Parameters
        ----------
        cypher : str
            One statement. Values go in ``params``, never into this text.
        params : mapping, optional
            Parameter name → value (strings, numbers, booleans, None, lists and maps of them).
        read_only : bool
            Run with ``GRAPH.RO_QUERY``: the server refuses any write. With False, the server's graph
            is marked as no longer the store's, so the next ``ensure_loaded`` reloads it: writes
            change the server's copy for this engine, never the store.
        timeout : float, optional
            Seconds; default the engine's. FalkorDB stops the query then; a query still running
            well after it (some ignore FalkorDB's timeout and block the server) gets the server
            killed, restarted and reloaded.
        allow_load_csv : bool
            Let the query use ``LOAD CSV``, which fetches web addresses and reads files: refused
            unless asked, so a query from someone else cannot send the graph out.
        max_rows : int, optional
            Return at most this many rows; the result's ``truncated`` says whether there were more.
            Rows past the cap are dropped as they arrive, before conversion.

        Returns
        -------
        Rows
            One dict per row, keyed by the RETURN column names, values through ``to_plain``; its
            ``columns`` are the column names (also when there is no row).

        Raises
        ------
        QueryError
            Cypher errors (one line, with the position when FalkorDB gives one), writes in
            read-only mode, timeouts, unusable parameters, ``LOAD CSV`` not asked for, and "out of
            memory" (the query's memory cap, or the server going down under it: never re-run).
        StoreUnavailable
            The server died and cannot be restarted.
        """
        _, _, redis = _import_client()
        seconds = self.timeout if timeout is None else float(timeout)
        if not seconds or seconds <= 0:
            raise QueryError(f"the timeout must be a positive number of seconds, got {timeout!r}")
        if not isinstance(cypher, str) or not cypher.strip():
            raise QueryError("the query is empty")
        if not allow_load_csv and uses_load_csv(cypher):
            raise QueryError(_LOAD_CSV_REFUSED)
        plain_params = {str(k): _param(v, str(k)) for k, v in (params or {}).items()}
        if max_rows is not None and (type(max_rows) is not int or max_rows < 0):
            raise QueryError(f"max_rows must be a whole number of rows, 0 or more, got {max_rows!r}")
        # a server that died since the last statement is restarted (and reloaded) before this one is
        # sent; once sent, a statement is never sent again, whatever happens to the server
        if self._db is None:
            with _locked(self._sdir):
                self._revive()
        if not _pid_alive(self._server.pid):
            self._recover()
        if not read_only:
            # the server's graph may now differ from the store's: the next analysis or command that
            # opens the store reloads it, so a write never silently changes a later answer
            self._conn().execute_command("DEL", _FINGERPRINT_KEY)
        self._aborted = False
        hung = threading.Event()
        watchdog = threading.Timer(seconds + max(2.0, 0.5 * seconds), self._kill_hung,
                                   args=(self._server.pid, hung))
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._query(cypher, plain_params, read_only, seconds, max_rows)
        except redis.exceptions.ResponseError as err:
            raise _query_error(err, seconds, self._query_memory) from None
        except ValueError as err:  # the client refuses a parameter name
            raise QueryError(f"bad parameter: {err}") from None
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as err:
            watchdog.cancel()
            if getattr(self, "_aborted", False):  # abort() ended it: the next statement restarts the server
                raise QueryError("the statement was ended on the server (aborted)") from None
            if hung.is_set():
                self._recover()
                raise QueryError(
                    f"the query timed out: it ran past its timeout of {seconds:g} s and blocked the "
                    "embedded server, which was restarted and reloaded; narrow the query") from None
            if _pid_alive(self._server.pid) and self._reply_was_cut():
                raise QueryError(
                    f"the answer is larger than the {REPLY_LIMIT_BYTES // 2**20} MB one reply may be, and was "
                    "not read (--max-rows cuts rows only once they are read); narrow the query: a LIMIT, "
                    "fewer columns, or size(…) / a slice [0..100] of a huge list") from None
            pid, deadline = self._server.pid, time.monotonic() + 2.0
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if _pid_alive(pid):
                raise StoreUnavailable(f"lost the embedded FalkorDB server at {self.address}: {err}; "
                                       f"see the log {self.log_file}") from err
            log = self.log_file
            self._recover()
            raise QueryError(
                "out of memory, or a crash: the embedded server went down while running this query, and the "
                "query was not run again; the server was restarted and reloaded. Narrow the query, or raise "
                f"${QUERY_MEMORY_ENV} / ${SERVER_MEMORY_ENV} and run `jjjkg stop`; the server's log is {log}") from None
        finally:
            watchdog.cancel()

    def _query_memory(self) -> int | None:
        """The running server's per-query memory cap in bytes, for messages."""
        try:
            reply = self._conn().execute_command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY")
            return int(reply[1])
        except Exception:  # only a message depends on it
            return None

    def abort(self) -> bool:
        """End the statement this engine's server is running, from another thread; True if it was running.

        FalkorDB has no command that stops one query (closing its connection does not), so the server
        itself is killed: the statement's ``run`` raises ``QueryError``, and the server is restarted and
        reloaded before the next statement (not by ``run``, which returns at once). Use it on a server
        that runs one statement at a time.
        """
        server = self._server
        if server is None or not _pid_alive(server.pid):
            return False
        self._aborted = True
        _kill(server.pid, self._sdir)  # only if it is still this store's server
        return True

    def _kill_hung(self, pid: int, hung: threading.Event) -> None:
        hung.set()
        _kill(pid, self._sdir)  # only if it is still this store's server

    def _query(self, cypher: str, params: dict, read_only: bool, seconds: float, max_rows: int | None = None) -> Rows:
        _, _, redis = _import_client()
        from falkordb.query_result import QueryResult

        graph = self._db.select_graph(self.graph_name)
        # the client's own command (compact results), its reply read here: columns of scalars are
        # converted a column at a time (``plain_columns``), not value by value through the client
        reply = graph.execute_command("GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY", self.graph_name,
                                      graph._build_params_header(params or None) + cypher, "--compact",
                                      "timeout", self._ms(seconds))
        for part in (reply[0], reply[-1]):
            if isinstance(part, redis.exceptions.ResponseError):
                raise part
        if len(reply) < 3:  # statistics only: the statement returns nothing
            return Rows([], [], False)
        header, raw, stats = reply[0], reply[1], reply[-1]
        truncated = max_rows is not None and len(raw) > max_rows
        if truncated:
            # rows past the cap are dropped before they are converted, which is where the time and
            # memory of a huge result go
            raw = raw[:max_rows]
        columns = [h[1] for h in header]
        plain = plain_columns(raw, len(columns))
        if plain is not None:
            return Rows([dict(zip(columns, row)) for row in zip(*plain)], columns, truncated)
        rows = QueryResult(graph, [header, raw, stats]).result_set
        node_ids = self._endpoint_ids(graph, rows, seconds)
        return Rows([dict(zip(columns, (to_plain(v, node_ids) for v in row))) for row in rows], columns, truncated)

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
             timeout: float | None = None, allow_load_csv: bool = False) -> list[str]:
        """The plan FalkorDB makes for a statement (``GRAPH.EXPLAIN``), one line per operator.

        With ``profile`` the statement runs (``GRAPH.PROFILE``, which may write: callers check first)
        and each line also gives the records produced and the time spent. Errors as ``run``; a
        profiled ``LOAD CSV`` is refused as ``run`` refuses it.
        """
        _, _, redis = _import_client()
        seconds = self.timeout if timeout is None else float(timeout)
        if profile and not allow_load_csv and uses_load_csv(cypher):
            raise QueryError(_LOAD_CSV_REFUSED)
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
