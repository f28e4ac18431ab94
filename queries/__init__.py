"""The named analyses: one definition each (doc, parameters, Cypher, networkx), in a registry.

Importing this package registers every analysis; ``QUERIES`` maps name → ``NamedQuery``.
"""

from __future__ import annotations

from . import alliance_gaps as _alliance_gaps  # noqa: F401  (registers)
from . import rd_scaleup_paths as _rd_scaleup_paths  # noqa: F401  (registers)
from .alliance_gaps import alliance_gaps
from .rd_scaleup_paths import rd_scaleup_paths
from .registry import QUERIES, NamedQuery, Param, get_query, named_query

__all__ = ["QUERIES", "NamedQuery", "Param", "get_query", "named_query", "rd_scaleup_paths", "alliance_gaps"]
