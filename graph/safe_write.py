"""Writing a file so that a planted link, a crash or a full disk never harms: the one way jjjkg writes.

Every file jjjkg writes — import plans, pages, the meeting pack (``briefing.html``, ``workbook.xlsx``,
the chain figures, the PDF), exports, the store's tables and cache, the embedded server's files — is
written by ``replacing``: into a temporary file in the target's folder, flushed to disk, then renamed
over the target. A reader sees the old file or the new, whole; a full disk leaves the old file as it was.

A target that is a symbolic link or anything but a regular file is refused with one line naming it:
a colleague's folder holding ``名单.plan.csv -> ~/.bashrc`` must not get ``.bashrc`` rewritten by the
step that "changes nothing". The link and what it points to are left alone. A name that comes from
data (a sector id) becomes a file name only through ``child``: one sanitised stem, asserted inside
its folder.

Readers: everything below the command line that writes a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

__all__ = ["replacing", "open_replacing", "write_text", "write_bytes", "check_target", "make_folder", "child",
           "safe_stem", "write_failed"]

_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
          stat.S_IFSOCK: "a socket"}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_failed(path: str | Path, err: OSError) -> OutputError:
    """One line for a write the system refused: where, why, and that the old file is as it was."""
    where = f"{str(path)!r}"
    if err.errno == errno.ENOSPC:
        return OutputError(f"cannot write {where}: no space left on the device; free some space and run the "
                           "command again (nothing was replaced)", err)
    if err.errno == errno.EDQUOT:
        return OutputError(f"cannot write {where}: disk quota exceeded; free some space and run the command "
                           "again (nothing was replaced)", err)
    return OutputError(f"cannot write {where}: {err.strerror or err}; check the folder's permissions or choose "
                       "another path (nothing was replaced)", err)


def check_target(path: str | Path) -> Path:
    """``path``, if a file may be written there: nothing, or a regular file (never through a link).

    Raises
    ------
    OutputError
        ``path`` is a symbolic link, a folder, a FIFO, a device or a socket.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as err:
        raise write_failed(path, err) from err
    if stat.S_ISLNK(st.st_mode):
        try:
            to = f" (to {os.readlink(path)!r})"
        except OSError:
            to = ""
        raise OutputError(f"refused to write {str(path)!r}: it is a symbolic link{to}, and jjjkg never writes "
                          "through a link; remove the link or choose another path")
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise OutputError(f"refused to write {str(path)!r}: it is {kind}, not a regular file; choose another path")
    return path


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else os.O_NOFOLLOW))
    try:
        os.fsync(fd)
    except OSError as err:
        if not directory or err.errno not in (errno.EINVAL, errno.EBADF):  # a folder some systems cannot sync
            raise
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | Path, *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on success it is flushed and renamed over ``path``.

    The temporary file exists (empty, created by this user only); write it by name (a library that
    takes a file name) or open it. On any failure it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist (``make_folder``).
    private : bool
        Mode 0600 (a password, a signing key, a cache); otherwise 0666 less the umask, as ``open`` would.

    Raises
    ------
    OutputError
        ``path`` is a link or not a regular file, or the system refused the write (a full disk: one line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with replacing(target) as tmp:
    ...     _ = tmp.write_text("你好", encoding="utf-8")
    >>> target.read_text(encoding="utf-8")
    '你好'
    """
    path = check_target(Path(path))
    folder = path.parent
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as err:
        raise write_failed(path, err) from err
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        check_target(path)  # once more, just before: what the rename replaces is a file or nothing
        os.replace(tmp, path)
        _fsync(folder, directory=True)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise write_failed(path, err) from err
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def open_replacing(path: str | Path, mode: str = "w", *, encoding: str | None = None, newline: str | None = None,
                   private: bool = False):
    """``open`` for writing, through ``replacing``: the file appears whole when the block ends without error."""
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    with replacing(path, private=private) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC)
        with open(fd, mode, encoding=encoding, newline=newline) as f:
            yield f


def write_bytes(path: str | Path, data: bytes, *, private: bool = False) -> Path:
    """Write ``data`` to ``path`` through ``replacing``; returns ``path``."""
    with open_replacing(path, "wb", private=private) as f:
        f.write(data)
    return Path(path)


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8", private: bool = False) -> Path:
    """Write ``text`` to ``path`` through ``replacing``; returns ``path``."""
    return write_bytes(path, text.encode(encoding), private=private)


def make_folder(path: str | Path, *, link_ok: bool = True) -> Path:
    """Create the folder ``path`` (and its parents) if needed; refuse a file there, one line.

    ``link_ok=False`` for a folder jjjkg names inside an output folder (the pack's ``chains/``): a link
    found there was planted, and is refused rather than followed. The folder a user names may be a link.
    """
    path = Path(path)
    if not link_ok and os.path.islink(path):
        raise OutputError(f"refused to write into {str(path)!r}: it is a symbolic link (to {os.readlink(path)!r}), "
                          "and jjjkg never writes through a link; remove the link or choose another folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as err:
        raise OutputError(f"cannot write into {str(path)!r}: it is a file, not a folder; pass a folder path") from err
    except OSError as err:
        raise write_failed(path, err) from err
    return path


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_stem(text: str, *, limit: int = 80) -> str:
    """A file name stem from data: ASCII letters, digits, ``_ . -`` (any other character ``_``); no leading dot.

    Examples
    --------
    >>> safe_stem("x/../../name"), safe_stem("CH_BIO"), safe_stem("..")
    ('x_.._.._name', 'CH_BIO', '_')
    """
    stem = _UNSAFE.sub("_", str(text)).lstrip(".")[:limit]
    return stem if stem.strip("._-") else "_" + stem


def child(folder: str | Path, name: str) -> Path:
    """``folder / name`` for a ``name`` built from data, asserted to stay directly inside ``folder``.

    Raises
    ------
    OutputError
        ``name`` is not one plain file name (``/``, ``..``, empty).
    """
    folder = Path(folder)
    path = folder / name
    if not name or name in (".", "..") or os.sep in name or (os.altsep and os.altsep in name) \
            or Path(os.path.abspath(path)).parent != Path(os.path.abspath(folder)):
        raise OutputError(f"refused to write {name!r} in {str(folder)!r}: a file name made from data must be one "
                          "plain name inside that folder")
    return path
