"""Guards for files from others: nothing in an input file may fetch, open other files or exhaust memory.

Read this before adding a reader for a new format. Three checks run before a parser sees the file:

- ``check_archive``: an ``.xlsx`` is a zip archive; its entries' declared sizes are checked before
  it is opened, as Apache POI's ``ZipSecureFile`` does (an entry that inflates more than
  ``MAX_RATIO`` times, more than ``MAX_ENTRIES`` entries, more than ``MAX_UNCOMPRESSED`` bytes in all).
  Python's ``zipfile`` never returns more than an entry's declared size, so the declared sizes bound
  what opening the workbook can inflate.
- ``refuse_doctype``: RDF/XML with a DTD (``<!DOCTYPE``, hence ``<!ENTITY``) is refused before rdflib
  parses it: entity expansion ("billion laughs") and external entities have no place in a data file.
  The XML parts of a workbook are held to the same rule by ``check_archive``.
- ``inline_jsonld``: JSON-LD whose ``@context`` (or a context's ``@import``) names a document —
  ``https://…``, ``file:///…`` or a relative path — is refused; contexts must be written inline.
  The checked JSON is what rdflib then parses, so no context is ever fetched or opened.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

from graph.errors import InputError, Problem

__all__ = ["check_archive", "refuse_doctype", "inline_jsonld", "MAX_RATIO", "MAX_UNCOMPRESSED", "MAX_ENTRIES"]

#: an entry may inflate to at most this many times its compressed size (POI's MIN_INFLATE_RATIO 0.01)
MAX_RATIO = 100
#: entries smaller than this are not held to the ratio (tiny XML parts compress very well)
RATIO_GRACE = 1 << 20
#: all entries together, uncompressed
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: entries in the archive (a workbook has a few per sheet)
MAX_ENTRIES = 10_000
#: how much of each XML part is read to find a DTD (it must come before the root element)
DTD_HEAD = 64 * 1024


def check_archive(path: Path) -> None:
    """Refuse a zip archive (an ``.xlsx``) whose declared sizes would exhaust memory.

    Raises ``InputError`` naming the file and the entry; does nothing for a sound workbook.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise InputError(Problem(path.name, None, None, f"not a readable .xlsx workbook (not a zip archive: {err}); "
                                 "save it again from Excel or LibreOffice as .xlsx")) from err
    if len(infos) > MAX_ENTRIES:
        raise InputError(Problem(path.name, None, None, f"the workbook archive has {len(infos):,} parts (at most "
                                 f"{MAX_ENTRIES:,} are read): this is not an ordinary workbook; refused"))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(Problem(path.name, None, None, f"part {info.filename!r} would inflate from "
                                     f"{info.compress_size:,} to {info.file_size:,} bytes (more than {MAX_RATIO} "
                                     "times): a zip bomb, or a workbook padded with empty cells; refused "
                                     "(copy the data into a new workbook, or save the sheets as CSV)"))
    if total > MAX_UNCOMPRESSED:
        raise InputError(Problem(path.name, None, None, f"the workbook would inflate to {total:,} bytes (at most "
                                 f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB are read); save the sheets as CSV "
                                 "files in a data folder instead"))
    try:
        with zipfile.ZipFile(path) as zf:  # a workbook's XML parts never declare a DTD
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as f:
                        head = f.read(DTD_HEAD)
                    if _declares_dtd(head, final=len(head) < DTD_HEAD):
                        raise InputError(Problem(path.name, None, None, f"part {info.filename!r} declares a DTD "
                                                 f"(<!DOCTYPE …>): {_DTD_REFUSED}; refused"))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, zlib.error) as err:
        raise InputError(Problem(path.name, None, None, f"not a readable .xlsx workbook ({err}); save it again "
                                 "from Excel or LibreOffice as .xlsx")) from err


class _Doctype(Exception):
    pass


class _Root(Exception):
    pass


def _raise(exc):
    def handler(*_args):
        raise exc

    return handler


def _declares_dtd(data: bytes, final: bool = True) -> bool:
    """Whether XML ``data`` declares a DTD before its root element (True also when it is cut before its root).

    Expat reads only up to the document type declaration or the root element and stops there, so a
    "billion laughs" file is answered at once; the encoding declaration is honoured, so UTF-16
    cannot hide the DTD.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _raise(_Doctype)
    parser.EntityDeclHandler = _raise(_Doctype)
    parser.StartElementHandler = _raise(_Root)  # the root element came first: there is no DTD
    try:
        parser.Parse(data, final)
    except _Doctype:
        return True
    except (_Root, expat.ExpatError):
        return False  # no DTD; a syntax error is the parser's to report
    return not final  # a head with neither a DTD nor a root: a DTD too long to be honest


_DTD_REFUSED = ("DTDs and entities are refused in input files (they can expand without end or read other files)")


def refuse_doctype(data: bytes, file: str) -> None:
    """Refuse XML that declares a DTD (entities, external references) before any parser expands it."""
    if _declares_dtd(data):
        raise InputError(Problem(file, None, None, f"the XML declares a DTD (<!DOCTYPE …>): {_DTD_REFUSED}; "
                                 "remove the DOCTYPE, or export the data as Turtle"))


def _context_references(tree) -> list[str]:
    """Every document a JSON-LD tree names as a context or an import, anywhere in it (no recursion:
    a hostile file may nest deeply)."""
    found: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    found.extend(c for c in (value if isinstance(value, list) else [value]) if isinstance(c, str))
                elif key == "@import" and isinstance(value, str):
                    found.append(value)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def inline_jsonld(data: bytes, file: str) -> str:
    """The JSON-LD text, checked: every ``@context`` inline, no ``@import``; else ``InputError``.

    Returns the decoded text, for the parser to read instead of the file (what was checked is what is
    parsed).
    """
    try:
        text = data.decode("utf-8-sig")
        tree = json.loads(text)
    except (UnicodeDecodeError, ValueError) as err:
        raise InputError(Problem(file, None, None, f"not readable as json-ld: {err}")) from err
    except RecursionError as err:
        raise InputError(Problem(file, None, None, "not readable as json-ld: nested too deeply")) from err
    refs = _context_references(tree)
    if refs:
        listed = ", ".join(repr(r) for r in dict.fromkeys(refs))
        raise InputError(Problem(file, None, None, f"the JSON-LD names a context to load: {listed}; jjjkg never "
                                 "fetches or opens contexts (no network, no other files): write the @context "
                                 "inline, as `jjjkg export --format jsonld` does"))
    return text
