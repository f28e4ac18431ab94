"""The console's own FalkorDB servers, so that 取消 can end one analyst's statement and nothing else.

FalkorDB has no command that stops one running query, and closing the connection does not stop it
either: the only way to end a statement on the server is to end the server. So console statements
never run on the store's shared server (the one ``jjjkg cypher`` and the analyses use); they run on
a small pool of servers of the workspace's own, each holding the store's graph and running **one
statement at a time**. 取消 kills the server of that statement (``EmbeddedEngine.abort``); it is
restarted and reloaded before its next statement, and no one else's statement was on it.

The servers' files live in ``<state>/console-engines/<n>/`` (0700); ``close_all`` stops them when
``jjjkg serve`` ends. Limits: at most ``PER_ACCOUNT`` running statements per account, at most the
pool's size in all (``JJJKG_CONSOLE_SERVERS``, default 3), each with its role's timeout
(``JJJKG_CONSOLE_TIMEOUT``: seconds for every role, or ``analyst=20,admin=60``; default 30 s).
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import JjjkgError

__all__ = ["ConsoleEngines", "TooManyRuns", "PER_ACCOUNT", "DEFAULT_TIMEOUT", "role_timeout", "engines",
           "close_all"]

#: running console statements one account may have at once
PER_ACCOUNT = 2
#: seconds a console statement may run, unless JJJKG_CONSOLE_TIMEOUT says otherwise
DEFAULT_TIMEOUT = 30.0
_FOLDER = "console-engines"


class TooManyRuns(JjjkgError):
    """The account (or the whole workspace) already runs as many statements as it may."""


def role_timeout(role: str | None, text: str | None = None) -> float:
    """Seconds a statement of ``role`` may run: ``JJJKG_CONSOLE_TIMEOUT`` (``30`` or ``analyst=20,admin=60``).

    >>> role_timeout("analyst", "analyst=2,admin=60"), role_timeout("editor", "analyst=2"), role_timeout("admin", "5")
    (2.0, 30.0, 5.0)
    """
    text = os.environ.get("JJJKG_CONSOLE_TIMEOUT", "") if text is None else text
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.rpartition("=")
        try:
            seconds = float(value)
        except ValueError:
            raise JjjkgError(f"JJJKG_CONSOLE_TIMEOUT: {part!r} is not a number of seconds "
                             "(write 30, or analyst=20,admin=60)") from None
        if not 0 < seconds <= 86400:
            raise JjjkgError(f"JJJKG_CONSOLE_TIMEOUT: {part!r}: expected seconds above 0 and at most 86400")
        values[key.strip() or "*"] = seconds
    return values.get(role or "", values.get("*", DEFAULT_TIMEOUT))


@dataclass
class Run:
    """One statement running on a console server."""

    user: str
    run_id: str
    slot: int
    engine: object
    started: float = field(default_factory=time.monotonic)
    cancelled: threading.Event = field(default_factory=threading.Event)


class ConsoleEngines:
    """A pool of FalkorDB servers under ``folder``, one running statement each."""

    def __init__(self, folder: Path, size: int):
        if size < 1:
            raise JjjkgError(f"JJJKG_CONSOLE_SERVERS: expected at least 1 server, got {size}")
        self.folder = Path(folder)
        self.size = size
        self._lock = threading.Lock()
        self._free = list(range(size))
        self._engines: dict[int, object] = {}
        self._runs: dict[str, Run] = {}

    def _slot_path(self, slot: int) -> Path:
        path = self.folder / str(slot)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path

    def running(self, user: str | None = None) -> list[Run]:
        with self._lock:
            return [r for r in self._runs.values() if user is None or r.user == user]

    @contextmanager
    def run(self, user: str, run_id: str, snapshot):
        """A ``Run`` whose engine holds ``snapshot``'s graph, for as long as the statement runs.

        Raises ``TooManyRuns`` when the account runs ``PER_ACCOUNT`` statements already, or every server
        is busy.
        """
        from graph.store.falkordb import EmbeddedEngine

        with self._lock:
            mine = sum(1 for r in self._runs.values() if r.user == user)
            if mine >= PER_ACCOUNT:
                raise TooManyRuns(f"您已有 {mine} 条语句在运行（每个账户最多 {PER_ACCOUNT} 条）：请等它们结束或取消后再运行。")
            if run_id in self._runs:
                raise TooManyRuns("这次运行的编号已在使用，请刷新页面后重试。")
            if not self._free:
                raise TooManyRuns("控制台的所有服务器都在运行语句，请稍后再试。")
            slot = self._free.pop(0)
            run = Run(user, run_id, slot, None)
            self._runs[run_id] = run
        try:
            engine = self._engines.get(slot)
            if engine is None:
                engine = self._engines[slot] = EmbeddedEngine(self._slot_path(slot))
            engine.ensure_loaded(snapshot.G, snapshot.fingerprint)
            run.engine = engine
            yield run
        finally:
            with self._lock:
                self._runs.pop(run_id, None)
                self._free.append(slot)

    def cancel(self, user: str, run_id: str) -> bool:
        """End ``user``'s statement ``run_id`` on its server; False when no such statement runs."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.user != user:
                return False
            run.cancelled.set()
            engine = run.engine
        if engine is not None:
            engine.abort()
        return True

    def close_all(self) -> None:
        """Stop every server of the pool."""
        from graph.store.falkordb import stop

        for slot, engine in list(self._engines.items()):
            engine.close()
            stop(self.folder / str(slot))
        self._engines.clear()


_engines: ConsoleEngines | None = None
_engines_lock = threading.Lock()


def engines() -> ConsoleEngines:
    """The workspace's pool (made at first use, under the state folder)."""
    global _engines
    with _engines_lock:
        if _engines is None:
            from django.conf import settings

            raw = os.environ.get("JJJKG_CONSOLE_SERVERS", "3")
            try:
                size = int(raw)
            except ValueError:
                raise JjjkgError(f"JJJKG_CONSOLE_SERVERS: expected a number of servers, got {raw!r}") from None
            _engines = ConsoleEngines(Path(settings.JJJKG.state) / _FOLDER, size)
        return _engines


def close_all() -> None:
    """Stop the console's servers (``jjjkg serve`` calls it as it ends)."""
    if _engines is not None:
        _engines.close_all()
