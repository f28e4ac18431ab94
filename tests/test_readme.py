"""The README tells the truth: its library example runs, its lists match the code, its input example loads."""

from __future__ import annotations

import re
from pathlib import Path

import loaders
import queries

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_library_example_runs(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    (code,) = _blocks("python")
    exec(compile(code, "README.md", "exec"), {})


def test_analyses_list_is_generated_from_the_registry():
    listed = README.split("<!-- analyses:begin")[1].split("<!-- analyses:end -->")[0].splitlines()[1:]
    expected = [f"- `{q.name}` — {q.summary} Parameters: {', '.join(f'`{p}`' for p in q.params)}."
                for q in sorted(queries.QUERIES.values(), key=lambda q: q.name)]
    assert [line for line in listed if line] == expected


def test_every_command_and_analysis_is_documented():
    from jjjkg.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"jjjkg {name}" in README, name
    for name in queries.QUERIES:
        assert f"`{name}`" in README, name


def test_input_example_loads(tmp_path):
    orgs, rels = _blocks("csv")
    (tmp_path / "organizations.csv").write_text(orgs, encoding="utf-8")
    (tmp_path / "relations.csv").write_text(rels, encoding="utf-8")
    t = loaders.read_folder(tmp_path)
    assert list(t.organizations["province"]) == ["北京", "天津"]
    assert t.organizations.loc[0, "services"] == ["SVC_SCALEUP_MATURATION", "SVC_PERF_TEST"]
