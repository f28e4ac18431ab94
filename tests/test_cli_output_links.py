"""Links planted where jjjkg writes: a colleague's folder holding ``名单.plan.csv -> ~/.bashrc``.

Every file the program writes goes through ``graph.safe_write``: a temporary file in the target's
folder, renamed over the target; a target that is a link, a folder or a FIFO is refused with one line
naming it, and the file the link points to is left as it was.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from graph.errors import OutputError
from graph.safe_write import child, open_replacing, safe_stem, write_text
from tests.test_cli_import import ROWS, built  # noqa: F401 (fixtures)

PRECIOUS = "export PATH=$HOME/bin:$PATH  # the victim's own file\n"


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file of the user's that a planted link points at (stands in for ~/.bashrc)."""
    path = tmp_path / "home" / ".bashrc"
    path.parent.mkdir()
    path.write_text(PRECIOUS)
    return path


def _plant(link: Path, victim: Path) -> Path:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)
    return link


def _refused(code: int, err: str, link: Path, victim: Path) -> None:
    assert code == 1, err
    assert "Traceback" not in err
    assert f"refused to write {str(link)!r}: it is a symbolic link" in err, err
    assert victim.read_text() == PRECIOUS
    assert link.is_symlink()


def test_the_default_plan_path_planted_as_a_link_is_refused(cli, built, tmp_path, victim, monkeypatch):  # noqa: F811
    folder = tmp_path / "colleague"
    folder.mkdir()
    with open(folder / "名单.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(ROWS)
    link = _plant(folder / "名单.plan.csv", victim)
    monkeypatch.chdir(folder)
    code, _, err = cli("import", "名单.csv", "--store", built)
    _refused(code, err, Path("名单.plan.csv"), victim)
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary file left behind
    assert link.is_symlink()


def test_a_named_plan_that_is_a_link_is_refused(cli, built, tmp_path, victim):  # noqa: F811
    lst = tmp_path / "名单.csv"
    with open(lst, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(ROWS)
    link = _plant(tmp_path / "plan.csv", victim)
    _refused(*cli("import", lst, "--store", built, "--plan", link)[::2], link, victim)


@pytest.mark.parametrize("name", ["briefing.html", "workbook.xlsx"])
def test_report_does_not_write_through_a_link_in_its_folder(cli, built, tmp_path, victim, name):  # noqa: F811
    out = tmp_path / "pack"
    link = _plant(out / name, victim)
    _refused(*cli("report", "--out", out, "--store", built)[::2], link, victim)


def test_report_chain_pages_do_not_follow_links(cli, built, tmp_path, victim):  # noqa: F811
    out = tmp_path / "pack"
    link = _plant(out / "chains" / "chain-CH_H2.html", victim)
    code, _, err = cli("report", "--out", out, "--store", built)
    assert code == 0, err  # the pack is written; the chain views say in the briefing why they are missing
    assert victim.read_text() == PRECIOUS and link.is_symlink()
    assert "refused to write" in (out / "briefing.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt, name", [("graphml", "g.graphml"), ("turtle", "g.ttl"), ("gexf", "g.gexf"),
                                       ("jsonld", "g.jsonld")])
def test_export_to_a_link_is_refused(cli, built, tmp_path, victim, fmt, name):  # noqa: F811
    link = _plant(tmp_path / name, victim)
    _refused(*cli("export", "--format", fmt, "--out", link, "--store", built)[::2], link, victim)


@pytest.mark.parametrize("fmt, name", [("csv", "organizations.csv"), ("neo4j-csv", "README.md"),
                                       ("neo4j-csv", "nodes_organizations.csv")])
def test_export_folder_does_not_follow_a_link_in_it(cli, built, tmp_path, victim, fmt, name):  # noqa: F811
    out = tmp_path / "exported"
    link = _plant(out / name, victim)
    _refused(*cli("export", "--format", fmt, "--out", out, "--store", built)[::2], link, victim)


@pytest.mark.parametrize("option, name", [("--out", "graph.html"), ("--svg", "h2.svg")])
def test_viz_to_a_link_is_refused(cli, built, tmp_path, victim, option, name):  # noqa: F811
    link = _plant(tmp_path / name, victim)
    _refused(*cli("viz", "--sector", "CH_H2", option, link, "--store", built)[::2], link, victim)


def test_generate_does_not_follow_a_link_in_its_folder(cli, tmp_path, victim):
    out = tmp_path / "syn"
    link = _plant(out / "organizations.csv", victim)
    _refused(*cli("generate", "--orgs", "20", "--out", out)[::2], link, victim)


# ----------------------------------------------------------------------------- the helper itself


def test_a_fifo_or_a_folder_is_refused_and_nothing_blocks(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"it is a FIFO, not a regular file"):
        write_text(fifo, "x")  # opening a FIFO for writing would block forever
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match=r"it is a folder, not a regular file"):
        write_text(tmp_path / "dir", "x")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), open_replacing(target) as f:
        f.write("half")
        raise RuntimeError("killed half-way")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_link_planted_while_the_file_is_written_is_refused(tmp_path, victim):
    target = tmp_path / "out.html"
    with pytest.raises(OutputError, match="it is a symbolic link"), open_replacing(target) as f:
        f.write("new")
        target.symlink_to(victim)  # appears after the first look, before the rename
    assert victim.read_text() == PRECIOUS and target.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out.html"]


