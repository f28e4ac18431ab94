"""What the meeting pack says, computed once from a store: plain values in Chinese, no formatting.

``collect(store)`` returns a dict that the briefing (``briefing.py``) and the workbook
(``workbook.py``) only lay out. The briefing's body names organizations by name, never by id;
ids live in the workbook and in the briefing's annex (``id_annex``).

Readers: whoever changes what coordinators read at an alliance meeting.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from graph import schema
from graph.build import KnowledgeGraph, node_id, sector_node, service_node
from graph.errors import JjjkgError

__all__ = ["collect", "TARGETS_2030", "TARGETS_SOURCE", "RECOGNISED_BEIJING_PLATFORMS", "RECOGNISED_SOURCE",
           "KEY_ZH", "ANALYSES_ZH", "analysis_table"]

#: 京发改规〔2026〕1号, 总体要求: "力争到2030年，在京落地10家国家级制造业中试平台，支持建设50家市级中试平台"
TARGETS_2030 = {"national": 10, "municipal": 50}
TARGETS_SOURCE = ("京发改规〔2026〕1号《关于进一步提升本市中试服务能力促进科技创新和产业创新融合发展的若干措施》："
                  "力争到2030年，在京落地10家国家级制造业中试平台，支持建设50家市级中试平台")
#: Beijing's recognised pilot platforms today; the list itself is not public
RECOGNISED_BEIJING_PLATFORMS = 146
RECOGNISED_SOURCE = "经济日报 2026-01-05 援引北京市发展改革委：三部门已认定北京现有中试平台 146 家（名单未公开）"

#: sector-wide gaps (a whole stage is missing) and the gaps that name an organization
SECTOR_GAPS = ("NO_BEIJING_RND", "NO_PILOT_PLATFORM", "NO_SCALEUP_SITE", "NO_COMPLETE_PATH")
ENTITY_GAPS = ("DEAD_END_PLATFORM", "ORPHAN_RND", "SINGLE_POINT", "NOT_IN_ALLIANCE")

#: the gap matrix: one column per gap, headed by what is checked; a cell says "缺" where it is missing
GAP_MATRIX = (
    ("NO_BEIJING_RND", "北京研发"), ("NO_PILOT_PLATFORM", "北京中试"), ("NO_SCALEUP_SITE", "津冀承接"),
    ("NO_COMPLETE_PATH", "完整链路"), ("DEAD_END_PLATFORM", "平台对接津冀"), ("ORPHAN_RND", "研发转中试"),
    ("SINGLE_POINT", "多平台支撑"), ("NOT_IN_ALLIANCE", "加入联盟"),
)

#: Chinese headers of the named analyses' keys; an id column's name column swaps 编号 for 名称
KEY_ZH = {
    "rnd_id": "研发主体编号", "platform_id": "平台编号", "site_id": "承接方编号", "sectors": "领域编号",
    "sector": "领域编号", "gap": "断点", "entity_id": "相关机构编号", "id": "编号", "org_id": "机构编号",
    "org_name": "机构名称", "type": "类型", "province": "省份", "betweenness": "中介中心度",
    "cross_links": "跨区联系数", "critical_sectors": "关键领域编号", "rank": "排名", "candidate_id": "候选机构编号",
    "candidate_name": "候选机构名称", "score": "得分", "shared_sectors": "共同领域编号", "adamic_adar": "共同伙伴指数",
    "common_partners": "共同伙伴", "shared_alliances": "共同联盟", "distance_km": "距离（公里）",
    "platform_name": "平台名称", "level": "级别", "capability": "能力", "openness": "开放", "service": "服务",
    "benefit": "效益", "composite": "综合得分", "weights": "权重", "sector_id": "领域编号", "sector_name": "领域名称",
    "rnd": "研发主体数", "platforms_national": "国家级平台数", "platforms_municipal": "市级平台数",
    "platforms_district": "区级平台数", "platforms_other": "其他平台数", "scaleup_hosts": "承接主体数",
    "paths": "完整链路数", "alliance_members": "联盟成员数", "kind": "类别", "industry": "产业", "tier": "档位",
    "independent": "独立法人", "investment_wan": "总投资（万元）", "rule_id": "规则编号", "measure": "措施",
    "ratio": "比例", "cap_wan": "上限（万元）", "amount_wan": "补贴额（万元）", "capped": "是否封顶", "clause": "条款",
    "note": "说明", "enterprise_id": "企业编号", "enterprise_name": "企业名称", "service_id": "服务编号",
    "service_name": "服务名称", "same_sector": "同领域", "same_province": "同省份", "scope": "范围", "target": "目标",
    "count": "现有", "shortfall": "差距", "platform_ids": "平台编号", "platform_names": "平台名称", "city": "城市",
    "district": "区县", "operator_ids": "依托单位编号", "operator_names": "依托单位", "sector_names": "领域名称",
    "services": "服务编号", "service_names": "服务", "open_to_public": "对外开放", "lat": "纬度", "lon": "经度",
    "operator_id": "运营方编号",
}

#: each named analysis: its workbook sheet and what it tells, in Chinese
ANALYSES_ZH = {
    "alliance-gaps": ("断点", "各领域的断点：缺研发、缺平台、缺承接、平台未对接津冀、研发无中试转化、单点依赖、未入联盟"),
    "rd-scaleup-paths": ("路径", "“北京研发中试、津冀量产放大”的完整链路"),
    "supply-list": ("供给清单", "中试平台供给清单（措施9）"),
    "supply-demand": ("供需匹配", "企业服务需求与提供该服务的平台的匹配"),
    "brokers": ("关键中介", "京津冀跨区联系中的关键中介机构，以及各领域链路都要经过的机构"),
    "partner-candidates": ("承接伙伴候选", "可推荐为量产承接伙伴的津冀机构，按领域、共同伙伴、联盟和距离评分"),
    "platform-scorecard": ("平台评价", "中试平台评价（措施14）：能力、开放、服务、效益与加权综合得分"),
    "sector-coverage": ("领域覆盖", "各领域 × 省份：研发主体、各级平台、承接主体、完整链路、联盟成员"),
    "subsidy-estimate": ("补贴测算", "按措施1、6、7测算补贴比例、上限与金额"),
    "targets-2030": ("2030目标", "北京国家级、市级中试平台与2030年目标（10家、50家）的差距"),
}

#: analyses' notes, in Chinese (matched on their opening words)
NOTE_ZH = (
    ("no platform has an investment figure", "数据中没有平台的总投资额：补充各平台的总投资（万元）后可逐个平台测算；"
                                             "单个项目可按其投资额单独测算（方法见附件）。"),
    ("independent_legal_entity not given", "未注明是否独立法人：按基础比例测算"),
    ("the investment figure is negative", "总投资为负数：请核对 organizations.csv"),
    ("no sector of this platform has a measure-1 tier", "该平台所属领域在 sectors.csv 中没有措施1档位"),
)

_PROVINCE_COLUMNS = (*schema.PROVINCES, "—")
_TYPE_ZH = {t.key: t.zh for t in schema.ORG_TYPES.values()}


@dataclass
class Source:
    """What the report reads: tables, graph and metadata of a store (or of bare tables)."""

    tables: object
    G: KnowledgeGraph
    meta: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return str(self.meta.get("fingerprint", ""))


def source(obj) -> Source:
    """A ``Source`` from a store, a store path or tables."""
    from graph.build import build_graph
    from graph.store import Store
    from graph.tables import Tables

    if isinstance(obj, Source):
        return obj
    if isinstance(obj, (str, Path)):
        obj = Store(obj)
    if isinstance(obj, Tables):
        return Source(obj, build_graph(obj), {"fingerprint": obj.fingerprint(), "built_at": "",
                                               "data_source": obj.source, "imports": obj.imports})
    return Source(obj.tables, obj.graph(), dict(getattr(obj, "meta", {}) or {}))


def data_source_zh(meta: dict) -> str:
    """What the data is, in words: the dataset built, then each list merged in by ``jjjkg import``.

    >>> data_source_zh({"data_source": "bundled", "imports": [{"title": "天津市中试平台名单（2026年）",
    ...     "file": "名单.csv", "date": "2026-12-04", "rows": 2}]})
    'jjjkg 随附数据集；并入名单：天津市中试平台名单（2026年）（名单.csv，2 行，2026-12-04 并入）'
    """
    base = {"bundled": "jjjkg 随附数据集"}.get(meta.get("data_source"), meta.get("data_source") or "—")
    lists = []
    for i in meta.get("imports") or []:
        if not isinstance(i, dict):
            continue
        title, file = str(i.get("title") or ""), str(i.get("file") or "")
        rows, when = i.get("rows"), str(i.get("date") or "")
        said = "，".join(filter(None, [file if title else "", f"{rows} 行" if isinstance(rows, int) else "",
                                      f"{when} 并入" if when else ""]))
        lists.append((title or file or "—") + (f"（{said}）" if said else ""))
    return base + ("；并入名单：" + "；".join(lists) if lists else "")


def name_of(G, key) -> str:
    """The name of a node (an organization id, a sector or service node), or its id when it has none."""
    if key is None:
        return ""
    if key in G:
        return str(G.nodes[key].get("name", node_id(key)))
    return str(node_id(key))


def sector_name(G, sid: str) -> str:
    return name_of(G, sector_node(sid))


def plain(v) -> object:
    """A value for a cell: lists joined with 、, missing as empty, booleans 是/否."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, tuple, set)):
        return "、".join(str(plain(x)) for x in v)
    if isinstance(v, float) and v != v:
        return ""
    return v


