"""Parameter resolution shared by the analyses (sector names to ids, province spellings), and relation lookups."""

from __future__ import annotations

import re

from graph import schema
from graph.keys import node_id
from graph.errors import QueryError

__all__ = ["resolve_node_id", "resolve_sector", "split_sectors", "resolve_province", "sort_lists", "relation_ends"]


def resolve_node_id(G, label: str, what: str, value: str | None) -> str | None:
    """The id of the ``label`` node (a sector, a service) named by an id or a unique Chinese or English name."""
    if value is None:
        return None
    nodes = G.nodes_with_label(label)
    ids = {node_id(n) for n in nodes}
    if value in ids:
        return value
    key = value.strip().lower()
    hits = sorted(node_id(n) for n in nodes
                  if key in (str(G.nodes[n].get("name", "")).lower(), str(G.nodes[n].get("name_en", "")).lower()))
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise QueryError(f"{what} name {value!r} matches {len(hits)} {what}s: {', '.join(hits)}; pass the id")
    raise QueryError(f"no {what} {value!r}; {what} ids: {', '.join(sorted(ids)[:12])}"
                     + (" …" if len(ids) > 12 else ""))


def resolve_sector(G, value: str | None) -> str | None:
    """A sector id for an id or a unique name (Chinese or English); None stays None."""
    return resolve_node_id(G, schema.SECTOR, "sector", value)


#: what people put between ids: ; and its full-width form, commas (half and full width), 、
_ID_SEPARATORS = re.compile(r"\s*[;；,，、]\s*")


def split_sectors(G, value: str | None) -> list[str] | None:
    """The sectors of a value that names several (``CH_H2;CH_BIO``, ``CH_H2，CH_BIO``, ``氢能、生物医药``), each as
    written; None when it names one sector, or no separator is in it.

    A value that is a sector's id or name as a whole stays one sector, separators or not.
    """
    if not isinstance(value, str) or not _ID_SEPARATORS.search(value.strip()):
        return None
    try:
        resolve_sector(G, value)
        return None
    except QueryError:
        pass
    items = [x for x in _ID_SEPARATORS.split(value.strip()) if x]
    if len(items) < 2:
        return None
    for item in items:
        try:
            resolve_sector(G, item)
        except QueryError as err:
            raise QueryError(f"{err} (in {value!r}: separate ids with ;)") from None
    return items


def resolve_province(value: str | None, allowed=schema.SCALEUP_PROVINCES) -> str | None:
    """``'Hebei'``/``'河北省'`` → ``'河北'``, checked against ``allowed``."""
    if value is None:
        return None
    for canon, spellings in schema.PROVINCES.items():
        if value.strip().lower() in spellings:
            if canon not in allowed:
                break
            return canon
    raise QueryError(f"province: expected {' or '.join(allowed)}, got {value!r}")


def sort_lists(rows: list[dict], *keys: str) -> list[dict]:
    """Sort the list values of ``keys`` in each row (Cypher keeps stored order)."""
    for r in rows:
        for k in keys:
            r[k] = sorted(r.get(k) or [])
    return rows


def relation_ends(G, *rels: str) -> dict[str, tuple[set, set]]:
    """``{rel: (sources, targets)}``: the nodes with an outgoing ``rel``, and those with an incoming one.

    Read as positions (``KnowledgeGraph.relation_positions``), so a million relations cost a sort,
    not a Python loop.

    Examples
    --------
    >>> sources, targets = relation_ends(tiny_graph(), "MEMBER_OF")["MEMBER_OF"]
    >>> sorted(targets)
    ['alliance-1']
    """
    import numpy as np

    ends = {}
    for rel in rels:
        ids, u, v = G.relation_positions(rel)
        ends[rel] = ({ids[i] for i in np.unique(u).tolist()}, {ids[i] for i in np.unique(v).tolist()})
    return ends
