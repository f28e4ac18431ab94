"""Markup, script ends, template braces, backticks and line separators in names, districts, sectors and
sources: in real Chromium no script runs and no dialog opens, on the map (its tooltips and the panel of
organizations without a position), on the matrix and in the saved PNG's title; the text shows as written."""

from __future__ import annotations

import pytest

import viz

pytestmark = pytest.mark.browser

#: every way data has been seen to become code: a script end tag, an attribute break with a handler,
#: template braces, a template literal, and U+2028 (a line end for old JavaScript string parsers)
PAYLOAD = ("</script><script>window.__pwned=1;alert(1)</script>\"><img src=x onerror=\"window.__pwned=2\">"
           "{{constructor.constructor('window.__pwned=3')()}}`${window.__pwned=4}`\u2028\u2029'")


@pytest.fixture
def payload_graph(tiny_rows, write_folder):
    import loaders
    from graph import build_graph

    rows = tiny_rows
    first = dict(rows["organizations"][0])
    rows["sectors"].append({"id": "S_EVIL", "name": "领域" + PAYLOAD, "name_en": PAYLOAD, "kind": "chain",
                            "parent": "", "source": "synthetic test data " + PAYLOAD})
    rows["organizations"] += [
        {**first, "id": "evil-1", "name": "机构" + PAYLOAD, "name_en": PAYLOAD, "district": "海淀",
         "sectors": "S_EVIL;S_H2", "source": "synthetic test data " + PAYLOAD},
        {**first, "id": "evil-2", "name": "无位置" + PAYLOAD, "name_en": "", "sectors": "S_EVIL", "lat": "", "lon": "",
         "type": "alliance", "province": "", "city": "", "district": "", "source": "synthetic test data " + PAYLOAD},
    ]
    rows["relations"].append({"from_id": "evil-1", "relation": "TRANSFERS_TO", "to_id": "bj-pf-1", "year": "",
                              "weight": "", "source": "synthetic test data " + PAYLOAD})
    return build_graph(loaders.read_folder(write_folder(rows, name="payload")))


def _no_script_ran(run) -> None:
    assert run.evaluate("typeof window.__pwned") == "undefined"
    assert run.dialogs == []
    assert run.evaluate("document.querySelectorAll('img').length") == 0
    assert run.requests == []


def test_map_page_shows_payloads_as_text(payload_graph, tmp_path, open_page, artifacts):
    out = viz.write_view(payload_graph, tmp_path / "geo.html", view="geo", gaps=True, title="标题" + PAYLOAD)
    html = out.read_text(encoding="utf-8")
    assert "</script><script>window.__pwned" not in html
    data = html[html.index('id="jjjkg-data">'):]
    assert "\u2028" not in data[:data.index("</script>")]  # escaped in the page's data (HTML text may hold it)
    run = open_page(out)
    _no_script_ran(run)
    assert run.page.text_content("#title") == "标题" + PAYLOAD + "（示意图）"
    # the panel of organizations with no position lists evil-2 by its name, as text
    assert "无位置" + PAYLOAD + " " in run.page.text_content("#unplaced-list")
    tip = run.evaluate("window.jjjkg.nodes.get('evil-1').title")
    assert PAYLOAD in tip  # the tooltip text carries the name (and source) as written
    # hover every node: vis-network shows each tooltip (as text)
    for pos in run.evaluate("Object.values(window.jjjkg.network.getPositions()).map(p => "
                            "window.jjjkg.network.canvasToDOM(p))")[:30]:
        run.page.mouse.move(pos["x"] + 1, pos["y"] + 1)
        run.page.wait_for_timeout(30)
    run.page.fill("#search", "__pwned")
    run.page.keyboard.press("Enter")
    png = run.evaluate("window.jjjkg.composePNG()")  # the saved PNG draws the title on a canvas, as text
    assert png["size"] > 5000
    run.page.screenshot(path=str(artifacts / "viz-payload-geo.png"))
    _no_script_ran(run)
    assert run.errors == []


def test_matrix_page_shows_payloads_as_text(payload_graph, tmp_path, open_page, artifacts):
    out = viz.write_view(payload_graph, tmp_path / "m.html", max_nodes=3, title=PAYLOAD)
    run = open_page(out)
    _no_script_ran(run)
    assert run.page.text_content("#title") == PAYLOAD
    assert "领域" + PAYLOAD in run.page.text_content("body")  # the sector's row header, as text
    run.page.click("td[data-sector=S_EVIL][data-province='北京']")
    assert run.page.text_content("#cell-cmd") == "jjjkg viz --sector S_EVIL --province 北京"
    for td in run.page.query_selector_all("td[data-sector]")[:12]:
        td.hover()
    png = run.evaluate("window.jjjkg.composePNG()")
    assert png["size"] > 5000
    run.page.screenshot(path=str(artifacts / "viz-payload-matrix.png"))
    _no_script_ran(run)
    assert run.errors == []


def test_a_hostile_sector_id_is_quoted_in_the_command_a_cell_shows(tiny_rows, write_folder, tmp_path, open_page):
    """A planner copies the command a cell shows into a terminal: a sector id cannot add commands to it."""
    import loaders
    from graph import build_graph

    rows = tiny_rows
    rows["sectors"].append({"id": "S_X$(touch${IFS}pwned)", "name": "恶意领域", "name_en": "", "kind": "chain",
                            "parent": "", "source": "synthetic test data"})
    for o in rows["organizations"]:  # the biggest cell: the page's message names it as its example
        o["sectors"] = "S_X$(touch${IFS}pwned)"
    G = build_graph(loaders.read_folder(write_folder(rows, name="shell")))
    run = open_page(viz.write_view(G, tmp_path / "m.html", max_nodes=3))
    cmds = [c["cmd"] for c in run.evaluate("window.jjjkg.data.matrix.cells") if c["s"].startswith("S_X")]
    assert cmds and all("'S_X$(touch${IFS}pwned)'" in c for c in cmds)
    import shlex

    assert all(shlex.split(c)[3] == "S_X$(touch${IFS}pwned)" for c in cmds)
    message = run.page.text_content("#message")
    assert "jjjkg viz --sector 'S_X$(touch${IFS}pwned)'" in message
