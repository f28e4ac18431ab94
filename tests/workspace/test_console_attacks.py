"""The console, saved queries, history, parameters and their JSON API, used as an attacker or a careless user would.

Against the real ``jjjkg serve`` (the session's server on the bundled store, or one of the test's own), with
``requests`` sessions signed in through ``/login``. Each test performs the attack and asserts what must
(not) have happened: the answer, the files in the state folder, the store, the audit.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from .conftest import jjjkg, sign_in

SLOW = ("UNWIND range(1, 60000) AS i UNWIND range(1, 60000) AS j WITH i, j WHERE (i * j) % 7 = 0 "
        "RETURN count(*) AS n")


def _post(s, path, body, *, raw: str | None = None, csrf: bool = True):
    headers = {"Content-Type": "application/json", "Referer": s.base}
    if csrf:
        headers["X-CSRFToken"] = s.csrf
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False)
    return s.post(s.base + path.lstrip("/"), data=data.encode("utf-8"), headers=headers, timeout=120)


def _save(s, **body):
    body = {"title": "标题", "statement": "RETURN 1 AS one", "params": [], "roles": ["viewer", "analyst"], **body}
    return _post(s, "/api/queries", body)


def _audit(state) -> list[dict]:
    return [json.loads(line) for line in jjjkg("audit", "--state", state).stdout.splitlines() if line.strip()]


# ----------------------------------------------------------------------------- saved queries: names, titles, files


@pytest.mark.parametrize("name", [
    "x\n",               # a trailing line break (a `$` regex lets it through)
    "../escape",         # a path part
    "a/b",
    "x\x00y",            # NUL
    "a" * 65,            # too long
    "<b>bold</b>",       # markup
    "Upper",
    "",
])
def test_a_saved_query_name_is_a_plain_name(clients, server, name):
    folder = server.state / "queries"
    before = sorted(folder.iterdir()) if folder.is_dir() else []
    r = _save(clients["analyst"], name=name)
    assert r.status_code == 400 and r.json()["error"].startswith("名称应为小写字母、数字和连字符"), r.text
    assert (sorted(folder.iterdir()) if folder.is_dir() else []) == before
    assert not list(server.state.parent.glob("escape*"))


@pytest.mark.parametrize("field, value", [
    ("title", "标题\u2028// param: boom int not-a-number"),   # a line break only str.splitlines knows
    ("title", "标题\r// roles: viewer"),
    ("title", "标题\x0b// name: other"),
    ("statement", "RETURN 1 AS one\u2029// param: boom int not-a-number"),
    ("statement", "RETURN 1 AS one\r// roles: viewer, analyst"),
    ("default", "天津\u2028// param: boom int not-a-number"),
    ("default", "天津\x85// roles: viewer"),
])
def test_no_header_line_can_be_smuggled_into_a_saved_file(clients, server, field, value):
    s = clients["analyst"]
    assert _save(s, name="good-one").status_code == 201
    body = {"name": "smuggle", "statement": "MATCH (p:Platform) WHERE p.province = $province RETURN p.id AS id",
            "params": [{"name": "province", "type": "text", "value": "天津"}]}
    if field == "default":
        body["params"][0]["value"] = value
    else:
        body[field] = value
    r = _save(s, **body)
    assert r.status_code == 400, r.text
    assert not (server.state / "queries" / "smuggle.cypher").exists()
    # the folder still reads, from the command line too
    listed = jjjkg("query", "--list", "--queries", server.state / "queries", "--store", server.store, check=False)
    assert listed.returncode == 0, listed.stderr


def test_a_bad_or_hostile_file_in_the_folder_hides_only_itself(clients, server):
    s = clients["analyst"]
    assert _save(s, name="still-listed", title="仍然可见").status_code == 201
    folder = server.state / "queries"
    (folder / "broken.cypher").write_text("// summary: 坏参数\n// param: n int many\nRETURN $n\n", encoding="utf-8")
    (folder / "escape.cypher").write_text("// name: ../admin/audit\n// summary: 路径\n// roles: viewer\nRETURN 1\n",
                                          encoding="utf-8")
    (folder / "twin.cypher").write_text("// name: still-listed\n// summary: 重名\n// roles: viewer\nRETURN 2\n",
                                        encoding="utf-8")
    (folder / "markup-param.cypher").write_text('// summary: 参数\n// roles: viewer\n// param: a"><b>x str 1\n'
                                                "RETURN 1\n", encoding="utf-8")
    (folder / "long-title.cypher").write_text("// summary: " + "长" * 5000 + "\n// roles: viewer\nRETURN 1\n",
                                              encoding="utf-8")
    outside = server.state.parent / "outside.txt"
    outside.write_text("// summary: 外部文件\n// roles: viewer\nRETURN 'secret' AS s\n", encoding="utf-8")
    (folder / "link.cypher").symlink_to(outside)
    hostile = ("broken", "escape", "twin", "markup-param", "long-title", "link")
    try:
        viewer = clients["viewer"]
        listed = viewer.get(server.url + "api/queries", timeout=30)
        assert listed.status_code == 200, listed.text
        names = [q["name"] for q in listed.json()]
        assert "still-listed" in names and not set(names) & {"../admin/audit", "markup-param", "long-title", "link"}
        page = viewer.get(server.url + "queries/", timeout=30)
        assert page.status_code == 200 and 'href="/queries/still-listed"' in page.text
        assert "admin/audit" not in page.text
        ran = viewer.get(server.url + "api/queries/still-listed", timeout=60)
        assert ran.status_code == 200 and ran.json() == [{"one": 1}]  # the first file of the name, not its twin
        assert viewer.get(server.url + "api/queries/link", timeout=30).status_code == 404
    finally:
        for name in hostile:
            (folder / f"{name}.cypher").unlink()
        outside.unlink()


def test_markup_in_a_title_is_text_on_every_page(clients, server):
    r = _save(clients["analyst"], name="markup-title", title="<script>alert(1)</script><b>平台</b>")
    assert r.status_code == 201, r.text
    for path in ("queries/", "queries/markup-title"):
        page = clients["viewer"].get(server.url + path, timeout=30)
        assert page.status_code == 200
        assert "<script>alert(1)" not in page.text and "<b>平台" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;平台&lt;/b&gt;" in page.text


def test_a_viewer_cannot_save_and_an_analyst_cannot_name_unknown_roles(clients, server):
    r = _save(clients["viewer"], name="from-viewer")
    assert r.status_code == 403
    for roles in (["superuser"], ["viewer", "root"], [], "viewer", [["admin"]]):
        r = _save(clients["analyst"], name="odd-roles", roles=roles)
        assert r.status_code == 400 and "角色" in r.json()["error"], (roles, r.text)
    assert not (server.state / "queries" / "from-viewer.cypher").exists()
    assert not (server.state / "queries" / "odd-roles.cypher").exists()


def test_another_accounts_query_of_the_same_name_is_not_overwritten(clients, server):
    assert _save(clients["analyst"], name="mine-only", title="分析人员的").status_code == 201
    r = _save(clients["editor"], name="mine-only", title="编辑的")
    assert r.status_code == 409
    assert "// summary: 分析人员的\n" in (server.state / "queries" / "mine-only.cypher").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("raw, message", [
    ('{"statement": "RETURN $x AS x", "params": {"x": NaN}}', "请求内容应为 JSON 对象"),
    ('{"statement": "RETURN $x AS x", "params": {"x": Infinity}}', "请求内容应为 JSON 对象"),
    ('{"statement": "RETURN $x AS x", "params": {"x": ' + "[" * 40 + "]" * 40 + "}}", "参数嵌套过深"),
    ('{"statement": "RETURN $x AS x", "params": {"x": {"a": ' * 1 + "[" * 3000 + "]" * 3000 + "}}}",
     "请求内容应为 JSON 对象"),
    ('{"statement": "RETURN $x AS x", "params": {"x": 100000000000000000000000000000}}', "超出 64 位整数的范围"),
    ('{"statement": "RETURN $x AS x", "params": {"x\\n": 1}}', "参数应为一个映射"),
    ('{"statement": "RETURN $x AS x", "params": {"x": "' + "长" * 70_000 + '"}}', "参数太大"),
])
def test_hostile_parameters_are_400_in_chinese_and_history_still_answers(clients, server, raw, message):
    s = clients["analyst"]
    r = _post(s, "/api/cypher", None, raw=raw)
    assert r.status_code == 400 and message in r.json()["error"], r.text[:300]
    history = s.get(server.url + "api/console/history", timeout=30)
    assert history.status_code == 200
    put = s.put(server.url + "api/console/params", data=json.dumps({"params": [
        {"name": "deep", "type": "list", "value": json.loads("[" * 40 + "]" * 40)}]}),
        headers={"X-CSRFToken": s.csrf, "Content-Type": "application/json", "Referer": s.base}, timeout=30)
    assert put.status_code == 400 and "嵌套过深" in put.json()["error"]


def test_a_large_list_parameter_within_the_limits_runs(clients, server):
    values = list(range(5000))
    r = _post(clients["analyst"], "/api/cypher", {"statement": "RETURN size($xs) AS n, $m.k AS k",
                                                   "params": {"xs": values, "m": {"k": [[[1]]]}}})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [{"n": 5000, "k": [[[1]]]}]


# ----------------------------------------------------------------------------- other accounts


def test_cancelling_another_accounts_statement_does_nothing(clients, server):
    ana, adm = clients["analyst"], clients["admin"]
    run_id = "c0ffee" * 5
    answer = {}
    thread = threading.Thread(target=lambda: answer.setdefault("r", _post(
        ana, "/api/cypher", {"statement": SLOW, "params": {}, "run_id": run_id})))
    thread.start()
    try:
        time.sleep(1.5)
        r = _post(adm, "/api/cypher/cancel", {"run_id": run_id})
        assert r.status_code == 200 and r.json() == {"cancelled": False}
        time.sleep(1.0)
        assert thread.is_alive()  # still running for its owner
    finally:
        mine = _post(ana, "/api/cypher/cancel", {"run_id": run_id})
        thread.join(60)
    assert mine.json() == {"cancelled": True}
    assert answer["r"].status_code == 400 and "已取消" in answer["r"].json()["error"]


def test_history_and_downloads_belong_to_their_account(clients, server):
    ana, adm = clients["analyst"], clients["admin"]
    marker = f"RETURN {time.time_ns()} AS private_stamp"
    assert _post(ana, "/api/cypher", {"statement": marker, "params": {}}).status_code == 200
    mine = ana.get(server.url + "api/console/history", params={"q": "private_stamp"}, timeout=30).json()["items"]
    assert mine and mine[0]["statement"] == marker
    theirs = adm.get(server.url + "api/console/history", params={"q": "private_stamp"}, timeout=30).json()["items"]
    assert theirs == []
    r = adm.get(server.url + f"console/download.csv?run={mine[0]['id']}", timeout=30)
    assert r.status_code == 404 and marker.split()[1] not in r.text
    for run in ("²", "-1", "1e3", "9" * 30, "1 ", ""):  # digits Python knows but a key is not, and worse
        r = ana.get(server.url + "console/download.csv", params={"run": run}, timeout=30)
        assert r.status_code == 404, (run, r.status_code)
    ok = ana.get(server.url + f"console/download.csv?run={mine[0]['id']}", timeout=60)
    assert ok.status_code == 200 and ok.content.startswith(b"\xef\xbb\xbfprivate_stamp\n")


def test_a_private_saved_query_is_not_runnable_by_other_roles(clients, server):
    assert _save(clients["analyst"], name="analysts-secret", roles=["analyst"]).status_code == 201
    for path in ("api/queries/analysts-secret", "queries/analysts-secret"):
        r = clients["viewer"].get(server.url + path, timeout=30)
        assert r.status_code == 404, path
    assert "analysts-secret" not in clients["viewer"].get(server.url + "api/queries", timeout=30).text


# ----------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/cypher", {"statement": "RETURN 1 AS one", "params": {}}),
    ("POST", "/api/cypher/cancel", {"run_id": "ab" * 8}),
    ("POST", "/api/queries", {"name": "no-token", "title": "t", "statement": "RETURN 1", "params": [],
                              "roles": ["analyst"]}),
    ("PUT", "/api/console/params", {"params": []}),
])
def test_a_post_without_the_csrf_token_is_refused(clients, server, method, path, body):
    s = clients["analyst"]
    r = s.request(method, server.url + path.lstrip("/"), json=body, headers={"Referer": s.base}, timeout=30)
    assert r.status_code == 403 and "CSRF" in r.text
    assert not (server.state / "queries" / "no-token.cypher").exists()


# ----------------------------------------------------------------------------- writes, rows, memory


@pytest.mark.parametrize("statement", [
    "CALL db.idx.fulltext.createNodeIndex('Platform', 'city')",
    "CREATE INDEX FOR (p:Platform) ON (p.city)",
    "MATCH (p:Platform) SET p.name = 'x' RETURN count(p)",
    "MERGE (x:Platform {id: 'zz-new'}) RETURN x",
    "MATCH (n) DETACH DELETE n",
    "MATCH (p:Platform) WITH p LIMIT 1 CALL { WITH p CREATE (:Platform {id: 'zz-sub'}) } RETURN 1",
    "PROFILE CREATE (:Platform {id: 'zz-profile'})",
])
def test_writes_through_any_door_are_refused_and_the_store_is_unchanged(clients, server, statement):
    s = clients["analyst"]
    count = "MATCH (n) RETURN count(n) AS n"
    indexes = "CALL db.indexes() YIELD label, properties RETURN label, properties ORDER BY label"
    before = (_post(s, "/api/cypher", {"statement": count}).json()["rows"],
              _post(s, "/api/cypher", {"statement": indexes}).json()["rows"])
    r = _post(s, "/api/cypher", {"statement": statement, "params": {}})
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(("控制台只读", "Cypher 语句有误", "语句无法运行")), r.json()
    after = (_post(s, "/api/cypher", {"statement": count}).json()["rows"],
             _post(s, "/api/cypher", {"statement": indexes}).json()["rows"])
    assert after == before


@pytest.mark.parametrize("statement", [
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:1/x.csv' AS row RETURN row",
    "load csv from $url as row return row",
])
def test_load_csv_is_refused_in_chinese(clients, server, statement):
    r = _post(clients["analyst"], "/api/cypher", {"statement": statement, "params": {"url": "file:///etc/hosts"}})
    assert r.status_code == 400 and r.json()["error"].startswith("控制台不允许 LOAD CSV"), r.text


def test_rows_beyond_the_cap_are_cut_and_said(clients, server):
    r = _post(clients["analyst"], "/api/cypher", {"statement": "UNWIND range(1, 250000) AS i RETURN i"})
    assert r.status_code == 200
    body = r.json()
    assert len(body["rows"]) == 100_000 and body["truncated"] is True
    assert any("只返回了前 100,000 行" in n for n in body["notes"])


def test_an_answer_too_large_to_read_is_refused_in_chinese(clients, server):
    statement = "UNWIND range(1, 70) AS i RETURN i, reduce(s = '', x IN range(1, 20) | s + s + 'x') AS big"
    r = _post(clients["analyst"], "/api/cypher", {"statement": statement})
    assert r.status_code == 400 and r.json()["error"].startswith("结果太大，服务器没有读取"), r.text


def test_a_statement_that_exhausts_memory_ends_in_chinese_and_the_console_goes_on(fresh_server):
    srv = fresh_server(env={"JJJKG_QUERY_MEMORY": "64mb"})
    s = sign_in(srv, "analyst")
    r = _post(s, "/api/cypher", {"statement": "UNWIND range(1, 20000000) AS i WITH collect(i) AS a RETURN size(a)"})
    assert r.status_code == 400 and r.json()["error"].startswith("语句超出内存上限"), r.text
    assert _post(s, "/api/cypher", {"statement": "RETURN 1 AS one"}).json()["rows"] == [{"one": 1}]


def test_the_pool_refuses_beyond_its_servers_for_every_account(fresh_server):
    srv = fresh_server(env={"JJJKG_CONSOLE_SERVERS": "1"})
    ana, edi = sign_in(srv, "analyst"), sign_in(srv, "editor")
    answer = {}
    thread = threading.Thread(target=lambda: answer.setdefault("r", _post(
        ana, "/api/cypher", {"statement": SLOW, "params": {}, "run_id": "abcdef01"})))
    thread.start()
    try:
        time.sleep(1.0)  # the pool's one server is taken as the statement arrives (then started and loaded)
        r = _post(edi, "/api/cypher", {"statement": "RETURN 1 AS one"})
        assert r.status_code == 429 and "所有服务器都在运行语句" in r.json()["error"]
    finally:
        _post(ana, "/api/cypher/cancel", {"run_id": "abcdef01"})
        thread.join(60)
    refused = [e for e in _audit(srv.state) if e["action"] == "cypher" and e["detail"].get("outcome") == "refused"]
    assert [e["user"] for e in refused] == ["editor"]


# ----------------------------------------------------------------------------- plans and the audit


def test_profile_shows_a_plan_with_records(clients, server):
    r = _post(clients["analyst"], "/api/cypher",
              {"statement": "PROFILE MATCH (p:Platform) WHERE p.province = $p RETURN p.name", "params": {"p": "北京"}})
    assert r.status_code == 200, r.text
    plan = r.json()["plan"]
    assert plan[0].startswith("Results") and any("Records produced" in line for line in plan)


def test_every_kind_of_run_leaves_an_audit_row(clients, server):
    s = clients["analyst"]
    stamp = str(time.time_ns())
    _post(s, "/api/cypher", {"statement": f"RETURN {stamp} AS ok"})
    _post(s, "/api/cypher", {"statement": f"RETURN {stamp} AS"})  # a syntax error
    _post(s, "/api/cypher", {"statement": f"CREATE (:Platform {{id: '{stamp}'}})"})  # refused write
    assert _save(s, name="audited-form", title="审计", roles=["viewer"]).status_code == 201
    clients["viewer"].get(server.url + "queries/audited-form?run=1", timeout=60)
    rows = _audit(server.state)
    outcomes = [e["detail"]["outcome"] for e in rows if e["action"] == "cypher" and stamp in e["detail"].get(
        "statement", "")]
    assert outcomes == ["ok", "error", "error"]
    assert any(e["action"] == "save_query" and e["detail"]["name"] == "audited-form" for e in rows)
    assert any(e["action"] == "analysis" and e["user"] == "viewer" and e["detail"].get("saved_query") == "audited-form"
               for e in rows)


# ----------------------------------------------------------------------------- one format, both ways


def test_the_command_line_brings_cypher_files_in_and_runs_the_workspace_folder(clients, server, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "platforms-in.cypher").write_text(
        "// summary: 某省的中试平台（命令行带入）\n// param: province str 北京\n"
        "MATCH (p:Platform) WHERE p.province = $province RETURN p.id AS id, p.name AS name ORDER BY id\n",
        encoding="utf-8")
    done = jjjkg("queries", "add", mine, "--roles", "viewer,analyst", "--author", "analyst", "--state", server.state)
    assert "added platforms-in → /queries/platforms-in (for viewer, analyst)" in done.stdout
    # the viewer sees it as a form, and its answer is the command line's on the workspace's own folder
    form = clients["viewer"].get(server.url + "queries/platforms-in", timeout=30)
    assert form.status_code == 200 and "某省的中试平台（命令行带入）" in form.text and 'name="province"' in form.text
    api = clients["viewer"].get(server.url + "api/queries/platforms-in", params={"province": "天津"}, timeout=60)
    cli = jjjkg("query", "platforms-in", "--queries", server.state / "queries", "--param", "province=天津",
                "--format", "json", "--store", server.store)
    assert api.status_code == 200 and api.json() == json.loads(cli.stdout) and api.json()
    # a second add of the same name is refused unless --replace; hostile files are refused whole
    again = jjjkg("queries", "add", mine, "--roles", "viewer", "--state", server.state, check=False)
    assert again.returncode == 1 and "already has a query named 'platforms-in'" in again.stderr
    (mine / "platforms-in.cypher").unlink()
    (mine / "odd-param.cypher").write_text('// summary: x\n// param: a"b str 1\nRETURN 1\n', encoding="utf-8")
    odd = jjjkg("queries", "add", mine, "--roles", "viewer", "--state", server.state, check=False)
    assert odd.returncode == 1 and "the parameter 'a\"b' is not a name" in odd.stderr
    (mine / "odd-param.cypher").unlink()
    (mine / "evil.cypher").write_text("// name: ../../evil\n// summary: x\nRETURN 1\n", encoding="utf-8")
    bad = jjjkg("queries", "add", mine, "--roles", "viewer", "--state", server.state, check=False)
    assert bad.returncode == 1 and "the name '../../evil' is not a plain name" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert not list(server.state.parent.rglob("evil*"))


# ----------------------------------------------------------------------------- downloads


def test_downloads_neutralise_every_formula_start_in_names_and_values(clients, server):
    import csv
    import io

    from openpyxl import load_workbook

    s = clients["analyst"]
    statement = ("RETURN '=HYPERLINK(\"http://x.invalid\")' AS `=cmd`, '@SUM(A1)' AS a, '+1+1' AS b, '-1+1' AS c, "
                 "'\t=1' AS d, '-12' AS e, -3.5 AS f, ['=1'] AS g, '清华大学' AS h")
    r = _post(s, "/api/cypher", {"statement": statement})
    assert r.status_code == 200, r.text
    run = r.json()["downloads"]["csv"]
    data = s.get(server.url + run.lstrip("/"), timeout=60).content
    assert data.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[0] == "'=cmd"
    assert row == ["'=HYPERLINK(\"http://x.invalid\")", "'@SUM(A1)", "'+1+1", "'-1+1", "'\t=1", "-12", "-3.5",
                   "'=1", "清华大学"]  # a list's items joined, as jjjkg cypher --format csv writes them
    book = s.get(server.url + r.json()["downloads"]["xlsx"].lstrip("/"), timeout=60).content
    ws = load_workbook(io.BytesIO(book)).active
    assert [c.value for c in ws[3]][0] == "'=cmd"
    values = [c.value for c in ws[4]]
    assert values[:5] == ["'=HYPERLINK(\"http://x.invalid\")", "'@SUM(A1)", "'+1+1", "'-1+1", "'\t=1"]
    assert values[6] == -3.5 and all(not (isinstance(v, str) and v.startswith(("=", "+", "@"))) for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # no cell is a formula


def test_a_viewer_cannot_download_a_console_result(clients, server):
    r = clients["viewer"].get(server.url + "console/download.csv?run=1", timeout=30)
    assert r.status_code == 403


def test_values_json_cannot_carry_are_answered(clients, server):
    r = _post(clients["analyst"], "/api/cypher", {"statement": "RETURN 0.0 / 0.0 AS nan, 1.0 / 0.0 AS inf, "
                                                                "9223372036854775807 AS big"})
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    assert row["big"] == 9223372036854775807
    assert row["nan"] in (None, "NaN") and row["inf"] in (None, "Infinity")
    assert clients["analyst"].get(server.url + "api/console/history", timeout=30).status_code == 200


def test_form_values_a_number_cannot_hold_are_400_in_chinese(clients, server, tmp_path):
    mine = tmp_path / "forms"
    mine.mkdir()
    (mine / "top-n.cypher").write_text("// summary: 前 N 个平台\n// param: n int 5\n// param: w float 1.0\n"
                                       "MATCH (p:Platform) RETURN p.id AS id, $w AS w ORDER BY id LIMIT $n\n",
                                       encoding="utf-8")
    jjjkg("queries", "add", mine, "--roles", "viewer", "--state", server.state, "--replace")
    viewer = clients["viewer"]
    ok = viewer.get(server.url + "api/queries/top-n", params={"n": "2"}, timeout=60)
    assert ok.status_code == 200 and len(ok.json()) == 2
    for params, message in (({"n": "9" * 25}, "超出 64 位整数的范围"), ({"w": "nan"}, "不是有限的数"),
                            ({"w": "inf"}, "不是有限的数"), ({"n": "9" * 5000}, "expected int")):
        r = viewer.get(server.url + "api/queries/top-n", params=params, timeout=60)
        assert r.status_code == 400 and message in r.json()["error"], (params, r.text[:300])
        page = viewer.get(server.url + "queries/top-n", params={**params, "run": "1"}, timeout=60)
        assert page.status_code == 400 and message in page.text
