"""Views of the graph: interactive pages, the meeting pack and machine exports.

The names below load on first use, so the command line can read ``viz.styles`` without importing
the page builder.
"""

from __future__ import annotations

import importlib

__all__ = ["write_view", "write_chain_views", "build_view", "render_html", "page_asset", "PAGE_ASSETS",
           "chain_layout", "VIEWS", "DEFAULT_MAX_NODES", "write_chain_figure"]

_LAZY = {name: "viz.pyvis_html" for name in ("write_view", "write_chain_views", "build_view", "chain_layout")}
_LAZY.update({name: "viz.page" for name in ("render_html", "page_asset", "PAGE_ASSETS")})
_LAZY.update({"VIEWS": "viz.styles", "DEFAULT_MAX_NODES": "viz.styles"})


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'viz' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__():
    return sorted(__all__)


def write_chain_figure(G, path, *, sector, **kw):
    """Write the chain view of ``sector`` as a static PNG or SVG (see ``viz.figures``)."""
    from .figures import write_chain_figure as _write

    return _write(G, path, sector=sector, **kw)
