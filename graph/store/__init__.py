"""The saved graph on disk: plain tables as the truth, a signed local cache for speed.

A store is a directory (default ``./.jjjkg``)::

    meta.json              format version, fingerprint, build time, what was loaded, counts
    tables/*.parquet       the five validated tables: the store's source of truth
    graph/*.npy            the graph's nodes and edges as columnar arrays (``arrays``), memory-mapped on use
    cache/graph.pickle     the built KnowledgeGraph, for fast reopening (optional)
    cache/graph.sig        HMAC of the pickle and the tables' fingerprint, with this machine's key

A build writes the tables and the arrays only: no networkx graph is made or pickled. Opening a store
reads meta.json; the arrays are mapped when something asks for them (a count, the nodes' names), and the
networkx graph is made only when an analysis asks for it (``Store.graph``), then kept in the cache.

A store that came from someone else is safe to open: the parquet tables are data only, and the
pickle is used only when its signature verifies with the key in this user's configuration folder
(``cache_key``: one no one else can read or replace); otherwise the graph is rebuilt from the tables
and the cache rewritten — only into a real ``cache`` folder of this user's: a store received as a
tar, or another user's store, may hold a ``cache`` link to anywhere, and reading a store of another
user creates nothing inside it. The embedded server keeps its files in a private folder of the
user's (``falkordb.server``), never in the store.

``save_store`` writes a complete new store beside the old one, under the store's writer lock, and
switches to it in one atomic step (``versions``): a failed or killed build leaves the existing store
untouched, and a reader sees the old store or the new, whole.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import pickle
import shutil
import stat
from datetime import datetime, timezone
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import OutputError, StoreError
from ..safe_write import replacing, write_text
from ..tables import Tables
from . import versions
from .arrays import Arrays, read_arrays, write_arrays
from .cache_key import cache_key as _cache_key

if TYPE_CHECKING:
    from ..build import KnowledgeGraph

__all__ = ["Store", "save_store", "open_store", "open_or_build", "default_store_path", "store_exists",
           "FORMAT_VERSION"]

FORMAT_VERSION = 1


def build_graph(tables: Tables) -> KnowledgeGraph:
    """``graph.build.build_graph``, imported when a graph is first made: opening a store, counting from its
    arrays or naming its nodes does not import networkx."""
    from ..build import build_graph as build

    return build(tables)


def default_store_path() -> Path:
    """``$JJJKG_STORE`` or ``./.jjjkg``."""
    return Path(os.environ.get("JJJKG_STORE") or ".jjjkg")


def store_exists(path: str | Path) -> bool:
    """Whether ``path`` holds a store (its ``meta.json``), whatever its state."""
    return os.path.lexists(Path(path) / "meta.json")


def _fingerprint(table_dir: Path) -> str:
    h = hashlib.sha256()
    for name in Tables.NAMES:
        h.update(name.encode())
        h.update((table_dir / f"{name}.parquet").read_bytes())
    return h.hexdigest()


def _sign(digest: bytes, fingerprint: str, key: bytes) -> str:
    """HMAC over the tables' fingerprint and the pickle's SHA-256 digest."""
    return hmac.new(key, fingerprint.encode() + digest, "sha256").hexdigest()


def _write_tables(tables: Tables, table_dir: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table_dir.mkdir(parents=True)
    for name, df in tables.items():
        with replacing(table_dir / f"{name}.parquet") as tmp:
            pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp)
        pa.default_memory_pool().release_unused()  # each table's Arrow copy is given back before the next


def _replace_file(path: Path, write) -> None:
    """Write ``path`` through ``write(f)`` into a temporary file renamed over it: never half a file, never
    through a link."""
    with replacing(path, private=True) as tmp, open(tmp, "wb") as f:
        write(f)


def _cache_folder(store: Path) -> Path | None:
    """``store/cache`` when it is (or can be made) a real folder of this user's; None, said once, otherwise."""
    cache = store / "cache"
    try:
        st = os.lstat(cache)
    except FileNotFoundError:
        try:
            if os.lstat(store).st_uid != os.geteuid():
                _note_once(f"the store at {str(store)!r} belongs to another user: nothing is written into it, "
                           "so its graph is built from its tables each time (not cached)")
                return None
            cache.mkdir()
        except FileExistsError:
            return _cache_folder(store)
        return cache
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
        return cache
    what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else \
        "another user's folder" if stat.S_ISDIR(st.st_mode) else "not a folder"
    _note_once(f"the graph cache {str(cache)!r} is {what}: nothing is written there; the graph is answered "
               "from the store's tables, without caching")
    return None


