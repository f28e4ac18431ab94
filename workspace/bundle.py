"""Whether the console's front-end bundle is built and intact, for ``jjjkg serve`` to check before it starts.

``make console-bundle`` bundles ``workspace/frontend/`` (CodeMirror 6 and Neo4j's Cypher language support,
pinned by its ``package-lock.json``) into ``workspace/static/workspace/build/`` and records every file
there, with its SHA-256, in ``bundle.json``. The folder is not in the repository; the wheel carries it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

__all__ = ["BUILD_DIR", "MANIFEST", "REQUIRED", "bundle_problem", "bundle_files"]

#: where ``make console-bundle`` writes the bundle
BUILD_DIR = Path(__file__).resolve().parent / "static" / "workspace" / "build"
MANIFEST = "bundle.json"
#: what the console page loads (the worker lazily)
REQUIRED = ("console.js", "console.css", "lint-worker.js")
_FIX = "run `make console-bundle`"


def _digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def bundle_files(build_dir: Path | None = None) -> dict[str, str]:
    """The bundle's files by name with their recorded SHA-256, as ``bundle.json`` lists them.

    Parameters
    ----------
    build_dir : Path, optional
        The build folder; the package's own by default.

    Returns
    -------
    dict
        ``{file name: sha256 hex}``; empty when the manifest is missing or unreadable.
    """
    path = Path(build_dir or BUILD_DIR) / MANIFEST
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
        return {str(name): str(entry["sha256"]) for name, entry in files.items()}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def bundle_problem(build_dir: Path | None = None) -> str | None:
    """What is wrong with the console's bundle, in one line; ``None`` when it is complete and unchanged.

    Parameters
    ----------
    build_dir : Path, optional
        The build folder; the package's own by default.

    Returns
    -------
    str or None
        ``None`` when ``bundle.json`` exists, names the files the console loads, and every file it lists
        has the recorded SHA-256; otherwise what is wrong and that ``make console-bundle`` builds it.
    """
    folder = Path(build_dir or BUILD_DIR)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return f"the console's front-end bundle is not built ({manifest} is missing): {_FIX}"
    files = bundle_files(folder)
    if not files:
        return f"the console's front-end bundle has an unreadable {manifest}: {_FIX}"
    for name in REQUIRED:
        if name not in files:
            return f"the console's front-end bundle lacks {name} ({manifest} does not list it): {_FIX}"
    for name, sha256 in sorted(files.items()):
        path = folder / name
        if Path(name).name != name or not path.is_file():
            return f"the console's front-end bundle is incomplete: {folder / Path(name).name} is missing: {_FIX}"
        if _digest(path) != sha256:
            return (f"the console's front-end bundle does not match {MANIFEST}: {path} has changed since it "
                    f"was built: {_FIX}")
    return None
