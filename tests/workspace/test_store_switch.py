"""A rebuilt store is noticed by its fingerprint: the next request answers from it, with a banner."""

from __future__ import annotations

import time

from .conftest import TINY, jjjkg, sign_in, wait_for


def test_rebuild_switches_at_the_next_request(fresh_server, tmp_path):
    store = tmp_path / "store"
    jjjkg("build", "--data", TINY, "--store", store)
    srv = fresh_server(store)
    s = sign_in(srv, "viewer")
    assert s.get(srv.url + "api/search", params={"q": "PF_JJJ_NTIC"}, timeout=30).json() == []
    home = s.get(srv.url, timeout=30).text
    assert "数据已更新" not in home
    jjjkg("build", "--store", store)  # the bundled data now
    time.sleep(1.2)  # the server looks at the store's fingerprint at most once a second
    hits = wait_for(lambda: s.get(srv.url + "api/search", params={"q": "PF_JJJ_NTIC"}, timeout=30).json())
    assert hits and hits[0]["id"] == "PF_JJJ_NTIC"
    home = s.get(srv.url, timeout=60).text
    assert "数据已更新" in home and "新增机构" in home
    assert "数据已更新" not in s.get(srv.url, timeout=30).text  # said once per session
