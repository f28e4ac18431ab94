"""The Neo4j bridge: run analysts' Cypher on a user's Neo4j, and push a graph into it.

``Neo4jEngine`` is the ``Engine`` of ``graph.store.engines`` for ``--uri``: it runs one
parameterised statement per call in a read-access session (unless asked to write), with a
per-query timeout, and returns rows of plain Python values (``to_plain``). ``push`` loads a
``KnowledgeGraph`` with the statements of ``graph.store.statements``, in write transactions.

Every error of the driver passes through one mapping (``_map_driver_errors``, after httpx's
``map_httpcore_exceptions``), so callers only ever see ``StoreUnavailable``, ``QueryError`` or
``MissingDependency``. The ``neo4j`` package is imported when an engine is made, not when this
module is, so ``jjjkg --help`` starts fast and works without it.

Readers: the command line (``jjjkg cypher --uri``, ``jjjkg neo4j push``) and whoever touches how
results are rendered.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from collections.abc import Callable, Iterator, Mapping

from ..errors import MissingDependency, QueryError, StoreUnavailable
from .rows import Rows
from .statements import load_batches

__all__ = ["Neo4jEngine", "to_plain"]

URI_ENV, USER_ENV, PASSWORD_ENV = "NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD"
DEFAULT_USER = "neo4j"


def _import_neo4j():
    try:
        import neo4j
    except ImportError as err:
        raise MissingDependency("the Neo4j bridge needs the 'neo4j' package, which is not installed: "
                                "pip install neo4j") from err
    return neo4j


def _first_line(cypher: str, limit: int = 80) -> str:
    line = next((x.strip() for x in cypher.splitlines() if x.strip()), "")
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _detail(err: Exception) -> str:
    """The server's own message for a Neo4j error, else the exception text."""
    message = getattr(err, "message", None)
    if getattr(err, "_from_server", True) and isinstance(message, str) and message:
        return message
    return str(err) or type(err).__name__


# ----------------------------------------------------------------------------- plain values