def _write_cache(G: KnowledgeGraph, store: Path, fingerprint: str | None = None) -> bytes | None:
    """Pickle ``G`` into ``store/cache``; signed now when ``fingerprint`` is known, else by ``_sign_cache`` later.

    Returns the pickle's SHA-256 digest (None when this user has no cache key, or ``store/cache`` is not
    a real folder of this user's).
    """
    key = _cache_key()
    if key is None:
        return None
    cache = _cache_folder(store)
    if cache is None:
        return None
    G.orgs()  # the lookups by label, province and sector travel in the cache, computed once per build
    # streamed: no second copy of the graph in memory
    _replace_file(cache / "graph.pickle", lambda f: pickle.dump(G, f, protocol=pickle.HIGHEST_PROTOCOL))
    with os.fdopen(versions.open_regular(cache / "graph.pickle"), "rb") as f:
        digest = hashlib.file_digest(f, "sha256").digest()
    if fingerprint is not None:
        _sign_cache(store, digest, fingerprint, key)
    return digest


def _sign_cache(store: Path, digest: bytes | None, fingerprint: str, key: bytes | None = None) -> None:
    key = key or _cache_key()
    if digest is not None and key is not None and _cache_folder(store) is not None:
        signature = _sign(digest, fingerprint, key).encode()
        _replace_file(store / "cache" / "graph.sig", lambda f: f.write(signature))


def _write_error(path: Path, err: OSError) -> StoreError:
    """One line for a build that could not write: where, why, what to do, and that nothing changed."""
    where = err.filename or path
    if err.errno == errno.ENOSPC:
        return StoreError(f"cannot write the store {str(path)!r}: no space left on the device ({where}); "
                          "free some space and build again; the existing store is unchanged")
    return StoreError(f"cannot write the store {str(path)!r}: {err.strerror or err} ({where}); "
                      "check the folder's permissions or choose another --store; the existing store is unchanged")


def _check_target(path: Path) -> None:
    """Refuse to put a store where something else is: a file, or a folder of other things."""
    if path.is_symlink() or not path.exists():
        return
    if not path.is_dir():
        raise StoreError(f"{str(path)!r} is a file, not a store folder; choose another --store")
    if not store_exists(path) and any(path.iterdir()):
        raise StoreError(f"{str(path)!r} is a folder with other files in it, not a jjjkg store; "
                         "choose another --store (a build replaces the whole folder)")


#: ``save_store(..., based_on=ANY)``: replace whatever store is there (a build from a data folder)
ANY = object()


