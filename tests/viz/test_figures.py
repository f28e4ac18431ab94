"""The chain figure for slides: PNG and SVG, Chinese in a real CJK font (not tofu)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest

from graph.errors import MissingDependency, QueryError

pytest.importorskip("matplotlib", reason="figures need matplotlib")

from viz import figures  # noqa: E402

#: a font that has no CJK glyphs: matplotlib's own DejaVu Sans
_NO_CJK = Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def _cjk_font() -> Path:
    try:
        return figures.cjk_font_path()
    except MissingDependency as err:
        pytest.skip(f"{err} (the set-up installs fonts-noto-cjk)")


def _glyph(ch: str, font: Path) -> bytes:
    """The bitmap of one character drawn by the figure's font machinery."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(0.6, 0.6), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, ch, fontproperties=figures._font_properties(font), fontsize=28, ha="center", va="center")
    canvas.draw()
    return bytes(canvas.buffer_rgba())


def test_png_chain_figure_has_real_cjk_glyphs(tiny_graph, tmp_path, artifacts):
    font = _cjk_font()
    # with filterwarnings=error, a glyph missing from the font would fail this render
    out = figures.write_chain_figure(tiny_graph, tmp_path / "bio.png", sector="S_BIO",
                                     meta={"built_at": "2026-03-01T00:00:00"})
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (artifacts / "viz-chain-figure-S_BIO.png").write_bytes(png)

    # the control: a font without CJK draws every Chinese character as the same box (tofu), and says so
    with pytest.warns(UserWarning, match="missing from font"):
        tofu = figures.write_chain_figure(tiny_graph, tmp_path / "tofu.png", sector="S_BIO", font=_NO_CJK)
    assert _differ(png, tofu.read_bytes()) > 0.002

    chars = "研发中试量产北京天津河"  # the characters of every chain figure's lane headers
    real = {_glyph(c, font) for c in chars}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        boxes = {_glyph(c, _NO_CJK) for c in chars}
    assert len(boxes) == 1  # tofu: one box for all
    assert len(real) == len(chars)  # real glyphs: each character its own shape


def _differ(a: bytes, b: bytes) -> float:
    from PIL import Image, ImageChops

    ia, ib = Image.open(io.BytesIO(a)).convert("L"), Image.open(io.BytesIO(b)).convert("L")
    if ia.size != ib.size:
        ib = ib.resize(ia.size)
    diff = ImageChops.difference(ia, ib)
    return sum(i * n for i, n in enumerate(diff.histogram())) / (255 * ia.width * ia.height)


def test_svg_text_is_paths(tiny_graph, tmp_path):
    _cjk_font()
    out = figures.write_chain_figure(tiny_graph, tmp_path / "h2.svg", sector="S_H2")
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<path" in svg
    assert "<text" not in svg  # glyphs as outlines: the slide needs no font
    again = figures.write_chain_figure(tiny_graph, tmp_path / "h2-again.svg", sector="S_H2")
    assert again.read_text(encoding="utf-8") == svg  # same graph, same bytes


def test_figure_errors(tiny_graph, tmp_path, monkeypatch):
    with pytest.raises(QueryError) as err:
        figures.write_chain_figure(tiny_graph, tmp_path / "x.gif", sector="S_BIO")
    assert str(err.value) == "figure format: expected .png or .svg, got 'x.gif'"
    monkeypatch.setenv("JJJKG_CJK_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(MissingDependency) as err:
        figures.cjk_font_path()
    assert str(err.value) == (f"$JJJKG_CJK_FONT names {str(tmp_path / 'missing.ttf')!r}, which is not a file; "
                              "point it at a .ttf/.otf/.ttc font with Chinese glyphs")


def test_cli_figures(cli, tmp_path):
    _cjk_font()
    store = tmp_path / "store"
    assert cli("build", "--data", "tests/data/tiny", "--store", store)[0] == 0
    code, out, err = cli("viz", "--store", store, "--sector", "S_H2", "--png", tmp_path / "h2.png",
                         "--svg", tmp_path / "h2.svg")
    assert code == 0, err
    assert (tmp_path / "h2.png").exists() and (tmp_path / "h2.svg").exists()
    assert not (tmp_path / "graph.html").exists()


def test_figures_are_readable_by_colleagues(tiny_graph, tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = figures.write_chain_figure(tiny_graph, tmp_path / "shared.png", sector="S_BIO")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
