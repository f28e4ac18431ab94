"""The packages depend downwards only (ARCHITECTURE.md): read every module's imports and check them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: what each package may import of the product's packages (besides itself)
ALLOWED = {
    "graph": set(),
    "loaders": {"graph"},
    "queries": {"graph"},
    "viz": {"graph", "queries"},
    "workspace": {"graph", "loaders", "queries", "viz"},
    "jjjkg": {"graph", "loaders", "queries", "viz", "workspace"},
}


def _imported(path: Path) -> set[str]:
    """The top-level product packages a module names in its import statements (relative ones are its own)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_packages_below_it(package):
    wrong = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "node_modules" in path.parts or "migrations" in path.parts:
            continue
        bad = _imported(path) - ALLOWED[package] - {package}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong, f"{package} reaches upwards: {wrong}"


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from jjjkg import cli\n    import viz.page\n", encoding="utf-8")
    assert _imported(module) == {"jjjkg", "viz"}
