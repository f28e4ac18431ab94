"""Static figures for slides: the chain view of one sector as PNG or SVG, Chinese in a real CJK font.

The figure draws the same swimlanes as the page's chain view (``viz.pyvis_html.chain_layout``):
stage columns (研发, 中试, 量产放大) × province rows (北京, 天津, 河北), complete paths bold, gap
entities with a dashed red ring. Text is set in a CJK font found by ``cjk_font_path``: the project's
set-up installs Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC); ``$JJJKG_CJK_FONT`` may name another
font file. Without one, ``MissingDependency`` says what to install, because a figure whose Chinese
is drawn as empty boxes (tofu) is worse than none. SVG text is written as paths, so the file shows
the same everywhere, with or without the font.

``chain_print_figure`` draws the same chain for the printed briefing: an SVG at its size on A4 (half a page at
most), text kept as text and never under 7.5 pt, only the names that matter written — each beside its marker,
stacked so that none overlaps another — and the others returned to be listed beside the figure.

matplotlib is imported only here, only when a figure is asked for (``import viz`` stays light).

Readers: anyone making slides, or changing what the static figure shows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from graph import schema
from graph.errors import MissingDependency, QueryError
from graph.safe_write import make_folder, replacing

from . import styles
from .pyvis_html import chain_layout

__all__ = ["write_chain_figure", "chain_print_figure", "cjk_font_path", "CJK_FONT_CANDIDATES", "FIGURE_FORMATS",
           "PRINT_MIN_PT"]

FIGURE_FORMATS = ("png", "svg")

#: where the set-up's CJK fonts land (Debian fonts-noto-cjk first), then other common places
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
#: the face of a Noto Sans CJK collection drawn in Simplified Chinese forms
_PREFERRED_FACE = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """The CJK font file figures use: ``$JJJKG_CJK_FONT`` or the first installed candidate.

    Raises
    ------
    MissingDependency
        No CJK font is installed; the message says how to install one.
    """
    env = os.environ.get("JJJKG_CJK_FONT")
    if env:
        if not Path(env).is_file():
            raise MissingDependency(f"$JJJKG_CJK_FONT names {env!r}, which is not a file; "
                                    "point it at a .ttf/.otf/.ttc font with Chinese glyphs")
        return Path(env)
    for c in CJK_FONT_CANDIDATES:
        if Path(c).is_file():
            return Path(c)
    raise MissingDependency("no CJK font found for figures (Chinese would show as boxes): install Debian's "
                            "fonts-noto-cjk (apt-get install fonts-noto-cjk), or set $JJJKG_CJK_FONT to a font "
                            "file with Chinese glyphs")


def _font_properties(font_path: Path):
    """FontProperties for ``font_path``; in a collection, the Simplified Chinese face when present."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path))
    faces = [f for f in font_manager.fontManager.ttflist if Path(f.fname) == font_path]
    names = {f.name for f in faces}
    if _PREFERRED_FACE in names:
        return font_manager.FontProperties(family=_PREFERRED_FACE)
    if faces:
        return font_manager.FontProperties(family=sorted(names)[0])
    return font_manager.FontProperties(fname=str(font_path))