def save_store(tables: Tables, path: str | Path, G: KnowledgeGraph | None = None, *, based_on=ANY) -> dict:
    """Write ``tables`` (and the graph built from them) as a store at ``path``, atomically.

    Returns the store's metadata.

    Parameters
    ----------
    based_on : str or None, optional
        For tables derived from the store (an import): the fingerprint of the store they were read
        from, or None when there was no store. Compared under the writer lock, so that a build or
        import that finished meanwhile is never silently reverted.

    Raises
    ------
    StoreError
        When ``path`` holds something that is not a store, the store changed since ``based_on``, or
        the store cannot be written (a full disk, no permission); the existing store is then unchanged.
    """
    path = versions.store_location(Path(path))
    try:
        _check_target(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with versions.writer_lock(path):
            _check_target(path)
            if based_on is not ANY:
                _check_unchanged(path, based_on)
            versions.collect(path)
            tmp = versions.new_build_dir(path)
            try:
                meta = _write_new_store(tables, tmp, G)
                versions.publish(tmp, path)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            versions.collect(path)
    except OSError as err:
        raise _write_error(path, err) from err
    except OutputError as err:
        raise (_write_error(path, err.oserror) if err.oserror else StoreError(str(err))) from err
    return meta


def _check_unchanged(path: Path, based_on: str | None) -> None:
    """Refuse when the store at ``path`` is no longer the one with fingerprint ``based_on`` (writer lock held)."""
    now = Store(path).fingerprint if store_exists(path) else None
    if now != based_on:
        was = f"fingerprint {based_on[:12]}" if based_on else "no store"
        found = f"fingerprint {now[:12]}" if now else "no store"
        raise StoreError(f"the store {str(path)!r} changed while this was prepared (read with {was}, now {found}: "
                         "another build or import finished meanwhile); nothing was written: run the command again")


def _write_new_store(tables: Tables, tmp: Path, G: KnowledgeGraph | None) -> dict:
    # a graph the caller made already is cached; otherwise none is made (the first analysis makes it)
    digest = _write_cache(G, tmp) if G is not None else None
    _write_tables(tables, tmp / "tables")
    arrays = write_arrays(tables, tmp)
    fingerprint = _fingerprint(tmp / "tables")
    if G is not None:
        G.graph["fingerprint"] = fingerprint
    meta = {
        "format_version": FORMAT_VERSION,
        "fingerprint": fingerprint,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data_source": tables.source,
        **({"imports": tables.imports} if tables.imports else {}),
        "counts": {name: len(df) for name, df in tables.items()},
        "nodes": arrays["nodes"],
        "edges": arrays["edges"],
        "warnings": len(tables.warnings),
        "arrays": arrays,
    }
    write_text(tmp / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2))
    _sign_cache(tmp, digest, fingerprint)
    return meta


