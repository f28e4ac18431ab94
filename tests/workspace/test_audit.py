"""Every action leaves its audit row; the trail is append-only; reading it is audited too."""

from __future__ import annotations

import json

from .conftest import jjjkg, sign_in


def test_actions_leave_rows(fresh_server):
    srv = fresh_server()
    sign_in(srv, "viewer", "wrong-password")
    v = sign_in(srv, "viewer")
    v.get(srv.url + "api/analyses/rd-scaleup-paths", params={"province": "河北"}, timeout=60)
    v.get(srv.url + "org/PF_JJJ_NTIC", timeout=60)
    v.get(srv.url + "admin/audit", timeout=60)  # refused: recorded as denied
    a = sign_in(srv, "analyst")
    a.get(srv.url + "analyses/alliance-gaps/download.csv", timeout=60)
    v.post(srv.url + "logout", headers={"X-CSRFToken": v.csrf}, timeout=30)
    admin = sign_in(srv, "admin")
    rows = admin.get(srv.url + "api/audit", timeout=30).json()
    seen = [(r["user"], r["action"]) for r in rows]
    for expected in [("viewer", "login_failed"), ("viewer", "login"), ("viewer", "analysis"), ("viewer", "view"),
                     ("viewer", "denied"), ("analyst", "download"), ("viewer", "logout"), ("admin", "login")]:
        assert expected in seen, expected
    run = next(r for r in rows if r["action"] == "analysis" and r["user"] == "viewer")
    assert run["detail"]["name"] == "rd-scaleup-paths" and run["detail"]["params"] == {"province": "河北"}
    assert isinstance(run["detail"]["rows"], int) and "ms" in run["detail"]
    assert set(rows[0]) == {"time", "user", "action", "detail"}
    # reading it was recorded, and the command line prints the same trail
    cli = [json.loads(line) for line in jjjkg("audit", "--state", srv.state).stdout.splitlines()]
    assert any(r["action"] == "audit_read" and r["user"] == "admin" for r in cli)
    assert jjjkg("audit", "--state", srv.state, "--since", "2999-01-01").stdout == ""
    bad = admin.get(srv.url + "api/audit", params={"since": "yesterday"}, timeout=30)
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["error"]


def test_the_trail_cannot_be_changed_through_the_model(tmp_path):
    import subprocess
    import sys

    code = """
import sys
from workspace.config import WorkspaceConfig, configure
configure(WorkspaceConfig(state=sys.argv[1]))
from workspace.models import AuditEvent, AppendOnly
from workspace import audit
audit.record(None, "login", user="x")
e = AuditEvent.objects.get()
for attempt in (lambda: e.save(), lambda: e.delete(), lambda: AuditEvent.objects.all().delete(),
                lambda: AuditEvent.objects.update(user="y")):
    try:
        attempt()
    except AppendOnly:
        continue
    raise SystemExit("changed")
print(AuditEvent.objects.get().user)
"""
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "x"
