"""The public API: ``__all__`` lists exactly what each package offers, and the CLI starts light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import graph
import loaders
import queries


@pytest.mark.parametrize("module", [graph, loaders, queries], ids=lambda m: m.__name__)
def test_all_names_resolve(module):
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_help_does_not_import_pandas():
    code = "import sys, jjjkg.cli; jjjkg.cli.build_parser(); print('pandas' in sys.modules, 'networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


#: what a named analysis on a saved store never needs: the tables' readers, figures, workbooks, RDF, the engine
HEAVY = ("pandas", "pyarrow", "matplotlib", "openpyxl", "rdflib", "falkordb", "redis")


def test_query_on_a_store_does_not_import_heavy_modules(tmp_path):
    from jjjkg.cli import main

    store = tmp_path / "store"
    assert main(["build", "--store", str(store)]) == 0  # the bundled dataset
    assert main(["query", "targets-2030", "--store", str(store)]) == 0  # the first analysis makes the graph cache
    code = ("import sys, jjjkg.cli; code = jjjkg.cli.main(['query', 'targets-2030', '--store', sys.argv[1]]); "
            f"print(code, *[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    assert "overall" in proc.stdout  # the analysis answered
    assert proc.stderr.split() == ["0"]
