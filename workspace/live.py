"""The store the server answers from, held in memory and switched when a rebuild changes it.

``LiveStore.current()`` is called at each request: at most once a second it reads the store's
``meta.json`` (a small file); when the fingerprint differs from the one in memory, it opens the
new version, builds its graph once, and from then on every request sees the new data — and the
pages show a banner saying the data changed. Results of analyses are cached by (fingerprint,
analysis, parameters), so the same question asked by thirty planners runs once.
"""

from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import StoreError

__all__ = ["LiveStore", "Snapshot", "fold", "install", "live"]

#: cached analysis results kept (least recently used dropped first)
CACHE_ENTRIES = 256
#: how often the store's meta.json is read for a new fingerprint
CHECK_EVERY = 1.0


def fold(text: str) -> str:
    """Text folded for searching: NFKC (full-width → half-width), case-folded, brackets and spaces dropped.

    >>> fold("北方集成电路技术创新中心（北京）有限公司") == fold("北方集成电路技术创新中心(北京)有限公司")
    True
    """
    t = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in t if not ch.isspace() and ch not in "()[]{}【】〔〕《》「」『』·・-—_")


@dataclass
class Snapshot:
    """One version of the store, as the server holds it."""

    store: object
    G: object
    fingerprint: str
    meta: dict
    loaded_at: float
    previous: str | None = None
    #: the version this one replaced, kept until what changed has been worked out
    prev_store: object = field(default=None, repr=False)
    _changes: list | None = field(default=None, repr=False)
    _search: list | None = field(default=None, repr=False)
    _content: dict | None = field(default=None, repr=False)
    _content_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def search_index(self) -> list[tuple[str, str, str, str]]:
        """(id, folded id + credit code, folded name + aliases, name) for every organization."""
        if self._search is None:
            rows = []
            for n, d in self.G.nodes(data=True):
                if "type" not in d:
                    continue
                aliases = d.get("aliases") or []
                if isinstance(aliases, str):
                    aliases = [aliases]
                rows.append((n, fold(str(n)) + "\x00" + fold(d.get("credit_code") or ""),
                             "\x00".join(fold(x) for x in [d.get("name") or "", d.get("name_en") or "", *aliases]),
                             d.get("name") or str(n)))
            self._search = rows
        return self._search

    def content(self) -> dict:
        """The briefing's content (headline figures, chains, paths, gaps), computed once per version."""
        if self._content is None:
            with self._content_lock:  # the warming thread and the first pages wait for one computation
                if self._content is None:
                    from viz.report import collect

                    self._content = collect(self.store)
        return self._content

    def warm(self) -> None:
        """Compute what the first pages need (the briefing's content, the search index) ahead of them."""
        self.content()
        self.search_index()


    def changes(self) -> list[str]:
        """What changed since the version the server held before, in a few sentences (empty at first)."""
        if self._changes is None:
            if self.prev_store is None:
                self._changes = []
            else:
                from viz.report.diff import diff_stores, diff_view

                prev, self.prev_store = self.prev_store, None
                d = diff_stores(prev, self.store)
                self._changes = diff_view(d, self.G, prev.graph())["summary"] or ["数据已更新，机构和关系没有变化"]
        return self._changes


class LiveStore:
    """The server's store: ``current()`` gives the snapshot to answer from."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._checked = 0.0
        self._snap: Snapshot | None = None
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()
        self.current()

    def _meta_fingerprint(self) -> str | None:
        try:
            with open(self.path / "meta.json", "rb") as f:
                return json.loads(f.read(1 << 20)).get("fingerprint")
        except (OSError, ValueError, AttributeError):
            return None

    def _open(self, previous: Snapshot | None) -> Snapshot:
        from graph.store import Store

        store = Store(self.path)
        G = store.graph()
        return Snapshot(store=store, G=G, fingerprint=store.fingerprint, meta=store.meta, loaded_at=time.time(),
                        previous=previous.fingerprint if previous else None,
                        prev_store=previous.store if previous else None)

    def current(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snap
        if snap is not None and now - self._checked < CHECK_EVERY:
            return snap
        with self._lock:
            if self._snap is not None and now - self._checked < CHECK_EVERY:
                return self._snap
            self._checked = now
            fp = self._meta_fingerprint()
            if self._snap is None or (fp is not None and fp != self._snap.fingerprint):
                try:
                    self._snap = self._open(self._snap)
                except StoreError:
                    if self._snap is None:
                        raise
                    # a rebuild half-way through switching: keep answering from the version in memory
            return self._snap

    def cached(self, key: tuple, compute):
        """``compute()`` once per ``key`` (which starts with the fingerprint)."""
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        with self._cache_lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return value


_live: LiveStore | None = None


def install(path: Path) -> LiveStore:
    """Open the store the server answers from (once, at start)."""
    global _live
    _live = LiveStore(path)
    return _live


def live() -> LiveStore:
    if _live is None:
        raise StoreError("the workspace has no store open")
    return _live
