"""This user's secret for signing graph caches: ``~/.config/jjjkg/cache.key``.

A store's ``cache/graph.pickle`` is unpickled only when its HMAC verifies with this key, so the key
must be one no one else can read or replace. As OpenSSH does with private keys, a key file is used
only when it is a regular file of exactly ``KEY_BYTES`` bytes, owned by this user and not readable or
writable by group or others, in a folder (and parent) no one else can write. A key that fails these
checks is replaced by a new one; a folder that fails them turns the cache off (the graph is then
rebuilt from the tables, which is slower and always safe). A new key is written to a temporary file
(0600), flushed to disk and renamed over the old, so a full disk never leaves an empty or short key.

Readers: ``graph.store`` only.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from ..errors import OutputError
from ..safe_write import write_bytes

__all__ = ["KEY_BYTES", "cache_key", "key_path"]

KEY_BYTES = 32

_warned: set[str] = set()


def key_path() -> Path:
    """``$XDG_CONFIG_HOME/jjjkg/cache.key``, else ``~/.config/jjjkg/cache.key``."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "jjjkg" / "cache.key"


def _notice(msg: str) -> None:
    """Say once per process why the cache is off (a library has no better channel than stderr here)."""
    if msg not in _warned:
        _warned.add(msg)
        print(f"note: {msg}", file=sys.stderr, flush=True)


def _unsafe_folder(folder: Path) -> str | None:
    """Why ``folder`` cannot hold a secret (another user could replace what is in it), or None."""
    for d in (folder, folder.parent):
        try:
            st = os.lstat(d)
        except OSError:
            return f"{d} cannot be inspected"
        if stat.S_ISLNK(st.st_mode) and d == folder:
            return f"{d} is a symbolic link"
        if stat.S_ISLNK(st.st_mode):
            st = os.stat(d)
        if st.st_uid not in (os.geteuid(), 0):
            return f"{d} belongs to another user (uid {st.st_uid})"
        if st.st_mode & 0o022 and not (d != folder and st.st_mode & stat.S_ISVTX):
            return f"{d} is writable by other users (mode {stat.S_IMODE(st.st_mode):04o})"
    return None


def _read_valid(path: Path) -> bytes | None:
    """The key at ``path`` if it passes every check, else None (missing, wrong size, owner or mode)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077
                or st.st_size != KEY_BYTES):
            return None
        key = os.read(fd, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == KEY_BYTES else None


def _write_new(path: Path) -> bytes | None:
    """A fresh key, written atomically over whatever is at ``path``; None when it cannot be written."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        if os.path.islink(path):  # a key that fails the checks is replaced, never written through
            os.unlink(path)
        write_bytes(path, key, private=True)  # flushed, then renamed over the old key
    except (OSError, OutputError):
        return None
    return key


def cache_key() -> bytes | None:
    """This user's cache-signing key, created or replaced when needed; None when the cache must stay off.

    Returns
    -------
    bytes or None
        ``KEY_BYTES`` secret bytes, or None when the configuration folder is unsafe or unwritable.
    """
    path = key_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    why = _unsafe_folder(path.parent)
    if why is not None:
        _notice(f"the graph cache is off: {why}; fix it (chmod go-w, chown) to reopen stores faster")
        return None
    key = _read_valid(path)
    if key is None:
        key = _write_new(path)
    return key
