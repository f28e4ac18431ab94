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
