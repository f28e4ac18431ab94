"""Waiting for a store's lock, never for ever.

A store's lock files (``.NAME.lock`` beside it, ``.readers`` in each version) can be opened by anyone
who can read the store, and ``flock`` works on a descriptor opened for reading: another user, or a
stuck process, could otherwise hang every query and build with no message. ``wait_lock`` waits at
most ``lock_timeout()`` seconds (30, or ``$JJJKG_LOCK_TIMEOUT``), then fails with one line naming the
lock file and, where Linux's ``/proc/locks`` tells, the pid holding it.

Readers: ``versions`` (the writer lock, the readers' pins).
"""

from __future__ import annotations

import fcntl
import os
import time

from ..errors import StoreError

__all__ = ["wait_lock", "lock_timeout", "holders", "LOCK_TIMEOUT_ENV", "DEFAULT_LOCK_TIMEOUT"]

LOCK_TIMEOUT_ENV = "JJJKG_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0


def lock_timeout() -> float:
    """Seconds to wait for a lock: ``$JJJKG_LOCK_TIMEOUT`` (a positive number) or 30."""
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        raise StoreError(f"{LOCK_TIMEOUT_ENV}={text!r}: expected a number of seconds, e.g. 30")
    return value


def holders(fd: int) -> list[int]:
    """The pids ``/proc/locks`` shows holding a ``flock`` on the file of ``fd`` (empty where unknown)."""
    st = os.fstat(fd)
    ident = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            for line in f:
                parts = line.split()
                # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters are marked "->"
                if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == ident and parts[4].isdigit():
                    pid = int(parts[4])
                    if pid != os.getpid() and pid not in pids:
                        pids.append(pid)
    except OSError:
        return []
    return pids


def wait_lock(fd: int, operation: int, path, what: str) -> None:
    """``flock(fd, operation)``, waiting at most ``lock_timeout()`` seconds.

    Parameters
    ----------
    fd : int
        An open descriptor of the lock file.
    operation : int
        ``fcntl.LOCK_EX`` or ``fcntl.LOCK_SH``.
    path : path-like
        The lock file, for the message.
    what : str
        What the lock guards, for the message (e.g. ``"the store's writer lock"``).

    Raises
    ------
    StoreError
        The lock was still held by another process after the wait.
    """
    timeout = lock_timeout()
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            break
        time.sleep(pause)
        pause = min(pause * 2, 0.25)
    pids = holders(fd)
    by = (f" by pid {', '.join(map(str, pids))}" if pids else " by another process")
    raise StoreError(f"{what} {str(path)!r} is held{by} for more than {timeout:g} s: if no jjjkg command is running "
                     f"there, that process holds it without reason; end it or ask its owner (or set "
                     f"{LOCK_TIMEOUT_ENV} to wait longer)")
