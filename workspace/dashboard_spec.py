"""What a dashboard may hold, and the one check of it: for JSON import and for the editor alike.

A dashboard is ``{slug, title, roles, tiles}``; a tile is ``{title, source, renderer, params, …}`` where
``source`` names a named analysis (``analysis:NAME``), a saved query of the console (``query:NAME``) or the
meeting pack's content (``briefing:figures`` / ``briefing:chains``). The sources an account may choose,
with their parameters and columns and the Chinese words for them, come from ``sources(user)``;
``check_dashboard`` refuses an impossible tile with a Chinese message that names the tile and the field.
"""

from __future__ import annotations

import json
import re

from graph.errors import JjjkgError

from . import accounts

__all__ = ["RENDERERS", "RENDERER_ZH", "FIELD_ZH", "Source", "sources", "check_dashboard", "column_zh",
           "param_zh", "RESERVED_SLUGS", "MAX_TILES", "MAX_QUERY_TILES", "parse_json"]

RENDERERS = ("table", "value", "bar", "graph", "map")
RENDERER_ZH = {"table": "表格", "value": "数字", "bar": "柱状图", "graph": "关系图", "map": "分布示意图"}
#: the tile's fields as the editor and the messages name them
FIELD_ZH = {"title": "标题", "source": "数据来源", "renderer": "呈现方式", "params": "参数", "columns": "表格列",
            "column": "统计列", "edges": "连线", "id": "机构列", "label": "名称列"}
MAX_TILES = 30
#: tiles over saved queries on one dashboard (each runs on one of the console's servers)
MAX_QUERY_TILES = 6
#: addresses under /dashboards/ that are not dashboards
RESERVED_SLUGS = ("new",)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SOURCE = re.compile(r"^(analysis|query|briefing):([a-z0-9][a-z0-9-]{0,63})$")
_PARAM = re.compile(r"^[A-Za-z_]\w{0,63}$")
_BRIEFING = {
    "figures": ("核心数字", ["label", "value"]),
    "chains": ("各产业链贯通情况", ["产业链", "状态", "完整链路", "主要断点"]),
}
_GROUP_ZH = {"analysis": "命名分析", "query": "保存的查询", "briefing": "会商材料"}


def column_zh(key: str) -> str:
    """A record key in Chinese, as the meeting pack and the analysis pages head it."""
    from viz.report.content import KEY_ZH

    return {"label": "项目", "value": "数值", "name": "名称"}.get(key) or KEY_ZH.get(key, key)


def param_zh(name: str) -> str:
    """A parameter's name in Chinese (the bar offers names, so an id's 编号 is left out)."""
    from viz.report.content import KEY_ZH

    return {"sector": "领域", "k": "抽样数", "limit": "条数上限", "top": "每项前几名", "gaps": "只看缺口",
            "investment": "总投资（万元）", "platform": "平台"}.get(name) or KEY_ZH.get(name, name)


class Source:
    """Something a tile can show: its key, Chinese name, parameters (name → type) and record keys."""

    def __init__(self, key: str, kind: str, name: str, title: str, params: dict[str, str] | None = None,
                 columns: list[str] | None = None, load=None):
        self.key, self.kind, self.name, self.title = key, kind, name, title
        self.params = params or {}
        self._columns, self._load = columns, load

    @property
    def columns(self) -> list[str] | None:
        """The record keys, or None when they cannot be known (a saved query whose trial run failed);
        a saved query's are found by running it once, when first asked for."""
        if self._columns is None and self._load is not None:
            self._columns, self._load = self._load(), None
        return self._columns

    @property
    def group(self) -> str:
        return _GROUP_ZH[self.kind]

    @property
    def what(self) -> str:
        return {"analysis": f"分析 {self.name}", "query": f"保存的查询 {self.name}",
                "briefing": f"会商材料的{self.title}"}[self.kind]


def sources(user, saved_columns=None) -> dict[str, Source]:
    """Every source ``user`` may put on a dashboard, by key: the analyses, the saved queries their role
    sees, the briefing. ``saved_columns(sq)`` gives a saved query's columns (or None) when it is known."""
    import queries
    from viz.report.content import ANALYSES_ZH

    out = {}
    for name in sorted(queries.QUERIES):
        q = queries.QUERIES[name]
        out[f"analysis:{name}"] = Source(f"analysis:{name}", "analysis", name, ANALYSES_ZH.get(name, (name,))[0],
                                         {p.name: p.type.__name__ for p in q.params.values()}, list(q.keys))
    if user is not None:
        from .console import visible_queries

        for name, sq in sorted(visible_queries(user).items()):
            out[f"query:{name}"] = Source(f"query:{name}", "query", name, sq.summary or name,
                                          {p.name: p.type.__name__ for p in sq.params.values()},
                                          load=(lambda sq=sq: saved_columns(sq)) if saved_columns else None)
    for name, (title, columns) in _BRIEFING.items():
        out[f"briefing:{name}"] = Source(f"briefing:{name}", "briefing", name, title, {}, columns)
    return out


def parse_json(body: bytes):
    """A request's JSON, strictly: UTF-8, no NaN or Infinity (they would break every JSON answer later)."""
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(body.decode("utf-8"), parse_constant=refuse)


def _refuse(i: int, title: str, key: str, message: str):
    raise JjjkgError(f"第 {i} 个图块「{title}」的{FIELD_ZH[key]}（{key}）：{message}")


