"""Where Cypher runs: one small interface over the embedded FalkorDB server and Neo4j.

An engine loads a ``KnowledgeGraph`` and runs parameterised Cypher, read-only unless asked
otherwise, returning rows as plain dicts (nodes, relationships and paths turned into plain dicts
and lists by ``to_plain``). The named analyses and ``jjjkg cypher`` only ever see this interface.

Heavy client libraries are imported where they are used, so ``jjjkg --help`` starts fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from .rows import Rows

__all__ = ["Engine", "Rows", "open_engine"]


@runtime_checkable
class Engine(Protocol):
    """What every Cypher engine offers."""

    def run(self, cypher: str, params: Mapping[str, object] | None = None, *,
            read_only: bool = True, timeout: float | None = None, max_rows: int | None = None) -> list[dict]:
        """Run one statement with ``$parameters``; rows as dicts of plain values (a ``Rows``).

        With ``max_rows``, at most that many rows come back, and ``truncated`` says whether there were more.
        """
        ...

    def close(self) -> None:
        """Release the connection (an embedded server keeps running for the next command)."""
        ...


def open_engine(store_path, G=None, *, fingerprint: str | None = None, uri: str | None = None,
                user: str | None = None, password: str | None = None, password_env: str | None = None,
                database: str | None = None, timeout: float = 30.0) -> Engine:
    """The engine for a command: Neo4j when ``uri`` is given, else the store's embedded server.

    The embedded server is started on demand and loaded from ``G`` — a graph, or a function that
    returns it, called only when the server does not hold the store's ``fingerprint`` yet.
    """
    if uri:
        from .neo4j_engine import Neo4jEngine

        return Neo4jEngine(uri, user=user, password=password, database=database, timeout=timeout,
                           password_env=password_env or "NEO4J_PASSWORD")
    from .falkordb import EmbeddedEngine

    return EmbeddedEngine.for_store(store_path, G, timeout=timeout, fingerprint=fingerprint)
