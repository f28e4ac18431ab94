"""The README tells the truth: its library example runs, its lists match the code, its input example loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


def _console_examples(store_marker: str) -> list[tuple[list[str], str]]:
    """(argv, expected stdout) of every ``$ jjjkg …`` line in a console block that uses ``store_marker``."""
    import shlex

    out = []
    for block in _blocks("console"):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ jjjkg ") and store_marker in line:
                expected = []
                for follow in lines[i + 1:]:
                    if follow.startswith("$ "):
                        break
                    expected.append(follow)
                out.append((shlex.split(line[2:])[1:], "\n".join(expected).rstrip() + "\n"))
    return out


ANALYSIS_EXAMPLES = _console_examples("--store /tmp/q4")


@pytest.fixture(scope="module")
def q4_store(tmp_path_factory):
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("readme") / "q4"
    assert main(["build", "--data", "tests/data/tiny", "--store", str(path)]) == 0
    return path


@pytest.mark.parametrize("argv, expected", ANALYSIS_EXAMPLES, ids=[" ".join(a[:2]) for a, _ in ANALYSIS_EXAMPLES])
def test_analysis_examples_print_what_the_readme_shows(cli, q4_store, argv, expected):
    argv = [str(q4_store) if a == "/tmp/q4" else a for a in argv]
    code, out, err = cli(*argv)
    assert code == 0, err
    assert out == expected
