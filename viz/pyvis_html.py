"""The graph → one self-contained interactive HTML page (vis-network, through pyvis).

``write_view(G, path, view=...)`` is the whole public surface for a page; ``write_chain_views``
writes the chain view of every chain sector into a folder (the README's main job calls it).

How a page is made, and why:

* ``build_view`` selects the organizations to show, styles them from ``graph.schema`` (through
  ``viz.styles``), lays them out for the view (``viz.network_layout``'s force layout, the district
  map of ``viz.basemap``, or the chain's swimlanes) before the page is written, so the page paints
  at once and runs no physics, and adds the overlays of the two contract analyses (paths, gaps).
  Nodes and edges are collected in a ``pyvis.network.Network``, which validates ids and endpoints.
  Above ``max_nodes`` the page is the sector × province matrix of ``viz.matrix`` instead.
* ``render_html`` (``viz.page``) fills our own template (``viz/templates/page.html``), not pyvis's:
  pyvis links Bootstrap and tom-select from a CDN even with ``cdn_resources="in_line"``.
  vis-network's script and stylesheet are read at run time from the installed pyvis package and
  inlined (or, for a server, linked); nothing from a third party is copied into this repository,
  and a written page makes no network request (its Content-Security-Policy forbids any).
* Every string that comes from data reaches the page as JSON inside a
  ``<script type="application/json">`` element (``viz.page.json_for_script``); the page's script
  only ever puts it into the DOM as text (``textContent``) or draws it on the canvas, never as
  markup. Titles in the header are HTML-escaped by Jinja.
* The file is written as UTF-8 by us (pyvis writes in the locale's encoding, which breaks on
  GBK systems), to a temporary file first and renamed, so a failure leaves no half page; it gets
  ordinary permissions (0644 under the usual umask), not the temporary file's 0600.

Readers: anyone changing what a page shows. Colours and shapes live in ``viz.styles``; the page's
behaviour (map drawing, labels, search, filters, highlight, the matrix, fit, whole-view PNG) in
``viz/templates/page.js``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph import schema
from graph.build import node_id, sector_node, service_node
from graph.errors import JjjkgError, QueryError
from graph.safe_write import child, make_folder, safe_stem, write_text

from . import styles
from .basemap import basemap, project
from .page import PAGE_ASSETS, json_for_script, page_asset, render_html, vis_assets
from .styles import DEFAULT_MAX_NODES, VIEWS

__all__ = ["VIEWS", "View", "build_view", "render_html", "write_view", "write_chain_views", "chain_layout",
           "ChainLayout", "vis_assets", "DEFAULT_MAX_NODES", "json_for_script", "PAGE_ASSETS", "page_asset",
           "neighbourhood", "EXPAND_CAP"]


#: the relations drawn between organizations (derived ones become attributes and filters instead)
_DRAWN = schema.INPUT_RELATIONS
#: the chain view draws only the two stage relations
_CHAIN_RELATIONS = ("TRANSFERS_TO", "SCALES_UP_AT")
#: gaps whose entity gets a warning line under its name (the others only a mark and a tooltip line)
_LOUD_GAPS = ("DEAD_END_PLATFORM", "ORPHAN_RND", "SINGLE_POINT")


# ----------------------------------------------------------------------------- the view model


@dataclass
class View:
    """Everything a page shows, as plain data (the template turns it into HTML)."""

    view: str
    title: str
    nodes: list[dict]
    edges: list[dict]
    options: dict
    subtitle: str = ""
    as_of: str | None = None
    data_source: str | None = None
    legend: list[dict] = field(default_factory=list)
    filters: dict = field(default_factory=dict)
    lanes: dict | None = None
    basemap: dict | None = None
    unplaced: list[dict] = field(default_factory=list)
    notice: dict | None = None
    gaps: list[dict] = field(default_factory=list)
    message: dict | None = None
    aggregated: bool = False
    matrix: dict | None = None
    fit_box: list[float] | None = None

    def payload(self) -> dict:
        """The JSON the page's script reads."""
        edge_styles = {r: styles.edge_style(r) for r in sorted({e.get("rel") for e in self.edges} & set(schema.RELATIONS))}
        return {"edgeStyles": edge_styles, "view": self.view, "title": self.title, "subtitle": self.subtitle, "asOf": self.as_of,
                "dataSource": self.data_source, "nodes": self.nodes, "edges": self.edges,
                "options": self.options, "legend": self.legend, "filters": self.filters, "lanes": self.lanes,
                "basemap": self.basemap, "unplaced": self.unplaced, "notice": self.notice, "gaps": self.gaps,
                "message": self.message, "aggregated": self.aggregated, "matrix": self.matrix,
                "fitBox": self.fit_box}


# ----------------------------------------------------------------------------- helpers


def _org_text(G, n) -> str:
    d = G.nodes[n]
    return str(d.get("name") or node_id(n))


def _sector_name(G, sid: str) -> str:
    key = sector_node(sid)
    return str(G.nodes[key].get("name", sid)) if key in G else sid


def _column_zh(name: str) -> str:
    return schema.ORGANIZATIONS.column(name).zh


