"""Sign-in, lockout, session limits, CSRF, the gateway's header, the role matrix of contract §5."""

from __future__ import annotations

import http.client
import time

import pytest
import requests

from .conftest import PASSWORDS, sign_in


def test_without_a_session_pages_redirect_and_api_answers_401(server):
    for path in ("", "org/PF_JJJ_NTIC", "analyses/", "admin/audit", "views/network", "views/chain/CH_H2", "pack"):
        r = requests.get(server.url + path, allow_redirects=False, timeout=30)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path
    for path in ("api/search?q=a", "api/organizations/PF_JJJ_NTIC", "api/analyses", "api/audit"):
        r = requests.get(server.url + path, timeout=30)
        assert r.status_code == 401 and "error" in r.json(), path


def test_login_form_contract(server):
    s = requests.Session()
    r = s.get(server.url + "login", timeout=30)
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text
    assert 'name="username"' in r.text and 'name="password"' in r.text and "csrfmiddlewaretoken" in r.text
    assert s.cookies.get("csrftoken")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"


def test_wrong_password_then_lockout_after_five(fresh_server):
    srv = fresh_server()
    codes = [sign_in(srv, "viewer", "wrong-password").sign_in_status for _ in range(5)]
    assert codes == [200, 200, 200, 200, 403]  # the form again with the error, then locked at the fifth
    s = sign_in(srv, "viewer")  # the right password, but locked now
    assert s.sign_in_status == 403
    assert "锁定" in s.post(srv.url + "login", data={"username": "viewer", "password": PASSWORDS["viewer"],
                                                       "csrfmiddlewaretoken": s.csrf},
                             headers={"Referer": srv.url + "login"}, timeout=30).text
    assert s.get(srv.url + "api/search?q=a", timeout=30).status_code == 401
    assert sign_in(srv, "analyst").sign_in_status == 302  # other accounts are not affected


def test_unlock_from_the_command_line(fresh_server):
    from .conftest import jjjkg

    srv = fresh_server()
    for _ in range(5):
        sign_in(srv, "editor", "wrong-password")
    assert sign_in(srv, "editor").sign_in_status == 403
    jjjkg("users", "unlock", "editor", "--state", srv.state)
    assert sign_in(srv, "editor").sign_in_status == 302


def test_post_without_csrf_is_403(clients, server):
    s = clients["analyst"]
    r = requests.post(server.url + "login", data={"username": "admin", "password": PASSWORDS["admin"]}, timeout=30)
    assert r.status_code == 403 and "CSRF" in r.text
    r = s.post(server.url + "logout", timeout=30, allow_redirects=False)
    assert r.status_code == 403
    assert s.get(server.url + "api/search?q=a", timeout=30).status_code == 200  # still signed in


def test_idle_and_absolute_session_limits(fresh_server):
    srv = fresh_server(env={"JJJKG_SESSION_IDLE": "2", "JJJKG_SESSION_MAX": "5"})
    s = sign_in(srv, "viewer")
    assert s.get(srv.url + "api/search?q=a", timeout=30).status_code == 200
    time.sleep(3)  # idle longer than 2 s
    assert s.get(srv.url + "api/search?q=a", timeout=30).status_code == 401
    s = sign_in(srv, "viewer")
    for _ in range(6):  # busy, never idle for 2 s, but 5 s in all end it
        time.sleep(1)
        code = s.get(srv.url + "api/search?q=a", timeout=30).status_code
    assert code == 401


def _get_from(address: str, port: int, path: str, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(address, 0))
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def test_gateway_header_only_from_the_gateway(fresh_server):
    srv = fresh_server(None, "--trusted-header", "X-Remote-User", "--trusted-proxy", "127.0.0.2")
    spoof = {"X-Remote-User": "admin"}
    assert _get_from("127.0.0.1", srv.port, "/api/audit", spoof) == 401  # not the gateway: ignored
    assert _get_from("127.0.0.2", srv.port, "/api/audit", spoof) == 200  # the gateway: signed in as admin
    assert _get_from("127.0.0.2", srv.port, "/api/search?q=a", {"X-Remote-User": "newcomer"}) == 200
    assert _get_from("127.0.0.2", srv.port, "/api/audit", {"X-Remote-User": "newcomer"}) == 403  # created as viewer


def test_trusted_header_needs_a_proxy(tmp_path, bundled_store):
    from .conftest import jjjkg

    r = jjjkg("serve", "--store", bundled_store, "--state", tmp_path / "s", "--trusted-header", "X-User", check=False)
    assert r.returncode == 1 and "--trusted-proxy" in r.stderr


# the role matrix of contract §5: (method, path, json) → expected status per role
MATRIX = [
    ("GET", "", {"viewer": 200, "analyst": 200, "editor": 200, "admin": 200}),
    ("GET", "org/PF_JJJ_NTIC", {"viewer": 200, "analyst": 200, "editor": 200, "admin": 200}),
    ("GET", "analyses/alliance-gaps", {"viewer": 200, "analyst": 200, "editor": 200, "admin": 200}),
    ("GET", "api/analyses/alliance-gaps", {"viewer": 200, "analyst": 200, "editor": 200, "admin": 200}),
    ("GET", "analyses/alliance-gaps/download.csv", {"viewer": 403, "analyst": 200, "editor": 200, "admin": 200}),
    ("GET", "analyses/alliance-gaps/download.xlsx", {"viewer": 403, "analyst": 200, "editor": 200, "admin": 200}),
    ("GET", "admin/audit", {"viewer": 403, "analyst": 403, "editor": 403, "admin": 200}),
    ("GET", "api/audit", {"viewer": 403, "analyst": 403, "editor": 403, "admin": 200}),
]


@pytest.mark.parametrize("method,path,expected", MATRIX, ids=[m[1] or "home" for m in MATRIX])
def test_role_matrix(clients, server, method, path, expected):
    for role, status in expected.items():
        r = clients[role].request(method, server.url + path, allow_redirects=False, timeout=60)
        assert r.status_code == status, (role, path, r.status_code)
        if status == 403 and not path.startswith("api/"):
            assert "无权访问" in r.text
