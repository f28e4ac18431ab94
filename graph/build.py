"""Validated tables → the in-memory knowledge graph.

The graph is a networkx ``MultiDiGraph`` subclass, ``KnowledgeGraph``:

* organization nodes are keyed by their ``id`` string; sector, service and region nodes by the
  tuples ``("Sector", id)``, ``("Service", id)``, ``("Region", id)``, so an organization id can
  never collide with them;
* every node carries ``label`` (its specific Cypher label: ``Platform``, ``Sector`` …) and the
  properties of contract section 2; a missing value is absent, not ``None``;
* every edge is keyed by its relation type, so a relation between two organizations exists once
  per type; input relations carry ``year``, ``weight`` and ``source`` where known.

Readers: the analyses (``queries``), the stores and the views all read the graph through this
module's conventions and the lookups of ``KnowledgeGraph``.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from functools import cached_property
from itertools import chain, repeat
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from . import schema
from .keys import no_gc, node_id, region_node, sector_node, service_node
from .tables import Tables, column_values

__all__ = ["KnowledgeGraph", "build_graph", "sector_node", "service_node", "region_node", "node_id", "no_gc"]


class KnowledgeGraph(nx.MultiDiGraph):
    """The jjjkg graph: a ``MultiDiGraph`` with lookups the analyses need, computed once.

    Treat it as read-only once built; after changing it by hand, call ``refresh()`` so the
    lookups are recomputed.

    Examples
    --------
    >>> G = tiny_graph()
    >>> sorted(G.orgs(label="Platform", province="北京"))[:2]
    ['bj-pf-1', 'bj-pf-2']
    """

    def refresh(self) -> None:
        """Forget the cached lookups after the graph was changed."""
        self.__dict__.pop("_index", None)

    def number_of_edges(self, u=None, v=None) -> int:
        """The number of edges (between ``u`` and ``v`` when given), counted from the key dicts.

        networkx counts a multigraph's edges through its degree view, one Python step per node and
        neighbour; counting the key dicts runs in C, about twenty times faster for a million edges.
        """
        if u is not None:
            return super().number_of_edges(u, v)
        return sum(map(len, chain.from_iterable(map(dict.values, self._succ.values()))))

    def relation_pairs(self, rel: str) -> list[tuple]:
        """Every ``(u, v)`` of relation ``rel``, in no set order, read from the relation's smaller side.

        The lookups keep, per relation, the nodes of its smaller side (e.g. for ``MEMBER_OF`` the
        alliances that have members), so the relation is found from those, not by a pass over
        every edge.

        Examples
        --------
        >>> sorted(tiny_graph().relation_pairs("MEMBER_OF"))[:2]
        [('bj-pf-1', 'alliance-1'), ('bj-pf-2', 'alliance-1')]
        """
        side, holders = self._holders().get(rel, ("target", ()))
        if side == "target":
            pred = self._pred
            return [(u, v) for v in holders for u, ks in pred[v].items() if rel in ks]
        succ = self._succ
        return [(u, v) for u in holders for v, ks in succ[u].items() if rel in ks]

    def relation_positions(self, *rels: str) -> tuple[list, np.ndarray, np.ndarray]:
        """``(ids, u, v)``: every pair of the relations ``rels`` as positions into ``ids``, the sorted ids of their ends.

        ``build_graph`` keeps the input relations this way (positions into the sorted organization
        ids), so numpy code reads a million relations without a Python loop; otherwise (a graph
        changed by hand, a derived relation) they are read with ``relation_pairs``. The numbering
        is by sorted id either way, so the same pairs give the same order of work.

        Examples
        --------
        >>> ids, u, v = tiny_graph().relation_positions("MEMBER_OF")
        >>> sorted((ids[a], ids[b]) for a, b in zip(u, v))[:2]
        [('bj-pf-1', 'alliance-1'), ('bj-pf-2', 'alliance-1')]
        """
        kept = self._index.get("positions", {})
        if all(rel in kept for rel in rels):
            us = [kept[rel][0] for rel in rels]
            vs = [kept[rel][1] for rel in rels]
            return kept["ids"], np.concatenate([np.zeros(0, np.int32), *us]), np.concatenate([np.zeros(0, np.int32), *vs])
        pairs = [p for rel in rels for p in self.relation_pairs(rel)]
        ends = np.empty(2 * len(pairs), dtype=object)
        ends[:len(pairs)] = [u for u, _ in pairs]
        ends[len(pairs):] = [v for _, v in pairs]
        import pandas as pd

        codes, uniques = pd.factorize(ends)
        order = sorted(range(len(uniques)), key=lambda i: _sort_key(uniques[i]))
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        codes = rank[codes]
        return [uniques[i] for i in order], codes[:len(pairs)], codes[len(pairs):]

    def _holders(self) -> dict[str, tuple[str, set]]:
        """``{rel: ("source" | "target", nodes)}``: the smaller side of each relation.

        ``build_graph`` records them from the tables; a graph changed by hand finds them with one
        pass over its edges.
        """
        idx = self._index
        if "holders" not in idx:
            idx["holders"] = _scan_holders(self)
        return idx["holders"]

    @cached_property
    def _index(self) -> dict:
        by_label: dict[str, set] = defaultdict(set)
        by_province: dict[str, set] = defaultdict(set)
        by_sector: dict[str, set] = defaultdict(set)
        for n, d in self.nodes(data=True):
            by_label[d.get("label")].add(n)
            if "type" in d:  # an organization
                by_label[schema.ORGANIZATION].add(n)
                if "province" in d:
                    by_province[d["province"]].add(n)
                for s in d.get("sectors", ()):
                    by_sector[s].add(n)
        return {"label": by_label, "province": by_province, "sector": by_sector}

    def orgs(self, label: str | None = None, province: str | None = None, sector: str | None = None) -> set:
        """Organization keys with this label, in this province and in this sector id (each optional)."""
        idx = self._index
        result = idx["label"].get(label or schema.ORGANIZATION, set())
        if province is not None:
            result = result & idx["province"].get(province, set())
        if sector is not None:
            result = result & idx["sector"].get(sector, set())
        return set(result)

    def nodes_with_label(self, label: str) -> set:
        """Node keys carrying ``label`` (``Organization`` included)."""
        return set(self._index["label"].get(label, set()))

    def labels_of(self, n) -> list[str]:
        """The Cypher labels of a node: ``['Organization', 'Platform']`` or ``['Sector']``."""
        d = self.nodes[n]
        return [schema.ORGANIZATION, d["label"]] if "type" in d else [d["label"]]

    def has_relation(self, u, v, rel: str) -> bool:
        """Whether the relation ``u -[rel]-> v`` exists."""
        return self.has_edge(u, v, key=rel)

    def out_relations(self, n, rel: str) -> list:
        """Targets of ``n``'s outgoing ``rel`` relations."""
        return [v for _, v, k in self.out_edges(n, keys=True) if k == rel]

    def in_relations(self, n, rel: str) -> list:
        """Sources of ``n``'s incoming ``rel`` relations."""
        return [u for u, _, k in self.in_edges(n, keys=True) if k == rel]

    def sector_ids(self, kind: str | None = None) -> list[str]:
        """Sector ids, optionally of one kind, sorted."""
        return sorted(node_id(n) for n in self.nodes_with_label(schema.SECTOR)
                      if kind is None or self.nodes[n].get("kind") == kind)


