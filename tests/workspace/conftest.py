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


def serve_for_module(store: Path, state: Path, accounts: dict[str, str], password: str, env=None):
    """A generator for a module's server fixture: ``jjjkg serve`` on ``store`` with ``accounts`` (name → role,
    all with ``password``) added to a fresh ``state`` folder; yields its origin (no trailing slash). The
    server's log goes to ``serve.log`` beside the state folder, and the server is ended with SIGTERM."""
    from workspace.bundle import bundle_problem

    problem = bundle_problem()
    if problem:
        pytest.fail(problem)
    env = {**os.environ, **(env or {})}
    for name, role in accounts.items():
        jjjkg("users", "add", name, "--role", role, "--password-stdin", "--state", str(state),
              input=password + "\n", env=env)
    log = state.parent / "serve.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "jjjkg", "serve", "--store", str(store), "--state", str(state),
                                 "--port", "0"], stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line + log.read_text()
        yield line.split()[1].rstrip("/")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def signed_in_pages(chromium, origin: str, password: str, dialogs_are_errors: bool = False):
    """A generator for a ``sign_in`` fixture: yields ``open_(name, width=1366, height=768)``, which gives a page
    signed in as ``name`` with the console errors of the page and its frames (with ``dialogs_are_errors``, a
    dialog counts as one; otherwise Playwright dismisses it) and every URL the page asked for; every context is
    closed at the end."""
    contexts = []

    def open_(name: str, width: int = 1366, height: int = 768):
        ctx = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(ctx)
        page = ctx.new_page()
        errors, urls = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        if dialogs_are_errors:
            page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
        ctx.on("request", lambda r: urls.append(r.url))
        page.goto(origin + "/login")
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(origin + "/")
        return page, errors, urls

    yield open_
    for c in contexts:
        c.close()