def _tooltip(G, n, extra: Iterable[tuple[str, str, str]] = ()) -> list[list[str]]:
    """Rows (Chinese label, English label, value) for a node's tooltip; values are plain text."""
    d = G.nodes[n]
    rows: list[list[str]] = []

    def add(col: str, value) -> None:
        if value is None or value == "" or value == []:
            return
        rows.append([_column_zh(col), col.replace("_", " "), str(value)])

    add("name", d.get("name"))
    add("name_en", d.get("name_en"))
    zh, en = styles.label_names(d["label"])
    add("type", f"{zh} {en}")
    add("province", d.get("province"))
    add("city", d.get("city"))
    add("district", d.get("district"))
    add("sectors", "；".join(f"{_sector_name(G, s)} ({s})" for s in d.get("sectors", ())))
    if d.get("level"):
        lz, le = styles.level_names(d["level"])
        add("level", f"{lz} {le}")
    names = []
    for s in d.get("services", ()):
        key = service_node(s)
        names.append(str(G.nodes[key].get("name", s)) if key in G else s)
    add("services", "；".join(names))
    add("source", d.get("source"))
    rows += [list(r) for r in extra]
    rows.insert(0, ["编号", "id", str(node_id(n))])
    return rows


def _province_key(p: str | None) -> str:
    return p if p in styles.PROVINCE_STYLES else ""


def _org_record(G, n, vis_id: str) -> dict:
    d = G.nodes[n]
    rec = {"id": vis_id, "label": styles.wrap_label(_org_text(G, n)), "name": _org_text(G, n),
           "nameEn": str(d.get("name_en") or ""), "t": d.get("type", ""), "lab": d["label"],
           "p": _province_key(d.get("province")), "s": list(d.get("sectors", ())), "info": _tooltip(G, n)}
    rec.update(styles.node_style(d))
    return rec


def resolve_sector_id(G, sector: str | None) -> str | None:
    """A sector id for an id or a unique name (raises ``QueryError`` naming the ids otherwise)."""
    from queries.common import resolve_sector

    return resolve_sector(G, sector)


def _select_orgs(G, sector=None, provinces=None, types=None) -> list:
    orgs = G.orgs(sector=sector)
    if provinces:
        orgs = {n for n in orgs if G.nodes[n].get("province") in provinces}
    if types:
        orgs = {n for n in orgs if G.nodes[n].get("type") in types}
    return sorted(orgs, key=str)


def _normalize_filters(provinces, types) -> tuple[set | None, set | None]:
    provs = None
    if provinces:
        provs = set()
        for p in provinces:
            for canon, spellings in schema.PROVINCES.items():
                if p.strip().lower() in spellings:
                    provs.add(canon)
                    break
            else:
                raise QueryError(f"--province: expected 北京, 天津 or 河北, got {p!r}")
    tps = None
    if types:
        tps = set()
        for t in types:
            ot = schema.org_type(t)
            if ot is None:
                raise QueryError(f"--type: expected one of {', '.join(schema.ORG_TYPES)}, got {t!r}")
            tps.add(ot.key)
    return provs, tps


def _edge_records(G, shown: dict, relations=_DRAWN, edges=None) -> list[dict]:
    """Edges among shown nodes (``shown`` maps graph key → vis id); PARTNERS_WITH once per pair.

    ``edges`` (``(u, v, key, data)`` tuples) limits the search to those; by default every edge of ``G``."""
    out, seen_undirected = [], set()
    for u, v, k, d in (G.edges(keys=True, data=True) if edges is None else edges):
        if k not in relations or u not in shown or v not in shown:
            continue
        rel = schema.RELATIONS[k]
        if not rel.directed:
            pair = (k, frozenset((u, v)))
            if pair in seen_undirected:
                continue
            seen_undirected.add(pair)
        zh, en = styles.relation_names(k)
        title = [zh, en] + [str(d[p]) for p in schema.RELATION_PROPERTIES if d.get(p) is not None]
        rec = {"from": shown[u], "to": shown[v], "rel": k, "info": " · ".join(title)}
        rec.update(styles.edge_style(k))
        out.append(rec)
    for i, e in enumerate(out):
        e["id"] = f"e{i}"
    return out


#: what every map page says under its title (地图审核管理规定: a map of two or more provinces shown in public needs review)
_MAP_NOTICE = {"zh": "示意图，仅供内部分析，不作为权属或界线依据；公开展示须按《地图审核管理规定》送审。",
               "en": "Schematic map for internal analysis only; not an authority on boundaries. Showing it in "
                     "public needs map review (地图审核管理规定)."}


def _legend(G, nodes: list[dict], edges: list[dict], overlays: Iterable[str] = (), approx: Mapping | None = None,
            unplaced: int = 0) -> list[dict]:
    labels = {n.get("lab") for n in nodes}
    provs = {n.get("p") for n in nodes if "p" in n}
    rels = {e.get("rel") for e in edges}
    items: list[dict] = []
    for t in schema.ORG_TYPES.values():
        if t.label in labels:
            items.append({"group": "type", "zh": t.zh, "en": t.en, "color": t.color, "kind": "fill"})
    for key, ps in [*styles.PROVINCE_STYLES.items(), ("", styles.NO_PROVINCE)]:
        if key in provs:
            items.append({"group": "province", "zh": ps.zh, "en": ps.en, "shape": ps.shape, "kind": "shape"})
    for name in schema.RELATIONS:
        if name in rels:
            zh, en = styles.relation_names(name)
            items.append({"group": "relation", "zh": zh, "en": en, "color": schema.RELATIONS[name].color,
                          "kind": "line"})
    if "paths" in overlays:
        items.append({"group": "overlay", "zh": "完整链路（研发→中试→量产）", "en": "complete R&D → pilot → scale-up path",
                      "color": styles.PATH_COLOR, "kind": "bold"})
    if "gaps" in overlays:
        items.append({"group": "overlay", "zh": "缺口", "en": "gap (alliance-gaps)",
                      "color": styles.GAP_STYLE["border"], "kind": "gap"})
    for precision, (zh, en) in _APPROX.items():
        if (approx or {}).get(precision):
            items.append({"group": "position", "zh": f"{approx[precision]} 个机构为{zh}",
                          "en": f"{approx[precision]} organizations {en.replace('approximate: ', 'at ')}",
                          "kind": "approx", "count": approx[precision], "precision": precision})
    if unplaced:
        items.append({"group": "position", "zh": f"{unplaced} 个机构无位置信息，列在左侧“未定位”",
                      "en": f"{unplaced} organizations without a location, listed under 未定位", "kind": "none",
                      "count": unplaced, "precision": "none"})
    return items


