"""The meeting pack: a printable HTML briefing, an XLSX workbook, and what changed since last time.

``write_report(store, out_dir)`` writes into ``out_dir``:

* ``briefing.html`` — one self-contained page (inline CSS, no script, no external link; every data
  string HTML-escaped) with the data's date and fingerprint, headline figures, a traffic-light row of
  gaps per chain, the top paths, the supply list, the chain views (when ``viz`` provides them), the
  other named analyses of the registry, and the sources; a print stylesheet puts each section on
  its own page;
* ``workbook.xlsx`` — sheets 概览, 断点, 路径, 供给清单, 供需匹配, 组织, 关系 (and 变化, 来源), Chinese
  headers, frozen header row, filters, widths fitted to CJK text;
* ``briefing.pdf`` with ``pdf=True``, printed by headless Chromium;
* ``chains/`` — the chain views, when ``viz.write_chain_views`` exists.

``since`` (an older store) adds what changed: organizations added, removed or changed, relations
added or removed, paths gained and lost, gaps opened and closed (``diff_stores``).

Readers: whoever changes what coordinators see at an alliance meeting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from graph import schema
from graph.build import KnowledgeGraph, node_id, sector_node, service_node
from graph.errors import JjjkgError, MissingDependency

__all__ = ["write_report", "write_briefing", "write_workbook", "print_pdf", "find_chromium", "diff_stores",
           "collect", "SHEETS", "TARGETS_2030"]

#: the workbook's sheets, in order
SHEETS = ("概览", "断点", "路径", "供给清单", "供需匹配", "组织", "关系")

#: 京发改规〔2026〕1号, 总体要求: "力争到2030年，在京落地10家国家级制造业中试平台，支持建设50家市级中试平台"
TARGETS_2030 = {"national": 10, "municipal": 50}
TARGETS_SOURCE = ("京发改规〔2026〕1号《关于进一步提升本市中试服务能力促进科技创新和产业创新融合发展的若干措施》："
                  "力争到2030年，在京落地10家国家级制造业中试平台，支持建设50家市级中试平台")

TITLE = "京津冀中试生态 会商简报"
TITLE_EN = "Jing-Jin-Ji pilot-scale testing ecosystem — meeting briefing"

#: Chinese headers for the keys of the named analyses (unknown keys are shown as they are)
KEY_ZH = {
    "rnd_id": "研发主体", "platform_id": "中试平台", "site_id": "量产承接", "sectors": "共同领域",
    "sector": "领域", "gap": "断点", "entity_id": "相关机构", "id": "编号", "org_id": "机构",
    "operator_id": "运营方", "service": "服务", "province": "省份", "level": "级别", "score": "得分",
}

#: sector-wide gaps (a whole stage is missing: red) and the gaps that name an organization (amber)
SECTOR_GAPS = ("NO_BEIJING_RND", "NO_PILOT_PLATFORM", "NO_SCALEUP_SITE", "NO_COMPLETE_PATH")
ENTITY_GAPS = ("DEAD_END_PLATFORM", "ORPHAN_RND", "SINGLE_POINT", "NOT_IN_ALLIANCE")

_PROVINCE_COLUMNS = (*schema.PROVINCES, "—")


# ----------------------------------------------------------------------------- inputs


@dataclass
class _Source:
    """What the report reads: tables, graph and metadata of a store (or of bare tables)."""

    tables: object
    G: KnowledgeGraph
    meta: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return str(self.meta.get("fingerprint", ""))


def _source(obj) -> _Source:
    from graph.build import build_graph
    from graph.store import Store
    from graph.tables import Tables

    if isinstance(obj, _Source):
        return obj
    if isinstance(obj, (str, Path)):
        obj = Store(obj)
    if isinstance(obj, Tables):
        return _Source(obj, build_graph(obj), {"fingerprint": obj.fingerprint(), "built_at": "",
                                                "data_source": obj.source})
    return _Source(obj.tables, obj.graph(), dict(getattr(obj, "meta", {}) or {}))


def _name(G, key) -> str:
    if key is None:
        return ""
    if key in G:
        return str(G.nodes[key].get("name", node_id(key)))
    return str(node_id(key))


def _named(G, key) -> str:
    """``'样例平台 (bj-pf-1)'``."""
    if key is None:
        return ""
    name = _name(G, key)
    return name if name == node_id(key) else f"{name}（{node_id(key)}）"


def _sector_name(G, sid: str) -> str:
    return _name(G, sector_node(sid))


def _cell(v) -> object:
    if v is None:
        return ""
    if isinstance(v, (list, tuple, set)):
        return "、".join(map(str, v))
    if isinstance(v, float) and v != v:
        return ""
    return v


# ----------------------------------------------------------------------------- the content


def _run(name: str, G, **params):
    """Records of a named analysis, or None when it is not registered."""
    import queries

    q = queries.QUERIES.get(name)
    return None if q is None else q.func(G, **params)


def _gap_zh() -> dict[str, str]:
    from queries.alliance_gaps import GAP_ZH

    return GAP_ZH


def collect(store) -> dict:
    """Everything the briefing and the workbook show, computed once from a store (or tables).

    Returns a dict of plain values (strings, numbers, lists of rows); the renderers only format it.
    """
    import queries

    src = _source(store)
    G, tables = src.G, src.tables
    orgs = tables.organizations
    gap_zh = _gap_zh()

    # headline figures
    type_zh = {t.key: t.zh for t in schema.ORG_TYPES.values()}
    counts = Counter((t, p if isinstance(p, str) and p else "—") for t, p in zip(orgs["type"], orgs["province"]))
    by_type_rows = []
    for key in schema.ORG_TYPES:
        values = [counts.get((key, p), 0) for p in _PROVINCE_COLUMNS]
        if sum(values):
            by_type_rows.append({"label": type_zh[key], "counts": [*values, sum(values)]})
    totals = [sum(r["counts"][i] for r in by_type_rows) for i in range(len(_PROVINCE_COLUMNS) + 1)]
    by_type_rows.append({"label": "合计", "counts": totals})
    columns = [*_PROVINCE_COLUMNS, "合计"]
    if totals[len(_PROVINCE_COLUMNS) - 1] == 0:  # no organization without a province: drop the "—" column
        drop = len(_PROVINCE_COLUMNS) - 1
        columns.pop(drop)
        for r in by_type_rows:
            r["counts"].pop(drop)
    paths = queries.rd_scaleup_paths(G)
    gaps = queries.alliance_gaps(G)
    bj_platforms = G.orgs(label="Platform", province=schema.BEIJING)
    targets = []
    for level, target in TARGETS_2030.items():
        have = sum(1 for p in bj_platforms if G.nodes[p].get("level") == level)
        targets.append({"level": schema.LEVEL_ZH[level], "level_key": level, "have": have, "target": target,
                        "shortfall": max(target - have, 0), "percent": min(100, round(100 * have / target))})
    chain_ids = G.sector_ids(kind="chain")
    figures = [
        {"value": len(orgs), "label": "机构 organizations"},
        {"value": len(tables.relations), "label": "关系 relations"},
        {"value": len(G.orgs(label="Platform")), "label": "中试平台 pilot platforms"},
        {"value": len(paths), "label": "完整链路 complete paths"},
        {"value": sum(1 for s in chain_ids if not any(g["sector"] == s and g["gap"] in SECTOR_GAPS for g in gaps)),
         "label": f"链路贯通的产业链（共 {len(chain_ids)} 条）chains without a missing stage"},
    ]

    # traffic lights per chain
    gap_columns = [{"key": g, "zh": gap_zh.get(g, g)} for g in (*SECTOR_GAPS[:3], *ENTITY_GAPS)]
    paths_by_sector = Counter(s for p in paths for s in G.nodes[p["platform_id"]].get("sectors", ()))
    chains = []
    for sid in chain_ids:
        mine = [g for g in gaps if g["sector"] == sid]
        kinds = Counter(g["gap"] for g in mine)
        cells = []
        for col in gap_columns:
            k = col["key"]
            cells.append(("✗" if kinds[k] else "✓") if k in SECTOR_GAPS else (str(kinds[k]) if kinds[k] else "✓"))
        red = any(kinds[k] for k in SECTOR_GAPS)
        amber = any(kinds[k] for k in ENTITY_GAPS)
        status = "red" if red else "amber" if amber else "green"
        chains.append({"id": sid, "name": _sector_name(G, sid), "status": status,
                       "status_zh": {"red": "红", "amber": "黄", "green": "绿"}[status],
                       "paths": paths_by_sector.get(sid, 0), "cells": cells})
    gap_details = [{"sector": _sector_name(G, g["sector"]), "gap": gap_zh.get(g["gap"], g["gap"]),
                    "entity": _named(G, g["entity_id"])}
                   for g in gaps if g["sector"] in chain_ids and g["entity_id"] is not None]

    # paths, best first: more shared sectors first, then by id
    ranked = sorted(paths, key=lambda p: (-len(p["sectors"]), p["rnd_id"], p["platform_id"], p["site_id"]))
    path_rows = [{"rnd": _named(G, p["rnd_id"]), "platform": _named(G, p["platform_id"]),
                  "site": _named(G, p["site_id"]) + f"，{G.nodes[p['site_id']].get('province', '')}",
                  "sectors": "、".join(_sector_name(G, s) for s in p["sectors"])} for p in ranked]

    return {
        "src": src, "G": G, "tables": tables, "paths": paths, "gaps": gaps,
        "figures": figures,
        "by_type": {"columns": columns, "rows": by_type_rows},
        "targets": targets, "targets_source": TARGETS_SOURCE,
        "gap_columns": gap_columns, "chains": chains, "gap_details": gap_details,
        "path_rows": path_rows,
        "supply": _supply(G), "matching": _matching(G),
        "analyses": _other_analyses(G),
        "sources": _sources(tables),
    }


def _records_table(G, q, rows: list[dict]) -> dict:
    """Headers (Chinese where known, a name column beside each id column) and cells of records."""
    keys = list(q.keys)
    headers, getters = [], []
    for k in keys:
        headers.append(KEY_ZH.get(k, k))
        getters.append(lambda r, k=k: _cell(r.get(k)))
        if any(isinstance(r.get(k), str) and (r[k] in G and "type" in G.nodes[r[k]]) for r in rows):
            headers.append(KEY_ZH.get(k, k) + "名称")
            getters.append(lambda r, k=k: _name(G, r.get(k)) if isinstance(r.get(k), str) else "")
        elif k == "sector" or k == "sectors":
            headers.append(KEY_ZH.get(k, k) + "名称")
            getters.append(lambda r, k=k: "、".join(_sector_name(G, s) for s in
                                                   (r.get(k) if isinstance(r.get(k), list) else [r.get(k)]) if s))
    return {"headers": headers, "rows": [[g(r) for g in getters] for r in rows]}


def _supply(G) -> dict:
    import queries

    q = queries.QUERIES.get("supply-list")
    if q is not None:
        rows = q.func(G)
        return {**_records_table(G, q, rows), "note": "", "from_query": True}
    # Without the supply-list analysis, list the platforms as the graph holds them.
    headers = ["编号", "名称", "省份", "城市", "区县", "平台类型", "级别", "运营方", "领域", "提供服务"]
    rows = []
    for p in sorted(G.orgs(label="Platform"), key=lambda n: (_PROVINCE_COLUMNS.index(G.nodes[n].get("province", "—")), n)):
        d = G.nodes[p]
        rows.append([p, d.get("name", ""), d.get("province", ""), d.get("city", ""), d.get("district", ""),
                     schema.PLATFORM_KIND_ZH.get(d.get("platform_kind"), ""), schema.LEVEL_ZH.get(d.get("level"), ""),
                     "、".join(_name(G, o) for o in sorted(G.in_relations(p, "OPERATES"))),
                     "、".join(_sector_name(G, s) for s in d.get("sectors", ())),
                     "、".join(_name(G, service_node(s)) for s in d.get("services", ()))])
    note = ("“supply-list”分析尚未加入 jjjkg，本清单直接按图中中试平台的属性列出（类型、级别、运营方、领域、服务）；"
            "该分析加入后，本表改由它生成。")
    return {"headers": headers, "rows": rows, "note": note, "from_query": False}


def _matching(G) -> dict:
    import queries

    q = queries.QUERIES.get("supply-demand")
    if q is None:
        return {"headers": [], "rows": [], "from_query": False,
                "note": "供需匹配需要“supply-demand”分析（措施9），该分析尚未加入 jjjkg；加入后本表自动生成。"
                        f"目前数据中有 {len(G.nodes_with_label(schema.SERVICE))} 项服务、"
                        f"{sum(len(G.nodes[n].get('needs', ())) for n in G.orgs())} 条企业服务需求。"}
    rows = q.func(G)
    return {**_records_table(G, q, rows), "note": "", "from_query": True}


#: analyses the report shows in its own sections, not in the appendix
_OWN = ("rd-scaleup-paths", "alliance-gaps", "supply-list", "supply-demand")
#: rows of an appendix table in the briefing (the workbook has them all)
APPENDIX_ROWS = 30


def _other_analyses(G) -> list[dict]:
    """Every other registered analysis, run with its default parameters."""
    import queries

    out = []
    for name in sorted(queries.QUERIES):
        if name in _OWN:
            continue
        q = queries.QUERIES[name]
        try:
            rows = q.func(G)
        except JjjkgError as err:  # e.g. a required parameter: say so instead of failing the pack
            out.append({"name": name, "summary": q.summary, "headers": [], "rows": [], "all_rows": [],
                        "more": 0, "note": f"未运行：{err}"})
            continue
        table = _records_table(G, q, rows)
        out.append({"name": name, "summary": q.summary, "headers": table["headers"],
                    "rows": table["rows"][:APPENDIX_ROWS], "all_rows": table["rows"],
                    "more": max(0, len(rows) - APPENDIX_ROWS), "note": "" if rows else "无结果。"})
    return out


def _sources(tables) -> list[dict]:
    """Distinct sources of organizations and relations (a cell may cite several, split on ' ; ')."""
    c: Counter = Counter()
    for df in (tables.organizations, tables.relations):
        for cell in df["source"].dropna():
            for part in str(cell).split(" ; "):
                if part.strip():
                    c[part.strip()] += 1
    return [{"text": t, "count": n} for t, n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]


# ----------------------------------------------------------------------------- what changed


def diff_stores(old, new) -> dict:
    """What changed from ``old`` to ``new`` (stores, store paths or tables).

    Returns
    -------
    dict
        ``orgs_added``, ``orgs_removed`` (ids), ``orgs_changed`` (``{"id", "fields"}``),
        ``relations_added``, ``relations_removed`` (``(from_id, relation, to_id)``),
        ``relations_changed`` (``{"relation", "fields"}``), ``paths_gained``, ``paths_lost``
        (``(rnd_id, platform_id, site_id)``), ``gaps_opened``, ``gaps_closed``
        (``(sector, gap, entity_id)``), and both fingerprints and build times.
    """
    import queries
    from graph.tables import records

    a, b = _source(old), _source(new)
    cols = [c.name for c in schema.ORGANIZATIONS.columns]

    def same(x, y) -> bool:
        missing = (lambda v: v is None or (isinstance(v, float) and v != v))
        return (missing(x) and missing(y)) or x == y

    def by_id(df, key, columns):
        return {key(r): r for r in records(df[columns])}

    oa = by_id(a.tables.organizations, lambda r: r["id"], cols)
    ob = by_id(b.tables.organizations, lambda r: r["id"], cols)
    changed = []
    for i in sorted(set(oa) & set(ob)):
        fields = [c for c in cols if not same(oa[i][c], ob[i][c])]
        if fields:
            changed.append({"id": i, "fields": fields, "old": {c: oa[i][c] for c in fields},
                            "new": {c: ob[i][c] for c in fields}})
    rcols = [c.name for c in schema.RELATIONS_TABLE.columns]
    rkey = (lambda r: (r["from_id"], r["relation"], r["to_id"]))
    ra = by_id(a.tables.relations, rkey, rcols)
    rb = by_id(b.tables.relations, rkey, rcols)
    rchanged = []
    for k in sorted(set(ra) & set(rb)):
        fields = [c for c in schema.RELATION_PROPERTIES if not same(ra[k][c], rb[k][c])]
        if fields:
            rchanged.append({"relation": k, "fields": fields})
    pa = {(p["rnd_id"], p["platform_id"], p["site_id"]) for p in queries.rd_scaleup_paths(a.G)}
    pb = {(p["rnd_id"], p["platform_id"], p["site_id"]) for p in queries.rd_scaleup_paths(b.G)}
    ga = {(g["sector"], g["gap"], g["entity_id"]) for g in queries.alliance_gaps(a.G)}
    gb = {(g["sector"], g["gap"], g["entity_id"]) for g in queries.alliance_gaps(b.G)}

    def gap_sort(g):
        return (g[0], g[1], g[2] or "")

    return {
        "old_fingerprint": a.fingerprint, "new_fingerprint": b.fingerprint,
        "old_built_at": a.meta.get("built_at", ""), "new_built_at": b.meta.get("built_at", ""),
        "orgs_added": sorted(set(ob) - set(oa)), "orgs_removed": sorted(set(oa) - set(ob)),
        "orgs_changed": changed,
        "relations_added": sorted(set(rb) - set(ra)), "relations_removed": sorted(set(ra) - set(rb)),
        "relations_changed": rchanged,
        "paths_gained": sorted(pb - pa), "paths_lost": sorted(pa - pb),
        "gaps_opened": sorted(gb - ga, key=gap_sort), "gaps_closed": sorted(ga - gb, key=gap_sort),
    }


_COLUMN_ZH = {c.name: c.zh for c in schema.ORGANIZATIONS.columns}


def _diff_view(d: dict, G_new, G_old) -> dict:
    """The diff as titled tables with names (an organization removed is named from the old graph)."""
    gap_zh = _gap_zh()

    def nm(key):
        return _named(G_new, key) if key in G_new else _named(G_old, key)

    def sec(s):
        return _sector_name(G_new, s) if sector_node(s) in G_new else _sector_name(G_old, s)

    parts = [
        {"key": "orgs_added", "title": "新增机构", "headers": ["机构", "类型", "省份"],
         "rows": [[nm(i), schema.ORG_TYPES[G_new.nodes[i]["type"]].zh, G_new.nodes[i].get("province", "")]
                  for i in d["orgs_added"]]},
        {"key": "orgs_removed", "title": "移除机构", "headers": ["机构", "类型", "省份"],
         "rows": [[nm(i), schema.ORG_TYPES[G_old.nodes[i]["type"]].zh, G_old.nodes[i].get("province", "")]
                  for i in d["orgs_removed"]]},
        {"key": "orgs_changed", "title": "信息变更的机构", "headers": ["机构", "变更字段", "原值", "新值"],
         "rows": [[nm(c["id"]), "、".join(_COLUMN_ZH.get(f, f) for f in c["fields"]),
                   "；".join(str(_cell(c["old"][f])) for f in c["fields"]),
                   "；".join(str(_cell(c["new"][f])) for f in c["fields"])] for c in d["orgs_changed"]]},
        {"key": "relations_added", "title": "新增关系", "headers": ["起点", "关系", "终点"],
         "rows": [[nm(u), schema.RELATIONS[r].zh, nm(v)] for u, r, v in d["relations_added"]]},
        {"key": "relations_removed", "title": "移除关系", "headers": ["起点", "关系", "终点"],
         "rows": [[nm(u), schema.RELATIONS[r].zh, nm(v)] for u, r, v in d["relations_removed"]]},
        {"key": "paths_gained", "title": "新贯通的链路", "headers": ["研发主体", "中试平台", "量产承接"],
         "rows": [[nm(r), nm(p), nm(s)] for r, p, s in d["paths_gained"]]},
        {"key": "paths_lost", "title": "中断的链路", "headers": ["研发主体", "中试平台", "量产承接"],
         "rows": [[nm(r), nm(p), nm(s)] for r, p, s in d["paths_lost"]]},
        {"key": "gaps_opened", "title": "新出现的断点", "headers": ["领域", "断点", "相关机构"],
         "rows": [[sec(s), gap_zh.get(g, g), nm(e)] for s, g, e in d["gaps_opened"]]},
        {"key": "gaps_closed", "title": "已消除的断点", "headers": ["领域", "断点", "相关机构"],
         "rows": [[sec(s), gap_zh.get(g, g), nm(e)] for s, g, e in d["gaps_closed"]]},
    ]
    figures = [{"value": f"+{len(d['orgs_added'])} / −{len(d['orgs_removed'])}", "label": "机构 增 / 减"},
               {"value": len(d["orgs_changed"]), "label": "机构信息变更"},
               {"value": f"+{len(d['relations_added'])} / −{len(d['relations_removed'])}", "label": "关系 增 / 减"},
               {"value": f"+{len(d['paths_gained'])} / −{len(d['paths_lost'])}", "label": "链路 贯通 / 中断"},
               {"value": f"+{len(d['gaps_opened'])} / −{len(d['gaps_closed'])}", "label": "断点 新增 / 消除"}]
    return {"old_fingerprint": d["old_fingerprint"][:16], "old_built_at": d["old_built_at"], "parts": parts,
            "figures": figures, "any": any(p["rows"] for p in parts)}


# ----------------------------------------------------------------------------- chain views


def _chain_views(G, out_dir: Path, meta: dict | None = None, *, figures: bool = True) -> dict:
    """The chain views of ``viz`` for the pack, when ``viz`` provides them (else a note).

    Interactive pages go to ``out_dir/chains`` and are linked; a static PNG of each chain
    (``viz.write_chain_figure``) is embedded in the briefing as a ``data:`` image so that it prints.
    """
    import base64

    try:
        from viz import write_chain_views
    except ImportError:
        return {"links": [], "views": [],
                "note": "产业链交互视图（viz.write_chain_views）尚未加入 jjjkg；加入后本节列出每条产业链的视图。"}
    target = out_dir / "chains"
    try:
        written = write_chain_views(G, target, meta)
    except JjjkgError as err:
        return {"links": [], "views": [], "note": f"产业链视图未能生成：{err}"}
    if isinstance(written, dict):
        written = list(written.values())
    pages = [Path(p) for p in (written or [])]
    by_stem = {p.stem: p for p in pages}
    draw = None
    if figures:
        try:
            from viz import write_chain_figure as draw
        except ImportError:
            draw = None
    items, notes = [], []
    for sid in G.sector_ids(kind="chain"):
        page = next((p for stem, p in by_stem.items() if stem.endswith(sid)), None)
        item = {"id": sid, "name": _sector_name(G, sid), "href": "", "img": ""}
        if page is not None:
            try:
                item["href"] = page.resolve().relative_to(out_dir.resolve()).as_posix()
            except ValueError:
                pass  # written outside the pack: not linkable from a copied folder
        if draw is not None:
            png = target / f"chain-{sid}.png" if page is None else page.with_suffix(".png")
            try:
                draw(G, png, sector=sid, meta=meta, dpi=100)
                item["img"] = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
            except (JjjkgError, OSError) as err:
                notes.append(f"{sid}: {err}")
        items.append(item)
    note = ("；".join(notes) if notes else "") if items else "没有产业链（kind = chain），因此没有产业链视图。"
    return {"links": [i for i in items if i["href"]], "views": items, "note": note}


# ----------------------------------------------------------------------------- the briefing


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("jjjkg")
    except Exception:  # not installed as a distribution
        return "dev"


def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates_report"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("briefing.html.j2")


def _sections(has_diff: bool, has_analyses: bool) -> list[dict]:
    s = [{"id": "overview", "zh": "总体情况", "en": "Headline figures"},
         {"id": "gaps", "zh": "各产业链断点", "en": "Gaps per chain"},
         {"id": "paths", "zh": "主要链路", "en": "Top paths"},
         {"id": "supply", "zh": "供给清单与供需匹配", "en": "Supply list"}]
    if has_diff:
        s.append({"id": "changes", "zh": "变化", "en": "Changes"})
    s.append({"id": "views", "zh": "产业链视图", "en": "Chain views"})
    if has_analyses:
        s.append({"id": "analyses", "zh": "其他分析", "en": "Other analyses"})
    s.append({"id": "sources", "zh": "数据来源", "en": "Sources"})
    return s


TOP_PATHS = 15


def write_briefing(content: dict, path: Path, *, diff: dict | None = None, chain_views: dict | None = None,
                   today: date | None = None) -> Path:
    """Render the briefing page from ``collect``'s content (and a diff view) into ``path``."""
    src = content["src"]
    now = datetime.now(timezone.utc)
    html = _template().render(
        title=TITLE, title_en=TITLE_EN, version=_version(), date=(today or date.today()).isoformat(),
        generated_at=now.isoformat(timespec="seconds"),
        built_at=src.meta.get("built_at") or "—", fingerprint=src.fingerprint[:16] or "—",
        data_source=src.meta.get("data_source") or "—",
        sections=_sections(diff is not None, bool(content["analyses"])),
        figures=content["figures"], by_type=content["by_type"], targets=content["targets"],
        targets_source=content["targets_source"], gap_columns=content["gap_columns"], chains=content["chains"],
        gap_details=content["gap_details"], n_paths=len(content["path_rows"]),
        top_paths=content["path_rows"][:TOP_PATHS], supply=content["supply"], matching=content["matching"],
        diff=diff, chain_views=chain_views or {"links": [], "views": [], "note": ""}, analyses=content["analyses"],
        sources=content["sources"], n_sources=len(content["sources"]))
    path.write_text(html, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the workbook


def _width(s) -> int:
    text = str(s)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _safe(v):
    """A cell value; text is always text (a name starting with '=' must not become a formula)."""
    v = _cell(v)
    if isinstance(v, bool) or isinstance(v, (int, float)):
        return v
    return str(v)


def _sheet(wb, title: str, headers: list[str], rows: list[list], note: str = ""):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    start = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(italic=True, color="9C6500")
        start = 3
    if not headers:
        return ws
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    for j, h in enumerate(headers, 1):
        c = ws.cell(row=start, column=j, value=str(h))
        c.font, c.fill = bold, fill
        c.data_type = "s"
    for i, row in enumerate(rows, start + 1):
        for j, v in enumerate(row, 1):
            c = ws.cell(row=i, column=j, value=_safe(v))
            if isinstance(c.value, str):
                c.data_type = "s"  # openpyxl reads a leading '=' as a formula; data is never one
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{start}:{last}{start + max(len(rows), 1)}"
    for j, h in enumerate(headers, 1):
        width = max([_width(h)] + [_width(_safe(r[j - 1])) for r in rows[:2000] if j - 1 < len(r)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 6), 60)
    wrap = Alignment(wrap_text=False, vertical="top")
    for row in ws.iter_rows(min_row=start + 1):
        for c in row:
            c.alignment = wrap
    return ws


def write_workbook(content: dict, path: Path, *, diff: dict | None = None) -> Path:
    """The workbook: one sheet per part of the briefing, plus the organizations and relations."""
    from openpyxl import Workbook

    G = content["G"]
    tables = content["tables"]
    gap_zh = _gap_zh()
    src = content["src"]
    wb = Workbook()
    wb.remove(wb.active)

    overview = [["报告日期", date.today().isoformat()], ["数据构建时间", src.meta.get("built_at") or "—"],
                ["数据指纹", src.fingerprint or "—"], ["数据来源", src.meta.get("data_source") or "—"]]
    overview += [[f["label"], f["value"]] for f in content["figures"]]
    overview.append(["", ""])
    overview.append(["类型 \\ 省份", "、".join(content["by_type"]["columns"])])
    for r in content["by_type"]["rows"]:
        overview.append([r["label"], " / ".join(map(str, r["counts"]))])
    overview.append(["", ""])
    for t in content["targets"]:
        overview.append([f"北京{t['level']}中试平台（2030 目标 {t['target']}）", f"{t['have']}，差 {t['shortfall']}"])
    overview.append(["目标出处", content["targets_source"]])
    _sheet(wb, "概览", ["项目", "数值"], overview)

    _sheet(wb, "断点", ["领域编号", "领域", "领域类别", "断点代码", "断点", "相关机构编号", "相关机构"],
           [[g["sector"], _sector_name(G, g["sector"]),
             schema.SECTOR_KIND_ZH.get(G.nodes[sector_node(g["sector"])].get("kind"), ""), g["gap"],
             gap_zh.get(g["gap"], g["gap"]), g["entity_id"] or "", _name(G, g["entity_id"]) if g["entity_id"] else ""]
            for g in content["gaps"]])
    _sheet(wb, "路径", ["研发主体编号", "研发主体", "中试平台编号", "中试平台", "量产承接编号", "量产承接", "承接省份",
                       "共同领域编号", "共同领域"],
           [[p["rnd_id"], _name(G, p["rnd_id"]), p["platform_id"], _name(G, p["platform_id"]), p["site_id"],
             _name(G, p["site_id"]), G.nodes[p["site_id"]].get("province", ""), ";".join(p["sectors"]),
             "、".join(_sector_name(G, s) for s in p["sectors"])] for p in content["paths"]])
    sup = content["supply"]
    _sheet(wb, "供给清单", sup["headers"], sup["rows"], sup["note"])
    m = content["matching"]
    _sheet(wb, "供需匹配", m["headers"], m["rows"], m["note"])

    org_cols = schema.ORGANIZATIONS.columns
    from graph.tables import records

    _sheet(wb, "组织", [c.zh for c in org_cols],
           [[_cell(r[c.name]) if c.kind != "bool" else ("" if r[c.name] is None else ("是" if r[c.name] else "否"))
             for c in org_cols] for r in records(tables.organizations)])
    rel_cols = schema.RELATIONS_TABLE.columns
    _sheet(wb, "关系", [*(c.zh for c in rel_cols[:3]), "起点名称", "关系名称", "终点名称", *(c.zh for c in rel_cols[3:])],
           [[r["from_id"], r["relation"], r["to_id"], _name(G, r["from_id"]), schema.RELATIONS[r["relation"]].zh,
             _name(G, r["to_id"]), *(_cell(r[c.name]) for c in rel_cols[3:])] for r in records(tables.relations)])
    if diff is not None:
        rows = []
        for part in diff["parts"]:
            for r in part["rows"]:
                rows.append([part["title"], *map(str, r)])
        _sheet(wb, "变化", ["变化", "内容1", "内容2", "内容3", "内容4"], rows,
               "" if rows else "两次数据之间没有变化。")
    for a in content["analyses"]:
        _sheet(wb, a["name"][:31], a["headers"], a["all_rows"], a["note"])
    _sheet(wb, "来源", ["来源", "引用行数"], [[s["text"], s["count"]] for s in content["sources"]])
    wb.save(path)
    return path


# ----------------------------------------------------------------------------- PDF

_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The headless browser to print with: ``$JJJKG_CHROMIUM``, else chromium on the PATH, else None."""
    env = os.environ.get("JJJKG_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(browser: str, *args: str, profile: str) -> list[str]:
    """A headless Chromium command line that touches no network and no user profile."""
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-default-apps", "--mute-audio", f"--user-data-dir={profile}", *args]


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120.0) -> Path:
    """Print an HTML file to PDF with headless Chromium.

    Raises
    ------
    MissingDependency
        No Chromium found (install Debian's ``chromium`` or set ``JJJKG_CHROMIUM``).
    JjjkgError
        Chromium ran but wrote no PDF.
    """
    browser = find_chromium()
    if browser is None:
        raise MissingDependency("--pdf needs headless Chromium: install it (Debian: apt-get install chromium) "
                                "or point JJJKG_CHROMIUM at the browser")
    pdf_path = Path(pdf_path).resolve()
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="jjjkg-chromium-") as profile:
        cmd = chromium_command(browser, f"--print-to-pdf={pdf_path}", "--no-pdf-header-footer",
                               Path(html_path).resolve().as_uri(), profile=profile)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise JjjkgError(f"Chromium did not finish printing {html_path} within {timeout:.0f} s") from err
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise JjjkgError(f"Chromium wrote no PDF (exit {proc.returncode}): {' | '.join(tail) or 'no message'}")
    return pdf_path


# ----------------------------------------------------------------------------- the pack


def write_report(store, out_dir: str | Path, *, since=None, pdf: bool = False) -> Path:
    """Write the meeting pack into ``out_dir``; returns ``out_dir``.

    Parameters
    ----------
    store : Store, path or Tables
        The data to report on.
    out_dir : str or Path
        The folder to write (created). ``briefing.html``, ``workbook.xlsx`` (and ``briefing.pdf``,
        ``chains/``) are overwritten.
    since : Store, path or Tables, optional
        The data of the last meeting: adds what changed since then.
    pdf : bool
        Also print ``briefing.pdf`` with headless Chromium.

    Examples
    --------
    >>> import tempfile
    >>> out = write_report(tiny_tables(), tempfile.mkdtemp())
    >>> sorted(p.name for p in out.iterdir() if p.is_file())
    ['briefing.html', 'workbook.xlsx']
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise JjjkgError(f"{str(out)!r} is a file; the report writes a folder: pass a folder path")
    out.mkdir(parents=True, exist_ok=True)
    content = collect(store)
    diff_view = None
    if since is not None:
        old = _source(since)
        d = diff_stores(old, content["src"])
        diff_view = _diff_view(d, content["G"], old.G)
    views = _chain_views(content["G"], out, content["src"].meta)
    html = write_briefing(content, out / "briefing.html", diff=diff_view, chain_views=views)
    write_workbook(content, out / "workbook.xlsx", diff=diff_view)
    if pdf:
        print_pdf(html, out / "briefing.pdf")
    return out
