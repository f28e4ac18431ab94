"""Fixtures for the workspace: a real ``jjjkg serve`` process on loopback, accounts of each role, clients.

The server is the command users run (a subprocess: waitress, Django, the store in memory), started
with a fresh state folder; accounts are added with ``jjjkg users add``. Clients are ``requests``
sessions that sign in through ``/login`` as a browser does; pages are driven in Debian's Chromium.
Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
PASSWORDS = {"viewer": "viewer-pass-2026", "analyst": "analyst-pass-2026", "editor": "editor-pass-2026",
             "admin": "admin-pass-2026"}


def jjjkg(*args, env=None, input=None, check=True, timeout=120) -> subprocess.CompletedProcess:
    """Run the command line as users do."""
    r = subprocess.run([sys.executable, "-m", "jjjkg", *map(str, args)], capture_output=True, text=True, input=input,
                       env={**os.environ, **(env or {})}, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"jjjkg {' '.join(map(str, args))} → {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def add_accounts(state: Path, env=None, extra=()) -> None:
    for role, pw in PASSWORDS.items():
        jjjkg("users", "add", role, "--role", role, "--password-stdin", "--state", state, *extra, input=pw + "\n",
              env=env)


class Server:
    """A running ``jjjkg serve``: its address, process and what it printed."""

    def __init__(self, store: Path, state: Path, *args, env=None):
        self.store, self.state = store, state
        self.proc = subprocess.Popen([sys.executable, "-m", "jjjkg", "serve", "--store", str(store), "--state",
                                      str(state), "--port", "0", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+)/)\n", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"no serving line: {line!r}\n{self.proc.stderr.read()}")
        self.url, self.port = m.group(1), int(m.group(2))

    def stop(self) -> tuple[int, str]:
        if self.proc.stdout.closed:
            return self.proc.returncode, ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc, err


def sign_in(server: Server, role: str, password: str | None = None):
    """A ``requests`` session signed in as the account named after ``role``."""
    import requests

    s = requests.Session()
    s.get(server.url + "login", timeout=30)
    token = s.cookies.get("csrftoken")
    r = s.post(server.url + "login", data={"username": role, "password": password or PASSWORDS[role],
                                           "csrfmiddlewaretoken": token},
               headers={"Referer": server.url + "login"}, allow_redirects=False, timeout=30)
    s.sign_in_status = r.status_code
    s.csrf = s.cookies.get("csrftoken")
    s.base = server.url
    return s


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("ws") / "bundled"
    jjjkg("build", "--store", store)
    return store


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("ws") / "tiny"
    jjjkg("build", "--data", TINY, "--store", store)
    return store


@pytest.fixture(scope="session")
def server(bundled_store, tmp_path_factory):
    """The workspace on the bundled store, with one account per role (shared by the read-only tests)."""
    state = tmp_path_factory.mktemp("state") / "ws"
    add_accounts(state)
    srv = Server(bundled_store, state)
    yield srv
    rc, err = srv.stop()
    assert rc == 0, err


@pytest.fixture(scope="session")
def clients(server):
    """Signed-in sessions, one per role."""
    return {role: sign_in(server, role) for role in PASSWORDS}


@pytest.fixture
def fresh_server(tmp_path, bundled_store):
    """A server of the test's own (for tests that lock accounts, rebuild stores or stop it)."""
    made = []

    def make(store=None, *args, env=None, accounts=True):
        state = tmp_path / f"state{len(made)}"
        if accounts:
            add_accounts(state, env=env)
        srv = Server(store or bundled_store, state, *args, env=env)
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()


def wait_for(predicate, timeout: float = 10.0, step: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