def _filters(G, nodes: list[dict], with_types: bool = True) -> dict:
    types = sorted({n["t"] for n in nodes if n.get("t")}, key=list(schema.ORG_TYPES).index)
    provs = [p for p in [*styles.PROVINCE_STYLES, ""] if any(n.get("p") == p for n in nodes)]
    sectors = sorted({s for n in nodes for s in n.get("s", ())})
    return {
        "types": [{"key": t, "zh": schema.ORG_TYPES[t].zh, "en": schema.ORG_TYPES[t].en} for t in types]
        if with_types else [],
        "provinces": [{"key": p, "zh": styles.PROVINCE_STYLES[p].zh if p else styles.NO_PROVINCE.zh,
                       "en": styles.PROVINCE_STYLES[p].en if p else styles.NO_PROVINCE.en} for p in provs],
        "sectors": [{"key": s, "zh": _sector_name(G, s),
                     "en": str(G.nodes[sector_node(s)].get("name_en", "")) if sector_node(s) in G else ""}
                    for s in sectors],
    }


# ----------------------------------------------------------------------------- overlays


def _path_sets(G, sector: str | None) -> tuple[set, set]:
    """Nodes and (u, v, rel) edges on the contract's complete paths (of ``sector``, if given)."""
    from queries import rd_scaleup_paths

    nodes, edges = set(), set()
    for r in rd_scaleup_paths(G, sector=sector):
        nodes.update((r["rnd_id"], r["platform_id"], r["site_id"]))
        edges.add((r["rnd_id"], r["platform_id"], "TRANSFERS_TO"))
        edges.add((r["platform_id"], r["site_id"], "SCALES_UP_AT"))
    return nodes, edges


def _gap_records(G, sector: str | None) -> list[dict]:
    from queries import alliance_gaps

    return alliance_gaps(G, sector=sector)


def _apply_paths(nodes: list[dict], edges: list[dict], shown_rev: dict, path_nodes: set, path_edges: set,
                 dim_others: bool) -> None:
    for e in edges:
        key = (shown_rev[e["from"]], shown_rev[e["to"]], e["rel"])
        if key in path_edges:
            e["width"] = 5
            e["path"] = True
            e["color"] = {**e["color"], "opacity": 1.0}
        elif dim_others:
            e["color"] = {**e["color"], "opacity": 0.3}
    for n in nodes:
        if shown_rev.get(n["id"]) in path_nodes:
            n["shadow"] = {"enabled": True, "color": styles.PATH_COLOR, "size": 14, "x": 0, "y": 0}
            n["path"] = True
            n["info"].append(["链路", "path", "在完整链路上 on a complete path"])


def _gap_order(gap: str) -> int:
    from queries.alliance_gaps import GAPS

    return GAPS.index(gap) if gap in GAPS else len(GAPS)


def _apply_gaps(G, nodes: list[dict], shown: dict, gap_rows: list[dict], many_sectors: bool) -> list[dict]:
    """Mark the gap entities among ``nodes``; return the sector-wide gaps for the page's panel."""
    by_vis = {n["id"]: n for n in nodes}
    per_entity: dict[str, list[dict]] = defaultdict(list)
    panel = []
    for r in gap_rows:
        zh, en = styles.gap_names(r["gap"])
        if r["entity_id"] is None:
            panel.append({"sector": r["sector"], "sectorName": _sector_name(G, r["sector"]),
                          "gap": r["gap"], "zh": zh, "en": en})
        elif r["entity_id"] in shown:
            per_entity[shown[r["entity_id"]]].append(r)
    for vis_id, rows in per_entity.items():
        n = by_vis[vis_id]
        loud = [r for r in rows if r["gap"] in _LOUD_GAPS]
        width = styles.GAP_STYLE["borderWidth"] if loud else 3
        n["color"] = {**n["color"], "border": styles.GAP_STYLE["border"]}
        n["borderWidth"] = width
        n["shapeProperties"] = {"borderDashes": styles.GAP_STYLE["dashes"]}
        n["gap"] = [[g, *styles.gap_names(g)] for g in sorted({r["gap"] for r in rows}, key=_gap_order)]
        seen = set()
        for r in rows:
            zh, en = styles.gap_names(r["gap"])
            where = f"（{_sector_name(G, r['sector'])}）" if many_sectors else ""
            n["info"].append(["缺口", "gap", f"{zh}{where} {r['gap']}"])
            if r["gap"] in _LOUD_GAPS and zh not in seen:
                seen.add(zh)
        if seen:
            n["label"] = n["label"] + "\n⚠ " + "、".join(sorted(seen))
    return panel


# ----------------------------------------------------------------------------- layouts


def _spiral(k: int, step: float) -> tuple[float, float]:
    """The k-th point of a sunflower spiral: dense, even, and the same every time."""
    if k == 0:
        return 0.0, 0.0
    r = step * math.sqrt(k)
    a = k * 2.399963229728653  # the golden angle
    return r * math.cos(a), r * math.sin(a)


