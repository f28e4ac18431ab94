"""The Cypher statements that load a ``KnowledgeGraph`` into a Cypher database, made from the schema.

Read this module to know exactly what the Neo4j bridge (and any engine that loads through Cypher)
sends: uniqueness constraints on ``id`` for every label, then node upserts, then relationship
upserts, each an ``UNWIND $rows AS row MERGE …`` statement run once per batch of rows.

Labels and relationship types cannot be Cypher parameters, so they are written into the text —
always the schema's own spelling (``graph.schema``), never a string taken from the data; every
value (ids, names, sources…) travels in ``$rows``. Because every write is a ``MERGE`` on ``id``
followed by ``SET … +=``, loading the same graph twice changes nothing.

Nodes are matched on their *family* label — ``Organization`` for every organization, else
``Sector``, ``Service`` or ``Region`` — because ids are unique only within a family (an
organization and a sector may share an id) and because that is the label the constraint, and so
the index, is on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from .. import schema
from ..build import node_id

__all__ = [
    "Batch",
    "constraint_statements",
    "node_statement",
    "relationship_statement",
    "possible_statements",
    "load_batches",
    "family_of",
]

#: a label or relationship type we are willing to write into Cypher text unquoted
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

#: the organization type labels, in schema order (an organization carries exactly one of them)
_ORG_TYPE_LABELS = tuple(t.label for t in schema.ORG_TYPES.values())


class Batch(NamedTuple):
    """One statement and its parameters; unpacks as ``cypher, params``."""

    cypher: str
    params: dict

    @property
    def kind(self) -> str:
        """``'constraint'``, ``'node'`` or ``'relationship'``: what the statement writes."""
        rows = self.params.get("rows")
        if rows is None:
            return "constraint"
        return "relationship" if rows and "from" in rows[0] else "node"


def _label(name: str) -> str:
    """The schema's spelling of a node label, checked safe to write into Cypher text."""
    label = schema.NODE_LABELS[name].name if name in schema.NODE_LABELS else None
    if label is None or not _IDENTIFIER.match(label):
        raise ValueError(f"node label {name!r} is not one of graph.schema.NODE_LABELS: {list(schema.NODE_LABELS)}")
    return label


def _relation_type(name: str) -> str:
    """The schema's spelling of a relationship type, checked safe to write into Cypher text."""
    rel = schema.RELATIONS.get(name)
    if rel is None or not _IDENTIFIER.match(rel.name):
        raise ValueError(f"relation type {name!r} is not one of graph.schema.RELATIONS: {list(schema.RELATIONS)}")
    return rel.name


def family_of(label: str) -> str:
    """The label a node of ``label`` is matched by: ``Organization`` for organization types.

    Examples
    --------
    >>> family_of("Platform"), family_of("Organization"), family_of("Sector")
    ('Organization', 'Organization', 'Sector')
    """
    return schema.ORGANIZATION if label in _ORG_TYPE_LABELS else _label(label)


def _labels_of(label: str) -> tuple[str, ...]:
    """The full label set of a node whose specific label is ``label``."""
    return (schema.ORGANIZATION, _label(label)) if label in _ORG_TYPE_LABELS else (_label(label),)


# ----------------------------------------------------------------------------- statement text


def constraint_statements() -> list[str]:
    """One uniqueness constraint on ``id`` per schema label (Neo4j 5 syntax), named ``jjjkg_<label>_id``.

    ``IF NOT EXISTS`` makes them safe to send on every push.

    Examples
    --------
    >>> constraint_statements()[0]
    'CREATE CONSTRAINT jjjkg_Organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE'
    """
    return [f"CREATE CONSTRAINT jjjkg_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
            for label in map(_label, schema.all_labels())]


def node_statement(labels: tuple[str, ...] | list[str]) -> str:
    """The upsert of nodes with this label set (as ``KnowledgeGraph.labels_of`` gives it).

    The node is merged on its family label and ``id``; an organization's type label is set, and
    any other type label removed, so that re-typing an organization and pushing again leaves it
    with exactly one type (contract section 2) instead of breaking the ``id`` constraint.

    Examples
    --------
    >>> print(node_statement(["Sector"]))
    UNWIND $rows AS row MERGE (n:Sector {id: row.id}) SET n += row.props
    """
    labels = tuple(_label(x) for x in labels)
    family = family_of(labels[-1])
    if family != schema.ORGANIZATION:
        if labels != (family,):
            raise ValueError(f"a {family} node carries exactly the label {family!r}, got {list(labels)}")
        return f"UNWIND $rows AS row MERGE (n:{family} {{id: row.id}}) SET n += row.props"
    if len(labels) != 2 or labels[0] != schema.ORGANIZATION or labels[1] not in _ORG_TYPE_LABELS:
        raise ValueError(f"an organization carries 'Organization' and one type label of {list(_ORG_TYPE_LABELS)},"
                         f" got {list(labels)}")
    others = ":".join(t for t in _ORG_TYPE_LABELS if t != labels[1])
    return (f"UNWIND $rows AS row MERGE (n:{family} {{id: row.id}}) "
            f"SET n:{labels[1]} REMOVE n:{others} SET n += row.props")