def note_zh(text) -> str:
    """An analysis's note in Chinese where it is a known one (several notes are split on '; ')."""
    if not text:
        return ""
    parts = []
    for part in str(text).split("; "):
        parts.append(next((zh for en, zh in NOTE_ZH if part.startswith(en)), part))
    return "；".join(parts)


def _value_zh(key: str, v):
    """Enumerations in Chinese: level, type, platform kind, gap, province as they are."""
    if key == "level" and isinstance(v, str):
        return schema.LEVEL_ZH.get(v, v)
    if key == "type" and isinstance(v, str):
        return _TYPE_ZH.get(v, v)
    if key == "kind" and isinstance(v, str):
        from queries.subsidy_estimate import KIND_ZH

        return schema.PLATFORM_KIND_ZH.get(v, KIND_ZH.get(v, v))
    if key == "gap" and isinstance(v, str):
        return _gap_zh().get(v, v)
    if key == "note":
        return note_zh(v)
    if key == "scope" and isinstance(v, str):
        return {"overall": "全市", "sector": "分领域"}.get(v, v)
    return plain(v)


def _gap_zh() -> dict[str, str]:
    from queries.alliance_gaps import GAP_ZH

    return GAP_ZH


def analysis_table(G, q, rows: list[dict]) -> dict:
    """An analysis's records as a Chinese table: headers in Chinese, enumerations translated, a name
    column beside each id column that the record does not name already (for the workbook)."""
    keys = list(q.keys)
    headers, getters = [], []
    for k in keys:
        zh = KEY_ZH.get(k, k)
        headers.append(zh)
        getters.append(lambda r, k=k: _value_zh(k, r.get(k)))
        own_name = (k.endswith("_id") and k[:-3] + "_name" in keys) or (k.endswith("_ids") and k[:-4] + "_names" in keys)
        if own_name:
            continue
        if k in ("sector", "sector_id") or k.endswith("sectors"):
            if k in ("sector", "sector_id", "sectors") and ("sector_name" in keys or "sector_names" in keys):
                continue
            headers.append("领域名称" if k in ("sector", "sector_id", "sectors") else zh.replace("编号", "名称"))
            getters.append(lambda r, k=k: "、".join(sector_name(G, s) for s in
                                                   (r.get(k) if isinstance(r.get(k), list) else [r.get(k)]) if s))
        elif any(isinstance(r.get(k), str) and r[k] in G and "type" in G.nodes[r[k]] for r in rows):
            headers.append(zh.replace("编号", "名称") if "编号" in zh else zh + "名称")
            getters.append(lambda r, k=k: name_of(G, r.get(k)) if isinstance(r.get(k), str) else "")
    return {"headers": headers, "rows": [[g(r) for g in getters] for r in rows]}


