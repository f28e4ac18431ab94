"""Node keys of the knowledge graph, and the collector's pause while many objects are made.

Light on purpose (no networkx, no numpy): what an analysis needs to name nodes and to bind its
parameters is imported without the graph's libraries, so a command answered by a Cypher engine
never loads them. ``graph.build`` re-exports all of it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from . import schema

__all__ = ["sector_node", "service_node", "region_node", "node_id", "no_gc"]


@contextmanager
def no_gc():
    """Pause the cyclic garbage collector while millions of small dicts are made.

    A graph holds no reference cycles worth collecting while it is built or unpickled, and the
    collector's passes over a growing heap otherwise cost more than the building itself (a 1M-edge
    graph unpickles about four times faster). On the way out the new objects are frozen
    (``gc.freeze``), so later collections do not rescan them.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # what was just made is long-lived: move it out of the collector's sight, or the next
        # collection pays for scanning it all at once (seconds for a million edges). Reference
        # counting still frees it when the graph is dropped.
        gc.freeze()
        if was:
            gc.enable()


def sector_node(sector_id: str) -> tuple[str, str]:
    """Node key of a sector."""
    return (schema.SECTOR, sector_id)


def service_node(service_id: str) -> tuple[str, str]:
    """Node key of a service."""
    return (schema.SERVICE, service_id)


def region_node(region_id: str) -> tuple[str, str]:
    """Node key of a region."""
    return (schema.REGION, region_id)


def node_id(key) -> str:
    """The ``id`` property behind a node key (organization ids are their own key)."""
    return key[1] if isinstance(key, tuple) else key
