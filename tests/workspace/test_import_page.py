"""Bringing a list through the workspace: the plan as a table, decisions, apply, the server switches."""

from __future__ import annotations

import re
import shutil

from .conftest import ROOT, jjjkg, sign_in, wait_for

LIST = ROOT / "examples" / "lists" / "样例中试平台名单.csv"


def _upload(s, url, path, name=None, **fields):
    with open(path, "rb") as f:
        return s.post(url + "import/plan", files={"list": (name or path.name, f)},
                      data={"csrfmiddlewaretoken": s.csrf, "as": "platforms", **fields},
                      headers={"Referer": url + "import"}, timeout=120)


def test_editor_plans_decides_and_applies(fresh_server, tmp_path, bundled_store):
    store = tmp_path / "store"
    shutil.copytree(bundled_store.resolve(), store)  # a store of the test's own, to change
    srv = fresh_server(store)
    s = sign_in(srv, "editor")
    before = jjjkg("query", "supply-list", "--format", "json", "--store", store).stdout
    r = _upload(s, srv.url, LIST, source="样例名单（测试）")
    assert r.status_code == 200, r.text
    assert "导入方案" in r.text or "匹配" in r.text
    assert jjjkg("query", "supply-list", "--format", "json", "--store", store).stdout == before  # nothing yet
    decisions = {m: "new" for m in re.findall(r'<select name="(d\d+)"', r.text)}
    r = s.post(srv.url + "import/apply", data={"csrfmiddlewaretoken": s.csrf, **decisions},
               headers={"Referer": srv.url + "import/plan"}, timeout=300)
    assert r.status_code == 200, r.text
    assert "已将" in r.text or "没有需要写入" in r.text
    after = jjjkg("query", "supply-list", "--format", "json", "--store", store).stdout
    assert after != before
    admin = sign_in(srv, "admin")
    rows = admin.get(srv.url + "api/audit", timeout=30).json()
    actions = [(r["user"], r["action"]) for r in rows]
    assert ("editor", "import_plan") in actions and ("editor", "import_apply") in actions
    # the server answers from the new version at the next request
    assert wait_for(lambda: "数据已更新" in s.get(srv.url, timeout=60).text, timeout=15)


def test_only_editors_import(clients, server):
    for role, status in (("viewer", 403), ("analyst", 403), ("editor", 200), ("admin", 200)):
        assert clients[role].get(server.url + "import", timeout=30).status_code == status, role


def test_bad_uploads_change_nothing(clients, server, tmp_path):
    s = clients["editor"]
    bad = tmp_path / "list.txt"
    bad.write_text("名称\n某平台\n", encoding="utf-8")
    r = _upload(s, server.url, bad)
    assert r.status_code == 400 and "不能导入" in r.text
    garbage = tmp_path / "名单.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a workbook")
    r = _upload(s, server.url, garbage)
    assert r.status_code == 400 and "图谱没有任何改动" in r.text and "Traceback" not in r.text
    big = b"0" * (101 * 1024 * 1024)
    r = s.post(server.url + "import/plan", files={"list": ("big.csv", big)}, data={"csrfmiddlewaretoken": s.csrf},
               headers={"Referer": server.url + "import"}, timeout=300)
    assert r.status_code == 413 and "文件过大" in r.text
    r = s.post(server.url + "import/apply", data={"csrfmiddlewaretoken": s.csrf},
               headers={"Referer": server.url + "import"}, timeout=60)
    assert r.status_code == 400 and "没有待应用的导入" in r.text
