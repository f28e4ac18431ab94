"""Fixtures shared by the tests and the docstring examples.

``tiny_tables`` and ``tiny_graph`` come from ``tests/data/tiny`` (synthetic, hand-made data that
covers every rule of the two contract analyses). Docstring examples call ``tiny_graph()``,
``tiny_tables()`` and use ``TINY`` (the folder), the way networkx examples assume ``nx``.

``_embedded_servers`` (session, automatic) stops every embedded database server the run started when it
ends, and fails the run if one is still alive after that (see ``tests/servers.py``).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import pytest

TINY = Path(__file__).resolve().parent / "tests" / "data" / "tiny"


@lru_cache(maxsize=1)
def _tiny_tables():
    import loaders

    return loaders.read_folder(TINY)


@lru_cache(maxsize=1)
def _tiny_graph():
    from graph import build_graph

    return build_graph(_tiny_tables())


def tiny_tables():
    """The tiny tables (a fresh copy each call)."""
    return copy.deepcopy(_tiny_tables())


def tiny_graph():
    """The tiny graph (a fresh copy each call, so a test may change it)."""
    return _tiny_graph().copy()


@pytest.fixture(scope="session", autouse=True)
def _embedded_servers(tmp_path_factory):
    from tests import servers

    with pytest.MonkeyPatch.context() as mp:
        servers.record_starts(mp)
        yield
    stopped, left = servers.stop_servers(tmp_path_factory.getbasetemp())
    _SERVERS_STOPPED[:] = stopped
    if left:
        pytest.fail("embedded database servers still running after the run, stopped by force: "
                    + ", ".join(str(p) for p in left), pytrace=False)


_SERVERS_STOPPED: list = []


def pytest_terminal_summary(terminalreporter):
    if _SERVERS_STOPPED:
        terminalreporter.write_line(f"embedded database servers stopped at the end of the run: {len(_SERVERS_STOPPED)}")


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace.update(tiny_graph=tiny_graph, tiny_tables=tiny_tables, TINY=TINY)


@pytest.fixture(name="tiny_graph")
def tiny_graph_fx():
    return tiny_graph()


@pytest.fixture(name="tiny_tables")
def tiny_tables_fixture():
    return tiny_tables()