def _place_without_overlap(groups: list[tuple[tuple[float, float], list[tuple[str, float]]]],
                           gap: float = 4.0) -> dict[str, tuple[float, float]]:
    """Spread each group of (id, radius) around its anchor so that no two nodes overlap.

    Deterministic: groups and members are placed in the order given, each node at the first point
    of its group's spiral that is clear of every node already placed (a grid makes the check cheap).
    """
    rmax = max((r for _, members in groups for _, r in members), default=10.0)
    cell = 2 * rmax + gap
    grid: dict[tuple[int, int], list[tuple[float, float, float]]] = defaultdict(list)
    pos: dict[str, tuple[float, float]] = {}
    step = rmax + gap

    def clear(x, y, r):
        cx, cy = int(math.floor(x / cell)), int(math.floor(y / cell))
        for i in (cx - 1, cx, cx + 1):
            for j in (cy - 1, cy, cy + 1):
                for (ox, oy, orr) in grid.get((i, j), ()):
                    if (ox - x) ** 2 + (oy - y) ** 2 < (orr + r + gap) ** 2:
                        return False
        return True

    for (ax, ay), members in groups:
        k = 0
        for vid, r in members:
            while True:
                dx, dy = _spiral(k, step * 0.9)
                x, y = ax + dx, ay + dy
                if clear(x, y, r):
                    break
                k += 1
            pos[vid] = (round(x, 1), round(y, 1))
            grid[(int(math.floor(x / cell)), int(math.floor(y / cell)))].append((x, y, r))
    return pos


#: how a position that is not the organization's own is said, by ``coord_precision``
_APPROX = {"district": ("区县中心近似位置", "approximate: its district's centroid"),
           "city": ("城市中心近似位置", "approximate: its city's centroid")}


def _geo_layout(G, orgs: list, shown: dict, records: dict) -> tuple[list, list[dict], dict[str, int]]:
    """Place the located organizations on the map; return (located, unplaced records, approximate counts).

    Positions come from the graph (``graph.positions``: own coordinates, else the district's or the
    city's centroid); organizations that share a point are spread around it so none hides another.
    Organizations with no position at all are not drawn: the page lists them in its side panel.
    """
    groups: dict[tuple[float, float], list] = defaultdict(list)
    located, unplaced = [], []
    approx: dict[str, int] = defaultdict(int)
    for n in orgs:
        d = G.nodes[n]
        rec = records[shown[n]]
        if d.get("map_lat") is None or d.get("map_lon") is None:
            rec["info"].append(["位置", "position", "无位置信息，未画在图上 no location known: not drawn"])
            unplaced.append({"id": rec["id"], "name": rec["name"], "t": rec["t"], "p": rec["p"],
                             "info": rec["info"]})
            continue
        located.append(n)
        groups[(float(d["map_lat"]), float(d["map_lon"]))].append(n)
        precision = d.get("coord_precision")
        if precision in _APPROX:
            approx[precision] += 1
            zh, en = _APPROX[precision]
            where = d.get("district") if precision == "district" else (d.get("city") or d.get("province"))
            rec["info"].append(["位置", "position", f"{zh}（{where or '—'}）{en}"])
            rec["approx"] = precision
            rec["shapeProperties"] = {"borderDashes": [3, 3]}
            rec["color"] = {**rec["color"], "border": "#666666"}
        elif precision == "exact":
            rec["info"].append(["位置", "position", f"坐标 coordinates {float(d['map_lat']):.4f}, {float(d['map_lon']):.4f}"])
    order = sorted(groups, key=lambda ll: (-ll[0], ll[1]))
    placed = _place_without_overlap(
        [(project(*ll), [(shown[n], float(records[shown[n]]["size"])) for n in
                         sorted(groups[ll], key=lambda n: (-records[shown[n]]["size"], str(n)))])
         for ll in order])
    for vid, (x, y) in placed.items():
        records[vid]["x"], records[vid]["y"] = x, y
    return located, unplaced, dict(approx)


@dataclass
class ChainLayout:
    """The chain view of one sector: who stands in which stage × province cell, and where."""

    sector: str
    sector_name: str
    cells: dict[tuple[str, str], list]  # (stage key, province) → node keys, in drawing order
    positions: dict  # node key → (x, y)
    columns: list[dict]  # stage lanes: key, zh, en, x0, x1
    rows: list[dict]  # province lanes: key, zh, en, y0, y1
    path_nodes: set
    path_edges: set  # (u, v, rel)
    edges: list[tuple]  # (u, v, rel) drawn
    gaps: list[dict]  # alliance-gaps rows of the sector

    @property
    def nodes(self) -> list:
        return [n for members in self.cells.values() for n in members]


def _stage_of(G, n, sector_platforms: set) -> str | None:
    label = G.nodes[n]["label"]
    if label == "Platform":
        return "pilot"
    if label in ("Site", "Park"):
        return "scaleup"
    if label in ("University", "Institute"):
        return "rnd"
    if label == "Enterprise":
        # an enterprise is R&D when it hands results on, scale-up when a platform scales up at it
        if G.out_relations(n, "TRANSFERS_TO"):
            return "rnd"
        if any(u in sector_platforms or G.nodes[u]["label"] == "Platform" for u in G.in_relations(n, "SCALES_UP_AT")):
            return "scaleup"
        return "rnd"
    return None


_CELL_W, _CELL_H = 190.0, 86.0
_LANE_PAD = 70.0
#: the width a name takes, per character, at the page's label size (CJK full width, others half)
_NAME_PX = {True: 13.5, False: 7.5}


def _slot_width(G, ns) -> float:
    """Room across for one organization of a lane cell: its marker and its name beside it, and a gap."""
    import unicodedata

    need = _CELL_W
    for n in ns:
        name = max(styles.wrap_label(_org_text(G, n)).split("\n"), key=len)
        px = sum(_NAME_PX[unicodedata.east_asian_width(ch) in "WF"] for ch in name)
        need = max(need, px + 2 * float(styles.node_style(G.nodes[n])["size"]) + 24)
    return need


