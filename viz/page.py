"""A view's page as HTML: the template, its four files (vis-network's and ours), and two forms.

``render_html(view)`` gives one self-contained page (every file inlined, a policy that runs only
their hashes), which ``jjjkg viz`` writes and which opens offline. ``render_html(view,
asset_urls=...)`` gives the same page linking those files, with nothing inline but its JSON data, for
a server whose policy is ``default-src 'self'``; ``page_asset(name)`` gives each file's bytes to
serve. Both run the same ``viz/templates/page.js``.

Readers: anyone changing how a page is put together or served. What a page shows is built in
``viz.pyvis_html``; how it behaves is in ``viz/templates/page.js``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from graph.errors import MissingDependency, QueryError

if TYPE_CHECKING:
    from .pyvis_html import View

__all__ = ["render_html", "page_asset", "PAGE_ASSETS", "vis_assets", "json_for_script"]


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_RE = re.compile("[<>&\u2028\u2029]")


def json_for_script(value) -> str:
    """JSON text that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``.

    Examples
    --------
    >>> json_for_script({"name": "</script><img src=x>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _SCRIPT_RE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def _vis_dir():
    """The newest ``vis-*`` folder inside the installed pyvis package that holds vis-network."""
    try:
        lib = resources.files("pyvis") / "lib"
        dirs = sorted((d for d in lib.iterdir() if d.name.startswith("vis-")),
                      key=lambda d: tuple(int(x) for x in re.findall(r"\d+", d.name)))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as err:
        raise MissingDependency("the pyvis package (which ships vis-network) is not installed: "
                                "pip install 'pyvis>=0.3.2'") from err
    for d in reversed(dirs):
        if (d / "vis-network.min.js").is_file() and (d / "vis-network.css").is_file():
            return d
    raise MissingDependency("the installed pyvis ships no vis-network (pyvis/lib/vis-*/vis-network.min.js): "
                            "reinstall it with pip install --force-reinstall 'pyvis>=0.3.2'")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str, str]:
    """(version, script, stylesheet) of vis-network as shipped inside the installed pyvis package."""
    d = _vis_dir()
    script = (d / "vis-network.min.js").read_text(encoding="utf-8")
    # a script element ends at the first "</script": vis-network has none, but be sure
    script = re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)
    return d.name.removeprefix("vis-"), script, (d / "vis-network.css").read_text(encoding="utf-8")


def _template_text(name: str) -> str:
    return (resources.files("viz") / "templates" / name).read_text(encoding="utf-8")


#: the files a linked page loads, by name: (where they are read from, their media type)
PAGE_ASSETS = {"vis_js": ("vis-network.min.js", "text/javascript; charset=utf-8"),
               "vis_css": ("vis-network.css", "text/css; charset=utf-8"),
               "page_js": ("page.js", "text/javascript; charset=utf-8"),
               "page_css": ("page.css", "text/css; charset=utf-8")}


def page_asset(name: str) -> tuple[bytes, str]:
    """The bytes and media type of one file a linked page loads (``render_html(asset_urls=...)``).

    ``vis_js`` and ``vis_css`` are vis-network's, read from the installed pyvis package; ``page_js``
    and ``page_css`` are the page's own, from ``viz/templates``. A server serves them as they are.

    Raises
    ------
    QueryError
        An unknown name (the message lists the names).

    Examples
    --------
    >>> body, media = page_asset("page_css")
    >>> media, body.startswith(b"/* jjjkg page")
    ('text/css; charset=utf-8', True)
    """
    if name not in PAGE_ASSETS:
        raise QueryError(f"page asset: expected one of {', '.join(PAGE_ASSETS)}, got {name!r}")
    file, media = PAGE_ASSETS[name]
    where = _vis_dir() if name.startswith("vis_") else resources.files("viz") / "templates"
    return (where / file).read_bytes(), media


_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def _linked_sources(asset_urls: Mapping[str, str]) -> str:
    """The sources a linked page's policy allows: its own origin, and the origin of any absolute asset URL."""
    from urllib.parse import urlsplit

    missing = sorted(set(PAGE_ASSETS) - set(asset_urls))
    extra = sorted(set(asset_urls) - set(PAGE_ASSETS))
    if missing or extra:
        raise QueryError(f"asset_urls: expected exactly the keys {', '.join(PAGE_ASSETS)}; "
                         f"missing {missing or 'none'}, unknown {extra or 'none'}")
    sources = ["'self'"]
    for key, url in asset_urls.items():
        parts = urlsplit(str(url))
        if parts.scheme or parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme not in ("http", "https") or not _ORIGIN_RE.match(origin):
                raise QueryError(f"asset_urls[{key!r}]: expected a path or an http(s) URL, got {url!r}")
            if origin not in sources:
                sources.append(origin)
    return " ".join(sources)


def render_html(v: View, *, asset_urls: Mapping[str, str] | None = None, org_url: str | None = None) -> str:
    """The page of a view as HTML: one self-contained file, or a page that links its files.

    Parameters
    ----------
    v : View
        From ``build_view``.
    asset_urls : mapping, optional
        ``{"vis_js": URL, "vis_css": URL, "page_js": URL, "page_css": URL}``: the page links these
        (served with the bytes of ``page_asset``) instead of inlining them, and holds no inline
        script, style or handler at all, so it runs under a ``default-src 'self'`` policy.
    org_url : str, optional
        Where an organization's page is, with ``{id}`` for its id (e.g. ``"/org/{id}"``): a double
        click on a node, or the link under a selected node, goes there.

    Examples
    --------
    >>> from viz.pyvis_html import build_view
    >>> v = build_view(tiny_graph(), view="chain", sector="S_BIO")
    >>> html = render_html(v, asset_urls={k: f"/static/{k}" for k in PAGE_ASSETS}, org_url="/org/{id}")
    >>> '<script src="/static/page_js"></script>' in html, "<style>" in html, 'data-org-url="/org/{id}"' in html
    (True, False, True)
    """
    import jinja2

    if org_url is not None and "{id}" not in str(org_url):
        raise QueryError(f"org_url: expected a template with {{id}} (e.g. '/org/{{id}}'), got {org_url!r}")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_template_text("page.html"))
    data_json = jinja2.filters.Markup(json_for_script(v.payload()))
    common = {"title": v.title, "subtitle": v.subtitle, "as_of": v.as_of or "—", "org_url": org_url,
              "data_json": data_json}
    if asset_urls is not None:
        return template.render(linked=True, sources=jinja2.filters.Markup(_linked_sources(asset_urls)),
                               urls=dict(asset_urls), vis_version=_vis_dir().name.removeprefix("vis-"), **common)
    version, vis_js, vis_css = vis_assets()
    page_js = _template_text("page.js")
    # the page's policy runs only these two scripts (see page.html)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'"
                      for s in (vis_js, page_js))
    return template.render(
        linked=False,
        script_hashes=jinja2.filters.Markup(hashes), vis_version=version,
        vis_css=jinja2.filters.Markup(vis_css.replace("</", "<\\/")),
        page_css=jinja2.filters.Markup(_template_text("page.css")),
        vis_js=jinja2.filters.Markup(vis_js),
        page_js=jinja2.filters.Markup(page_js),
        **common,
    )
