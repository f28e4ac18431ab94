"""The meeting pack made on the server equals what `jjjkg report` writes (but for the generation time)."""

from __future__ import annotations

import re

from .conftest import jjjkg, wait_for

_GENERATED = re.compile(r"由 jjjkg \S+ 生成 · [0-9-]+ [0-9:]+ UTC")


def _start(s, url) -> int:
    r = s.post(url + "pack/start", headers={"X-CSRFToken": s.csrf, "HX-Request": "true"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(re.search(r'id="job-(\d+)"', r.text).group(1))


def test_pack_equals_report_and_is_watermarked(clients, server, tmp_path):
    s = clients["viewer"]
    job = _start(s, server.url)
    done = wait_for(lambda: "已完成" in s.get(server.url + f"pack/{job}/status", timeout=30).text, timeout=240,
                    step=1)
    assert done
    html = s.get(server.url + f"pack/{job}/briefing.html", timeout=60)
    assert html.status_code == 200 and "attachment" in html.headers["Content-Disposition"]
    jjjkg("report", "--store", server.store, "--out", tmp_path / "cli")
    cli = (tmp_path / "cli" / "briefing.html").read_text(encoding="utf-8")
    assert _GENERATED.sub("", html.content.decode("utf-8")) == _GENERATED.sub("", cli)
    from openpyxl import load_workbook

    path = tmp_path / "served.xlsx"
    path.write_bytes(s.get(server.url + f"pack/{job}/workbook.xlsx", timeout=60).content)
    served, ours = load_workbook(path), load_workbook(tmp_path / "cli" / "workbook.xlsx")
    assert served.sheetnames == ours.sheetnames
    for a, b in zip(served.worksheets, ours.worksheets):
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
        assert "viewer" in a.oddHeader.right.text
    pdf = s.get(server.url + f"pack/{job}/briefing.pdf", timeout=60)
    if pdf.status_code == 200:  # where the server has Chromium (CI has)
        assert pdf.content.startswith(b"%PDF")
        text_path = tmp_path / "b.pdf"
        text_path.write_bytes(pdf.content)
        import subprocess

        text = subprocess.run(["pdftotext", str(text_path), "-"], capture_output=True, text=True).stdout
        assert "viewer ·" in text  # the watermark is in the PDF itself
    # another account cannot fetch this job's files
    assert clients["analyst"].get(server.url + f"pack/{job}/briefing.html", timeout=30).status_code == 404