class Store:
    """An opened store: its metadata, its tables and its graph, each read on first use.

    The store is read from the version that was current when it was opened (``root``), which no
    build deletes while this object lives; ``path`` is the path the user named.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._pin: int | None = None
        self._open()

    def _open(self) -> None:
        """Read meta.json of the current version, pinned; look again once when a build switched it meanwhile."""
        self._release()
        for attempt in range(3):
            self.root = versions.current_root(self.path)
            self._pin = versions.pin(self.root)
            if self._pin is not None and not versions.pinned_here(self._pin, self.root):
                self._release()
                continue  # collected between resolving and locking: the path points elsewhere now
            if not store_exists(self.root):
                self._release()
                if attempt == 0 and versions.wait_for_writer(self.path):
                    continue  # a build may be switching a plain-folder store: look again once it is done
                if self.path.is_symlink():
                    raise StoreError(f"no store at {str(self.path)!r}: it is a link to {os.readlink(self.path)!r}, "
                                     "which is not there (to copy a store, copy what the link points to: cp -rL); "
                                     f"run `jjjkg build --store {self.path}`")
                raise StoreError(f"no store at {str(self.path)!r}: run `jjjkg build --store {self.path}` first")
            break
        self.meta = self._read_meta()
        self._tables: Tables | None = None
        self._graph: KnowledgeGraph | None = None
        self._nodes: KnowledgeGraph | None = None
        self._arrays: Arrays | None = None

    def _read_meta(self) -> dict:
        meta_path = self.root / "meta.json"

        def damaged(why) -> str:
            return (f"the store at {str(self.path)!r} is damaged ({meta_path.name}: {why}); "
                    f"rebuild it with `jjjkg build`")

        try:
            meta = json.loads(_read_small(meta_path).decode("utf-8"))
        except OSError as err:
            raise StoreError(damaged(err.strerror or err)) from err
        except ValueError as err:
            raise StoreError(damaged(err)) from err
        if not isinstance(meta, dict):
            raise StoreError(damaged(f"expected an object, found {type(meta).__name__}"))
        version = meta.get("format_version")
        if version != FORMAT_VERSION:
            raise StoreError(f"the store at {str(self.path)!r} has format version {version!r}, this jjjkg reads "
                             f"{FORMAT_VERSION}; rebuild it with `jjjkg build`")
        if not isinstance(meta.get("fingerprint"), str):
            raise StoreError(damaged("no fingerprint"))
        return meta

    def _release(self) -> None:
        if self._pin is not None:
            os.close(self._pin)
            self._pin = None

    def __del__(self):
        self._release()

    def _switched(self) -> bool:
        """Whether a build replaced the store since it was opened (the path leads elsewhere, or to other tables)."""
        if versions.current_root(self.path) != self.root:
            return True
        try:
            meta = json.loads(_read_small(self.root / "meta.json").decode("utf-8"))
            return meta.get("fingerprint") != self.fingerprint
        except (OSError, ValueError, AttributeError):
            return False

    def _retrying(self, read):
        """``read()``; once more from the new store when it failed because a build switched the store."""
        try:
            return read()
        except StoreError:
            if not self._switched():
                raise
        self._open()
        return read()

    @property
    def fingerprint(self) -> str:
        return self.meta["fingerprint"]

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            self._tables = self._retrying(self._read_tables)
        return self._tables

    def _read_tables(self) -> Tables:
        import pyarrow.parquet as pq

        frames = {}
        try:
            for name in Tables.NAMES:
                frames[name] = pq.read_table(self.root / "tables" / f"{name}.parquet").to_pandas()
        except (OSError, ValueError) as err:
            raise StoreError(f"cannot read the store's tables at {str(self.path)!r} ({err}); "
                             f"rebuild it with `jjjkg build`") from err
        if self._pin is None and self._switched():  # a plain-folder store replaced while it was read
            raise StoreError(f"the store at {str(self.path)!r} was replaced while it was read")
        imports = self.meta.get("imports")
        imports = [i for i in imports if isinstance(i, dict)] if isinstance(imports, list) else []
        return Tables(**frames, source=self.meta.get("data_source", ""), imports=imports)

    def has_arrays(self) -> bool:
        """Whether the store holds graph arrays (every store this jjjkg builds; not those of older ones)."""
        return isinstance(self.meta.get("arrays"), dict)

    def arrays(self) -> Arrays:
        """The graph's columnar arrays, memory-mapped and checked on first use (``arrays.read_arrays``).

        Raises
        ------
        StoreError
            The store has none (built by an older jjjkg), or a file is not what meta.json says.
        """
        if self._arrays is None:
            self._arrays = self._retrying(lambda: read_arrays(self.root, self.meta, self.path))
        return self._arrays

    def loaded_graph(self) -> KnowledgeGraph | None:
        """The graph when this store has read it already, else None (nothing is read)."""
        return self._graph

    def nodes(self) -> KnowledgeGraph:
        """The graph when it is read already, else its nodes without relations (``lookup.read_nodes``):
        enough to bind an analysis's parameters and to name ids, at a fraction of reading the graph."""
        if self._graph is not None:
            return self._graph
        if self._nodes is None:
            self._nodes = self._retrying(self._read_nodes)
        return self._nodes

    def _read_nodes(self) -> KnowledgeGraph:
        from .lookup import read_nodes

        try:
            return read_nodes(self.root / "tables", self.arrays() if self.has_arrays() else None)
        except (OSError, ValueError, KeyError) as err:
            raise StoreError(f"cannot read the store's tables at {str(self.path)!r} ({err}); "
                             f"rebuild it with `jjjkg build`") from err

    def graph(self) -> KnowledgeGraph:
        """The knowledge graph: from the signed cache when it verifies, else built from the tables."""
        if self._graph is None:
            self._graph = self._retrying(lambda: self._cached_graph() or self._rebuild_graph())
            self._graph.graph["fingerprint"] = self.fingerprint
        return self._graph

    def _cached_graph(self) -> KnowledgeGraph | None:
        pkl, sig = self.root / "cache" / "graph.pickle", self.root / "cache" / "graph.sig"
        key = _cache_key()
        if key is None or not pkl.exists() or not sig.exists():
            return None
        try:
            fingerprint = _fingerprint(self.root / "tables")
        except OSError:
            return None
        if fingerprint != self.fingerprint:
            raise StoreError(f"the store's tables at {str(self.path)!r} do not match its meta.json; "
                             f"rebuild it with `jjjkg build`")
        try:
            payload = _read_small(pkl, limit=None)
            signature = _read_small(sig).decode("ascii").strip()
        except (OSError, ValueError) as err:
            _note(f"the graph cache {str(self.path / 'cache' / pkl.name)!r} cannot be read ({getattr(err, 'strerror', None) or err}); "
                  f"the graph is built from the tables instead (`jjjkg build --store {self.path}` rewrites the store)")
            return None
        if not hmac.compare_digest(signature, _sign(hashlib.sha256(payload).digest(), fingerprint, key)):
            return None  # written elsewhere, or for other tables: never unpickled
        from ..build import KnowledgeGraph, no_gc

        with no_gc():
            G = pickle.loads(payload)
        return G if isinstance(G, KnowledgeGraph) else None

    def _rebuild_graph(self) -> KnowledgeGraph:
        G = build_graph(self.tables)
        G.graph["fingerprint"] = self.fingerprint
        try:
            _write_cache(G, self.root, self.fingerprint)
        except (OSError, OutputError):
            pass  # a read-only store, a full disk: it still opens, it is just slower next time
        return G


