"""Where a store's files live on disk, and how a rebuilt store replaces the old one in one step.

A store path is a symbolic link to a complete version folder beside it (for ``./.jjjkg`` the names
begin ``..jjjkg.``)::

    my_store -> .my_store.v-20261128T233000123456-1a2b3c     (relative, so the folder can be moved)
    .my_store.v-20261128T233000123456-1a2b3c/                meta.json, tables/, cache/, .readers
    .my_store.lock                                           held by the one build writing this store

A build holds the lock, writes a new folder (``.NAME.new-*``), renames it to a version and points
the store path at it by renaming a new link over the old one: readers see the old store or the new,
never a mix or nothing. A reader holds a shared lock on its version's ``.readers`` file for as long
as it uses it, so a version is deleted only when no reader holds it. Leftovers of a killed build
(``.NAME.new-*``, ``.NAME.link-*``, ``.NAME.trash-*``) and versions no one uses any more are collected
by the next build. A store written as a plain folder (by earlier versions of jjjkg) is still read,
and becomes a version on its next rebuild.

Only entries with these names, beside the store and owned by this user, are ever deleted.

Readers: ``graph.store``, and the command line when it builds the default store on first use.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreError
from .locks import wait_lock

__all__ = ["READERS_FILE", "store_location", "current_root", "writer_lock", "wait_for_writer", "new_build_dir",
           "publish", "collect", "recover", "leftovers", "pin", "pinned_here"]

#: the file in a version folder that readers hold a shared lock on
READERS_FILE = ".readers"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_LEFTOVER_KINDS = ("new", "link", "trash", "old")  # "old": the swap folders of earlier jjjkg versions


def _sibling(path: Path, kind: str, suffix: str = "") -> Path:
    return path.parent / f".{path.name}.{kind}-{suffix}"


def _is_ours(path: Path, kind: str, entry: str) -> bool:
    """Whether ``entry`` (a name beside ``path``, or where its link points) is one a build of ``path`` makes.

    The part after the kind has no ``.`` and no ``/``: ``.proj.v-1.v-…`` is a version of the store
    ``proj.v-1``, not of ``proj``, and a link to ``.proj.v-x/../..`` leads out of the folder.
    """
    prefix = f".{path.name}.{kind}-"
    return entry.startswith(prefix) and not any(c in entry[len(prefix):] for c in "./")


def _version_name(path: Path) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    return f".{path.name}.v-{stamp}-{secrets.token_hex(3)}"


def store_location(path: Path) -> Path:
    """The path a build writes: ``path`` itself, or where a user's own link at ``path`` points."""
    path = Path(os.path.abspath(path))
    if path.is_symlink() and not _is_ours(path, "v", os.readlink(path)):
        if not _mine(path):  # e.g. planted in a shared temporary folder to aim a build elsewhere
            raise StoreError(f"{str(path)!r} is a link made by another user; choose another --store")
        target = Path(os.path.abspath(path.parent / os.readlink(path)))  # one step: a link to a store stays one
        # a link copied along with a folder from others may aim at any folder: a build follows it only
        # into a folder of this user's (or a new one in a folder of this user's)
        where = target if os.path.lexists(target) else target.parent
        if not _mine(where) or not _mine(Path(os.path.realpath(where))):
            raise StoreError(f"{str(path)!r} is a link to {str(target)!r}, which belongs to another user: a build "
                             "does not write there; choose another --store")
        return target
    return path


def current_root(path: Path) -> Path:
    """The folder holding the store's files now: its current version, or the plain folder itself.

    A version folder must be a folder: one that is itself a link (a store copied with ``cp -r`` from
    someone who planted it) would lead anywhere, and is refused.
    """
    path = Path(os.path.abspath(path))
    if path.is_symlink():
        target = os.readlink(path)
        if _is_ours(path, "v", target) and os.path.islink(path.parent / target):
            raise StoreError(f"the store {str(path)!r} points to {target!r}, which is a link, not a version folder: "
                             "refused (a store's versions are folders beside it; copy a store with cp -rL)")
    return Path(os.path.realpath(path))


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """A descriptor of the regular file ``path``: never through a final link, never blocking on a FIFO.

    Raises ``OSError`` (``EISDIR`` for a folder, ``EINVAL`` for a device or FIFO) otherwise.
    """
    fd = os.open(path, flags | _NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0), mode)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    os.set_blocking(fd, True)
    return fd


