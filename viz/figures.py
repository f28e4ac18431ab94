"""Static figures for slides: the chain view of one sector as PNG or SVG, Chinese in a real CJK font.

The figure draws the same swimlanes as the page's chain view (``viz.pyvis_html.chain_layout``):
stage columns (研发, 中试, 量产放大) × province rows (北京, 天津, 河北), complete paths bold, gap
entities with a dashed red ring. Text is set in a CJK font found by ``cjk_font_path``: the project's
set-up installs Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC); ``$JJJKG_CJK_FONT`` may name another
font file. Without one, ``MissingDependency`` says what to install, because a figure whose Chinese
is drawn as empty boxes (tofu) is worse than none. SVG text is written as paths, so the file shows
the same everywhere, with or without the font.

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

__all__ = ["write_chain_figure", "cjk_font_path", "CJK_FONT_CANDIDATES", "FIGURE_FORMATS"]

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
