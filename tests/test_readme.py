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


# ----------------------------------------------------------------------------- every console block, run

#: what differs from run to run and is masked on both sides: fingerprints, durations, version folders
_MASKS = ((re.compile(r"\b[0-9a-f]{12}\b"), "<fingerprint>"), (re.compile(r"\b\d+(?:\.\d+)? s\b"), "<t> s"),
          (re.compile(r"\.v-\d{8}T\d+-[0-9a-f]+"), ".v-<version>"))
#: a line of the README that stands for any number of lines of the real output
ELIDED = "…"


def _mask(text: str) -> str:
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


def console_sessions() -> list[tuple[int, list[tuple[str, list[str]]]]]:
    """Every ``console`` block of the README as (block number, [(command, expected lines)]), in order."""
    out = []
    for b, block in enumerate(_blocks("console")):
        steps: list[tuple[str, list[str]]] = []
        for line in block.rstrip("\n").splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        out.append((b, steps))
    return out


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line, a line that is only ``…`` standing for any run of lines (blank lines at the ends ignored)."""

    def strip(lines):
        lines = list(lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return lines

    # trailing spaces (pandas pads its table headers) are not kept by editors: compared without them
    pattern = "".join("(?:[^\n]*\n)*?" if line.strip() == ELIDED else re.escape(_mask(line.rstrip())) + "\n"
                      for line in strip(expected))
    return re.fullmatch(pattern, "".join(_mask(line.rstrip()) + "\n" for line in strip(actual))) is not None


@pytest.fixture(scope="module")
def readme_q4(tmp_path_factory):
    """The store the analysis examples name, built as the README's text says (``--store /tmp/q4``)."""
    from graph.store.falkordb.server import stop
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("readme-q4") / "q4"
    assert main(["build", "--data", "tests/data/tiny", "--store", str(path)]) == 0
    yield path
    stop(path)


def _jjjkg(argv: list[str], cwd: Path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k not in ("JJJKG_STORE", "JJJKG_QUERIES")}
    env.update(PYTHONPATH=str(root), PYTHONUNBUFFERED="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "jjjkg", *argv], cwd=cwd, env=env, text=True,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("block, steps", console_sessions(), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_every_console_block_prints_what_the_readme_shows(tmp_path, readme_q4, block, steps):
    """Each block runs in a fresh folder standing for a clone's root (its tests/ and examples/ reachable, the
    bundled store built first where the block does not build it), the commands in order, stdout and stderr
    together as a terminal shows them; fingerprints and durations are masked, a line ``…`` stands for any."""
    import shlex

    from graph.store.falkordb.server import stop

    root = Path(__file__).resolve().parent.parent
    for name in ("tests", "examples"):
        (tmp_path / name).symlink_to(root / name)
    if steps and steps[0][0] != "jjjkg build" and any("--store" not in c for c, _ in steps):
        assert _jjjkg(["build"], tmp_path).returncode == 0
    try:
        for command, expected in steps:
            argv = shlex.split(command, comments=True)
            assert argv[0] == "jjjkg", command
            argv = [str(readme_q4) if a == "/tmp/q4" else str(tmp_path / a[len("/tmp/"):]) if a.startswith("/tmp/")
                    else a for a in argv[1:]]
            run = _jjjkg(argv, tmp_path)
            actual = run.stdout.replace(str(readme_q4), "/tmp/q4").replace(str(tmp_path) + "/", "/tmp/").splitlines()
            assert run.returncode == 0, f"README block {block}: $ {command}\n{run.stdout}"
            assert _matches(expected, actual), (f"README block {block}: $ {command}\n--- README\n"
                                                + "\n".join(expected) + "\n--- jjjkg\n" + "\n".join(actual))
    finally:
        for store in (tmp_path / ".jjjkg", tmp_path / "tiny"):
            if store.exists():
                stop(store)
