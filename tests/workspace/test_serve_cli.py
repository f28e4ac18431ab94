"""`jjjkg serve`, `jjjkg users` and `jjjkg audit` as users type them."""

from __future__ import annotations

import json
import os
import stat

from .conftest import PASSWORDS, Server, jjjkg, sign_in


def test_serving_line_port_zero_and_clean_stop(bundled_store, tmp_path):
    state = tmp_path / "state"
    jjjkg("users", "add", "wang", "--role", "admin", "--password-stdin", "--state", state, input="wang-pass-2026\n")
    srv = Server(bundled_store, state)
    try:
        assert srv.port > 0
        import requests

        r = requests.get(srv.url, allow_redirects=False, timeout=30)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")
        assert r.headers["Server"] == "jjjkg"  # waitress, named; no development server banner
    finally:
        rc, err = srv.stop()
    assert rc == 0, err
    assert "Traceback" not in err


def test_state_folder_is_private_and_apart_from_stores(tmp_path, bundled_store):
    state = tmp_path / "st"
    jjjkg("users", "add", "li", "--role", "viewer", "--password-stdin", "--state", state, input="li-pass-20261\n")
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(state / "secret.key").st_mode) == 0o600
    os.chmod(state, 0o755)
    r = jjjkg("users", "list", "--state", state, check=False)
    assert r.returncode == 1 and "open to other users" in r.stderr and "Traceback" not in r.stderr
    r = jjjkg("users", "list", "--state", bundled_store, check=False)
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_users_commands(tmp_path):
    state = tmp_path / "state"
    jjjkg("users", "add", "zhao", "--role", "analyst", "--password-stdin", "--state", state, input="zhao-pass-2026\n")
    r = jjjkg("users", "add", "qian", "--role", "viewer", "--password-stdin", "--state", state, input="short\n",
              check=False)
    assert r.returncode == 1 and "password refused" in r.stderr
    r = jjjkg("users", "add", "zhao", "--role", "viewer", "--password-stdin", "--state", state, input="x-pass-20261\n",
              check=False)
    assert r.returncode == 1 and "exists already" in r.stderr
    r = jjjkg("users", "add", "sun", "--role", "boss", "--password-stdin", "--state", state, input="x\n", check=False)
    assert r.returncode == 2  # argparse: not a role
    jjjkg("users", "set-role", "zhao", "editor", "--state", state)
    out = jjjkg("users", "list", "--state", state).stdout
    assert "zhao\teditor\tlocal" in out
    jjjkg("users", "remove", "zhao", "--state", state)
    assert "zhao" not in jjjkg("users", "list", "--state", state).stdout
    r = jjjkg("users", "remove", "nobody", "--state", state, check=False)
    assert r.returncode == 1 and "no account 'nobody'" in r.stderr
    rows = [json.loads(line) for line in jjjkg("audit", "--state", state).stdout.splitlines()]
    actions = [r["action"] for r in rows]
    assert actions[:3] == ["account_add", "role", "account_remove"]
    assert rows[1]["detail"] == {"account": "zhao", "before": "analyst", "after": "editor"}
    csv_text = jjjkg("audit", "--state", state, "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "time,user,action,detail"
    r = jjjkg("audit", "--state", state, "--since", "2026-13-01", check=False)
    assert r.returncode == 1 and "YYYY-MM-DD" in r.stderr


def test_a_named_store_must_exist(tmp_path):
    r = jjjkg("serve", "--store", tmp_path / "typo", "--state", tmp_path / "s", "--port", "0", check=False)
    assert r.returncode == 1 and "no store at" in r.stderr and "Traceback" not in r.stderr


def test_port_in_use_is_one_line(server, tmp_path, bundled_store):
    state = tmp_path / "s"
    r = jjjkg("serve", "--store", bundled_store, "--state", state, "--port", server.port, check=False, timeout=60)
    assert r.returncode == 1 and "cannot listen" in r.stderr and "Traceback" not in r.stderr


def test_postgres_url_is_checked(tmp_path):
    r = jjjkg("users", "add", "x", "--role", "viewer", "--password-stdin", "--state", tmp_path / "s", "--database",
              "mysql://x@y/z", input="x-pass-20261\n", check=False)
    assert r.returncode == 1 and "expected postgresql://" in r.stderr


def test_sign_in_after_users_add(server):
    s = sign_in(server, "viewer")
    assert s.sign_in_status == 302
    assert s.get(server.url + "api/search?q=x", timeout=30).status_code == 200
    assert PASSWORDS["viewer"] not in (server.state / "workspace.sqlite3").read_bytes().decode("latin-1")