# ----------------------------------------------------------------------------- the content


def collect(store) -> dict:
    """Everything the briefing and the workbook show, computed once from a store (or tables).

    Returns a dict of plain values (strings, numbers, lists of rows); the renderers only lay it out.
    """
    import queries

    src = source(store)
    G, tables = src.G, src.tables
    orgs = tables.organizations
    gap_zh = _gap_zh()

    counts = Counter((t, p if isinstance(p, str) and p else "—") for t, p in zip(orgs["type"], orgs["province"]))
    by_type_rows = []
    for key in schema.ORG_TYPES:
        values = [counts.get((key, p), 0) for p in _PROVINCE_COLUMNS]
        if sum(values):
            by_type_rows.append({"label": _TYPE_ZH[key], "counts": [*values, sum(values)]})
    totals = [sum(r["counts"][i] for r in by_type_rows) for i in range(len(_PROVINCE_COLUMNS) + 1)]
    by_type_rows.append({"label": "合计", "counts": totals})
    columns = [*_PROVINCE_COLUMNS, "合计"]
    if totals[len(_PROVINCE_COLUMNS) - 1] == 0:  # no organization without a province: drop the "—" column
        drop = len(_PROVINCE_COLUMNS) - 1
        columns.pop(drop)
        for r in by_type_rows:
            r["counts"].pop(drop)
    columns = ["未注明" if c == "—" else c for c in columns]

    paths = queries.rd_scaleup_paths(G)
    gaps = queries.alliance_gaps(G)
    platforms = G.orgs(label="Platform")
    bj_platforms = G.orgs(label="Platform", province=schema.BEIJING)
    targets = []
    for level, target in TARGETS_2030.items():
        have = sum(1 for p in bj_platforms if G.nodes[p].get("level") == level)
        targets.append({"level": schema.LEVEL_ZH[level], "level_key": level, "have": have, "target": target,
                        "shortfall": max(target - have, 0), "percent": min(100, round(100 * have / target))})
    n_bj = len(bj_platforms)
    coverage = {"beijing": n_bj, "recognised": RECOGNISED_BEIJING_PLATFORMS,
                "percent": round(100 * n_bj / RECOGNISED_BEIJING_PLATFORMS),
                "others": len(platforms) - n_bj, "source": RECOGNISED_SOURCE}

    chain_ids = G.sector_ids(kind="chain")
    paths_by_sector = Counter(s for p in paths for s in G.nodes[p["platform_id"]].get("sectors", ()))
    chains = [_chain(G, sid, [g for g in gaps if g["sector"] == sid], paths_by_sector.get(sid, 0))
              for sid in chain_ids]
    for c in chains:
        c["key_break"] = _key_break(G, c) if c["status"] == "red" else ""
    breaks = [{"chain": c["name"], "text": c["key_break"]} for c in chains if c["key_break"]]
    n_through = sum(1 for c in chains if c["status"] != "red")
    figures = [
        {"value": len(orgs), "label": "收录机构"},
        {"value": len(tables.relations), "label": "收录关系"},
        {"value": len(platforms), "label": f"中试平台（北京 {n_bj}）"},
        {"value": len(paths), "label": "完整链路"},
        {"value": f"{n_through} / {len(chain_ids)}", "label": "已贯通的产业链"},
    ]

    follow_up = []
    for c in chains:
        for key, _ in GAP_MATRIX:
            names = c["entities"].get(key)
            if names:
                follow_up.append({"chain": c["name"], "gap": gap_zh.get(key, key), "n": len(names),
                                  "names": "、".join(names)})

    ranked = sorted(paths, key=lambda p: (-len(p["sectors"]), p["rnd_id"], p["platform_id"], p["site_id"]))
    path_rows = [{"rnd": name_of(G, p["rnd_id"]), "platform": name_of(G, p["platform_id"]),
                  "site": name_of(G, p["site_id"]), "site_province": G.nodes[p["site_id"]].get("province", ""),
                  "sectors": "、".join(sector_name(G, s) for s in p["sectors"])} for p in ranked]
    in_words = [_path_words(p) for p in path_rows[:PATHS_IN_WORDS]]

    facts, coordinates = _sources(tables)
    return {
        "src": src, "G": G, "tables": tables, "paths": paths, "gaps": gaps,
        "figures": figures, "coverage": coverage, "headline": _headline(chains, targets, len(paths)),
        "paths_in_words": in_words, "more_paths": max(0, len(path_rows) - len(in_words)), "key_breaks": breaks,
        "by_type": {"columns": columns, "rows": by_type_rows},
        "targets": targets, "targets_source": TARGETS_SOURCE,
        "gap_columns": [zh for _, zh in GAP_MATRIX], "chains": chains, "follow_up": follow_up,
        "path_rows": path_rows,
        "supply": _supply(G, chain_ids), "matching": _matching(G),
        "analyses": _other_analyses(G),
        "sources": facts, "coordinate_sources": coordinates,
        "id_annex": _id_annex(G, paths, [g for g in gaps if g["sector"] in chain_ids]),
    }


