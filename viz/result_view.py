"""A view of any set of nodes and relationships: a Cypher result, or the links a dashboard tile declares.

``build_result_view(G, nodes, relationships)`` gives a ``viz.pyvis_html.View`` that ``render_html``
draws like the network view: organizations of the graph as the views draw them (type colour, province
shape, tooltip, size), the graph's other nodes (sectors, services, regions) in their label's colour,
and nodes the graph does not hold (a value a query returned, a node of a rebuilt store) in grey under
the name they came with. Relationships keep their direction (an arrow from ``from`` to ``to``); a type
of the schema is drawn in its colour, any other in grey with its name in the legend. Positions come
from the network view's force layout (``viz.network_layout``), so the page runs no physics.

At most ``cap`` nodes are drawn (the first ones given); the page then says in Chinese how many the
result had. Every string given here reaches the page as JSON and is put in as text only.

Readers: anyone changing how a result or a tile is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graph import schema
from graph.build import region_node, sector_node, service_node

from . import styles
from .pyvis_html import View, _compact_nodes, _legend, _network_layout, _options, _org_record

__all__ = ["build_result_view", "RESULT_CAP", "graph_key"]

#: the most nodes a result's view draws
RESULT_CAP = 500
#: the colour of a node the graph does not hold, and of a relationship type the schema does not know
OTHER_COLOR = "#9ca3af"
#: the graph's own nodes that are not organizations, by label: how their key is made
_KEYS = {schema.SECTOR: sector_node, schema.SERVICE: service_node, schema.REGION: region_node}


def graph_key(G, node_id, labels: Iterable[str] = ()):
    """The key in ``G`` of the node with this ``id`` property (and these labels), or None.

    Examples
    --------
    >>> G = tiny_graph()
    >>> graph_key(G, "bj-pf-1"), graph_key(G, "S_BIO", ["Sector"]), graph_key(G, "nowhere")
    ('bj-pf-1', ('Sector', 'S_BIO'), None)
    """
    if node_id is None or isinstance(node_id, (dict, list)):
        return None
    node_id = str(node_id)
    labels = [str(x) for x in labels or ()]
    for label, make in _KEYS.items():
        if label in labels and make(node_id) in G:
            return make(node_id)
    if node_id in G.orgs():
        return node_id
    if not labels:
        for make in _KEYS.values():
            if make(node_id) in G:
                return make(node_id)
    return None


def _text(value, limit: int = 200) -> str:
    return "" if value is None else str(value)[:limit]


def _other_record(G, key, vis_id: str, node: Mapping) -> dict:
    """A node that is not an organization: one of the graph's (its label's colour) or a foreign one (grey)."""
    labels = [str(x) for x in node.get("labels") or ()][:10]
    if key is not None:
        d = G.nodes[key]
        label = d.get("label") or key[0]
        zh, en = styles.label_names(label)
        name = _text(d.get("name") or d.get("id") or key[1])
        color, shape, where = styles.label_color(label), "hexagon", f"{zh} {en}"
        info = [["编号", "id", _text(d.get("id") or key[1])], ["名称", "name", name], ["类型", "label", where]]
    else:
        name = _text(node.get("name")) or _text(node.get("id")) or (labels[-1] if labels else "") or "（无名称）"
        color, shape = OTHER_COLOR, "dot"
        info = [["名称", "name", name]]
        if node.get("id") is not None:
            info.append(["编号", "id", _text(node.get("id"))])
        info.append(["标签", "labels", ":".join(labels) or "—"])
        info.append(["说明", "note", "图谱中没有这个节点 not a node of the graph"])
        label = None
    fill = {"background": color, "border": "#333333" if key is not None else "#6b7280"}
    rec = {"id": vis_id, "label": styles.wrap_label(name), "name": name, "nameEn": "", "t": "",
           "lab": label or "", "s": [], "info": info, "noPage": True, "shape": shape, "size": 14.0,
           "color": fill, "borderWidth": 1.5}
    if key is None:
        rec["shapeProperties"] = {"borderDashes": [3, 3]}
    return rec


def _edge_record(rel: Mapping, i: int, nth: int) -> dict:
    kind = _text(rel.get("type"), 64)
    if kind in schema.RELATIONS:
        zh, en = styles.relation_names(kind)
        rec = {"rel": kind, "info": f"{zh} {en} ({kind})", **styles.edge_style(kind)}
        rec["arrows"] = {"to": {"enabled": True, "scaleFactor": 0.6}}  # the result's direction, whatever the type
    else:
        name = kind or "关联"
        rec = {"rel": kind or "", "info": _text(rel.get("info")) or name, "width": 1.5,
               "color": {"color": OTHER_COLOR, "highlight": "#4b5563", "hover": "#4b5563", "opacity": 0.9},
               "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}}
    if nth:  # a second relationship between the same two nodes bends away from the first
        rec["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": min(0.6, 0.18 * nth)}
    rec["id"] = f"e{i}"
    return rec


def build_result_view(G, nodes: list[Mapping], relationships: list[Mapping], *, title: str = "查询结果的图",
                      subtitle: str = "Nodes and relationships of a result", cap: int = RESULT_CAP,
                      total: int | None = None, meta: Mapping | None = None) -> View:
    """The view of a result's nodes and relationships, drawn as the network view draws the graph.

    Parameters
    ----------
    G : KnowledgeGraph
        The graph the names, types and styles are read from.
    nodes : list of mapping
        ``{"key": K, "id": ID, "labels": [...], "name": NAME}``: ``key`` names the node within the
        result (a Cypher identity, a value of a column); ``id`` and ``labels`` find it in ``G``;
        ``name`` captions a node the graph does not hold. The first ``cap`` distinct keys are drawn.
    relationships : list of mapping
        ``{"from": K, "to": K, "type": TYPE}``, ``from`` and ``to`` being node keys; one whose end is
        not drawn is left out.
    total : int, optional
        How many nodes the whole result had, when fewer were given (the page says so).
    meta : mapping, optional
        The store's metadata: its date and source are shown.

    Returns
    -------
    View

    Examples
    --------
    >>> v = build_result_view(tiny_graph(), [{"key": 1, "id": "bj-pf-1"}, {"key": 2, "id": "S_BIO", "labels": ["Sector"]},
    ...     {"key": 3, "name": "<b>外来</b>"}], [{"from": 1, "to": 2, "type": "IN_SECTOR"}, {"from": 3, "to": 1, "type": "X"}])
    >>> [n["id"] for n in v.nodes], [(e["from"], e["to"]) for e in v.edges]
    (['bj-pf-1', 'Sector:S_BIO', '#3'], [('bj-pf-1', 'Sector:S_BIO'), ('#3', 'bj-pf-1')])
    """
    meta = dict(meta or {})
    records: dict[str, dict] = {}
    vis_of: dict[str, str] = {}
    given = 0
    taken: set[str] = set()
    for node in nodes:
        k = _text(node.get("key"), 100)
        if k in vis_of:
            continue
        given += 1
        if len(vis_of) >= cap:
            continue
        key = graph_key(G, node.get("id"), node.get("labels") or ())
        if isinstance(key, str):
            vis_id = key
        elif key is not None:
            vis_id = f"{key[0]}:{key[1]}"
        else:
            vis_id = f"#{k}"
        if vis_id in taken:  # the same node of the graph twice in a result (under two keys): drawn once
            vis_of[k] = vis_id
            continue
        taken.add(vis_id)
        vis_of[k] = vis_id
        if isinstance(key, str):
            rec = _org_record(G, key, vis_id)
        else:
            rec = _other_record(G, key, vis_id, node)
        records[vis_id] = rec
    total = max(int(total or 0), given)

    edges, pairs = [], {}
    for rel in relationships:
        a, b = vis_of.get(_text(rel.get("from"), 100)), vis_of.get(_text(rel.get("to"), 100))
        if a is None or b is None:
            continue
        nth = pairs.get(frozenset((a, b)), 0)
        pairs[frozenset((a, b))] = nth + 1
        rec = _edge_record(rel, len(edges), nth)
        rec["from"], rec["to"] = a, b
        edges.append(rec)

    order = list(records)
    shown = {vid: vid for vid in order}
    _network_layout(order, shown, records, edges)
    shown_nodes = [records[vid] for vid in order]
    legend = _legend(G, [n for n in shown_nodes if not n.get("noPage")], [e for e in edges if e["rel"] in schema.RELATIONS])
    others = {n["lab"] for n in shown_nodes if n.get("noPage") and n["lab"]}
    at = next((i for i, item in enumerate(legend) if item["group"] != "type"), len(legend))
    extra = [{"group": "type", "zh": styles.label_names(lab)[0], "en": styles.label_names(lab)[1],
              "color": styles.label_color(lab), "kind": "fill"} for lab in schema.NODE_LABELS if lab in others]
    if any(n.get("noPage") and not n["lab"] for n in shown_nodes):
        extra.append({"group": "type", "zh": "图谱中没有的节点", "en": "not a node of the graph", "color": OTHER_COLOR,
                      "kind": "fill"})
    legend[at:at] = extra
    for kind in dict.fromkeys(e["rel"] for e in edges if e["rel"] not in schema.RELATIONS):
        legend.append({"group": "relation", "zh": kind or "关联", "en": "", "color": OTHER_COLOR, "kind": "line"})
    message = None
    if total > len(records):
        message = {"zh": f"结果共有 {total} 个节点，图中只画出前 {len(records)} 个（上限 {cap}）及它们之间的 {len(edges)} 条关系。"
                         "要看其余的，请缩小查询（例如加上 LIMIT 或 WHERE）。",
                   "en": f"The result has {total} nodes; the first {len(records)} (limit {cap}) are drawn."}
    from .pyvis_html import _filters

    return View(view="network", title=title, subtitle=subtitle, nodes=_compact_nodes(shown_nodes), edges=edges,
                options=_options("network", len(shown_nodes)), as_of=str(meta.get("built_at") or "")[:10] or None,
                data_source=meta.get("data_source") or G.graph.get("source") or None, legend=legend,
                filters=_filters(G, shown_nodes), message=message)