@pytest.mark.parametrize("sid", ["x/../../name", "../../../tmp/evil", "..", "/etc/passwd", "a\\b", "\x00"])
def test_names_from_data_stay_in_their_folder(tmp_path, sid):
    path = child(tmp_path, f"chain-{safe_stem(sid)}.png")
    assert path.parent == tmp_path and "/" not in path.name[1:]
    with pytest.raises(OutputError, match="must be one plain name inside that folder"):
        child(tmp_path, sid if "/" in sid or sid == ".." else "../" + sid)


# ----------------------------------------------------------------------------- names from data


def test_a_sector_id_with_dot_dot_writes_nothing_outside_the_pack(cli, tmp_path):
    """A colleague's sectors.csv holds the chain ``x/../../../escaped`` (and the pack folder a ``chain-x``
    folder for the path to pass through): its figure stays inside chains/."""
    import shutil

    from tests.conftest import TINY

    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    sectors = (data / "sectors.csv").read_text(encoding="utf-8")
    (data / "sectors.csv").write_text(sectors.replace("S_ROBOT,", "x/../../../escaped,", 1), encoding="utf-8")
    orgs = (data / "organizations.csv").read_text(encoding="utf-8")
    (data / "organizations.csv").write_text(orgs.replace("S_ROBOT", "x/../../../escaped"), encoding="utf-8")
    store = tmp_path / "store"
    code, _, err = cli("build", "--data", data, "--store", store)
    assert code == 0, err
    out = tmp_path / "deep" / "pack"
    (out / "chains" / "chain-x").mkdir(parents=True)
    code, _, err = cli("report", "--out", out, "--store", store)
    assert code == 0, err
    outside = [p for p in tmp_path.rglob("*escaped*") if out not in p.parents]
    assert outside == []
    assert sorted(p.name for p in (out / "chains").glob("*escaped*")) == ["chain-x_.._.._.._escaped.html",
                                                                        "chain-x_.._.._.._escaped.png"]


def test_a_chains_folder_planted_as_a_link_is_not_written_into(cli, built, tmp_path):  # noqa: F811
    elsewhere = tmp_path / "victim-folder"
    elsewhere.mkdir()
    out = tmp_path / "pack"
    out.mkdir()
    (out / "chains").symlink_to(elsewhere)
    code, _, err = cli("report", "--out", out, "--store", built)
    assert code == 0, err
    assert list(elsewhere.iterdir()) == []
    assert "refused to write into" in (out / "briefing.html").read_text(encoding="utf-8")
