"""The briefing: one self-contained HTML page laid out for A4, Chinese first, that prints as the PDF.

The wording lives in ``viz/templates_report/briefing.html.j2``; this module hands it ``collect``'s
content, the diff in words, and the chain figures. The page has no script and no external link; every
data string is escaped by the template engine. Page 1 is the summary a director reads in a minute;
the sections after it hold the gap matrix, the paths, the supply list grouped by chain, the changes,
the chain figures, the other analyses (pointing to the workbook), and annexes (ids, sources).

Readers: whoever changes what the briefing shows or how it prints.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

from graph.errors import JjjkgError, MissingDependency
from graph.safe_write import make_folder, write_text
from graph import __version__

from .content import data_source_zh, sector_name

__all__ = ["write_briefing", "chain_views", "TITLE", "FONT_MISSING_ZH", "FONT_MISSING", "ANALYST_LINE"]

TITLE = "京津冀中试生态 会商简报"
#: rows of the top paths table
TOP_PATHS = 12
#: rows of the supply–demand table in the briefing (the workbook holds them all)
TOP_MATCHES = 15
#: sources listed in the briefing's annex (the workbook's 来源 sheet holds them all)
TOP_SOURCES = 15

FONT_MISSING_ZH = ("生成本简报的电脑未安装中文字体，产业链图未绘制（否则图中汉字会显示为方框）；安装字体后重新生成即可"
                   "（方法见附件）。各产业链的交互视图不受影响，见 chains/ 文件夹。")
#: the one annex line for the analyst: how to regenerate, and the commands the body points to
ANALYST_LINE = ("供分析人员：重新生成本简报 jjjkg report --out 目录 --pdf，加 --since 上次的数据 即列出变化；"
                "单个项目的补贴 jjjkg query subsidy-estimate --param investment=总投资（万元）；"
                "图中需要中文字体：apt-get install fonts-noto-cjk（或以 JJJKG_CJK_FONT 指向字体文件）。")
FONT_MISSING = "the briefing's chain figures are left out (the briefing says so in Chinese): {reason}"


def chain_views(G, out_dir: Path, meta: dict | None = None, *, figures: bool = True,
                warn: Callable[[str], None] | None = None) -> dict:
    """The chain views for the pack: interactive pages under ``out_dir/chains`` (linked) and, for each chain,
    the figure for print (``viz.figures.chain_print_figure``: an SVG at its printed size, embedded as a ``data:``
    image) with the names it leaves out, listed beside it.

    Without a CJK font no figure is drawn: the briefing says so once, in Chinese, and ``warn`` is
    called once with the English line for the console.
    """
    try:
        from viz import write_chain_views
        from viz.pyvis_html import chain_file
    except ImportError:
        return {"links": [], "views": [], "note": "产业链交互视图尚未加入 jjjkg；加入后本节列出每条产业链的视图。"}
    target = out_dir / "chains"
    try:
        make_folder(target, link_ok=False)
        written = write_chain_views(G, target, meta)
    except JjjkgError as err:
        return {"links": [], "views": [], "note": f"产业链视图未能生成：{err}"}
    if isinstance(written, dict):
        written = list(written.values())
    pages = [Path(p) for p in (written or [])]
    by_stem = {p.stem: p for p in pages}
    draw, note = None, ""
    if figures:
        from viz.figures import chain_print_figure, cjk_font_path

        try:
            cjk_font_path()
            draw = chain_print_figure
        except MissingDependency as err:
            note = FONT_MISSING_ZH
            if warn is not None:
                warn(FONT_MISSING.format(reason=err))
    items, failed = [], []
    for sid in G.sector_ids(kind="chain"):
        # the file names come from the sector ids, made safe in one place (a colleague's sectors.csv
        # may hold an id such as x/../../name)
        page = by_stem.get(chain_file(target, sid, ".html").stem)
        item = {"id": sid, "name": sector_name(G, sid), "href": "", "img": "", "width_mm": 0, "rest": [],
                "sector_gaps": []}
        if page is not None:
            try:
                item["href"] = page.resolve().relative_to(out_dir.resolve()).as_posix()
            except ValueError:
                pass  # written outside the pack: not linkable from a copied folder
        if draw is not None:
            try:
                fig = draw(G, sid)
            except (JjjkgError, OSError) as err:
                failed.append(f"{item['name']}：{err}")
            else:
                # an SVG image drawn at its printed size: its text prints as text, sharp and measurable
                data = base64.b64encode(fig["svg"].encode("utf-8")).decode("ascii")
                item["img"] = "data:image/svg+xml;base64," + data
                item.update(width_mm=round(fig["width_mm"], 2), height_mm=round(fig["height_mm"], 2),
                            rest=fig["rest"], sector_gaps=fig["sector_gaps"])
        items.append(item)
    if failed:
        note = "以下产业链图未能绘制：" + "；".join(failed)
    if not items:
        note = "数据中没有产业链，因此没有产业链视图。"
    return {"links": [i for i in items if i["href"]], "views": items, "note": note}


def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates_report"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("briefing.html.j2")


_NUMERALS = "一二三四五六七八九十"


def _sections(has_diff: bool, has_analyses: bool) -> list[dict]:
    ids = [("gaps", "各产业链断点"), ("paths", "主要链路"), ("supply", "中试平台供给清单与供需匹配")]
    if has_diff:
        ids.append(("changes", "自上次会商以来的变化"))
    ids.append(("views", "产业链图"))
    if has_analyses:
        ids.append(("analyses", "其他分析"))
    out = [{"id": i, "zh": zh, "no": _NUMERALS[k + 1]} for k, (i, zh) in enumerate(ids)]
    return [{"id": "overview", "zh": "要点", "no": "一"}, *out]


def write_briefing(content: dict, path: Path, *, diff: dict | None = None, chain_views: dict | None = None,
                   today: date | None = None) -> Path:
    """Render the briefing page from ``collect``'s content (and a diff view) into ``path``."""
    src = content["src"]
    now = datetime.now(timezone.utc)
    sections = _sections(diff is not None, bool(content["analyses"]))
    html = _template().render(
        title=TITLE, version=__version__, date=(today or date.today()).isoformat(),
        generated_at=now.strftime("%Y-%m-%d %H:%M UTC"),
        data_date=str(src.meta.get("built_at") or "")[:10] or "—", fingerprint=src.fingerprint[:12] or "—",
        data_source=data_source_zh(src.meta),
        no={s["id"]: s["no"] for s in sections}, sections=sections,
        headline=content["headline"], coverage=content["coverage"],
        figures=content["figures"], by_type=content["by_type"], targets=content["targets"],
        targets_source=content["targets_source"], gap_columns=content["gap_columns"], chains=content["chains"],
        follow_up=content["follow_up"], n_paths=len(content["path_rows"]),
        top_paths=content["path_rows"][:TOP_PATHS], supply=content["supply"], matching=content["matching"],
        top_matches=content["matching"]["rows"][:TOP_MATCHES],
        diff=diff, chain_views=chain_views or {"links": [], "views": [], "note": ""}, analyses=content["analyses"],
        sources=content["sources"], top_sources=content["sources"][:TOP_SOURCES], id_annex=content["id_annex"],
        paths_in_words=content["paths_in_words"], more_paths=content["more_paths"], key_breaks=content["key_breaks"],
        analyst_line=ANALYST_LINE, coordinate_sources=content["coordinate_sources"],
        n_placed=sum(1 for n in content["G"].orgs()
                     if content["G"].nodes[n].get("coord_precision") in ("district", "city")),
        n_orgs=len(content["G"].orgs()))
    return write_text(path, html)
