"""The meeting pack: a briefing for A4 (HTML, and PDF with ``pdf=True``), a workbook, what changed.

``write_report(store, out_dir)`` writes into ``out_dir``:

* ``briefing.html`` — one self-contained page (inline CSS, no script, no external link; every data
  string HTML-escaped), Chinese throughout, laid out for A4: page 1 is the summary (per chain a traffic
  light, complete paths and the key gaps in words; platforms against the 2030 targets; what changed
  since the last pack; the data's date and coverage), then the gap matrix, the paths, the supply list
  grouped by chain, the changes, the chain figures, the other analyses, and annexes (ids, sources);
* ``workbook.xlsx`` — 说明 first, then 概览, 断点, 路径, 供给清单, 供需匹配, 组织, 关系 (变化), the other
  analyses and 来源: Chinese sheet names and headers, ids beside names, numbers as numbers;
* ``briefing.pdf`` with ``pdf=True``, printed by headless Chromium;
* ``chains/`` — the interactive chain views.

One module per concern: ``content`` (what is said), ``diff`` (what changed), ``briefing`` (the page
and its figures), ``workbook``, ``pdf``.

Readers: whoever changes what coordinators see at an alliance meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graph.errors import JjjkgError
from graph.safe_write import make_folder

from .briefing import chain_views, write_briefing
from .content import TARGETS_2030, collect, source
from .diff import diff_stores, diff_view
from .pdf import chromium_command, find_chromium, print_pdf
from .workbook import SHEETS, write_workbook

__all__ = ["write_report", "write_briefing", "write_workbook", "print_pdf", "find_chromium", "chromium_command",
           "diff_stores", "collect", "SHEETS", "TARGETS_2030"]


def write_report(store, out_dir: str | Path, *, since=None, pdf: bool = False,
                 warn: Callable[[str], None] | None = None) -> Path:
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
    warn : callable, optional
        Called with a line for the console when part of the pack could not be made (no CJK font
        for the figures); the briefing says the same in Chinese.

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
    make_folder(out)
    content = collect(store)
    view = None
    if since is not None:
        old = source(since)
        view = diff_view(diff_stores(old, content["src"]), content["G"], old.G)
    views = chain_views(content["G"], out, content["src"].meta, warn=warn)
    html = write_briefing(content, out / "briefing.html", diff=view, chain_views=views)
    write_workbook(content, out / "workbook.xlsx", diff=view)
    if pdf:
        print_pdf(html, out / "briefing.pdf")
    return out