def write_chain_figure(G, path, *, sector: str, fmt: str | None = None, font: str | os.PathLike | None = None,
                       title: str | None = None, meta: Mapping | None = None, dpi: int = 150) -> Path:
    """Draw the chain view of ``sector`` as a static PNG or SVG for slides.

    Parameters
    ----------
    G : KnowledgeGraph
    path : str or Path
        The file to write; its suffix (``.png``/``.svg``) gives the format unless ``fmt`` does.
    sector : str
        A sector id or unique name.
    fmt : {"png", "svg"}, optional
    font : path, optional
        A font file to use instead of ``cjk_font_path()`` (tests pass a font without CJK glyphs to
        see what tofu looks like).
    title : str, optional
        Defaults to the sector's name and 产业链中试链路.
    meta : mapping, optional
        The store's metadata; ``built_at`` is printed as the data's as-of date.
    dpi : int
        Resolution of a PNG.

    Returns
    -------
    Path

    Raises
    ------
    MissingDependency
        matplotlib or a CJK font is not installed.
    QueryError
        An unknown sector or format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_chain_figure(tiny_graph(), pathlib.Path(tempfile.mkdtemp()) / "bio.svg", sector="S_BIO")
    >>> out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    True
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FIGURE_FORMATS:
        raise QueryError(f"figure format: expected .png or .svg, got {path.name!r}")
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise MissingDependency("figures need matplotlib: pip install 'matplotlib>=3.9'") from err
    font_path = Path(font) if font is not None else cjk_font_path()
    with _quiet_font_manager():
        return _draw(G, path, fmt, font_path, sector=sector, title=title, meta=meta, dpi=dpi)


@contextmanager
def _quiet_font_manager():
    """Keep matplotlib's ``findfont: …`` lines off the console: the font is chosen here, and a missing one
    is reported once, in words, by the caller."""
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _draw(G, path: Path, fmt: str, font_path: Path, *, sector: str, title, meta, dpi: int) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fp = _font_properties(font_path)

    lay = chain_layout(G, sector)
    cols, rows = lay.columns, lay.rows
    x0, x1, y0, y1 = cols[0]["x0"], cols[-1]["x1"], rows[0]["y0"], rows[-1]["y1"]
    margin_left, margin_top = 190.0, 150.0
    width_px, height_px = (x1 - x0) + margin_left + 30, (y1 - y0) + margin_top + 60
    scale = 1 / 100  # layout pixels → inches
    fig = Figure(figsize=(max(8.0, width_px * scale), max(5.0, height_px * scale)), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0 - margin_left, x1 + 30)
    ax.set_ylim(y1 + 60, y0 - margin_top)  # y grows downwards, as in the page
    ax.set_axis_off()

    def text(x, y, s, size, **kw):
        ax.text(x, y, s, fontproperties=fp, fontsize=size, **kw)

    for i, r in enumerate(rows):
        ax.add_patch(Rectangle((x0, r["y0"]), x1 - x0, r["y1"] - r["y0"], facecolor="#f4f6fa" if i % 2 else "#fbfcfe",
                               edgecolor="#c9d0dc", linewidth=1.2, zorder=0))
        cy = (r["y0"] + r["y1"]) / 2
        text(x0 - 16, cy, r["zh"], 17, ha="right", va="center", weight="bold", color="#334")
    for c in cols:
        ax.plot([c["x0"], c["x0"]], [y0 - 70, y1], color="#c9d0dc", linewidth=1.2, zorder=0)
        cx = (c["x0"] + c["x1"]) / 2
        text(cx, y0 - 32, c["zh"], 17, ha="center", va="center", weight="bold", color="#334")
    ax.plot([x1, x1], [y0 - 70, y1], color="#c9d0dc", linewidth=1.2, zorder=0)
    for c in cols:
        for r in rows:
            if not lay.cells.get((c["key"], r["key"])):
                text((c["x0"] + c["x1"]) / 2, (r["y0"] + r["y1"]) / 2, "（无）", 11, ha="center", va="center",
                     color="#99a")

    pos = lay.positions
    for u, v, k in lay.edges:
        on_path = (u, v, k) in lay.path_edges
        (ux, uy), (vx, vy) = pos[u], pos[v]
        ax.annotate("", xy=(vx, vy), xytext=(ux, uy), zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": schema.RELATIONS[k].color,
                                "alpha": 1.0 if on_path else 0.35, "linewidth": 3.2 if on_path else 1.0,
                                "shrinkA": 12, "shrinkB": 12, "connectionstyle": "arc3,rad=-0.08"})
    gap_of: dict = {}
    for g in lay.gaps:
        if g["entity_id"] is not None and g["entity_id"] in pos:
            gap_of.setdefault(g["entity_id"], []).append(g["gap"])
    for n, (x, y) in pos.items():
        d = G.nodes[n]
        ps = styles.province_style(d.get("province"))
        ax.scatter([x], [y], s=(styles.node_size(d) * 1.3) ** 2 / 2, marker=ps.marker, c=styles.label_color(d["label"]),
                   edgecolors="#333333", linewidths=1.0, zorder=3)
        if n in lay.path_nodes:
            ax.scatter([x], [y], s=(styles.node_size(d) * 1.9) ** 2 / 2, marker=ps.marker, facecolors="none",
                       edgecolors=styles.PATH_COLOR, linewidths=2.2, zorder=2)
        label = styles.wrap_label(str(d.get("name") or n))
        loud = [styles.gap_names(g)[0] for g in gap_of.get(n, ()) if g in ("DEAD_END_PLATFORM", "ORPHAN_RND",
                                                                             "SINGLE_POINT")]
        if n in gap_of:
            ax.scatter([x], [y], s=(styles.node_size(d) * 2.3) ** 2 / 2, marker="o", facecolors="none",
                       edgecolors=styles.GAP_STYLE["border"], linewidths=1.6, linestyle="--", zorder=2)
        if loud:
            label += "\n⚠ " + "、".join(sorted(set(loud)))
        text(x, y + styles.node_size(d) + 8, label, 9, ha="center", va="top", color="#222", zorder=4)

    as_of = str((meta or {}).get("built_at") or "")[:10]
    heading = title or f"{lay.sector_name} · 产业链中试链路"
    text(x0 - margin_left + 12, y0 - margin_top + 28, heading, 20, ha="left", va="center", weight="bold")
    sub = "北京研发 → 北京中试 → 津冀量产放大"
    if as_of:
        sub += f" · 数据截至 {as_of}"
    text(x0 - margin_left + 12, y0 - margin_top + 58, sub, 10, ha="left", va="center", color="#555")
    sector_gaps = [styles.gap_names(g["gap"])[0] for g in lay.gaps if g["entity_id"] is None]
    if sector_gaps:
        text(x1, y0 - margin_top + 28, "断点：" + "、".join(sector_gaps), 11, ha="right", va="center",
             color=styles.GAP_STYLE["border"])

    make_folder(path.parent)
    import matplotlib as mpl

    # SVG text as paths: the slide shows the same glyphs on a machine without the font
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": "jjjkg", "path.simplify": True}), \
            replacing(path) as tmp:
        fig.savefig(tmp, format=fmt, facecolor="white", metadata=_metadata(fmt))
    return path


def _metadata(fmt: str) -> dict:
    # no dates or versions in the file, so the same graph gives the same bytes
    if fmt == "svg":
        return {"Date": None, "Creator": "jjjkg"}
    return {"Software": "jjjkg"}


# ----------------------------------------------------------------------------- the chain figure for A4

#: the smallest text of the printed figure, in points (what an official reads at arm's length)
PRINT_MIN_PT = 7.5
#: the printed figure's width, in millimetres (A4 minus margins, minus the list beside it)
PRINT_WIDTH_MM = 124.0
#: the tallest a printed figure may be: half an A4 page, less its heading
PRINT_MAX_HEIGHT_MM = 122.0
_MM = 1 / 25.4
#: relations drawn between labelled organizations, those of the policy's path first
_PRINT_RELATIONS = ("TRANSFERS_TO", "SCALES_UP_AT", "OPERATES")


def chain_print_figure(G, sector: str, *, font: str | os.PathLike | None = None) -> dict:
    """The chain view of ``sector`` for the printed briefing: an SVG drawn at its printed size, text as text
    (so that it prints sharp and can be measured), no text smaller than ``PRINT_MIN_PT``.

    Only the names that matter are written in the figure — platforms, organizations on a complete path,
    those a gap names, and the two ends of every R&D → pilot or pilot → scale-up link — each beside its own
    marker, stacked in its stage × province cell so that no two labels overlap. The other organizations
    of the chain are counted in their cell and returned in ``rest`` for the list beside the figure.

    Returns
    -------
    dict
        ``svg`` (the document, text), ``width_mm``, ``height_mm``, ``labelled`` (node keys written in the
        figure), ``rest`` (``[{"cell": "北京 · 研发", "names": [...]}]``), ``sector_gaps`` (Chinese).
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise MissingDependency("figures need matplotlib: pip install 'matplotlib>=3.9'") from err
    font_path = Path(font) if font is not None else cjk_font_path()
    with _quiet_font_manager():
        return _draw_print(G, sector, font_path)


