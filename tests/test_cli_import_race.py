"""``jjjkg import --apply`` and a build that finishes while the import is being prepared: the build wins,
the import is refused with one line, and nothing of the build is reverted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graph.store import Store
from tests.conftest import TINY
from tests.test_cli_import import built, gb_list  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]


def test_a_build_finishing_during_an_import_is_not_reverted(cli, built, gb_list, monkeypatch):  # noqa: F811
    import loaders.listimport as li

    real = li.apply_plan

    def apply_while_a_colleague_builds(*args, **kw):
        out = real(*args, **kw)
        # another process rewrites the store after the import read it, before the import writes
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "jjjkg", "build", "--data", str(TINY), "--store", str(built)],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return out

    monkeypatch.setattr(li, "apply_plan", apply_while_a_colleague_builds)
    before = Store(built).fingerprint
    code, out, err = cli("import", gb_list, "--store", built, "--apply")
    assert code == 1, out
    rebuilt = Store(built)
    assert rebuilt.fingerprint != before
    assert err.strip().splitlines()[-1] == (
        f"Error: the store {str(built.resolve().parent / built.name)!r} changed while this was prepared (read with "
        f"fingerprint {before[:12]}, now fingerprint {rebuilt.fingerprint[:12]}: another build or import finished "
        "meanwhile); nothing was written: run the command again")
    assert len(rebuilt.tables.organizations) == 17  # the colleague's build stands, not reverted