def _smaller(sources: set, targets: set) -> tuple[str, set]:
    return ("source", sources) if len(sources) < len(targets) else ("target", targets)


def _scan_holders(G: KnowledgeGraph) -> dict[str, tuple[str, set]]:
    """``KnowledgeGraph._holders`` by one pass over every edge."""
    ends: dict[str, tuple[set, set]] = {}
    for u, nbrs in G._succ.items():
        for v, ks in nbrs.items():
            for rel in ks:
                pair = ends.get(rel)
                if pair is None:
                    pair = ends[rel] = (set(), set())
                pair[0].add(u)
                pair[1].add(v)
    return {rel: _smaller(*pair) for rel, pair in ends.items()}


def _input_holders(rels: pd.DataFrame, ends_at: list[np.ndarray], org_ids: np.ndarray) -> dict[str, tuple[str, set]]:
    """``_holders`` of the input relations, from the relations table (``ends_at``: organization rows, -1 if none)."""
    import pandas as pd

    codes, names = pd.factorize(rels["relation"])
    out = {}
    for i, rel in enumerate(names):
        mine = codes == i
        sides = []
        for column, at in zip(("from_id", "to_id"), ends_at):
            pos = at[mine]
            nodes = set(org_ids[np.unique(pos[pos >= 0])].tolist())
            if (pos < 0).any():  # an end that is not an organization
                nodes.update(rels[column].to_numpy()[mine][pos < 0].tolist())
            sides.append(nodes)
        out[rel] = _smaller(*sides)
    return out


