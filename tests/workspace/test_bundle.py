"""``workspace.bundle.bundle_problem``: the check ``jjjkg serve`` makes of the console's front-end bundle."""

from __future__ import annotations

import hashlib
import json

import pytest

from workspace.bundle import MANIFEST, bundle_problem

FIX = "run `make console-bundle`"


@pytest.fixture
def folder(tmp_path):
    """A build folder like the one ``build.mjs`` writes: three files and their manifest."""
    files = {}
    for name, text in {"console.js": "console.log(1)", "console.css": "a{}", "lint-worker.js": "x"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files[name] = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "bytes": len(text)}
    (tmp_path / MANIFEST).write_text(json.dumps({"files": files}), encoding="utf-8")
    return tmp_path


def test_an_intact_bundle_has_no_problem(folder):
    assert bundle_problem(folder) is None


def test_the_built_bundle_is_intact():
    # `make test` builds it first (make console-bundle)
    assert bundle_problem() is None


def test_missing_manifest(tmp_path):
    assert bundle_problem(tmp_path) == (f"the console's front-end bundle is not built ({tmp_path / MANIFEST} is "
                                        f"missing): {FIX}")


def test_unreadable_manifest(folder):
    (folder / MANIFEST).write_text("{not json", encoding="utf-8")
    assert bundle_problem(folder) == f"the console's front-end bundle has an unreadable {folder / MANIFEST}: {FIX}"


def test_changed_file(folder):
    (folder / "console.js").write_text("console.log(2)", encoding="utf-8")
    assert bundle_problem(folder) == (f"the console's front-end bundle does not match bundle.json: "
                                      f"{folder / 'console.js'} has changed since it was built: {FIX}")


def test_missing_file(folder):
    (folder / "lint-worker.js").unlink()
    assert bundle_problem(folder) == (f"the console's front-end bundle is incomplete: {folder / 'lint-worker.js'} "
                                      f"is missing: {FIX}")


def test_manifest_without_the_console(folder):
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    del manifest["files"]["console.js"]
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert bundle_problem(folder) == (f"the console's front-end bundle lacks console.js ({folder / MANIFEST} does "
                                      f"not list it): {FIX}")


def test_a_manifest_name_outside_the_folder_is_not_read(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("s", encoding="utf-8")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["../" + outside.parent.name + "/secret.txt"] = {"sha256": hashlib.sha256(b"s").hexdigest()}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert bundle_problem(folder) == (f"the console's front-end bundle is incomplete: {folder / 'secret.txt'} "
                                      f"is missing: {FIX}")



def test_serve_refuses_to_start_without_the_bundle(tmp_path, monkeypatch):
    pytest.importorskip("django", reason="the workspace needs the [serve] extra")
    import workspace.bundle
    from graph.errors import JjjkgError
    from workspace.config import WorkspaceConfig
    from workspace.server import serve

    monkeypatch.setattr(workspace.bundle, "BUILD_DIR", tmp_path / "build")
    state = tmp_path / "state"
    with pytest.raises(JjjkgError) as err:
        serve(WorkspaceConfig(state=state), store=tmp_path / "store", port=0)
    assert str(err.value) == (f"the console's front-end bundle is not built ({tmp_path / 'build' / MANIFEST} is "
                              f"missing): {FIX}")
