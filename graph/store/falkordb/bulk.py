"""A KnowledgeGraph in FalkorDB's ``GRAPH.BULK`` binary format (and grouped for ``UNWIND`` loads).

The format is that of the ``falkordb-bulk-loader`` package: nodes grouped by label set,
relationships by type, each value as a type byte and its encoding.

Readers: ``engine`` (``EmbeddedEngine.load``).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Mapping

from ... import schema
from ...errors import StoreError

_BULK_MAX_BYTES = 64_000_000  # per GRAPH.BULK call, as falkordb-bulk-loader's default
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# ============================================================================= encoding the graph


def _graph_labels(G, n, d) -> list[str]:
    if hasattr(G, "labels_of"):
        return G.labels_of(n)
    return [schema.ORGANIZATION, d["label"]] if "type" in d else [d["label"]]


def _check_name(name: str, what: str) -> str:
    # labels and relation types come from the schema; refuse anything that is not an identifier
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise StoreError(f"cannot load the graph: {what} {name!r} is not a valid Cypher name")
    return name


def _ordered_keys(dicts, family: str | None) -> list[str]:
    """The property keys present in ``dicts`` (``label`` excluded): the schema's order, then sorted."""
    seen: set[str] = set()
    for d in dicts:
        seen.update(d)
    seen.discard("label")
    first = [k for k in schema.NODE_PROPERTIES.get(family, schema.RELATION_PROPERTIES) if k in seen]
    return first + sorted(k for k in seen if k not in first)


def _plain_value(v):
    """A property value as a plain Python bool, int, float, str or list of them (None if missing)."""
    if v is None or isinstance(v, (bool, str, int, float)):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain_value(x) for x in v]
    if hasattr(v, "item") and getattr(v, "ndim", 0) == 0:  # numpy scalars
        return _plain_value(v.item())
    if hasattr(v, "tolist"):  # numpy arrays
        return _plain_value(v.tolist())
    raise StoreError(f"cannot load the graph: a property has a value of type {type(v).__name__} ({v!r}); "
                     "the graph database stores strings, numbers, booleans and lists of them")


def _group_graph(G):
    """Nodes grouped by label set, edges by type, with the property keys of each group.

    Returns ``[(labels, keys, [(node, attrs)])]`` and ``[(type, keys, [(u, v, attrs)])]``, in a
    stable order; ``attrs`` are networkx's own dicts, read only.
    """
    node_groups: dict[tuple[str, ...], list] = {}
    org, org_label = schema.ORGANIZATION, getattr(G, "labels_of", None)
    for n, d in G.nodes(data=True):
        # KnowledgeGraph.labels_of, inlined: this loop runs once per node of large graphs
        labels = (org, d["label"]) if "type" in d else (d["label"],) if org_label else tuple(_graph_labels(G, n, d))
        node_groups.setdefault(labels, []).append((n, d))
    edge_groups: dict[str, list] = {}
    # networkx's edge view costs microseconds per edge; the adjacency dicts are read directly
    succ = G._succ if isinstance(getattr(G, "_succ", None), dict) else None
    if succ is not None and G.is_multigraph():
        for u, nbrs in succ.items():
            for v, keyed in nbrs.items():
                for k, d in keyed.items():
                    group = edge_groups.get(k)
                    if group is None:
                        group = edge_groups[k] = []
                    group.append((u, v, d))
    else:
        for u, v, k, d in G.edges(keys=True, data=True):
            edge_groups.setdefault(k, []).append((u, v, d))
    nodes = [(tuple(_check_name(x, "label") for x in labels), _ordered_keys((d for _, d in rows), labels[0]), rows)
             for labels, rows in node_groups.items()]
    edges = [(_check_name(t, "relation type"), _ordered_keys((d for _, _, d in rows), None), rows)
             for t, rows in edge_groups.items()]
    return nodes, edges