def chain_layout(G, sector: str) -> ChainLayout:
    """Lay out the chain view of ``sector``: stage columns × province rows, paths and gaps.

    The organizations shown are those of the sector in a stage (R&D, pilot, scale-up) plus every
    organization on one of the sector's complete paths (whose scale-up site may name other sectors).

    Parameters
    ----------
    G : KnowledgeGraph
    sector : str
        A sector id or unique name.

    Returns
    -------
    ChainLayout

    Examples
    --------
    >>> lay = chain_layout(tiny_graph(), "S_BIO")
    >>> sorted(lay.cells[("pilot", "北京")])
    ['bj-pf-2', 'bj-pf-3']
    >>> sorted(lay.path_nodes)
    ['bj-inst-1', 'bj-pf-2', 'hb-site-1']
    """
    sid = resolve_sector_id(G, sector)
    path_nodes, path_edges = _path_sets(G, sid)
    members = G.orgs(sector=sid) | path_nodes
    sector_platforms = G.orgs(label="Platform", sector=sid)
    provinces = [*styles.PROVINCE_STYLES, ""]
    cells: dict[tuple[str, str], list] = {(s.key, p): [] for s in styles.STAGES for p in provinces}
    for n in members:
        stage = _stage_of(G, n, sector_platforms)
        if stage is None:
            continue
        cells[(stage, _province_key(G.nodes[n].get("province")))].append(n)
    for key, ns in cells.items():
        ns.sort(key=lambda n: (n not in path_nodes, _org_text(G, n), str(n)))
    used_provinces = [p for p in provinces if p or any(cells[(s.key, p)] for s in styles.STAGES)]

    def grid(n: int) -> tuple[int, int]:
        cols = max(1, math.ceil(math.sqrt(n / 3))) if n else 1
        return cols, max(1, math.ceil(n / cols))

    # a column is as wide as its widest cell: as many slots as that cell's grid has columns, each as
    # wide as the longest name of the column needs (a name that finds no room beside its node would
    # stand outside the lanes, above the headers or left of them)
    slot_w = {s.key: _slot_width(G, [n for p in used_provinces for n in cells[(s.key, p)]]) for s in styles.STAGES}
    col_w = {s.key: max(grid(len(cells[(s.key, p)]))[0] for p in used_provinces) * slot_w[s.key] + _LANE_PAD
             for s in styles.STAGES}
    row_h = {p: max(grid(len(cells[(s.key, p)]))[1] for s in styles.STAGES) * _CELL_H + _LANE_PAD
             for p in used_provinces}
    columns, x = [], 0.0
    for s in styles.STAGES:
        columns.append({"key": s.key, "zh": s.zh, "en": s.en, "x0": x, "x1": x + col_w[s.key]})
        x += col_w[s.key]
    rows, y = [], 0.0
    for p in used_provinces:
        ps = styles.PROVINCE_STYLES.get(p, styles.NO_PROVINCE)
        rows.append({"key": p, "zh": ps.zh, "en": ps.en, "y0": y, "y1": y + row_h[p]})
        y += row_h[p]
    positions = {}
    for c in columns:
        for r in rows:
            ns = cells[(c["key"], r["key"])]
            ncols, nrows = grid(len(ns))
            cx, cy = (c["x0"] + c["x1"]) / 2, (r["y0"] + r["y1"]) / 2
            for i, n in enumerate(ns):
                col, row = i % ncols, i // ncols
                positions[n] = (round(cx + (col - (ncols - 1) / 2) * slot_w[c["key"]], 1),
                                round(cy + (row - (nrows - 1) / 2) * _CELL_H, 1))
    shown = set(positions)
    edges = sorted({(u, v, k) for u, v, k in G.edges(keys=True)
                    if k in _CHAIN_RELATIONS and u in shown and v in shown}, key=str)
    cells = {k: v for k, v in cells.items() if k[1] in used_provinces}
    return ChainLayout(sector=sid, sector_name=_sector_name(G, sid), cells=cells, positions=positions,
                       columns=columns, rows=rows, path_nodes=path_nodes & shown, path_edges=path_edges,
                       edges=edges, gaps=_gap_records(G, sid))


# ----------------------------------------------------------------------------- aggregation


def _aggregate(G, orgs: list, max_nodes: int, narrowing: str, sid: str | None) -> tuple[dict, dict]:
    """The sector × province matrix (``viz.matrix``) and the message that says why and how to narrow."""
    from .matrix import _arg, sector_province_matrix

    matrix = sector_province_matrix(G, orgs, max_nodes, narrowing, lambda s: _sector_name(G, s),
                                    _gap_records(G, sid))
    counts = {(c["s"], c["p"]): c["n"] for c in matrix["cells"]}
    biggest = max(counts.items(), key=lambda kv: kv[1])[0][0] if counts else "CH_H2"
    example = _arg(biggest if biggest != "—" else "CH_H2")  # a sector id from data: a shell word, quoted
    message = {
        "zh": (f"共 {len(orgs)} 个机构，超过上限 {max_nodes}（--max-nodes）：本页显示按产业领域×省份汇总的数量。"
               f"要看具体机构，请缩小范围，例如 jjjkg viz --sector {example}{narrowing}，"
               f"或加 --province 北京、--type platform，或调高 --max-nodes。"),
        "en": (f"{len(orgs)} organizations exceed the limit of {max_nodes} (--max-nodes): this page shows counts "
               f"by sector × province. To see organizations, narrow it, e.g. jjjkg viz --sector {example}{narrowing}, "
               f"or add --province 北京 / --type platform, or raise --max-nodes."),
    }
    return matrix, message


# ----------------------------------------------------------------------------- options