def relationship_statement(rel_type: str, start_family: str, end_family: str) -> str:
    """The upsert of ``rel_type`` relationships between nodes of two families.

    Examples
    --------
    >>> print(relationship_statement("IN_SECTOR", "Organization", "Sector"))
    UNWIND $rows AS row MATCH (a:Organization) WHERE a.id = row.from MATCH (b:Sector) WHERE b.id = row.to MERGE (a)-[r:IN_SECTOR]->(b) SET r += row.props
    """
    t = _relation_type(rel_type)
    a, b = family_of(start_family), family_of(end_family)
    # `WHERE a.id = row.from` rather than `(a:Label {id: row.from})`: the same plan (a seek on the
    # unique index), but Neo4j's linter takes `from` inside a node pattern for a property of `a`
    # and warns that no node has it.
    return (f"UNWIND $rows AS row MATCH (a:{a}) WHERE a.id = row.from MATCH (b:{b}) WHERE b.id = row.to "
            f"MERGE (a)-[r:{t}]->(b) SET r += row.props")


def possible_statements() -> list[str]:
    """Every statement ``load_batches`` can produce for a graph that follows the schema.

    Constraints, one node upsert per label set, one relationship upsert per relation type and
    pair of endpoint families the schema allows. The Cypher lint test checks each of these.
    """
    out = constraint_statements()
    for label in schema.all_labels():
        if label != schema.ORGANIZATION:
            out.append(node_statement(_labels_of(label)))
    for name, rel in schema.RELATIONS.items():
        starts = dict.fromkeys(family_of(x) for x in rel.sources)
        ends = dict.fromkeys(family_of(x) for x in rel.targets)
        out += [relationship_statement(name, a, b) for a in starts for b in ends]
    return out


# ----------------------------------------------------------------------------- rows


def _plain(value):
    """A property value as the driver can send it: numpy scalars to Python, tuples to lists."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        return value.item()
    return value


def _props(data: dict, keys: tuple[str, ...]) -> dict:
    # only the schema's properties travel, minus `id`, which the MERGE itself sets
    return {k: _plain(data[k]) for k in keys if k != "id" and k in data and data[k] is not None}


def _chunks(rows: list, size: int) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def load_batches(G, batch_size: int = 5000) -> Iterator[Batch]:
    """The statements that load ``G`` into a Cypher database, in an order that is safe to run.

    Constraints first (so every ``MERGE`` finds its index), then nodes, then relationships, each
    statement with at most ``batch_size`` rows in ``$rows``. Groups come in schema order and rows
    in graph order, so the same graph always gives the same batches.

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build.build_graph``.
    batch_size : int
        Most rows per statement.

    Yields
    ------
    Batch
        ``(cypher, params)``: constraints have no parameters; upserts have ``{"rows": [...]}`` with
        rows ``{"id", "props"}`` for nodes and ``{"from", "to", "props"}`` for relationships.

    Raises
    ------
    ValueError
        If ``batch_size`` is below 1, or ``G`` holds a label or relation type ``graph.schema``
        does not define (the loaders never let one through).

    Examples
    --------
    >>> from graph.build import KnowledgeGraph
    >>> G = KnowledgeGraph()
    >>> G.add_node(("Sector", "s1"), label="Sector", name="新材料", kind="chain")
    >>> batch = list(load_batches(G))[-1]
    >>> batch.kind, batch.params["rows"]
    ('node', [{'id': 's1', 'props': {'name': '新材料', 'kind': 'chain'}}])
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size!r}")
    for cypher in constraint_statements():
        yield Batch(cypher, {})

    label_order = {label: i for i, label in enumerate(schema.all_labels())}
    nodes: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for n, d in G.nodes(data=True):
        labels = tuple(G.labels_of(n))
        nodes[labels].append({"id": node_id(n), "props": _props(d, schema.NODE_PROPERTIES[labels[0]])})
    for labels in sorted(nodes, key=lambda ls: [label_order.get(x, len(label_order)) for x in ls]):
        cypher = node_statement(labels)
        for rows in _chunks(nodes[labels], batch_size):
            yield Batch(cypher, {"rows": rows})

    rel_order = {name: i for i, name in enumerate(schema.RELATIONS)}
    rels: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for u, v, k, d in G.edges(keys=True, data=True):
        group = (_relation_type(k), G.labels_of(u)[0], G.labels_of(v)[0])
        rels[group].append({"from": node_id(u), "to": node_id(v), "props": _props(d, schema.RELATION_PROPERTIES)})
    for group in sorted(rels, key=lambda g: (rel_order[g[0]], label_order[g[1]], label_order[g[2]])):
        cypher = relationship_statement(*group)
        for rows in _chunks(rels[group], batch_size):
            yield Batch(cypher, {"rows": rows})
