"""The jjjkg model: schema, the validated tables, the knowledge graph and its stores.

Imports nothing from ``loaders``, ``queries``, ``viz`` or the command line.
"""

from __future__ import annotations

from . import schema
from .build import KnowledgeGraph, build_graph, node_id, region_node, sector_node, service_node
from .errors import (InputError, JjjkgError, MissingDependency, Problem, QueryError, StoreError,
                     StoreUnavailable)
from .tables import Tables

__all__ = [
    "schema", "KnowledgeGraph", "build_graph", "node_id", "region_node", "sector_node", "service_node",
    "Tables", "JjjkgError", "InputError", "Problem", "QueryError", "StoreError", "StoreUnavailable",
    "MissingDependency",
]
