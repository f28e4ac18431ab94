"""The nodes of a store without its relations: what binding an analysis's parameters and naming ids read.

A Cypher engine answers an analysis from its own copy of the graph; the command still has to resolve a
sector's or a service's name to its id, check that a platform id names a platform, and put names beside
the ids it prints. Those read node properties only, so ``read_nodes`` builds a ``KnowledgeGraph`` of the
sector and service nodes and the organizations' ``id``, ``type``, ``label`` and ``name``, read from the
store's memory-mapped arrays (or, in a store without them, its parquet columns) — never the relations,
never the pickled graph.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import schema

if TYPE_CHECKING:
    from ..build import KnowledgeGraph
    from .arrays import Arrays

__all__ = ["read_nodes", "names_of", "NodesOnDemand"]


def _present(columns: dict[str, list], **extra) -> list[dict]:
    """Rows of ``columns`` as dicts of their present values (None and NaN are absent, as in the full graph)."""
    names = list(columns)
    whole = {**columns, **extra}
    if all(not any(v is None or (isinstance(v, float) and math.isnan(v)) for v in whole[k]) for k in names):
        # every value present (ids, types, names): each row in one step
        return [dict(zip(whole, values)) for values in zip(*whole.values())]
    n = len(columns[names[0]]) if names else 0
    rows = []
    for i in range(n):
        row = {k: columns[k][i] for k in names}
        rows.append({k: v for k, v in row.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
                    | {k: v[i] for k, v in extra.items()})
    return rows


def _columns(path: Path, names) -> dict[str, list]:
    import pyarrow.parquet as pq

    # one file read as it is: read_table would first import pyarrow's dataset layer, which costs more than the read
    table = pq.ParquetFile(path).read(columns=list(names), use_threads=False)
    return {name: table.column(name).to_pylist() for name in names}


def _org_columns(arrays: Arrays) -> dict[str, list]:
    """The organizations' ``id``, ``type`` and ``name`` from the arrays (they come first in node order)."""
    n = arrays.count(schema.ORGANIZATION)
    type_of = {t.label: name for name, t in schema.ORG_TYPES.items()}
    types = np.asarray([type_of.get(lab) for lab in arrays.meta["labels"]], dtype=object)
    names = arrays.names()[:n]
    return {"id": arrays.ids()[:n], "type": types[arrays.a["node_labels"][:n]].tolist(),
            "name": [x or None for x in names]}


def read_nodes(tables_dir: Path, arrays: Arrays | None = None) -> KnowledgeGraph:
    """The store's sector, service and organization nodes, without relations.

    Parameters
    ----------
    tables_dir : pathlib.Path
        The ``tables`` folder of a store version.
    arrays : Arrays, optional
        The version's graph arrays: the organizations are read from them when given.

    Returns
    -------
    KnowledgeGraph
        Sector and service nodes with their properties, organization nodes with ``id``, ``type``,
        ``label`` and ``name``; no edges.

    Raises
    ------
    OSError, ValueError
        A table cannot be read (the caller names the store).
    """
    from ..build import KnowledgeGraph, _add_nodes, sector_node, service_node

    G = KnowledgeGraph()
    for name, label, make in (("sectors", schema.SECTOR, sector_node), ("services", schema.SERVICE, service_node)):
        cols = _columns(tables_dir / f"{name}.parquet", schema.NODE_PROPERTIES[label])
        _add_nodes(G, [make(i) for i in cols["id"]], _present(cols, label=[label] * len(cols["id"])))
    cols = _org_columns(arrays) if arrays is not None else \
        _columns(tables_dir / "organizations.parquet", ("id", "type", "name"))
    labels = [schema.ORG_TYPES[t].label for t in cols["type"]]
    _add_nodes(G, cols["id"], _present(cols, label=labels))
    return G


def names_of(arrays: Arrays, ids) -> dict[str, str | None]:
    """The name of each of ``ids`` that is an organization's or a sector's (an organization first, as the
    graph's keys do), in one vectorised pass over the memory-mapped ids: the answer's few, never every node."""
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = pa.array(sorted({i for i in ids if isinstance(i, str)}), type=pa.large_string())
    if not len(wanted):
        return {}
    every = arrays.strings("node_ids", "node_id_offsets")
    hits = np.flatnonzero(pc.index_in(every, value_set=wanted).is_valid().to_numpy(zero_copy_only=False))
    codes = arrays.a["node_labels"][hits]
    org_codes = [arrays.label_code(t.label) for t in schema.ORG_TYPES.values()]
    found = hits[np.isin(codes, org_codes) | (codes == arrays.label_code(schema.SECTOR))]
    keep = pa.array(np.ascontiguousarray(found[::-1]))
    names = arrays.strings("node_names", "node_name_offsets").take(keep).to_pylist()
    # organizations come first in node order: read last, they win an id a sector shares
    return {key: name or None for key, name in zip(every.take(keep).to_pylist(), names)}


class NodesOnDemand:
    """The store's nodes (``Store.nodes``), read the first time a parameter or a name asks for them: an
    analysis run with its defaults on a Cypher engine never reads them."""

    def __init__(self, read):
        self._read = read
        self._nodes = None

    def _graph(self) -> KnowledgeGraph:
        if self._nodes is None:
            self._nodes = self._read()
        return self._nodes

    def __getattr__(self, name):
        return getattr(self._graph(), name)

    def __contains__(self, key) -> bool:
        return key in self._graph()

    def __getitem__(self, key):
        return self._graph()[key]

    def __iter__(self):
        return iter(self._graph())

    def __len__(self) -> int:
        return len(self._graph())