def _id_annex(G, paths: list[dict], gaps: list[dict]) -> list[dict]:
    """Names and ids of the organizations the briefing names (paths, gaps, platforms and their operators)."""
    ids = {i for p in paths for i in (p["rnd_id"], p["platform_id"], p["site_id"])}
    ids |= {g["entity_id"] for g in gaps if g["entity_id"] is not None}
    for p in G.orgs(label="Platform"):
        ids.add(p)
        ids.update(o for o in G.in_relations(p, "OPERATES") if o in G and "type" in G.nodes[o])
    order = {p: i for i, p in enumerate(_PROVINCE_COLUMNS)}
    rows = [{"name": name_of(G, i), "id": node_id(i), "province": G.nodes[i].get("province") or "—"} for i in ids
            if i in G]
    return sorted(rows, key=lambda r: (order.get(r["province"], 9), r["name"], r["id"]))


def _chain(G, sid: str, mine: list[dict], n_paths: int) -> dict:
    """One chain: traffic light, gap matrix cells, the key gaps in words, the organizations concerned."""
    kinds = Counter(g["gap"] for g in mine)
    entities: dict[str, list[str]] = {}
    for g in mine:
        if g["entity_id"] is not None:
            entities.setdefault(g["gap"], []).append(name_of(G, g["entity_id"]))
    cells = []
    for key, _ in GAP_MATRIX:
        if not kinds[key]:
            cells.append("")
        elif key in SECTOR_GAPS:
            cells.append("缺")
        else:
            cells.append(f"缺 {kinds[key]} 家")
    red = any(kinds[k] for k in SECTOR_GAPS)
    amber = any(kinds[k] for k in ENTITY_GAPS)
    status = "red" if red else "amber" if amber else "green"
    return {"id": sid, "name": sector_name(G, sid), "status": status, "kinds": kinds,
            "status_zh": {"red": "红", "amber": "黄", "green": "绿"}[status], "paths": n_paths, "cells": cells,
            "entities": entities, "words": _gap_words(kinds, entities)}


