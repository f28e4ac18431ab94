"""Query results as plain Python: nodes, relationships and paths as dicts, values as JSON-ready types.

Readers: ``engine`` (every row of ``EmbeddedEngine.run``) and the command line.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from itertools import islice

from ... import schema

__all__ = ["to_plain", "plain_columns"]

# ============================================================================= results


def _iso_duration(d) -> str:
    parts = [f"{getattr(d, a)}{c}" for a, c in (("years", "Y"), ("months", "M"), ("days", "D")) if getattr(d, a, 0)]
    tparts = [f"{getattr(d, a)}{c}" for a, c in (("hours", "H"), ("minutes", "M"), ("seconds", "S"))
              if getattr(d, a, 0)]
    return "P" + "".join(parts) + ("T" + "".join(tparts) if tparts else "") if parts or tparts else "PT0S"


def to_plain(value, node_ids: Mapping[int, object] | None = None):
    """A query result value as plain Python: dicts, lists, strings, numbers, booleans, None.

    * a node becomes ``{"identity": <the engine's node id>, "id": <its id property>, "labels": [...],
      "properties": {...}}``;
    * a relationship becomes ``{"identity", "type", "start", "end", "start_identity",
      "end_identity", "properties"}``: ``start_identity`` and ``end_identity`` are the engine's ids
      of its end nodes, always known, so direction survives (also inside paths, and for nodes
      without an ``id`` property); ``start`` and ``end`` are those nodes' ``id`` properties where
      known (``node_ids`` maps the engine's node ids to them; nodes of the same path are always
      known), else None;
    * a path becomes ``{"nodes": [...], "relationships": [...]}``, both in the path's order;
    * lists and maps recursively; dates and times as ISO 8601 strings.

    FalkorDB client objects and, by duck typing, the Neo4j driver's are understood.

    Parameters
    ----------
    value : object
        A value from a result row.
    node_ids : mapping, optional
        Internal node id → ``id`` property, for the end nodes of relationships.

    Returns
    -------
    object

    Examples
    --------
    >>> to_plain({"xs": (1, 2.5, "三")})
    {'xs': [1, 2.5, '三']}
    """
    node_ids = node_ids or {}
    kind = _entity_kind(value)
    if kind == "node":
        props = _props_of(value)
        return {"identity": _internal_id(value), "id": props.get("id"),
                "labels": sorted(_labels_of(value), key=_label_order),
                "properties": {k: to_plain(v) for k, v in props.items()}}
    if kind == "relationship":
        (start, end), (start_identity, end_identity) = _ends_of(value, node_ids)
        return {"identity": _internal_id(value), "type": _type_of(value), "start": start, "end": end,
                "start_identity": start_identity, "end_identity": end_identity,
                "properties": {k: to_plain(v) for k, v in _props_of(value).items()}}
    if kind == "path":
        nodes, rels = _path_parts(value)
        ids = dict(node_ids)
        for n in nodes:
            ids[_internal_id(n)] = _props_of(n).get("id")
        return {"nodes": [to_plain(n) for n in nodes], "relationships": [to_plain(r, ids) for r in rels]}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, node_ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, node_ids) for v in value]
    if isinstance(value, (_dt.date, _dt.time)):  # datetime is a date
        if getattr(value, "tzinfo", None) is not None:
            # FalkorDB has only local dates and times; its client reads them as UTC: no offset was stored
            value = value.replace(tzinfo=None)
        return value.isoformat()
    if type(value).__name__ == "relativedelta":
        return _iso_duration(value)
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    return value


#: FalkorDB's compact type codes of the values ``plain_columns`` converts: null, string, integer, boolean,
#: double, array
_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY = 1, 2, 3, 4, 5, 6
_AS_SENT = frozenset({_NULL, _STRING, _INTEGER})  # their value in the reply is already the Python value
_SCALAR = frozenset({_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY})


def plain_columns(raw_rows: list, width: int) -> list[list] | None:
    """The columns of a compact FalkorDB reply as plain values, converted column by column, or None.

    ``raw_rows`` are the reply's rows, each a list of ``[type code, value]`` cells. A column of
    strings, integers and nulls is taken as it comes; booleans and doubles are converted in one
    pass per column; the items of every list of a column are converted together, then cut back into
    their lists. The values equal those of ``to_plain`` on the client's parse. None when a cell
    holds anything else (a node, relationship, path, map, date, point or vector): those rows go
    through the client and ``to_plain``.

    Examples
    --------
    >>> plain_columns([[[2, "a"], [6, [[5, "1.5"], [1, None]]]], [[1, None], [6, []]]], 2)
    [['a', None], [[1.5, None], []]]
    >>> plain_columns([[[8, [0, [0], []]]]], 1) is None
    True
    """
    columns = []
    for j in range(width):
        column = _plain_cells([row[j] for row in raw_rows])
        if column is None:
            return None
        columns.append(column)
    return columns


def _plain_cells(cells: list) -> list | None:
    kinds = {c[0] for c in cells}
    if kinds <= _AS_SENT:
        return [c[1] for c in cells]
    if not kinds <= _SCALAR:
        return None
    if _ARRAY not in kinds:
        return [_scalar(t, v) for t, v in cells]
    items = _plain_cells([x for t, v in cells if t == _ARRAY for x in v])
    if items is None:
        return None
    rest = iter(items)
    return [list(islice(rest, len(v))) if t == _ARRAY else _scalar(t, v) for t, v in cells]


def _scalar(kind: int, value):
    if kind == _DOUBLE:
        return float(value)
    if kind == _BOOLEAN:
        return value == "true"
    return value


def _label_order(label: str):
    # Organization first, then the specific label, so `labels` reads as the contract writes it
    names = list(schema.NODE_LABELS)
    return (names.index(label) if label in names else len(names), label)


def _entity_kind(v) -> str | None:
    mod = type(v).__module__ or ""
    name = type(v).__name__
    if mod.startswith("falkordb"):
        return {"Node": "node", "Edge": "relationship", "Path": "path"}.get(name)
    if mod.startswith("neo4j"):
        return {"Node": "node", "Relationship": "relationship", "Path": "path"}.get(
            name, "relationship" if hasattr(v, "start_node") and hasattr(v, "type") else None)
    return None


def _props_of(v) -> dict:
    if hasattr(v, "properties") and isinstance(v.properties, Mapping):
        return dict(v.properties)
    return dict(v.items())


def _labels_of(v) -> list[str]:
    return list(v.labels or [])


def _type_of(v) -> str:
    return v.relation if hasattr(v, "relation") else v.type


def _internal_id(n):
    return n.id if hasattr(n, "id") and not hasattr(n, "element_id") else n.element_id


def _ends_of(r, node_ids: Mapping) -> tuple[tuple, tuple]:
    """``((start id property, end id property), (start identity, end identity))`` of a relationship."""
    if hasattr(r, "src_node"):  # falkordb: the ends are nodes, or the engine's node ids
        ends = (r.src_node, r.dest_node)
        identities = tuple(e.id if hasattr(e, "properties") else e for e in ends)
        return tuple(e.properties.get("id") if hasattr(e, "properties") else node_ids.get(e) for e in ends), identities
    ends = (r.start_node, r.end_node)
    return (tuple(dict(n.items()).get("id") if n is not None else None for n in ends),
            tuple(n.element_id if n is not None else None for n in ends))


def _path_parts(p) -> tuple[list, list]:
    if hasattr(p, "edges") and callable(p.edges):  # falkordb
        return list(p.nodes()), list(p.edges())
    return list(p.nodes), list(p.relationships)


def _entities(value, kind: str):
    """The FalkorDB nodes or relationships (``kind``) in ``value``, looking into lists and maps, not paths."""
    found = _entity_kind(value)
    if found == kind:
        yield value
    elif found is None and isinstance(value, Mapping):
        for v in value.values():
            yield from _entities(v, kind)
    elif found is None and isinstance(value, (list, tuple)):
        for v in value:
            yield from _entities(v, kind)


def _edge_endpoints(value, out: set) -> None:
    """Internal ids of the end nodes of the FalkorDB relationships in ``value``, outside paths."""
    for r in _entities(value, "relationship"):
        if hasattr(r, "src_node"):
            out.update(e for e in (r.src_node, r.dest_node) if isinstance(e, int))


def _known_nodes(value, out: dict) -> None:
    """Internal id → ``id`` property of the FalkorDB nodes in ``value``, outside paths."""
    for n in _entities(value, "node"):
        if hasattr(n, "id"):
            out[n.id] = _props_of(n).get("id")


