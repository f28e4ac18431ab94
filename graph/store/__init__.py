"""The saved graph on disk: plain tables as the truth, a signed local cache for speed.

A store is a directory (default ``./.jjjkg``)::

    meta.json              format version, fingerprint, build time, what was loaded, counts
    tables/*.parquet       the five validated tables: the store's source of truth
    cache/graph.pickle     the built KnowledgeGraph, for fast reopening (optional)
    cache/graph.sig        HMAC of the pickle and the tables' fingerprint, with this machine's key
    falkordb/              the embedded Cypher server's files, when it has been started

A store that came from someone else is safe to open: the parquet tables are data only, and the
pickle is used only when its signature verifies with the key in this user's configuration folder
(which no one else has); otherwise the graph is rebuilt from the tables and the cache rewritten.

``save_store`` writes a complete new store beside the old one and swaps it in by renaming, so a
failed build leaves an existing store untouched.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from ..build import KnowledgeGraph, build_graph, no_gc
from ..errors import StoreError
from ..tables import Tables

__all__ = ["Store", "save_store", "open_store", "default_store_path", "FORMAT_VERSION"]

FORMAT_VERSION = 1


def default_store_path() -> Path:
    """``$JJJKG_STORE`` or ``./.jjjkg``."""
    return Path(os.environ.get("JJJKG_STORE") or ".jjjkg")


def _fingerprint(table_dir: Path) -> str:
    h = hashlib.sha256()
    for name in Tables.NAMES:
        h.update(name.encode())
        h.update((table_dir / f"{name}.parquet").read_bytes())
    return h.hexdigest()


def _cache_key() -> bytes | None:
    """This user's secret for signing graph caches (created on first use), or None if unwritable."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "jjjkg"
    path = base / "cache.key"
    try:
        if path.exists():
            return path.read_bytes()
        base.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key
    except FileExistsError:
        return path.read_bytes()
    except OSError:
        return None


def _sign(digest: bytes, fingerprint: str, key: bytes) -> str:
    """HMAC over the tables' fingerprint and the pickle's SHA-256 digest."""
    return hmac.new(key, fingerprint.encode() + digest, "sha256").hexdigest()


def _write_tables(tables: Tables, table_dir: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table_dir.mkdir(parents=True)
    for name, df in tables.items():
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), table_dir / f"{name}.parquet")