def _column(i, title, key, value, src: Source) -> str:
    if not isinstance(value, str) or not value:
        _refuse(i, title, key, "应为一个列名")
    if src.columns is not None and value not in src.columns:
        _refuse(i, title, key, f"{src.what} 没有列 {value}；它的列：{'、'.join(src.columns)}")
    return value[:64]


def check_dashboard(spec, available: dict[str, Source] | None = None) -> dict:
    """A dashboard's JSON, checked (what import accepts, the editor saves and export gives).

    ``available`` holds the sources the author may use (``sources(user)``); without it only the shape is
    checked. Raises JjjkgError with a Chinese message naming the tile and field at fault.
    """
    if not isinstance(spec, dict):
        raise JjjkgError("看板应为 JSON 对象 {slug, title, roles, tiles}")
    slug, title, roles, tiles = spec.get("slug"), spec.get("title"), spec.get("roles"), spec.get("tiles")
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise JjjkgError("看板的地址名（slug）应为小写字母、数字和连字符，以字母或数字开头，最多 64 个")
    if slug in RESERVED_SLUGS:
        raise JjjkgError(f"看板的地址名（slug）不能是 {slug}：它是工作台的保留地址")
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > 100:
        raise JjjkgError("请给看板一个标题（title，最多 100 个字符）")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) and r in accounts.ROLES for r in roles):
        raise JjjkgError("请选择可以打开看板的角色（roles）：" + "、".join(f"{accounts.ROLE_ZH[r]} {r}"
                                                                for r in accounts.ROLES) + " 中的一个或几个")
    if not isinstance(tiles, list) or len(tiles) > MAX_TILES:
        raise JjjkgError(f"图块（tiles）应为列表，最多 {MAX_TILES} 个")
    out = []
    for i, t in enumerate(tiles, start=1):
        if not isinstance(t, dict):
            raise JjjkgError(f"第 {i} 个图块应为 JSON 对象")
        if not isinstance(t.get("title", ""), str):
            _refuse(i, "未命名", "title", "应为文字")
        name = (t.get("title") or "").strip()[:100]
        m = _SOURCE.fullmatch(t["source"]) if isinstance(t.get("source"), str) else None
        if not m:
            _refuse(i, name or "未命名", "source", "应为 analysis:分析名、query:查询名 或 briefing:figures|chains")
        name = name or m.group(2)
        src = None
        if available is not None:
            src = available.get(t["source"])
            if src is None:
                what = {"analysis": "没有名为 {} 的分析", "query": "没有名为 {} 的保存查询（或您的角色看不到它）",
                        "briefing": "会商材料中没有 {}（只有 figures 和 chains）"}[m.group(1)]
                _refuse(i, name, "source", what.format(m.group(2)))
        elif m.group(1) == "briefing" and m.group(2) not in _BRIEFING:
            _refuse(i, name, "source", f"会商材料中没有 {m.group(2)}（只有 figures 和 chains）")
        renderer = t.get("renderer")
        if renderer not in RENDERERS:
            _refuse(i, name, "renderer", "应为 " + "、".join(f"{RENDERER_ZH[r]} {r}" for r in RENDERERS) + " 之一")
        params = t.get("params", [])
        if not isinstance(params, list) or not all(isinstance(p, str) and _PARAM.fullmatch(p) for p in params):
            _refuse(i, name, "params", "应为参数名称的列表")
        if src is not None:
            for p in params:
                if p not in src.params:
                    have = "、".join(f"{param_zh(n)} {n}" for n in src.params) or "无"
                    _refuse(i, name, "params", f"{src.what} 没有参数 {p}；它的参数：{have}")
        tile = {"title": name, "source": t["source"], "renderer": renderer, "params": list(dict.fromkeys(params))}
        if src is None:
            src = Source(t["source"], m.group(1), m.group(2), name)
        if "columns" in t:
            if not isinstance(t["columns"], list) or not 1 <= len(t["columns"]) <= 30:
                _refuse(i, name, "columns", "应为 1 到 30 个列名的列表")
            tile["columns"] = [_column(i, name, "columns", c, src) for c in t["columns"]]
        for key in ("column", "label", "id"):
            if key in t:
                tile[key] = _column(i, name, key, t[key], src)
        if "edges" in t:
            edges = t["edges"]
            if not isinstance(edges, list) or not 1 <= len(edges) <= 10 or \
                    not all(isinstance(e, list) and len(e) == 2 for e in edges):
                _refuse(i, name, "edges", "应为 1 到 10 对 [起点列, 终点列]")
            tile["edges"] = [[_column(i, name, "edges", a, src), _column(i, name, "edges", b, src)] for a, b in edges]
        if renderer == "graph" and not tile.get("edges"):
            _refuse(i, name, "edges", "关系图需要至少一对 [起点列, 终点列]")
        out.append(tile)
    queries = sum(1 for t in out if t["source"].startswith("query:"))
    if queries > MAX_QUERY_TILES:
        # each runs on one of the console's servers while the page is made: a few planners opening such a
        # dashboard would otherwise hold them all
        raise JjjkgError(f"一个看板最多 {MAX_QUERY_TILES} 个保存查询图块（现有 {queries} 个）：请把查询合并，或分到几个看板")
    return {"slug": slug, "title": title.strip(), "roles": [r for r in accounts.ROLES if r in roles], "tiles": out}
