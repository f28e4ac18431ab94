"""A test run leaves no embedded database server behind: the session fixture stops what tests started."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.servers import running_servers

ROOT = Path(__file__).resolve().parent.parent

#: a test that starts a store's server, once in this process and once through a ``jjjkg`` subprocess,
#: and stops neither
LEAVES_SERVERS = textwrap.dedent('''
    import os, subprocess, sys
    from jjjkg.cli import main

    def test_leaves_three_servers(tmp_path):
        outside = os.environ["OUTSIDE"]  # a store outside the run's temporary folder, queried in this process
        for store in (tmp_path / "a", tmp_path / "b", outside):
            assert main(["build", "--data", os.environ["TINY"], "--store", str(store)]) == 0
        assert main(["cypher", "RETURN 1 AS one", "--store", str(tmp_path / "a")]) == 0
        assert main(["cypher", "RETURN 1 AS one", "--store", outside]) == 0
        subprocess.run([sys.executable, "-m", "jjjkg", "cypher", "RETURN 1 AS one", "--store", str(tmp_path / "b")],
                       check=True, capture_output=True)
''')


def test_servers_a_run_leaves_are_stopped_when_it_ends(tmp_path):
    (tmp_path / "test_leaves.py").write_text(LEAVES_SERVERS, encoding="utf-8")
    basetemp = tmp_path / "inner"
    outside = tmp_path / "outside"  # not under the inner run's basetemp
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TINY": str(ROOT / "tests" / "data" / "tiny"),
           "OUTSIDE": str(outside / "store")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-c", str(ROOT / "pyproject.toml"),
                          "--rootdir", str(tmp_path), f"--basetemp={basetemp}", str(tmp_path / "test_leaves.py")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "embedded database servers stopped at the end of the run: 3" in run.stdout
    assert running_servers([basetemp, outside]) == {}