def _write_cache(G: KnowledgeGraph, store: Path, fingerprint: str | None = None) -> bytes | None:
    """Pickle ``G`` into ``store/cache``; signed now when ``fingerprint`` is known, else by ``_sign_cache`` later.

    Returns the pickle's SHA-256 digest (None when this user has no cache key).
    """
    key = _cache_key()
    if key is None:
        return None
    cache = store / "cache"
    cache.mkdir(exist_ok=True)
    G.orgs()  # the lookups by label, province and sector travel in the cache, computed once per build
    with open(cache / "graph.pickle", "wb") as f:  # streamed: no second copy of the graph in memory
        pickle.dump(G, f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(cache / "graph.pickle", "rb") as f:
        digest = hashlib.file_digest(f, "sha256").digest()
    if fingerprint is not None:
        _sign_cache(store, digest, fingerprint)
    return digest


def _sign_cache(store: Path, digest: bytes | None, fingerprint: str) -> None:
    key = _cache_key()
    if digest is not None and key is not None:
        (store / "cache" / "graph.sig").write_text(_sign(digest, fingerprint, key))


def save_store(tables: Tables, path: str | Path, G: KnowledgeGraph | None = None) -> dict:
    """Write ``tables`` (and the graph built from them) as a store at ``path``, atomically.

    Returns the store's metadata.
    """
    path = Path(path)
    parent = path.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=parent))
    try:
        if G is None:
            G = build_graph(tables)
        # the graph is pickled before the tables are written: the pickler's memo and the Arrow
        # buffers of the tables are not held at once (a lower peak of memory)
        digest = _write_cache(G, tmp)
        _write_tables(tables, tmp / "tables")
        fingerprint = _fingerprint(tmp / "tables")
        G.graph["fingerprint"] = fingerprint
        meta = {
            "format_version": FORMAT_VERSION,
            "fingerprint": fingerprint,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "data_source": tables.source,
            "counts": {name: len(df) for name, df in tables.items()},
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "warnings": len(tables.warnings),
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        _sign_cache(tmp, digest, fingerprint)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap(tmp, path)
    return meta


def _swap(new: Path, path: Path) -> None:
    """Put ``new`` at ``path``; the old store (and its running server) goes away only after."""
    old = None
    if path.exists():
        _stop_engine(path)
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.resolve().parent))
        os.replace(path, old / "store")
    os.replace(new, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _stop_engine(path: Path) -> None:
    """Stop the embedded server of a store about to be replaced, if one runs."""
    if not (path / "falkordb").exists():
        return
    try:
        from .falkordb_engine import stop
    except ImportError:
        return
    stop(path)


class Store:
    """An opened store: its metadata, its tables and its graph, each read on first use."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        meta_path = self.path / "meta.json"
        if not meta_path.exists():
            raise StoreError(f"no store at {str(self.path)!r}: run `jjjkg build` first (or pass --store)")
        try:
            self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StoreError(f"the store at {str(self.path)!r} is damaged ({err}); rebuild it with `jjjkg build`") from err
        version = self.meta.get("format_version")
        if version != FORMAT_VERSION:
            raise StoreError(f"the store at {str(self.path)!r} has format version {version!r}, this jjjkg reads "
                             f"{FORMAT_VERSION}; rebuild it with `jjjkg build`")
        self._tables: Tables | None = None
        self._graph: KnowledgeGraph | None = None

    @property
    def fingerprint(self) -> str:
        return self.meta["fingerprint"]

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            self._tables = self._read_tables()
        return self._tables

    def _read_tables(self) -> Tables:
        import pyarrow.parquet as pq

        frames = {}
        try:
            for name in Tables.NAMES:
                frames[name] = pq.read_table(self.path / "tables" / f"{name}.parquet").to_pandas()
        except (OSError, ValueError) as err:
            raise StoreError(f"cannot read the store's tables at {str(self.path)!r} ({err}); "
                             "rebuild it with `jjjkg build`") from err
        return Tables(**frames, source=self.meta.get("data_source", ""))

    def graph(self) -> KnowledgeGraph:
        """The knowledge graph: from the signed cache when it verifies, else built from the tables."""
        if self._graph is None:
            self._graph = self._cached_graph() or self._rebuild_graph()
            self._graph.graph["fingerprint"] = self.fingerprint
        return self._graph

    def _cached_graph(self) -> KnowledgeGraph | None:
        pkl, sig = self.path / "cache" / "graph.pickle", self.path / "cache" / "graph.sig"
        key = _cache_key()
        if key is None or not pkl.exists() or not sig.exists():
            return None
        payload = pkl.read_bytes()
        try:
            fingerprint = _fingerprint(self.path / "tables")
        except OSError:
            return None
        if fingerprint != self.fingerprint:
            raise StoreError(f"the store's tables at {str(self.path)!r} do not match its meta.json; "
                             "rebuild it with `jjjkg build`")
        if not hmac.compare_digest(sig.read_text().strip(), _sign(hashlib.sha256(payload).digest(), fingerprint, key)):
            return None  # written elsewhere, or for other tables: never unpickled
        with no_gc():
            G = pickle.loads(payload)
        return G if isinstance(G, KnowledgeGraph) else None

    def _rebuild_graph(self) -> KnowledgeGraph:
        G = build_graph(self.tables)
        G.graph["fingerprint"] = self.fingerprint
        try:
            _write_cache(G, self.path, self.fingerprint)
        except OSError:
            pass  # a read-only store still opens; it is just slower next time
        return G


def open_store(path: str | Path | None = None) -> Store:
    """Open the store at ``path`` (default: ``default_store_path()``)."""
    return Store(path or default_store_path())