def _few(names: list[str], n: int = 2) -> str:
    shown = "、".join(names[:n])
    return shown + ("等" if len(names) > n else "")


def _gap_words(kinds: Counter, entities: dict[str, list[str]]) -> list[str]:
    """The key gaps of a chain in words, most serious first (at most three phrases)."""
    missing = [zh for key, zh in (("NO_BEIJING_RND", "北京研发主体"), ("NO_PILOT_PLATFORM", "北京中试平台"),
                                  ("NO_SCALEUP_SITE", "津冀量产承接")) if kinds[key]]
    words = []
    if missing:
        words.append("缺" + "、".join(missing))
    elif kinds["NO_COMPLETE_PATH"]:
        words.append("三段环节都有，但尚未连成完整链路")
    if kinds["SINGLE_POINT"]:
        words.append(f"链路全部依赖{_few(entities.get('SINGLE_POINT', []), 1)}")
    if kinds["DEAD_END_PLATFORM"]:
        words.append(f"{kinds['DEAD_END_PLATFORM']} 家北京平台未对接津冀放大")
    if kinds["ORPHAN_RND"]:
        words.append(f"{kinds['ORPHAN_RND']} 家北京研发机构无中试转化")
    if kinds["NOT_IN_ALLIANCE"]:
        words.append(f"链路上 {kinds['NOT_IN_ALLIANCE']} 家机构未加入联盟")
    return words[:3] or ["未发现断点"]


