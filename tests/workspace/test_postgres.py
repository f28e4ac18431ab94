"""The workspace's data in a real PostgreSQL (Debian's package), started by the test and stopped after it."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from .conftest import Server, add_accounts, jjjkg, sign_in


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


@pytest.fixture(scope="module")
def postgres_url():
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb:
        pytest.skip("no PostgreSQL server binaries: apt-get install postgresql (scripts/setup-system.sh does)")
    top = Path(tempfile.mkdtemp(prefix="jjjkg-pg-"))
    data, sock = top / "data", top / "sock"
    data.mkdir()
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the package's postgres account
        pg = pwd.getpwnam("postgres")
        os.chmod(top, 0o755)
        for p in (data, sock):
            os.chown(p, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    run = lambda *a: subprocess.run([*as_user, *a], check=True, capture_output=True, text=True)  # noqa: E731
    run(initdb, "-D", str(data), "-U", "jjjkg", "--auth=trust", "-E", "UTF8", "--locale=C")
    run(pg_ctl, "-D", str(data), "-w", "-l", str(data / "log"), "-o",
        f"-k {sock} -c listen_addresses='' -c fsync=off", "start")
    try:
        run(_bin("createdb") or "createdb", "-h", str(sock), "-U", "jjjkg", "jjjkg_ws")
        yield f"postgresql://jjjkg@/jjjkg_ws?host={sock}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


def test_accounts_and_audit_live_in_postgres(postgres_url, bundled_store, tmp_path):
    state = tmp_path / "pgstate"
    add_accounts(state, extra=("--database", postgres_url))
    assert "admin\tadmin" in jjjkg("users", "list", "--state", state, "--database", postgres_url).stdout
    # the SQLite file of the state folder is not used
    assert not (state / "workspace.sqlite3").exists()
    server = Server(bundled_store, state, "--database", postgres_url)
    try:
        s = sign_in(server, "viewer")
        assert s.sign_in_status == 302
        assert s.get(server.url + "api/search", params={"q": "氢能"}, timeout=30).json()
        admin = sign_in(server, "admin")
        rows = admin.get(server.url + "api/audit", timeout=30).json()
        assert ("viewer", "login") in [(r["user"], r["action"]) for r in rows]
    finally:
        rc, err = server.stop()
    assert rc == 0, err
    out = subprocess.run([_bin("psql") or "psql", postgres_url, "-At", "-c",
                          "select count(*) from workspace_auditevent where action = 'login'"],
                         capture_output=True, text=True, check=True).stdout
    assert int(out.strip()) >= 2


def test_a_database_that_is_down_is_one_line(tmp_path):
    r = jjjkg("users", "add", "x", "--role", "viewer", "--password-stdin", "--state", tmp_path / "s",
              "--database", f"postgresql://nobody@/nothing?host={tmp_path}", input="x-pass-20261\n", check=False)
    assert r.returncode == 1 and "workspace database" in r.stderr and "Traceback" not in r.stderr
