"""Fixtures for the test suite: folders written on the fly, the command line, stores."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parent / "data" / "tiny"


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", header_map: dict | None = None,
              columns: list[str] | None = None) -> Path:
    """Write ``rows`` as CSV; ``header_map`` renames headers (e.g. to Chinese)."""
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([(header_map or {}).get(c, c) for c in columns])
    for r in rows:
        w.writerow([r.get(c, "") for c in columns])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def tiny_rows() -> dict[str, list[dict]]:
    """The tiny folder's tables as lists of row dicts, to change and write again."""
    return {name: read_rows(TINY / f"{name}.csv") for name in ("organizations", "relations", "sectors", "services")}


@pytest.fixture
def write_folder(tmp_path):
    """Write a data folder from row dicts; returns its path."""

    def write(tables: dict[str, list[dict]], name: str = "data", **kw) -> Path:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        for table, rows in tables.items():
            write_csv(folder / f"{table}.csv", rows, **kw)
        return folder

    return write


@pytest.fixture
def cli(capsys):
    """Run ``jjjkg`` in-process: ``code, out, err = cli("query", "--list")``."""
    from jjjkg.cli import main

    def run(*argv: str):
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture(scope="module")
def embedded_engine(tmp_path_factory):
    """A real embedded FalkorDB server on a module's own store, stopped when the module is done."""
    from graph.store.falkordb import EmbeddedEngine, stop

    store = tmp_path_factory.mktemp("engine-store")
    engine = EmbeddedEngine(store, timeout=60)
    yield engine
    engine.close()
    stop(store)


def built_tiny_store(tmp_path_factory, name: str):
    """Yield a store built from the tiny folder by ``jjjkg build``; its server is stopped afterwards."""
    from graph.store.falkordb import stop
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp(name) / "store"
    assert main(["build", "--data", str(TINY), "--store", str(path)]) == 0
    yield path
    stop(path)