def _headline(chains: list[dict], targets: list[dict], n_paths: int) -> str:
    """The one sentence a director reads first."""
    n = len(chains)
    red = sum(1 for c in chains if c["status"] == "red")
    amber = sum(1 for c in chains if c["status"] == "amber")
    green = n - red - amber
    t = "，".join(f"{x['level']} {x['have']} 家（2030 年目标 {x['target']} 家）" for x in targets)
    found = (f"收录的数据中有 {n_paths} 条“北京研发中试、津冀量产放大”完整链路" if n_paths else
             "收录的数据中尚无“北京研发中试、津冀量产放大”的完整链路")
    if n == 0:
        return f"{found}；数据中没有产业链；北京中试平台：{t}。"
    lights = f"（红 {red}、黄 {amber}、绿 {green}）"
    if green + amber == 0:
        chains_said = f"{n} 条产业链均未贯通{lights}" + ("，已有的链路不在这些产业链内" if n_paths else "")
    else:
        chains_said = f"{n} 条产业链中 {green + amber} 条已贯通{lights}"
    return f"{found}；{chains_said}；北京中试平台：{t}。"


#: complete paths named in words on page 1 (the rest are counted: "及另外 N 条")
PATHS_IN_WORDS = 5


def _path_words(row: dict) -> str:
    """A complete path in words: 研发主体 → 中试平台 → 承接方（省）, with its shared sectors."""
    text = f"{row['rnd']} → {row['platform']} → {row['site']}（{row['site_province']}）"
    return text + (f"，领域：{row['sectors']}" if row["sectors"] else "")