def _options(view: str, n_nodes: int) -> dict:
    opts = {
        "autoResize": True,
        # the page writes the names itself (placed beside their nodes, at a size that reads): the font
        # here is only the face and colour it uses; vis-network's nodes carry no label
        "nodes": {"font": {"size": 13, "color": "#222222", "face": "'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "selectionWidth": 2},
        "interaction": {"hover": n_nodes <= 1500, "tooltipDelay": 120, "hideEdgesOnDrag": n_nodes > 800,
                        "hideEdgesOnZoom": n_nodes > 1500, "multiselect": False},
        "layout": {"randomSeed": 7, "improvedLayout": False},
    }
    # every layout is computed before the page opens (network: viz.network_layout), so the page
    # paints at once and never runs physics
    opts["physics"] = {"enabled": False}
    if view == "chain":
        opts["edges"]["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.12}
    return opts


def _network_layout(orgs: list, shown: dict, records: dict, edges: list[dict]) -> None:
    """Fixed positions from ``viz.network_layout`` and the ``imp`` mark of the nodes whose labels matter."""
    import numpy as np

    from .network_layout import force_layout

    index = {shown[n]: i for i, n in enumerate(orgs)}
    u = np.fromiter((index[e["from"]] for e in edges), dtype=np.int64, count=len(edges))
    v = np.fromiter((index[e["to"]] for e in edges), dtype=np.int64, count=len(edges))
    recs = [records[shown[n]] for n in orgs]
    pos = force_layout(len(orgs), u, v, sizes=np.array([float(r["size"]) for r in recs]) if recs else None)
    degree = np.bincount(np.concatenate((u, v)), minlength=len(orgs)) if len(orgs) else np.zeros(0)
    # hubs: the best-linked twentieth (at least degree 3); with platforms, their labels show from the start
    hub = float(np.quantile(degree, 0.95)) if len(orgs) else 0.0
    for i, r in enumerate(recs):
        r["x"], r["y"] = float(pos[i, 0]), float(pos[i, 1])
        if r["lab"] == "Platform" or (degree[i] >= max(3.0, hub)):
            r["imp"] = 1


def _compact_nodes(nodes: list[dict]) -> list[dict]:
    """Node records without the hover/highlight colours the page derives from the fill (a lighter page)."""
    out = []
    for n in nodes:
        n = dict(n)
        c = n.get("color")
        if isinstance(c, dict):
            derived = {"background": c.get("background"), "border": "#000000"}
            if c.get("highlight") == derived and c.get("hover") == derived:
                n["color"] = {k: v for k, v in c.items() if k not in ("highlight", "hover")}
        out.append(n)
    return out


def _compact_edges(edges: list[dict]) -> list[dict]:
    """Edge records without the keys their relation's style already gives (the page adds them back)."""
    out = []
    for e in edges:
        base = styles.edge_style(e["rel"]) if e.get("rel") in schema.RELATIONS else {}
        out.append({k: v for k, v in e.items() if k not in base or base[k] != v})
    return out


def _map_box(bm: dict, nodes: list[dict], provinces: set | None) -> list[float]:
    """What the geo view shows first: the whole outline of each province shown (all three, or those
    of ``--province``) and every node, so no corner of the map (the north of 张家口 and 承德) is cut."""
    boxes = [r["box"] for r in bm["layers"]["province"] if not provinces or r["p"] in provinces]
    boxes += [[n["x"] - n["size"], n["y"] - n["size"], n["x"] + n["size"], n["y"] + n["size"]] for n in nodes]
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


# ----------------------------------------------------------------------------- building a view


def build_view(G, *, view: str = "network", sector: str | None = None, provinces: Iterable[str] | None = None,
               types: Iterable[str] | None = None, highlight_paths: bool = False, gaps: bool = False,
               max_nodes: int = DEFAULT_MAX_NODES, title: str | None = None,
               meta: Mapping | None = None, ids: Iterable[str] | None = None) -> View:
    """Select, style and lay out what a page shows (``write_view`` renders it).

    Parameters are those of ``write_view``, and ``ids``: only the organizations of these ids (the
    records of a dashboard tile, say), within the other filters.

    Returns
    -------
    View

    Examples
    --------
    >>> v = build_view(tiny_graph(), view="chain", sector="S_BIO")
    >>> v.view, len(v.nodes) > 0, v.lanes["columns"][1]["zh"]
    ('chain', True, '中试')
    """
    from pyvis.edge import Edge
    from pyvis.network import Network

    if view not in VIEWS:
        raise QueryError(f"--view: expected one of {', '.join(VIEWS)}, got {view!r}")
    if max_nodes < 1:
        raise QueryError(f"--max-nodes: expected a positive number, got {max_nodes!r}")
    sid = resolve_sector_id(G, sector)
    if view == "chain" and sid is None:
        chains = ", ".join(G.sector_ids(kind="chain")) or "none in this graph"
        raise QueryError(f"the chain view needs a sector: pass --sector ID (chains: {chains})")
    provs, tps = _normalize_filters(provinces, types)
    meta = dict(meta or {})
    as_of = str(meta.get("built_at") or "")[:10] or None
    source = meta.get("data_source") or G.graph.get("source") or None
    overlays = set()
    lanes, panel, message, unplaced, approx = None, [], None, [], {}
    narrowing = "".join(f" --province {p}" for p in sorted(provs or ())) + "".join(
        f" --type {t}" for t in sorted(tps or ()))

    if view == "chain":
        lay = chain_layout(G, sid)
        orgs = [n for n in lay.nodes if (not provs or G.nodes[n].get("province") in provs)
                and (not tps or G.nodes[n].get("type") in tps)]
    else:
        orgs = _select_orgs(G, sid, provs, tps)
    if ids is not None:
        wanted = {str(i) for i in ids}
        orgs = [n for n in orgs if str(n) in wanted]

    default_title = {"network": "京津冀中试生态网络", "geo": "京津冀中试生态地图（示意图）", "chain": "产业链中试链路"}[view]
    if view == "geo" and title and "示意图" not in title:
        title = f"{title}（示意图）"  # a map says what it is, whatever its title
    if view == "chain":
        default_title = f"{_sector_name(G, sid)} · {default_title}"
    elif sid:
        default_title = f"{_sector_name(G, sid)} · {default_title}"
    subtitle = {"network": "Pilot-scale testing ecosystem of Beijing–Tianjin–Hebei: network",
                "geo": "Pilot-scale testing ecosystem of Beijing–Tianjin–Hebei: schematic map",
                "chain": "R&D → pilot → scale-up swimlanes (北京研发中试、津冀量产放大)"}[view]

    if len(orgs) > max_nodes:
        matrix, message = _aggregate(G, orgs, max_nodes, narrowing if view != "chain" else "", sid)
        return View(view=view, title=title or default_title, subtitle=subtitle + " — aggregated: sector × province",
                    as_of=as_of, data_source=source, nodes=[], edges=[], options=_options("aggregate", 0),
                    legend=[{"group": "gapcolor", "zh": zh, "en": en, "color": matrix["gapColors"][k], "kind": "cell"}
                            for k, zh, en in (("none", "无缺口", "no gap"), ("entity", "有机构层面缺口", "gaps naming organizations"),
                                              ("sector", "领域缺口落在此格", "a sector gap falls here"))],
                    filters={"types": [{k: t[k] for k in ("key", "zh", "en")} for t in matrix["types"]],
                             "provinces": [], "sectors": []},
                    message=message, aggregated=True, matrix=matrix)

    net = Network(directed=True)
    shown: dict = {}
    taken = set()
    for n in orgs:
        vid = str(n)
        if vid in taken:  # cannot happen for organization ids, which are unique strings
            raise JjjkgError(f"duplicate node id {vid!r} in the view")
        taken.add(vid)
        shown[n] = vid
    records: dict[str, dict] = {}
    for n in orgs:
        records[shown[n]] = _org_record(G, n, shown[n])

    if view == "chain":
        for n in orgs:
            x, y = lay.positions[n]
            records[shown[n]]["x"], records[shown[n]]["y"] = x, y
        edges = _edge_records(G, shown, _CHAIN_RELATIONS)
        lanes = {"columns": lay.columns, "rows": lay.rows,
                 "empty": [{"x": (c["x0"] + c["x1"]) / 2, "y": (r["y0"] + r["y1"]) / 2, "zh": "（空）", "en": "none"}
                           for c in lay.columns for r in lay.rows if not lay.cells.get((c["key"], r["key"]))]}
    elif view == "geo":
        orgs, unplaced, approx = _geo_layout(G, orgs, shown, records)
        shown = {n: shown[n] for n in orgs}
        edges = _edge_records(G, shown)
    else:
        edges = _edge_records(G, shown)
        _network_layout(orgs, shown, records, edges)

    nodes = [records[shown[n]] for n in orgs]
    rev = {v: k for k, v in shown.items()}
    if view == "chain" or highlight_paths:
        overlays.add("paths")
        pn, pe = (lay.path_nodes, lay.path_edges) if view == "chain" else _path_sets(G, sid)
        _apply_paths(nodes, edges, rev, pn, pe, dim_others=view == "chain")
    if view == "chain" or gaps:
        overlays.add("gaps")
        rows = lay.gaps if view == "chain" else _gap_records(G, sid)
        panel = _apply_gaps(G, nodes, shown, rows, many_sectors=view != "chain" and sid is None)

    # pyvis holds the network; every edge's endpoints are checked against a set here, since
    # Network.add_edge looks each one up in a list (seconds at 5,000 organizations and 25,000 edges)
    for rec in nodes:
        net.add_node(rec["id"], **{k: v for k, v in rec.items() if k != "id"})
    known = set(net.get_nodes())
    for rec in edges:
        if rec["from"] not in known or rec["to"] not in known:
            raise JjjkgError(f"edge {rec.get('id')!r} joins a node not in the view: {rec['from']!r} → {rec['to']!r}")
        net.edges.append(Edge(rec["from"], rec["to"], True, **{k: v for k, v in rec.items() if k not in ("from", "to")}).options)
    options = _options(view, len(nodes))
    bm = basemap(G) if view == "geo" else None
    return View(view=view, title=title or default_title, subtitle=subtitle, as_of=as_of, data_source=source,
                nodes=_compact_nodes(net.nodes), edges=_compact_edges(net.edges), options=options,
                legend=_legend(G, nodes, edges, overlays, approx, len(unplaced)), filters=_filters(G, nodes), lanes=lanes,
                basemap=bm, unplaced=unplaced, notice=_MAP_NOTICE if view == "geo" else None, gaps=panel,
                message=message, fit_box=_map_box(bm, nodes, provs) if bm else None)


# ----------------------------------------------------------------------------- expanding a node

#: at most this many neighbours are added by one expansion
EXPAND_CAP = 50


def neighbourhood(G, org_id: str, *, exclude: Iterable[str] = (), cap: int = EXPAND_CAP) -> dict:
    """The neighbours of one organization that a page does not show yet, as the page's own records.

    Neighbours are the organizations joined to ``org_id`` by a drawn relation (``schema.INPUT_RELATIONS``),
    best linked first, at most ``cap`` of them; the edges are every drawn relation between a new
    neighbour and ``org_id``, another new neighbour or an organization in ``exclude`` (what the page
    shows). Nodes and edges are made by the same code as ``build_view``'s (``_org_record``,
    ``_edge_records``), with each relation's full style, so the page adds them as they are; it places them.

    Returns
    -------
    dict
        ``{"nodes": [...], "edges": [...], "more": N}``: ``more`` neighbours were left out by the cap.

    Raises
    ------
    QueryError
        ``org_id`` is no organization of the graph, or ``cap`` is not positive.

    Examples
    --------
    >>> got = neighbourhood(tiny_graph(), "bj-pf-1", exclude=["bj-uni-1"], cap=2)
    >>> [n["id"] for n in got["nodes"]], got["more"]
    (['bj-ent-1', 'tj-site-1'], 4)
    """
    if cap < 1:
        raise QueryError(f"cap: expected a positive number, got {cap!r}")
    orgs = G.orgs()
    if org_id not in orgs:
        raise QueryError(f"no organization with id {org_id!r}")
    skip = {str(x) for x in exclude} | {org_id}
    found = set()
    for u, v, k in list(G.out_edges(org_id, keys=True)) + list(G.in_edges(org_id, keys=True)):
        other = v if u == org_id else u
        if k in _DRAWN and other in orgs and str(other) not in skip:
            found.add(other)
    ranked = sorted(found, key=lambda n: (-G.degree(n), str(n)))
    new = ranked[:cap]
    nodes = _compact_nodes([_org_record(G, n, str(n)) for n in new])
    shown = {n: str(n) for n in new}
    context = {n: str(n) for n in orgs & skip}
    incident = {(u, v, k): d for n in new
                for u, v, k, d in (*G.out_edges(n, keys=True, data=True), *G.in_edges(n, keys=True, data=True))}
    edges = _edge_records(G, {**context, **shown}, edges=[(u, v, k, d) for (u, v, k), d in incident.items()])
    return {"nodes": nodes, "edges": edges, "more": len(ranked) - len(new)}


# ----------------------------------------------------------------------------- writing


def _write_text(path: Path, text: str) -> Path:
    path = Path(path)
    make_folder(path.parent)
    return write_text(path, text)


def write_view(G, path, *, view: str = "network", sector: str | None = None,
               provinces: Iterable[str] | None = None, types: Iterable[str] | None = None,
               highlight_paths: bool = False, gaps: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
               title: str | None = None, meta: Mapping | None = None) -> Path:
    """Write one self-contained interactive page of the graph (opens offline, UTF-8).

    Parameters
    ----------
    G : KnowledgeGraph
        A graph built by ``graph.build_graph`` or opened from a store.
    path : str or Path
        The ``.html`` file to write (its folder is created).
    view : {"network", "geo", "chain"}
        ``network``: a force layout computed before the page is written (``viz.network_layout``);
        ``geo``: on the district map (``viz.basemap``) at each organization's ``map_lat``/``map_lon``
        (its coordinates, else its district's or city's centroid, marked approximate), spread so that
        none hides another, those with no place listed aside; ``chain``: swimlanes of R&D,
        pilot and scale-up × 北京, 天津, 河北 for one sector, complete paths bold and gaps marked.
    sector : str, optional
        A sector id or unique name: only its organizations (required for ``chain``).
    provinces, types : iterable of str, optional
        Only organizations in these provinces (北京, 天津, 河北 in any spelling) / of these types.
    highlight_paths : bool
        Draw the ``rd-scaleup-paths`` triples bold (always on in the chain view).
    gaps : bool
        Mark the ``alliance-gaps`` of the shown sectors (always on in the chain view).
    max_nodes : int
        Above this many organizations the page is a sector × province matrix of counts by type
        (``viz.matrix``), and says how to narrow it.
    title : str, optional
        The page's title; a default in Chinese names the view and sector.
    meta : mapping, optional
        The store's metadata (``Store.meta``): ``built_at`` is shown as the data's as-of date and
        ``data_source`` as its source.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    QueryError
        An unknown view, sector, province or type, or a chain view without a sector.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_view(tiny_graph(), pathlib.Path(tempfile.mkdtemp()) / "bio.html", view="chain", sector="S_BIO")
    >>> text = out.read_text(encoding="utf-8")
    >>> "<script src=" in text, "样例生物中试基地" in text
    (False, True)
    """
    v = build_view(G, view=view, sector=sector, provinces=provinces, types=types, highlight_paths=highlight_paths,
                   gaps=gaps, max_nodes=max_nodes, title=title, meta=meta)
    return _write_text(Path(path), render_html(v))


def chain_file(out_dir: Path, sector_id: str, suffix: str) -> Path:
    """The file of a sector's chain view in ``out_dir``: ``chain-<id><suffix>``, the id made a safe name.

    Examples
    --------
    >>> chain_file(Path("pack"), "x/../../name", ".png").as_posix()
    'pack/chain-x_.._.._name.png'
    """
    return child(out_dir, f"chain-{safe_stem(sector_id)}{suffix}")


def write_chain_views(G, out_dir, meta: Mapping | None = None, *, max_nodes: int = DEFAULT_MAX_NODES) -> list[Path]:
    """Write the chain view of every sector of kind ``chain`` into ``out_dir``; return the files.

    Files are named ``chain-<SECTOR_ID>.html``, in sector-id order.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_chain_views(tiny_graph(), tempfile.mkdtemp())][:2]
    ['chain-S_BIO.html', 'chain-S_H2.html']
    """
    out_dir = make_folder(out_dir)
    files = []
    for sid in G.sector_ids(kind="chain"):
        files.append(write_view(G, chain_file(out_dir, sid, ".html"), view="chain", sector=sid, meta=meta,
                                max_nodes=max_nodes))
    return files
