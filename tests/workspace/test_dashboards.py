"""Dashboards against the real ``jjjkg serve`` (the console tests' server and accounts), in Chromium."""

from __future__ import annotations

import json

import pytest

from tests.workspace.test_console import ARTIFACTS, _post, chromium, server, sign_in, store  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_default_dashboard_renders_every_tile(sign_in, server):
    origin = server[0]
    for width, height in ((1366, 768), (1920, 1080)):
        page, errors, urls = sign_in("vic", width=width, height=height)
        page.goto(origin + "/dashboards/")
        page.click("a[href='/dashboards/overview']")
        page.wait_for_selector("section.tile")
        assert page.text_content("h1") == "京津冀中试生态总览"
        tiles = page.locator("section.tile")
        assert tiles.count() == 6
        assert page.locator("section.tile .error").count() == 0
        assert page.locator("section.tile-value .figures li").count() >= 4
        assert page.locator("section.tile-graph iframe.tile-frame").count() == 1  # the views' page: test_views_embedded
        assert page.locator("section.tile-bar svg rect").count() >= 1
        assert page.locator("section.tile-map iframe.tile-frame").count() == 1
        assert page.locator("section.tile-table table tbody tr").count() >= 2
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}x{height}.png"), full_page=True)
        assert errors == []
        assert all(u.startswith(origin + "/") for u in urls)


def test_a_link_with_parameters_opens_for_a_permitted_role_only(sign_in, server):
    origin = server[0]
    page, errors, _ = sign_in("ana")
    spec = {"slug": "h2-analysts", "title": "氢能（分析人员）", "roles": ["analyst"],
            "tiles": [{"title": "供给清单", "source": "analysis:supply-list", "renderer": "table",
                       "params": ["province"], "columns": ["platform_id", "province"]}]}
    status, body = _post(page, "/api/dashboards", spec)
    assert status == 201, body
    link = origin + "/dashboards/h2-analysts?province=天津"
    page.goto(link)
    provinces = page.locator("section.tile table tbody tr td:nth-child(2)").all_text_contents()
    assert provinces and set(provinces) == {"天津"}
    assert page.input_value("input[name=province]") == "天津"
    exported = page.evaluate("async () => (await fetch('/dashboards/h2-analysts/export.json')).json()")
    assert exported == {**spec, "tiles": [{**spec["tiles"][0]}]}
    viewer, verrors, _ = sign_in("vic")
    assert viewer.goto(link).status == 403
    assert viewer.locator("a[href='/dashboards/h2-analysts']").count() == 0
    status, body = _post(viewer, "/api/dashboards", spec)
    assert status == 403