def to_plain(value):
    """A driver value as plain Python: dicts, lists, str, int, float, bool, None.

    * a node → ``{"identity": its element id, "id": its id property, "labels": sorted labels,
      "properties": {...}}``;
    * a relationship → ``{"identity", "type", "start", "end", "start_identity", "end_identity",
      "properties"}``, where ``start`` and ``end`` are the ``id`` properties of its end nodes (``None``
      if the query did not return those nodes' properties, or they have none) and ``start_identity``,
      ``end_identity`` their element ids, which are always known: they carry the direction;
    * a path → ``{"nodes": [...], "relationships": [...]}``;
    * Neo4j dates, times, date-times and durations → ISO 8601 strings; points → ``{"srid", "x", "y"(, "z")}``;
    * lists and maps recursively.

    Examples
    --------
    >>> to_plain({"n": [1, 2.5, "北京", None]})
    {'n': [1, 2.5, '北京', None]}
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    # the driver's types are checked first (a Node is also a Mapping), and by module so that the
    # import stays lazy; relationship classes are made per type at run time, hence the MRO
    if any(c.__module__.startswith("neo4j") for c in type(value).__mro__):
        return _plain_driver_value(value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.time, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return value


def _plain_driver_value(value):
    from neo4j import graph as ng
    from neo4j import spatial, time as nt

    if isinstance(value, ng.Node):
        return {"identity": value.element_id, "id": to_plain(value.get("id")), "labels": sorted(value.labels),
                "properties": {k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, ng.Relationship):
        start, end = value.start_node, value.end_node
        return {"identity": value.element_id, "type": value.type,
                "start": to_plain(start.get("id")) if start is not None else None,
                "end": to_plain(end.get("id")) if end is not None else None,
                "start_identity": start.element_id if start is not None else None,
                "end_identity": end.element_id if end is not None else None,
                "properties": {k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, ng.Path):
        return {"nodes": [to_plain(n) for n in value.nodes],
                "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, (nt.Date, nt.Time, nt.DateTime, nt.Duration)):
        return value.iso_format()
    if isinstance(value, spatial.Point):
        return {"srid": value.srid, **dict(zip("xyz", (float(c) for c in value)))}
    if isinstance(value, Mapping):  # e.g. a Record
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


# ----------------------------------------------------------------------------- the engine


class Neo4jEngine:
    """Cypher on a Neo4j server, through the official driver.

    Parameters
    ----------
    uri : str, optional
        ``neo4j://HOST:7687`` or ``bolt://HOST:7687`` (``+s``/``+ssc`` for TLS); default ``$NEO4J_URI``.
    user : str, optional
        Default ``$NEO4J_USERNAME``, else ``neo4j``.
    password : str, optional
        Default the variable named by ``password_env``; with no password at all, no credentials
        are sent (a server with authentication disabled).
    database : str, optional
        Default: the server's default database.
    timeout : float
        Seconds a query may run before the server stops it; ``run(timeout=…)`` overrides it.
    password_env : str
        The environment variable the password is read from (``--password-env``), named in errors.
    driver : neo4j.Driver, optional
        A driver made elsewhere (tests pass a stand-in); the engine then does not close it.

    Raises
    ------
    StoreUnavailable
        No URI was given or the driver refuses it.
    MissingDependency
        The ``neo4j`` package is not installed.

    Examples
    --------
    >>> engine = Neo4jEngine("bolt://127.0.0.1:7687", password="secret")  # doctest: +SKIP
    >>> engine.run("MATCH (p:Platform {province: $p}) RETURN count(p) AS n", {"p": "北京"})  # doctest: +SKIP
    [{'n': 12}]
    """

    def __init__(self, uri: str | None = None, *, user: str | None = None, password: str | None = None,
                 database: str | None = None, timeout: float = 30.0, password_env: str = PASSWORD_ENV,
                 driver=None):
        self._neo4j = _import_neo4j()
        self.uri = uri or os.environ.get(URI_ENV) or None
        if not self.uri:
            raise StoreUnavailable(f"no Neo4j address: pass --uri or set {URI_ENV}")
        self.user = user or os.environ.get(USER_ENV) or DEFAULT_USER
        self.password_env = password_env
        if password is None:
            password = os.environ.get(password_env)
        self._has_password = password is not None
        self.database = database
        self.timeout = timeout
        self._owns_driver = driver is None
        if driver is None:
            auth = (self.user, password) if password is not None else None
            try:
                driver = self._neo4j.GraphDatabase.driver(self.uri, auth=auth)
            except ImportError as err:  # the driver's preview HTTP transport needs extra packages
                raise MissingDependency(f"cannot use {self.uri!r}: {err}; use a bolt:// or neo4j:// address") from err
            except (self._neo4j.exceptions.ConfigurationError, ValueError) as err:
                raise StoreUnavailable(f"cannot use {self.uri!r} as a Neo4j address: {err}") from err
        self._driver = driver

    def __repr__(self) -> str:
        db = f", database={self.database!r}" if self.database else ""
        return f"Neo4jEngine({self.uri!r}, user={self.user!r}{db})"

    def __enter__(self) -> Neo4jEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -------------------------------------------------------------------------- errors

    @contextlib.contextmanager
    def _map_driver_errors(self, cypher: str | None = None, timeout: float | None = None) -> Iterator[None]:
        """Turn the driver's exceptions into ours, with messages that say what to do.

        Checked most specific first: ``AuthError`` is a ``ClientError`` and must not become a
        ``QueryError``; ``ServiceUnavailable`` covers the routing and write-service variants.
        """
        exc = self._neo4j.exceptions
        try:
            yield
        except (exc.ServiceUnavailable, exc.SessionExpired) as err:
            raise StoreUnavailable(f"cannot reach {self.uri}: is Neo4j running? pass --uri") from err
        except exc.AuthError as err:
            if self._has_password:
                msg = (f"Neo4j at {self.uri} refused the credentials of user {self.user!r}: "
                       f"set {self.password_env} to that user's password (and {USER_ENV} or --user to the user)")
            else:
                msg = (f"Neo4j at {self.uri} requires a password: set {self.password_env} "
                       f"(and {USER_ENV} or --user if the user is not {DEFAULT_USER!r})")
            raise StoreUnavailable(msg) from err
        except exc.Neo4jError as err:
            code = getattr(err, "code", "") or ""
            line = _first_line(cypher or "")
            if code == "Neo.ClientError.Database.DatabaseNotFound" or isinstance(err, exc.DatabaseUnavailable):
                raise StoreUnavailable(f"Neo4j at {self.uri} has no available database {self.database!r}: "
                                       f"pass --database with an existing name") from err
            if code == "Neo.ClientError.Statement.AccessMode":
                raise QueryError(f"Neo4j refused the query {line!r} in a read-only session: {_detail(err)}; "
                                 f"pass --write to allow writes") from err
            if code.startswith("Neo.ClientError.Transaction.TransactionTimedOut"):
                after = f"after its {timeout:g} s timeout" if timeout is not None else "at its timeout"
                raise QueryError(f"Neo4j stopped the query {line!r} {after}: pass --timeout to allow longer") from err
            if isinstance(err, exc.ClientError):
                raise QueryError(f"Neo4j refused the query {line!r}: {_detail(err)}") from err
            raise QueryError(f"Neo4j failed on the query {line!r}: {_detail(err)}") from err
        except exc.DriverError as err:
            raise StoreUnavailable(f"the Neo4j driver failed talking to {self.uri}: {_detail(err)}") from err

    # -------------------------------------------------------------------------- the Engine interface

    def _session(self, read_only: bool):
        neo4j = self._neo4j
        mode = neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS
        return self._driver.session(database=self.database, default_access_mode=mode)

    def run(self, cypher: str, params: Mapping[str, object] | None = None, *,
            read_only: bool = True, timeout: float | None = None, max_rows: int | None = None) -> list[dict]:
        """Run one statement; rows as dicts of plain values (``to_plain``), a ``Rows``.

        Parameters
        ----------
        cypher : str
            The statement; values go in ``params`` as ``$name``, never into the text.
        params : mapping, optional
            The parameters, sent to the server as they are.
        read_only : bool
            Run in a read-access session, so Neo4j itself refuses any write (default).
        timeout : float, optional
            Seconds before the server stops the query; default the engine's ``timeout``.
        max_rows : int, optional
            Read at most this many rows (the rest are never fetched); ``truncated`` says if there were more.

        Raises
        ------
        QueryError
            Neo4j refused or failed the query (syntax, types, a write in read-only mode, timeout).
        StoreUnavailable
            Neo4j cannot be reached, refuses the credentials, or has no such database.
        """
        timeout = self.timeout if timeout is None else timeout
        query = self._neo4j.Query(cypher, timeout=timeout)
        with self._map_driver_errors(cypher, timeout):
            with self._session(read_only) as session:
                result = session.run(query, dict(params or {}))
                rows, truncated = [], False
                for record in result:
                    if max_rows is not None and len(rows) >= max_rows:
                        truncated = True
                        break
                    rows.append({k: to_plain(v) for k, v in record.items()})
                return Rows(rows, result.keys(), truncated)

    def push(self, G, *, batch_size: int = 5000,
             progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Merge ``G`` into the database: constraints, then nodes, then relationships, in batches.

        Each batch runs in its own write transaction (retried by the driver on transient
        errors). Every statement is a ``MERGE`` on ``id``, so pushing the same graph again
        changes nothing.

        Parameters
        ----------
        G : KnowledgeGraph
        batch_size : int
            Most rows per statement.
        progress : callable, optional
            Called as ``progress(done, total)`` after each statement.

        Returns
        -------
        dict
            ``nodes`` and ``relationships`` merged (rows sent), and the server's counts
            ``nodes_created``, ``relationships_created``, ``properties_set``, ``labels_added``,
            ``constraints_added``.

        Raises
        ------
        QueryError, StoreUnavailable
            As for ``run``; batches sent before the failure stay merged.
        """
        batches = list(load_batches(G, batch_size))
        counts = dict.fromkeys(("nodes", "relationships", "nodes_created", "relationships_created",
                                "properties_set", "labels_added", "constraints_added"), 0)
        for done, batch in enumerate(batches, 1):
            with self._map_driver_errors(batch.cypher):
                with self._session(read_only=False) as session:
                    counters = session.execute_write(_write, batch.cypher, batch.params)
            if batch.kind != "constraint":
                counts[batch.kind + "s"] += len(batch.params["rows"])
            for key in ("nodes_created", "relationships_created", "properties_set", "labels_added",
                        "constraints_added"):
                counts[key] += getattr(counters, key, 0)
            if progress is not None:
                progress(done, len(batches))
        return counts

    def close(self) -> None:
        """Close the driver (unless it was handed in)."""
        if self._owns_driver and self._driver is not None:
            self._driver.close()
        self._driver = None


def _write(tx, cypher: str, params: dict):
    """The unit of work of one push batch; returns the server's counters."""
    return tx.run(cypher, params).consume().counters
