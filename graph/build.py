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

import gc
from collections import defaultdict
from contextlib import contextmanager
from functools import cached_property

import networkx as nx
import pandas as pd

from . import schema
from .tables import Tables, column_values, records

__all__ = ["KnowledgeGraph", "build_graph", "sector_node", "service_node", "region_node", "node_id", "no_gc"]


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


def _add_edges(G: nx.MultiDiGraph, edges) -> None:
    """``G.add_edges_from`` for ``(u, v, key, attrs)`` whose ends exist, writing the adjacency directly.

    networkx keeps one key dict per (u, v), shared by the successor and predecessor maps; filling
    them here skips ``add_edges_from``'s per-edge checks and copies (about 1.7× faster for a million
    edges). ``attrs`` must be a fresh dict per edge: it becomes the edge's data dict.
    """
    succ, pred = G._succ, G._pred
    for u, v, key, attrs in edges:
        if u not in succ or v not in succ:
            G.add_edge(u, v, key, **attrs)
            continue
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = {}
        keydict[key] = attrs


def _clean(d: dict) -> dict:
    """Drop missing values and empty lists: absent is how Cypher and networkx both see 'unknown'."""
    return {k: v for k, v in d.items() if v is not None and v != [] and not (isinstance(v, float) and v != v)}


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
    G.add_nodes_from((sector_node(r["id"]), _clean({**r, "label": schema.SECTOR}))
                     for r in records(tables.sectors[list(schema.NODE_PROPERTIES[schema.SECTOR])]))
    G.add_nodes_from((service_node(r["id"]), _clean({**r, "label": schema.SERVICE}))
                     for r in records(tables.services[list(schema.NODE_PROPERTIES[schema.SERVICE])]))
    G.add_nodes_from((region_node(r["id"]), _clean({**r, "label": schema.REGION}))
                     for r in records(tables.regions[list(schema.NODE_PROPERTIES[schema.REGION])]))

    rels = tables.relations
    degree = pd.concat([rels["from_id"], rels["to_id"]]).value_counts()
    org_records = records(orgs[org_props])
    labels = orgs["type"].map(lambda t: schema.ORG_TYPES[t].label).tolist()
    degrees = orgs["id"].map(degree).fillna(0).astype(int).tolist()
    G.add_nodes_from((r["id"], _clean({**r, "label": lab, "degree": deg}))
                     for r, lab, deg in zip(org_records, labels, degrees))

    # input relations, keyed by type
    ends = [column_values(rels[c]) for c in ("from_id", "to_id", "relation")]
    props = [column_values(rels[c]) for c in schema.RELATION_PROPERTIES]
    _add_edges(G, ((u, v, k, {name: x for name, x in zip(schema.RELATION_PROPERTIES, p) if x is not None})
                   for u, v, k, *p in zip(*ends, *props)))

    # derived relations from list columns and the region tree
    for column, rel, make in (("sectors", "IN_SECTOR", sector_node), ("services", "OFFERS", service_node),
                              ("needs", "NEEDS", service_node)):
        ex = orgs[["id", column]].explode(column).dropna()
        _add_edges(G, ((o, make(x), rel, {}) for o, x in zip(ex["id"], ex[column])))
    located = orgs[["id", "region"]].dropna()
    _add_edges(G, ((o, region_node(r), "LOCATED_IN", {}) for o, r in zip(located["id"], located["region"])))
    parents = tables.regions[["id", "parent"]].dropna()
    _add_edges(G, ((region_node(c), region_node(p), "PART_OF", {}) for c, p in zip(parents["id"], parents["parent"])))
    return G