def _char_width(ch: str, size: float) -> float:
    return size * (0.55 if ord(ch) < 0x2E80 else 1.0)


def _text_width(text: str, size: float) -> float:
    """The width of one line, in points (a CJK character is one em, Latin about half)."""
    return sum(_char_width(ch, size) for ch in text)


def _wrap(text: str, width_pt: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width_pt`` at ``size``."""
    lines, line, w = [], "", 0.0
    for ch in text:
        cw = _char_width(ch, size)
        if line and w + cw > width_pt:
            lines.append(line)
            line, w = "", 0.0
        line += ch
        w += cw
    if line:
        lines.append(line)
    return lines


def _draw_print(G, sector: str, font_path: Path) -> dict:
    lay = chain_layout(G, sector)
    gap_of: dict = {}
    for g in lay.gaps:
        if g["entity_id"] is not None and g["entity_id"] in lay.positions:
            gap_of.setdefault(g["entity_id"], []).append(g["gap"])
    shown = set(lay.nodes)
    linked = {x for u, v, k in lay.edges if k in ("TRANSFERS_TO", "SCALES_UP_AT") for x in (u, v)} & shown
    core = {n for n in shown if n in lay.path_nodes or n in gap_of or G.nodes[n].get("label") == "Platform"}
    loud = {n for n in core if n in lay.path_nodes or G.nodes[n].get("label") == "Platform"
            or not set(gap_of.get(n, ())) <= {"NOT_IN_ALLIANCE", "ORPHAN_RND"}}
    # labelled, most important first: paths, platforms and gaps, then the ends of the chain's links, as long as
    # the figure stays within half a page; what is left out is listed beside it
    for matters in (core | linked, core, loud):
        cells = _print_cells(G, lay, matters, gap_of)
        if cells["height_pt"] <= PRINT_MAX_HEIGHT_MM / 25.4 * 72:
            break
    svg = _render_print(G, lay, cells, gap_of, _font_properties(font_path))
    sector_gaps = [styles.gap_names(g["gap"])[0] for g in lay.gaps if g["entity_id"] is None]
    return {"svg": svg, "width_mm": cells["width_pt"] / 72 * 25.4, "height_mm": cells["height_pt"] / 72 * 25.4,
            "labelled": [it["node"] for items, _ in cells["cells"].values() for it in items],
            "rest": cells["rest"], "sector_gaps": sector_gaps}


#: the printed figure's geometry, in points: name size, row header width, column header height, cell padding,
#: marker column, gap between two names
_P = {"size": 7.5, "head_w": 26.0, "head_h": 16.0, "pad": 4.0, "marker_w": 12.0, "gap": 3.0}


def _print_cells(G, lay, matters: set, gap_of: dict) -> dict:
    """What each stage × province cell writes (names as lines, in points), how wide each stage column is
    (a column of long names gets the room the others do not need) and how tall each row is."""
    size, small, pad, marker_w = _P["size"], PRINT_MIN_PT, _P["pad"], _P["marker_w"]
    width_pt = PRINT_WIDTH_MM / 25.4 * 72
    raw, rest = {}, []
    for r in lay.rows:
        for c in lay.columns:
            members = lay.cells.get((c["key"], r["key"]), [])
            named = [(n, str(G.nodes[n].get("name") or n), sorted({styles.gap_names(g)[0] for g in gap_of.get(n, ())}))
                     for n in members if n in matters]
            others = [n for n in members if n not in matters]
            raw[(c["key"], r["key"])] = (named, len(others))
            if others:
                rest.append({"cell": f"{r['zh']} · {c['zh']}",
                             "names": sorted(str(G.nodes[n].get("name") or n) for n in others)})
    # column widths: each wants its longest name on one line (at most 22 characters), none less than the
    # "另 N 家" line; the room left over is shared out evenly, a shortfall taken from the widest
    frame = marker_w + 2 * pad
    least = _text_width(_others_line(99), small) + frame
    want = {}
    for c in lay.columns:
        longest = max((_text_width(name, size) for r in lay.rows for _, name, _ in raw[(c["key"], r["key"])][0]),
                      default=0.0)
        want[c["key"]] = max(least, min(longest, 22 * size) + frame)
    avail = width_pt - _P["head_w"]
    spare = avail - sum(want.values())
    if spare >= 0:
        col_w = {k: w + spare / len(want) for k, w in want.items()}
    else:
        over = {k: w - least for k, w in want.items()}
        col_w = {k: want[k] + spare * over[k] / (sum(over.values()) or 1) for k in want}
    cells = {}
    for (ck, rk), (named, n_others) in raw.items():
        text_w = col_w[ck] - frame
        items = [{"node": n, "lines": _wrap(name, text_w, size),
                  "extra": _wrap("断点：" + "、".join(said), text_w, small) if said else []} for n, name, said in named]
        cells[(ck, rk)] = (items, n_others)

    def height(items, n_others) -> float:
        h = 2 * pad + sum(len(it["lines"]) * size * 1.22 + len(it["extra"]) * small * 1.22 + _P["gap"]
                          for it in items)
        return h + (small * 1.3 if n_others or not items else 0)

    row_h = {r["key"]: max(20.0, max(height(*cells[(c["key"], r["key"])]) for c in lay.columns)) for r in lay.rows}
    return {"cells": cells, "rest": rest, "row_h": row_h, "col_w": col_w, "width_pt": width_pt,
            "height_pt": _P["head_h"] + sum(row_h.values()) + 2}


def _others_line(n: int) -> str:
    return f"另 {n} 家，见图旁"


def _render_print(G, lay, cells: dict, gap_of: dict, fp) -> str:
    import io
    import re

    import matplotlib as mpl
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    size, small, pad = _P["size"], PRINT_MIN_PT, _P["pad"]
    width_pt, height_pt, widths, head_w = cells["width_pt"], cells["height_pt"], cells["col_w"], _P["head_w"]
    fig = Figure(figsize=(width_pt / 72, height_pt / 72))
    FigureCanvasSVG(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width_pt)
    ax.set_ylim(height_pt, 0)  # points, y downwards
    ax.set_axis_off()

    def text(x, y, s, sz, **kw):
        ax.text(x, y, s, fontproperties=fp, fontsize=sz, **kw)

    xs, x = {}, head_w
    for c in lay.columns:
        xs[c["key"]] = x
        text(x + widths[c["key"]] / 2, _P["head_h"] / 2, c["zh"], 9, ha="center", va="center", weight="bold",
             color="#334")
        x += widths[c["key"]]
    pos: dict = {}
    y = _P["head_h"]
    for i, r in enumerate(lay.rows):
        h = cells["row_h"][r["key"]]
        bg = "#f4f6fa" if i % 2 else "#fbfcfe"
        # a name sits on its row's colour, so that a link passing behind it never runs through its letters
        back = {"facecolor": bg, "edgecolor": "none", "pad": 0.4, "alpha": 0.9}
        ax.add_patch(Rectangle((head_w, y), width_pt - head_w - 1, h, facecolor=bg,
                               edgecolor="#c9d0dc", linewidth=0.6, zorder=0))
        text(head_w / 2, y + h / 2, r["zh"], 9, ha="center", va="center", weight="bold", color="#334")
        for c in lay.columns:
            x0 = xs[c["key"]]
            items, n_others = cells["cells"][(c["key"], r["key"])]
            cy = y + pad
            for it in items:
                n, d = it["node"], G.nodes[it["node"]]
                mx, my = x0 + pad + _P["marker_w"] / 2, cy + size * 0.61
                # links arrive at the marker and leave from the end of the name, so that no line runs through it
                name_w = max(_text_width(line, size) for line in it["lines"])
                pos[n] = ((mx, my), (x0 + pad + _P["marker_w"] + name_w + 1.5, my))
                ps = styles.province_style(d.get("province"))
                ax.scatter([mx], [my], s=22, marker=ps.marker, c=styles.label_color(d["label"]), edgecolors="#333333",
                           linewidths=0.5, zorder=3)
                if n in lay.path_nodes:
                    ax.scatter([mx], [my], s=60, marker=ps.marker, facecolors="none", edgecolors=styles.PATH_COLOR,
                               linewidths=1.2, zorder=2)
                if n in gap_of:
                    ax.scatter([mx], [my], s=75, marker="o", facecolors="none", edgecolors=styles.GAP_STYLE["border"],
                               linewidths=0.8, linestyle="--", zorder=2)
                ty = cy
                for line in it["lines"]:
                    text(x0 + pad + _P["marker_w"], ty, line, size, ha="left", va="top", color="#111", zorder=4,
                         bbox=back, weight="bold" if n in lay.path_nodes else "normal")
                    ty += size * 1.22
                for line in it["extra"]:
                    text(x0 + pad + _P["marker_w"], ty, line, small, ha="left", va="top", color="#c00000", zorder=4,
                         bbox=back)
                    ty += small * 1.22
                cy = ty + _P["gap"]
            if n_others:
                text(x0 + pad + _P["marker_w"], cy, _others_line(n_others), small, ha="left", va="top",
                     color="#555")
            elif not items:
                text(x0 + widths[c["key"]] / 2, y + h / 2, "（无）", small, ha="center", va="center", color="#99a")
        y += h
    for c in lay.columns[1:]:
        ax.plot([xs[c["key"]], xs[c["key"]]], [_P["head_h"], y], color="#c9d0dc", linewidth=0.6, zorder=0)
    for u, v, k in lay.edges:
        if k not in _PRINT_RELATIONS or u not in pos or v not in pos:
            continue
        on_path = (u, v, k) in lay.path_edges
        ax.annotate("", xy=pos[v][0], xytext=pos[u][1], zorder=1,
                    arrowprops={"arrowstyle": "-|>,head_width=0.25,head_length=0.5",
                                "color": schema.RELATIONS[k].color, "alpha": 1.0 if on_path else 0.55,
                                "linewidth": 2.0 if on_path else 0.7, "shrinkA": 4, "shrinkB": 4,
                                "connectionstyle": "arc3,rad=-0.12"})
    buf = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "jjjkg", "path.simplify": True}):
        fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None, "Creator": "jjjkg"})
    # matplotlib's comments carry nothing a reader needs (and a name must never end up inside one)
    svg = re.sub(r"<!--.*?-->", "", buf.getvalue().decode("utf-8"), flags=re.S)
    return re.sub(r"<!DOCTYPE[^>]*>", "", svg, count=1)  # no address of any kind in the page, not even a DTD's
