"""The embedded database servers a test run starts, found and stopped when the run ends.

A store's server keeps running between commands, by design: each ``jjjkg cypher`` would otherwise pay
for a start. In a test run that means every store a test queried keeps a server alive after pytest
ends, unless the test stops it. ``stop_servers`` (used by the session fixture of the top-level
``conftest.py``) finds them — the servers started in this process, and those whose configuration lies
under this run's temporary folder (started by ``jjjkg`` in a subprocess) — stops each through
``graph.store.falkordb.server.stop``, and says which are still alive afterwards, so that the run fails
instead of leaving a server behind.

Only processes of this user whose command line names a configuration inside this run's folders are
considered: other test runs on the same machine are left alone.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

#: the server folders the servers started by this process live in
STARTED: set[Path] = set()


def record_starts(monkeypatch) -> None:
    """Wrap the server start so that every server started in this process is remembered."""
    from graph.store.falkordb import engine, server

    start = server._start

    def recording_start(sdir, *args, **kwargs):
        STARTED.add(Path(sdir))
        return start(sdir, *args, **kwargs)

    # the engine module imports the function by name: both names are wrapped
    monkeypatch.setattr(server, "_start", recording_start)
    monkeypatch.setattr(engine, "_start", recording_start)


def running_servers(folders: list[Path]) -> dict[int, Path]:
    """Server processes of this user (pid → server folder) whose configuration file lies in ``folders``."""
    roots = [Path(os.path.realpath(f)) for f in folders]
    found: dict[int, Path] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != os.getuid():
                continue
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if len(args) < 2 or not args[0].endswith(b"redis-server"):
            continue
        conf = Path(os.fsdecode(args[1]))
        if any(conf.is_relative_to(r) for r in roots):
            found[int(entry.name)] = conf.parent
    return found


def stop_servers(basetemp: Path) -> tuple[list[Path], list[Path]]:
    """Stop the servers this run started; returns (the server folders stopped, those still alive after)."""
    from graph.store.falkordb.server import stop

    folders = [basetemp, *STARTED]
    alive = running_servers(folders)
    stopped = sorted(set(alive.values()))
    for sdir in stopped:
        stop(sdir.parent)  # the store version folder that holds the server folder
    deadline = time.monotonic() + 10
    left = running_servers(folders)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = running_servers(folders)
    for pid in left:  # a server that ignored the stop: end it, but still report it
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return stopped, sorted(set(left.values()))