def _sort_key(n) -> tuple:
    """Organization ids first, in order, then the tuple keys of the other nodes."""
    return (1, n) if isinstance(n, tuple) else (0, (n,))


def _positions(rels: pd.DataFrame, ends_at: list[np.ndarray], org_ids: np.ndarray) -> dict:
    """``{"ids": sorted organization ids, rel: (u, v)}``: each input relation as int32 positions into ``ids``."""
    import pandas as pd

    order = np.argsort(org_ids, kind="stable")
    rank = np.empty(len(order) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1  # an end that is not an organization (-1)
    out: dict = {"ids": org_ids[order].tolist()}
    codes, names = pd.factorize(rels["relation"])
    for i, rel in enumerate(names):
        mine = codes == i
        u, v = rank[ends_at[0][mine]], rank[ends_at[1][mine]]
        if (u >= 0).all() and (v >= 0).all():
            out[rel] = (u, v)
    return out


def _add_edges(G: nx.MultiDiGraph, us: list, vs: list, keys, attrs: list | None = None, *, known: bool = False) -> None:
    """``G.add_edges_from`` for the edges ``us[i] -[keys[i]]-> vs[i]``, writing the adjacency directly.

    ``keys``: one relation type for every edge, or a list; ``attrs``: a fresh dict per edge, which
    becomes its data dict (None: each edge gets a fresh empty one). networkx keeps one key dict per
    (u, v), shared by the successor and predecessor maps; filling them here skips
    ``add_edges_from``'s per-edge checks, tuples and copies.
    An end that is not a node yet goes through ``add_edge`` (``known``: the caller checked there is none).
    """
    succ, pred = G._succ, G._pred
    if isinstance(keys, str):
        keys = repeat(keys, len(us))
    if attrs is None:
        attrs = (dict() for _ in range(len(us)))
    elif len(attrs) != len(us):
        raise ValueError(f"{len(us)} edges but {len(attrs)} attribute dicts")
    if not (known or (all(map(succ.__contains__, us)) and all(map(succ.__contains__, vs)))):
        for u, v, key, a in zip(us, vs, keys, attrs):
            G.add_edge(u, v, key, **a)
        return
    for u, v, key, a in zip(us, vs, keys, attrs):
        su = succ[u]
        keydict = su.get(v)
        if keydict is None:
            su[v] = pred[v][u] = {key: a}
        else:
            keydict[key] = a


def _add_nodes(G: nx.MultiDiGraph, keys: list, attrs: list) -> None:
    """``G.add_nodes_from(zip(keys, attrs))``, writing the maps directly (a new node's dict becomes its data)."""
    node, succ, pred = G._node, G._succ, G._pred
    for n, d in zip(keys, attrs):
        if n in node:
            node[n].update(d)
        else:
            node[n] = d
            succ[n] = {}
            pred[n] = {}


def _present(df: pd.DataFrame, **extra: list) -> list[dict]:
    """Rows as dicts holding only their present values: absent is how Cypher and networkx both see 'unknown'.

    Missing values (None, NaN) and empty lists are found a column at a time and removed from the
    rows that have them; ``extra`` columns (lists of values, always present) are added.
    """
    columns = list(df.columns)
    values, missing = zip(*(column_values(df[c], with_missing=True) for c in columns)) if columns else ((), ())
    if any(m.all() for m in missing) and len(df):  # a column missing everywhere is left out at once
        kept = [i for i, m in enumerate(missing) if not m.all()]
        columns, values, missing = [columns[i] for i in kept], [values[i] for i in kept], [missing[i] for i in kept]
    if not columns and not extra:
        return [{} for _ in range(len(df))]
    rows = list(map(dict, map(zip, repeat(columns + list(extra)), zip(*values, *extra.values()))))
    for c, vals, gone in zip(columns, values, missing):
        if isinstance(next((x for x in vals if x is not None), None), list):  # a list column: [] is absent too
            gone = gone | np.fromiter(map(operator.not_, vals), dtype=bool, count=len(vals))
        for i in np.flatnonzero(gone).tolist():
            del rows[i][c]
    return rows


def build_graph(tables: Tables, name: str = "jjjkg") -> KnowledgeGraph:
    """Build the knowledge graph of contract section 2 from validated tables, in bulk.

    Parameters
    ----------
    tables : Tables
        Validated tables, from ``loaders.read_folder`` or a store.
    name : str
        Stored as ``G.graph["name"]``.

    Returns
    -------
    KnowledgeGraph

    Examples
    --------
    >>> G = build_graph(tiny_tables())
    >>> G.nodes["bj-pf-1"]["label"], G.nodes["bj-pf-1"]["province"]
    ('Platform', '北京')
    >>> G.has_relation("bj-uni-1", "bj-pf-1", "TRANSFERS_TO")
    True
    """
    with no_gc():
        return _build(tables, name)


def _build(tables: Tables, name: str) -> KnowledgeGraph:
    G = KnowledgeGraph(name=name, source=tables.source)
    orgs = tables.organizations
    org_props = schema.ORGANIZATIONS.names

    # nodes, in bulk
    for df, label, make in ((tables.sectors, schema.SECTOR, sector_node), (tables.services, schema.SERVICE, service_node),
                            (tables.regions, schema.REGION, region_node)):
        rows = _present(df[list(schema.NODE_PROPERTIES[label])], label=[label] * len(df))
        _add_nodes(G, [make(i) for i in df["id"].tolist()], rows)

    rels = tables.relations
    ends = [column_values(rels[c]) for c in ("from_id", "to_id", "relation")]
    row_of = {x: i for i, x in enumerate(column_values(orgs["id"]))}
    ends_at = [np.fromiter(map(row_of.get, side, repeat(-1)), dtype=np.int64, count=len(side))  # row, or -1
               for side in ends[:2]]
    degree = sum(np.bincount(at[at >= 0], minlength=len(orgs)) for at in ends_at)
    labels = orgs["type"].map(lambda t: schema.ORG_TYPES[t].label).tolist()
    degrees = degree.tolist() if len(orgs) else []
    # where each stands on a map: own coordinates, else the district's or city's centroid, and how precise
    from .positions import place_organizations  # pandas: only when a graph is built, not when one is read

    placed = orgs[org_props].assign(**place_organizations(orgs, tables.regions))
    _add_nodes(G, column_values(orgs["id"]), _present(placed, label=labels, degree=degrees))

    # input relations, keyed by type
    _add_edges(G, *ends, _present(rels[list(schema.RELATION_PROPERTIES)]),
               known=bool((ends_at[0] >= 0).all() and (ends_at[1] >= 0).all()))

    # each relation's smaller side, so that a relation is read from it (``relation_pairs``), and the
    # relations as positions into the sorted organization ids (``relation_positions``)
    holders = _input_holders(rels, ends_at, orgs["id"].to_numpy())
    G._index["positions"] = _positions(rels, ends_at, orgs["id"].to_numpy())

    # derived relations from list columns and the region tree
    for column, rel, make in (("sectors", "IN_SECTOR", sector_node), ("services", "OFFERS", service_node),
                              ("needs", "NEEDS", service_node)):
        ex = orgs[["id", column]].explode(column).dropna()
        targets = column_values(ex[column])
        _add_edges(G, column_values(ex["id"]), [make(x) for x in targets], rel,
                   known=all(make(x) in G._succ for x in set(targets)))  # the sources are organizations
        if len(ex):
            holders[rel] = ("target", {make(x) for x in ex[column].unique()})
    located = orgs[["id", "region"]].dropna()
    _add_edges(G, column_values(located["id"]), [region_node(r) for r in column_values(located["region"])],
               "LOCATED_IN")
    parents = tables.regions[["id", "parent"]].dropna()
    _add_edges(G, [region_node(c) for c in parents["id"].tolist()], [region_node(p) for p in parents["parent"].tolist()],
               "PART_OF")
    for rel, targets in (("LOCATED_IN", located["region"]), ("PART_OF", parents["parent"])):
        if len(targets):
            holders[rel] = ("target", {region_node(r) for r in targets.unique()})
    G._index["holders"] = holders
    return G
