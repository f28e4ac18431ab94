"""The jjjkg model: schema, the validated tables, the knowledge graph and its stores.

Imports nothing from ``loaders``, ``queries``, ``viz`` or the command line. The names below are
loaded on first use, so that importing ``graph.errors`` or ``graph.schema`` (as ``jjjkg --help``
does) does not pull in pandas and networkx.
"""

from __future__ import annotations

import importlib

from .errors import (InputError, JjjkgError, MissingDependency, OutputError, Problem, QueryError, StoreError,
                     StoreUnavailable)

#: the product's version: the one place it is written (pyproject.toml reads it from here)
__version__ = "0.1.0"

__all__ = [
    "__version__", "schema", "KnowledgeGraph", "build_graph", "node_id", "region_node", "sector_node", "service_node",
    "Tables", "JjjkgError", "InputError", "Problem", "QueryError", "StoreError", "StoreUnavailable",
    "OutputError", "MissingDependency",
]

_LAZY = {
    "schema": ("graph.schema", None),
    "KnowledgeGraph": ("graph.build", "KnowledgeGraph"),
    "build_graph": ("graph.build", "build_graph"),
    "node_id": ("graph.build", "node_id"),
    "region_node": ("graph.build", "region_node"),
    "sector_node": ("graph.build", "sector_node"),
    "service_node": ("graph.build", "service_node"),
    "Tables": ("graph.tables", "Tables"),
}


def __getattr__(name: str):
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'graph' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    return value if attr is None else getattr(value, attr)


def __dir__():
    return sorted(__all__)