def _lock_path(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


def _open_lock(path: Path, create: bool) -> int | None:
    lock = _lock_path(path)
    try:
        return open_regular(lock, os.O_RDONLY | (os.O_CREAT if create else 0))
    except OSError as err:
        if create:
            raise StoreError(f"the store's lock file {str(lock)!r} is not a plain file of yours ({err.strerror}): "
                             "refused; delete it (or choose another --store) and build again") from err
        return None


#: the writer locks this process holds (path → depth), so an auto-build that holds one may save
_held: dict[Path, int] = {}


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the store's writer lock: one build (or auto-build) of ``path`` at a time; re-entrant."""
    key = Path(os.path.abspath(path))
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = _open_lock(key, create=True)
    try:
        wait_lock(fd, fcntl.LOCK_EX, _lock_path(key), "the store's writer lock")
        _held[key] = 1
        yield
    finally:
        _held.pop(key, None)
        os.close(fd)  # closing releases the lock


def wait_for_writer(path: Path) -> bool:
    """Wait until no build holds ``path``'s writer lock; False when there is no lock file to wait on."""
    fd = _open_lock(path, create=False)
    if fd is None:
        return False
    try:
        wait_lock(fd, fcntl.LOCK_SH, _lock_path(path), "the store's writer lock")
    finally:
        os.close(fd)
    return True


def new_build_dir(path: Path) -> Path:
    """A fresh private folder beside ``path`` for a build to write into."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # as mkdir would: colleagues who may read the folder may read the store
    (tmp / READERS_FILE).touch()
    return tmp


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def publish(new: Path, path: Path) -> Path:
    """Make the complete folder ``new`` the store at ``path``; the writer lock must be held.

    Returns the version folder. A plain-folder store at ``path`` becomes an old version, collected later.
    """
    version = path.parent / _version_name(path)
    os.rename(new, version)
    link = _sibling(path, "link", secrets.token_hex(4))
    try:
        os.symlink(version.name, link)
    except OSError:  # a file system without symbolic links: the plain-folder layout, two renames
        if path.exists():
            os.rename(path, _sibling(path, "trash", secrets.token_hex(4)))
        os.rename(version, path)
        return path
    if path.is_dir() and not path.is_symlink():
        _stop_engine(path)  # its server's files move with the folder: stop it while they are where it knows
        old = path.parent / _version_name(path)
        if _exchange(link, path):  # the store path is the new link, and `link` the old folder
            os.rename(link, old)
        else:
            os.rename(path, old)
            os.replace(link, path)
    else:
        os.replace(link, path)
    _fsync_dir(path.parent)
    return version


def _siblings(path: Path) -> Iterator[tuple[str, Path]]:
    """(kind, entry) for every entry beside ``path`` that a build of ``path`` made."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for entry in names:
        for kind in ("v",) + _LEFTOVER_KINDS:
            if _is_ours(path, kind, entry):
                yield kind, path.parent / entry


def _mine(p: Path) -> bool:
    try:
        return os.lstat(p).st_uid == os.geteuid()
    except OSError:
        return False


def _remove(p: Path) -> None:
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink()
    except OSError:
        pass


def _stop_engine(folder: Path) -> None:
    """Stop the embedded server of the store whose files are in ``folder``, if one runs."""
    try:
        from .falkordb import stop

        stop(folder)
    except Exception:  # noqa: BLE001 — a server that cannot be stopped must not keep old data forever
        pass


def _try_unused(version: Path) -> int | None:
    """An exclusive lock on ``version``'s readers file (-1 when it has none), or None when a reader holds it."""
    try:
        fd = open_regular(version / READERS_FILE)
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def collect(path: Path) -> list[Path]:
    """Delete what earlier builds of ``path`` left: dead build folders and versions no reader holds.

    The writer lock must be held (so no build is writing). Returns what was deleted.
    """
    current = os.readlink(path) if path.is_symlink() else None
    gone = []
    for kind, p in _siblings(path):
        if not _mine(p) or (kind == "v" and p.name == current):
            continue
        if os.path.islink(p):  # a link named like ours: the link goes, nothing it points to is touched
            _remove(p)
            gone.append(p)
            continue
        if kind == "v":
            fd = _try_unused(p)
            if fd is None:
                continue  # a reader still uses it; a later build collects it
            try:
                _stop_engine(p)
                trash = _sibling(path, "trash", secrets.token_hex(4))
                os.rename(p, trash)
            except OSError:
                continue
            finally:
                if fd >= 0:
                    os.close(fd)
            p = trash
        _remove(p)
        gone.append(p)
    return gone


def recover(path: Path) -> Path | None:
    """Point a missing store path at its newest complete version, if one is beside it (writer lock held).

    Only an interruption between the two renames of a plain-folder store's first switch (on a file
    system without an atomic exchange) leaves this state.
    """
    if os.path.lexists(path):
        return None
    versions = [p for kind, p in _siblings(path) if kind == "v" and _mine(p) and (p / "meta.json").is_file()]
    if not versions:
        return None
    newest = max(versions, key=lambda p: (p / "meta.json").stat().st_mtime_ns)
    link = _sibling(path, "link", secrets.token_hex(4))
    os.symlink(newest.name, link)
    os.replace(link, path)
    return newest


def leftovers(path: Path) -> list[Path]:
    """Everything beside ``path`` that its builds made, except the current version."""
    current = os.readlink(path) if path.is_symlink() else None
    return sorted(p for kind, p in _siblings(path) if p.name != current)


def pin(root: Path) -> int | None:
    """A shared lock on version ``root``, held while it is read; None for a plain-folder store or a version
    that went away between resolving and locking it (its meta.json is gone too, and the reader looks again).
    """
    try:
        fd = open_regular(root / READERS_FILE)
    except OSError:
        return None
    try:
        wait_lock(fd, fcntl.LOCK_SH, root / READERS_FILE, "the store's readers file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def pinned_here(fd: int, root: Path) -> bool:
    """Whether the readers file locked by ``fd`` is still the one in ``root`` (not moved to the trash)."""
    try:
        a, b = os.fstat(fd), os.stat(root / READERS_FILE, follow_symlinks=False)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) and stat.S_ISREG(b.st_mode)