class _BulkEncoder:
    """Values in the binary format of ``GRAPH.BULK`` (falkordb-bulk-loader's ``entity_file.py``):
    a type byte, then the value: ``?`` bool, ``d`` double, NUL-terminated UTF-8 string, ``q``
    long, or ``q`` length and the elements of an array; a lone 0 byte is a missing value."""

    NULL, BOOL, DOUBLE, STRING, LONG, ARRAY = 0, 1, 2, 3, 4, 5
    _double = struct.Struct("=Bd").pack
    _long = struct.Struct("=Bq").pack
    _bool = struct.Struct("=B?").pack
    _ends = struct.Struct("=QQ").pack

    def __init__(self):
        self._strings: dict[str, bytes] = {}

    def string(self, v: str) -> bytes:
        b = self._strings.get(v)
        if b is None:
            if "\x00" in v:  # strings travel NUL-terminated
                raise StoreError(f"cannot load the graph: the value {v!r} contains a NUL character")
            b = self._strings[v] = b"\x03" + v.encode("utf-8") + b"\x00"
        return b

    def value(self, v) -> bytes:
        t = v.__class__
        if t is str:
            return self.string(v)
        if t is float:
            return self._double(self.DOUBLE, v)
        if t is int:
            return self._long(self.LONG, v)
        if v is None:
            return b"\x00"
        if t is bool:
            return self._bool(self.BOOL, v)
        if t is list:
            return self._long(self.ARRAY, len(v)) + b"".join([self.value(x) for x in v])
        v = _plain_value(v)  # numpy scalars and arrays, tuples, subclasses
        if v.__class__ in (str, float, int, bool, list):
            return self.value(v)
        raise StoreError(f"cannot load the graph: a property has a value of type {type(v).__name__} ({v!r})")

    def row(self, d: Mapping, keys: list[str]) -> bytes:
        value, get = self.value, d.get
        return b"".join([value(get(k)) for k in keys])

    @staticmethod
    def header(name: str, keys: list[str]) -> bytes:
        parts = [name.encode("utf-8") + b"\x00", struct.pack("=I", len(keys))]
        parts += [k.encode("utf-8") + b"\x00" for k in keys]
        return b"".join(parts)


def _bulk_calls(G) -> Iterator[list]:
    """The argument lists of the ``GRAPH.BULK`` calls that create ``G`` (without the graph name).

    Nodes get internal ids in the order they are sent, from 0; relationships name their ends by
    those ids. All nodes go before any relationship, as falkordb-bulk-loader sends them.
    """
    enc = _BulkEncoder()
    node_groups, edge_groups = _group_graph(G)
    index: dict = {}

    def node_blocks():
        for labels, keys, rows in node_groups:
            for n, _ in rows:
                index[n] = len(index)
            yield "node", enc.header(":".join(labels), keys), (enc.row(d, keys) for _, d in rows)

    def edge_blocks():
        ends = enc._ends
        for rtype, keys, rows in edge_groups:
            if keys:
                entities = (ends(index[u], index[v]) + enc.row(d, keys) for u, v, d in rows)
            else:
                entities = (ends(index[u], index[v]) for u, v, _ in rows)
            yield "edge", enc.header(rtype, keys), entities

    pending: dict[str, list] = {"node": [], "edge": []}
    counts = {"node": 0, "edge": 0}
    size = 0
    first = True

    def flush():
        nonlocal size, first
        args = [counts["node"], counts["edge"], len(pending["node"]), len(pending["edge"]),
                *pending["node"], *pending["edge"]]
        if first:
            args.insert(0, "BEGIN")
            first = False
        pending["node"], pending["edge"] = [], []
        counts["node"] = counts["edge"] = 0
        size = 0
        return args

    for blocks in (node_blocks(), edge_blocks()):
        for kind, head, entities in blocks:
            parts: list[bytes] = []
            part_size = len(head)
            for e in entities:
                if parts and size + part_size + len(e) > _BULK_MAX_BYTES:
                    pending[kind].append(head + b"".join(parts))
                    counts[kind] += len(parts)
                    yield flush()
                    parts, part_size = [], len(head)
                parts.append(e)
                part_size += len(e)
            if parts:
                pending[kind].append(head + b"".join(parts))
                counts[kind] += len(parts)
                size += part_size
    if counts["node"] or counts["edge"]:
        yield flush()


def _node_family(labels) -> str:
    return schema.ORGANIZATION if schema.ORGANIZATION in labels else labels[0]