def _key_break(G, chain: dict) -> str:
    """The one break of a red chain that matters most, in a sentence: the missing stage, or, where all three
    stages are there, the step between them that no platform has made."""
    sid, name, kinds = chain["id"], chain["name"], chain["kinds"]
    missing = [zh for key, zh in (("NO_PILOT_PLATFORM", "北京中试平台"), ("NO_BEIJING_RND", "北京研发主体"),
                                  ("NO_SCALEUP_SITE", "津冀量产承接方")) if kinds[key]]
    if missing:
        first = {"北京中试平台": "北京的研发成果在本链无处中试", "北京研发主体": "本链的北京中试平台没有北京研发成果来源",
                 "津冀量产承接方": "本链的中试成果在津冀无处量产"}[missing[0]]
        if missing[:2] == ["北京中试平台", "北京研发主体"]:
            first = "本链在北京一端（研发和中试）还是空白"
        return f"尚未收录{'、'.join(missing)}：{first}。"
    far = set(G.orgs(province="天津")) | set(G.orgs(province="河北"))
    rnd_labels = {"University", "Institute", "Enterprise"}
    fed, sent = {}, {}
    for p in sorted(G.orgs(label="Platform", province=schema.BEIJING, sector=sid)):
        rnd = [r for r in G.in_relations(p, "TRANSFERS_TO") if r in G and G.nodes[r].get("label") in rnd_labels
               and G.nodes[r].get("province") == schema.BEIJING]
        sites = [x for x in G.out_relations(p, "SCALES_UP_AT") if x in far]
        if rnd:
            fed[p] = rnd
        if sites:
            sent[p] = sites
    if fed and not sent:
        p = max(fed, key=lambda k: (len(fed[k]), k))
        return (f"{name_of(G, p)}已接收{_few(sorted(name_of(G, r) for r in fed[p]), 1)}的研发成果，"
                "但本链没有一家北京平台把中试成果送到津冀量产：缺的是“中试→津冀量产”这一步。")
    if sent and not fed:
        p = max(sent, key=lambda k: (len(sent[k]), k))
        return (f"{name_of(G, p)}已在{_few(sorted(name_of(G, x) for x in sent[p]), 1)}放大量产，"
                "但本链没有一家北京平台有北京研发成果转入：缺的是“北京研发→中试”这一步。")
    if fed and sent:
        return (f"{_few(sorted(name_of(G, p) for p in fed), 1)}有研发成果转入、{_few(sorted(name_of(G, p) for p in sent), 1)}"
                "对接了津冀量产，但两步不在同一家平台上，链路因此没有接通。")
    platforms = sorted(name_of(G, p) for p in G.orgs(label="Platform", province=schema.BEIJING, sector=sid))
    return (f"本链 {len(platforms)} 家北京中试平台（{_few(platforms, 2)}）既没有北京研发成果转入，"
            "也没有对接津冀量产：两步都缺。")


# ----------------------------------------------------------------------------- the supply list


def _supply(G, chain_ids: list[str]) -> dict:
    """The supply list grouped by chain: 名称, 级别, 所在区, 依托单位, 服务, 对外开放 (a platform in several
    chains is listed under each; one in none under 其他领域)."""
    import queries

    q = queries.QUERIES.get("supply-list")
    if q is not None:
        records = q.func(G)
    else:  # without the supply-list analysis, list the platforms as the graph holds them
        records = [{"platform_id": p, "platform_name": G.nodes[p].get("name", ""),
                    "province": G.nodes[p].get("province"), "city": G.nodes[p].get("city"),
                    "district": G.nodes[p].get("district"), "level": G.nodes[p].get("level"),
                    "kind": G.nodes[p].get("platform_kind"),
                    "operator_names": [name_of(G, o) for o in sorted(G.in_relations(p, "OPERATES"))],
                    "sectors": list(G.nodes[p].get("sectors", ())),
                    "service_names": [name_of(G, service_node(s)) for s in G.nodes[p].get("services", ())],
                    "open_to_public": G.nodes[p].get("open_to_public")}
                   for p in sorted(G.orgs(label="Platform"))]
    headers = ["名称", "级别", "所在区", "依托单位", "服务", "对外开放"]

    def row(r) -> list:
        where = "·".join(x for x in (r.get("province"), r.get("district") or (r.get("city") if r.get("city") !=
                                                                               r.get("province") else None)) if x)
        open_ = {True: "是", False: "否"}.get(r.get("open_to_public"), "未注明")
        level = r.get("level") or "none"
        return [r.get("platform_name") or "", "未定级" if level == "none" else schema.LEVEL_ZH.get(level, level),
                where or "未注明",
                "、".join(r.get("operator_names") or ()) or "—", "、".join(r.get("service_names") or ()) or "—", open_]

    groups = []
    in_chain = set()
    for sid in chain_ids:
        mine = [r for r in records if sid in (r.get("sectors") or ())]
        in_chain.update(r["platform_id"] for r in mine)
        groups.append({"name": sector_name(G, sid), "rows": [row(r) for r in mine]})
    rest = [r for r in records if r["platform_id"] not in in_chain]
    if rest:
        groups.append({"name": "其他领域（不属上述产业链）", "rows": [row(r) for r in rest]})
    n_services = sum(1 for r in records if r.get("service_names"))
    n_open = sum(1 for r in records if r.get("open_to_public") is not None)
    note = ""
    if records and (n_services < len(records) or n_open < len(records)):
        note = (f"{len(records)} 家平台中，{n_services} 家在数据中列有服务、{n_open} 家注明了是否对外开放；"
                "“—”与“未注明”表示数据未载明，不表示没有。")
    return {"headers": headers, "groups": groups, "n": len(records), "note": note,
            "table": analysis_table(G, q, records) if q is not None else {"headers": [], "rows": []}}


