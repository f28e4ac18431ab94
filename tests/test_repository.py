"""The repository holds sources only: no built store, so a fresh clone stays clean after `make demo`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_git_tracks_no_store():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    names = [n for n in files.decode("utf-8", "replace").split("\0") if n]
    parts = [p for n in names for p in Path(n).parts]
    store_like = sorted({p for p in parts if p == ".jjjkg" or p.startswith("..jjjkg") or p.startswith(".jjjkg.v-")
                         or p in ("graph.pickle", "meta.json")} | {n for n in names if n.endswith((".parquet",
                                                                                                     ".pickle"))})
    assert store_like == []
