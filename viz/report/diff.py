"""What changed between two stores: organizations, relations, paths and gaps; and that change in words.

``diff_stores(old, new)`` gives ids (for ``jjjkg diff`` and scripts); ``diff_view`` names every
organization by its name (an organization removed is named from the old graph), for the briefing's
first page and its changes section, and keeps the ids beside the names for the workbook.

Readers: whoever changes how the pack reports what changed since the last meeting.
"""

from __future__ import annotations

from graph import schema
from graph.build import sector_node

from .content import _gap_zh, name_of, plain, sector_name, source

__all__ = ["diff_stores", "diff_view"]


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

    a, b = source(old), source(new)
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


def diff_view(d: dict, G_new, G_old) -> dict:
    """The diff as titled tables of names, the same with ids for the workbook, and a few sentences for page 1."""
    from .content import _value_zh

    gap_zh = _gap_zh()

    def graph_of(key):
        return G_new if key in G_new else G_old

    def nm(key):
        return name_of(graph_of(key), key) if key is not None else ""

    def sec(s):
        G = G_new if sector_node(s) in G_new else G_old
        kind = G.nodes[sector_node(s)].get("kind") if sector_node(s) in G else None
        # two sectors may share a name (集成电路 the cluster and the industry): the kind tells them apart
        return sector_name(G, s) + ("" if kind in (None, "chain") else f"（{schema.SECTOR_KIND_ZH.get(kind, kind)}）")

    def org_type(G, i):
        return schema.ORG_TYPES[G.nodes[i]["type"]].zh

    def values(c, side):
        return "；".join(str(plain(_value_zh(f, c[side][f]))) for f in c["fields"])

    parts = [
        ("orgs_added", "新增机构", ["机构", "类型", "省份"],
         [([nm(i), org_type(G_new, i), G_new.nodes[i].get("province", "")], [i]) for i in d["orgs_added"]]),
        ("orgs_removed", "移除机构", ["机构", "类型", "省份"],
         [([nm(i), org_type(G_old, i), G_old.nodes[i].get("province", "")], [i]) for i in d["orgs_removed"]]),
        ("orgs_changed", "信息变更的机构", ["机构", "变更内容", "原为", "现为"],
         [([nm(c["id"]), "、".join(_COLUMN_ZH.get(f, f) for f in c["fields"]), values(c, "old"), values(c, "new")],
           [c["id"]]) for c in d["orgs_changed"]]),
        ("relations_added", "新增关系", ["起点", "关系", "终点"],
         [([nm(u), schema.RELATIONS[r].zh, nm(v)], [u, v]) for u, r, v in d["relations_added"]]),
        ("relations_removed", "移除关系", ["起点", "关系", "终点"],
         [([nm(u), schema.RELATIONS[r].zh, nm(v)], [u, v]) for u, r, v in d["relations_removed"]]),
        ("paths_gained", "新贯通的链路", ["研发主体", "中试平台", "量产承接"],
         [([nm(r), nm(p), nm(s)], [r, p, s]) for r, p, s in d["paths_gained"]]),
        ("paths_lost", "中断的链路", ["研发主体", "中试平台", "量产承接"],
         [([nm(r), nm(p), nm(s)], [r, p, s]) for r, p, s in d["paths_lost"]]),
        ("gaps_opened", "新出现的断点", ["领域", "断点", "相关机构"],
         [([sec(s), gap_zh.get(g, g), nm(e)], [e] if e else []) for s, g, e in d["gaps_opened"]]),
        ("gaps_closed", "已消除的断点", ["领域", "断点", "相关机构"],
         [([sec(s), gap_zh.get(g, g), nm(e)], [e] if e else []) for s, g, e in d["gaps_closed"]]),
    ]
    parts = [{"key": k, "title": t, "headers": h, "rows": [r for r, _ in rows], "ids": [i for _, i in rows]}
             for k, t, h, rows in parts]
    figures = [{"value": f"+{len(d['orgs_added'])} / −{len(d['orgs_removed'])}", "label": "机构 增 / 减"},
               {"value": len(d["orgs_changed"]), "label": "机构信息变更"},
               {"value": f"+{len(d['relations_added'])} / −{len(d['relations_removed'])}", "label": "关系 增 / 减"},
               {"value": f"+{len(d['paths_gained'])} / −{len(d['paths_lost'])}", "label": "链路 贯通 / 中断"},
               {"value": f"+{len(d['gaps_opened'])} / −{len(d['gaps_closed'])}", "label": "断点 新增 / 消除"}]
    built = str(d["old_built_at"] or "")[:10]
    return {"old_fingerprint": d["old_fingerprint"][:16], "old_built_at": built or "—",
            "old_label": f"{built} 构建的上次会商数据" if built else "上次会商的数据",
            "parts": parts, "figures": figures, "any": any(p["rows"] for p in parts),
            "summary": _summary(parts)}


def _summary(parts: list[dict], shown: int = 3) -> list[str]:
    """What changed, in at most six short sentences of names (the briefing's first page)."""
    by = {p["key"]: p for p in parts}

    def names(key, col=0, joiner=None):
        rows = by[key]["rows"]
        items = [joiner.join(r) if joiner else r[col] for r in rows[:shown]]
        return "、".join(items) + ("等" if len(rows) > shown else "")

    out = []
    for key, word, unit in (("orgs_added", "新增机构", "家"), ("orgs_removed", "移除机构", "家")):
        if by[key]["rows"]:
            out.append(f"{word} {len(by[key]['rows'])} {unit}：{names(key)}")
    if by["orgs_changed"]["rows"]:
        rows = by["orgs_changed"]["rows"]
        items = [f"{r[0]}（{r[1]}：{r[2] or '空'} → {r[3] or '空'}）" for r in rows[:shown]]
        out.append(f"信息变更 {len(rows)} 家：" + "、".join(items) + ("等" if len(rows) > shown else ""))
    for key, word in (("paths_gained", "新贯通链路"), ("paths_lost", "中断链路")):
        if by[key]["rows"]:
            out.append(f"{word} {len(by[key]['rows'])} 条：{names(key, joiner=' → ')}")
    opened, closed = by["gaps_opened"]["rows"], by["gaps_closed"]["rows"]
    if opened or closed:
        def gap(r):
            return f"{r[0]}·{r[1]}" + (f"（{r[2]}）" if r[2] else "")
        text = []
        opened, closed = list(dict.fromkeys(map(gap, opened))), list(dict.fromkeys(map(gap, closed)))
        if opened:
            text.append(f"新出现断点 {len(opened)} 处（{'、'.join(opened[:2])}{'等' if len(opened) > 2 else ''}）")
        if closed:
            text.append(f"消除断点 {len(closed)} 处（{'、'.join(closed[:2])}{'等' if len(closed) > 2 else ''}）")
        out.append("；".join(text))
    added, removed = len(by["relations_added"]["rows"]), len(by["relations_removed"]["rows"])
    if added or removed:
        out.append(f"关系新增 {added} 条、移除 {removed} 条（明细见第五部分及工作簿“变化”表）")
    return out