#: the most of meta.json (or a signature) read: a few hundred bytes when jjjkg wrote it
SMALL_FILE = 1 << 20


def _read_small(path: Path, limit: int | None = SMALL_FILE) -> bytes:
    """The bytes of a store's regular file, at most ``limit``: never through a final link, never from a FIFO
    or a device, never gigabytes of a planted file. ``OSError`` otherwise (``EFBIG`` when too large)."""
    fd = versions.open_regular(path)
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if limit is not None and size > limit:
            raise OSError(errno.EFBIG, f"{size:,} bytes, more than a store writes ({limit:,} at most)", str(path))
        return f.read(size if limit is None else limit + 1)


def _note(msg: str) -> None:
    import sys

    print(f"note: {msg}", file=sys.stderr, flush=True)


_noted: set[str] = set()


def _note_once(msg: str) -> None:
    if msg not in _noted:
        _noted.add(msg)
        _note(msg)


def open_or_build(path: str | Path, tables, *, on_build=None) -> Store:
    """Open the store at ``path``, building it from ``tables()`` first when there is none.

    Under the store's writer lock, so a build under way finishes first (and two commands never build
    at once); a store path whose link was lost is pointed back at its newest version; and nothing is
    built where an interrupted build left remains: those may be the user's own data.

    Parameters
    ----------
    path : str or Path
        The store.
    tables : callable
        Returns the ``Tables`` to build from; called only when a build is needed.
    on_build : callable, optional
        Called with ``"start"`` and ``"done"`` around the build, to tell the user.

    Raises
    ------
    StoreError
        When remains of an interrupted build lie beside a missing store.
    """
    path = Path(path)
    if store_exists(path):
        return Store(path)
    location = versions.store_location(path)
    with versions.writer_lock(location):
        if not store_exists(path):
            versions.recover(location)
        if not store_exists(path):
            rest = versions.leftovers(location)
            if rest:
                raise StoreError(f"no store at {str(path)!r}, but {rest[0].name!r} beside it "
                                 f"{'and others are' if len(rest) > 1 else 'is'} left from an interrupted build; "
                                 "run `jjjkg build` (with --data if it was your own data) to rebuild it")
            if on_build:
                on_build("start")
            save_store(tables(), path)
            if on_build:
                on_build("done")
    return Store(path)


def open_store(path: str | Path | None = None) -> Store:
    """Open the store at ``path`` (default: ``default_store_path()``)."""
    return Store(path or default_store_path())