def _matching(G) -> dict:
    import queries

    q = queries.QUERIES.get("supply-demand")
    if q is None:
        return {"headers": [], "rows": [], "table": {"headers": [], "rows": []},
                "note": "供需匹配需要“supply-demand”分析（措施9），该分析尚未加入 jjjkg；加入后本表自动生成。"}
    records = q.func(G)
    headers = ["企业", "所需服务", "推荐平台", "同领域", "同省份", "距离（公里）"]
    rows = [[r.get("enterprise_name") or "", r.get("service_name") or "", r.get("platform_name") or "",
             plain(r.get("same_sector")), plain(r.get("same_province")),
             "" if r.get("distance_km") is None else round(float(r["distance_km"]))] for r in records]
    n_needs = sum(len(G.nodes[n].get("needs", ())) for n in G.orgs())
    note = "" if records else f"数据中有 {n_needs} 条企业服务需求，暂无可匹配的平台服务（平台的“服务”一列多未填写）。"
    return {"headers": headers, "rows": rows, "note": note, "table": analysis_table(G, q, records)}


#: analyses the report shows in its own sections (and the workbook in its first sheets, in this order), not in the
#: list of other analyses
OWN = ("alliance-gaps", "rd-scaleup-paths", "supply-list", "supply-demand")


def _other_analyses(G) -> list[dict]:
    """Every other registered analysis, run with its default parameters (the workbook holds the rows)."""
    import queries

    out = []
    for name in sorted(queries.QUERIES):
        if name in OWN:
            continue
        q = queries.QUERIES[name]
        sheet, about = ANALYSES_ZH.get(name, (name[:31], q.summary))
        try:
            rows = q.func(G)
        except JjjkgError as err:  # e.g. a required parameter: say so instead of failing the pack
            out.append({"name": name, "sheet": sheet, "about": about, "n": 0, "headers": [], "rows": [],
                        "note": f"未运行：{err}"})
            continue
        notes = [r["note"] for r in rows if "note" in r and r.get("note") and
                 all(r.get(k) is None for k in q.keys if k not in ("note", "kind"))]
        if notes:  # a single record that only explains why there is nothing to show
            out.append({"name": name, "sheet": sheet, "about": about, "n": 0, "headers": [], "rows": [],
                        "note": note_zh(notes[0])})
            continue
        table = analysis_table(G, q, rows)
        out.append({"name": name, "sheet": sheet, "about": about, "n": len(rows), "headers": table["headers"],
                    "rows": table["rows"], "note": "" if rows else "无结果。"})
    return out


def _sources(tables) -> tuple[list[dict], list[dict]]:
    """Distinct sources of organizations and relations: the facts' and, apart, the coordinates'."""
    from .sources import split_sources

    cells = [c for df in (tables.organizations, tables.relations) for c in df["source"].dropna()]
    return split_sources(cells)
