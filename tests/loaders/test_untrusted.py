"""Hostile input files: nothing fetched, nothing else opened, nothing inflated — each refused with its reason."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import zipfile

import pytest

import loaders
from graph.errors import InputError
from graph.rdf import jsonld_context, write_jsonld
from loaders import untrusted

from .test_structure import _book


def _problems(path) -> list[str]:
    with pytest.raises(InputError) as err:
        loaders.read_folder(path)
    return [str(p) for p in err.value.problems]


@pytest.fixture
def counting_server():
    """A loopback HTTP server that counts every request and serves a JSON-LD context."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            hits.append(self.path)
            body = json.dumps({"@context": jsonld_context()}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers (a fetch from it would hang)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


def _jsonld_with(tmp_path, tiny_tables, context) -> object:
    """The tiny dataset exported as JSON-LD, its inline context replaced by ``context``."""
    path = tmp_path / "data.jsonld"
    write_jsonld(tiny_tables, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["@context"] = context
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_exported_jsonld_still_loads(tmp_path, tiny_tables):
    path = tmp_path / "data.jsonld"
    write_jsonld(tiny_tables, path)
    assert sorted(loaders.read_folder(path).organizations["id"]) == sorted(tiny_tables.organizations["id"])


@pytest.mark.parametrize("where", ["context", "list", "import", "nested"])
def test_remote_jsonld_context_is_refused_without_a_request(tmp_path, tiny_tables, counting_server, where):
    url, hits = counting_server
    remote = f"{url}/context.jsonld"
    inline = jsonld_context()
    context = {"context": remote,                          # "@context": "http://…"
               "list": [remote, inline],                    # one entry of a list of contexts
               "import": {**inline, "@import": remote},     # JSON-LD 1.1 @import inside an inline context
               "nested": {**inline, "jjj:x": {"@id": "jjj:x", "@context": remote}},  # a scoped context
               }[where]
    path = _jsonld_with(tmp_path, tiny_tables, context)
    assert _problems(path) == [
        f"data.jsonld: the JSON-LD names a context to load: {remote!r}; jjjkg never fetches or opens contexts "
        "(no network, no other files): write the @context inline, as `jjjkg export --format jsonld` does"]
    time.sleep(0.05)  # a request in flight would have arrived by now
    assert hits == []


def test_file_context_is_not_opened(tmp_path, tiny_tables):
    path = _jsonld_with(tmp_path, tiny_tables, "file:///etc/passwd")
    assert _problems(path) == [
        "data.jsonld: the JSON-LD names a context to load: 'file:///etc/passwd'; jjjkg never fetches or opens "
        "contexts (no network, no other files): write the @context inline, as `jjjkg export --format jsonld` does"]


def test_context_on_a_silent_port_does_not_hang(tmp_path, tiny_tables, silent_port):
    path = _jsonld_with(tmp_path, tiny_tables, f"http://127.0.0.1:{silent_port}/ctx")
    start = time.monotonic()
    assert "names a context to load" in _problems(path)[0]
    assert time.monotonic() - start < 5


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:j="https://w3id.org/jjjkg/vocab#">
  <rdf:Description rdf:about="https://w3id.org/jjjkg/id/org/x"><j:name>&lol9;</j:name></rdf:Description>
</rdf:RDF>
"""

DTD_MESSAGE = ("the XML declares a DTD (<!DOCTYPE …>): DTDs and entities are refused in input files (they can "
               "expand without end or read other files); remove the DOCTYPE, or export the data as Turtle")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_fails_fast(tmp_path, encoding):
    path = tmp_path / "laughs.rdf"
    data = BILLION_LAUGHS if encoding == "utf-8" else BILLION_LAUGHS.decode().replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    path.write_bytes(data)
    assert len(BILLION_LAUGHS) < 1500
    start = time.monotonic()
    assert _problems(path) == [f"laughs.rdf: {DTD_MESSAGE}"]
    assert time.monotonic() - start < 2


def test_external_entity_is_refused(tmp_path):
    path = tmp_path / "xxe.rdf"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                     b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>')
    assert _problems(path) == [f"xxe.rdf: {DTD_MESSAGE}"]


def test_rdfxml_without_dtd_still_parses(tmp_path, tiny_tables):
    from graph.rdf import to_rdf

    path = tmp_path / "tiny.rdf"
    from graph import build_graph

    to_rdf(tiny_tables, build_graph(tiny_tables)).serialize(path, format="xml")
    assert sorted(loaders.read_folder(path).organizations["id"]) == sorted(tiny_tables.organizations["id"])


def _workbook(path):
    return _book(path, {"organizations": [["id", "name", "type", "province"], ["a", "甲", "企业", "北京"]]})


def test_xlsx_zip_bomb_is_refused_before_opening(tmp_path):
    """A small archive whose sheet inflates over a thousand times: refused from the sizes alone."""
    good = _workbook(tmp_path / "good.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                # 50 MB of whitespace inside the sheet: well-formed XML, about 50 KB compressed
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 50_000_000)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    assert bomb.stat().st_size < 200_000
    problems = _problems(bomb)
    assert len(problems) == 1
    assert problems[0].startswith("bomb.xlsx: part 'xl/worksheets/sheet1.xml' would inflate from ")
    assert problems[0].endswith("bytes (more than 100 times): a zip bomb, or a workbook padded with empty cells; "
                                "refused (copy the data into a new workbook, or save the sheets as CSV)")


def test_xlsx_total_size_and_entry_count_caps(tmp_path, monkeypatch):
    good = _workbook(tmp_path / "good.xlsx")
    monkeypatch.setattr(untrusted, "MAX_UNCOMPRESSED", 1000)
    assert _problems(good)[0].startswith("good.xlsx: the workbook would inflate to ")
    monkeypatch.setattr(untrusted, "MAX_UNCOMPRESSED", 200 * 1024 * 1024)
    monkeypatch.setattr(untrusted, "MAX_ENTRIES", 3)
    assert _problems(good)[0].startswith("good.xlsx: the workbook archive has ")


def test_not_a_zip(tmp_path):
    (tmp_path / "fake.xlsx").write_bytes(b"id,name\n")
    assert _problems(tmp_path / "fake.xlsx")[0].startswith("fake.xlsx: not a readable .xlsx workbook (not a zip "
                                                          "archive: ")


def test_deeply_nested_jsonld_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert _problems(path) == ["deep.jsonld: not readable as json-ld: nested too deeply"]


def test_xlsx_part_with_a_dtd_is_refused(tmp_path):
    good = _workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet', 1)
            dst.writestr(info, data)
    assert _problems(bad) == ["dtd.xlsx: part 'xl/worksheets/sheet1.xml' declares a DTD (<!DOCTYPE …>): DTDs and "
                              "entities are refused in input files (they can expand without end or read other "
                              "files); refused"]


def test_damaged_xlsx_part_is_an_input_error(tmp_path):
    good = _workbook(tmp_path / "good.xlsx")
    data = bytearray(good.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")  # its local header's name
    data[at:at + 40] = b"\xff" * 40  # the compressed stream right after it
    (tmp_path / "bad.xlsx").write_bytes(bytes(data))
    assert _problems(tmp_path / "bad.xlsx")[0].startswith("bad.xlsx: not a readable .xlsx workbook")


# ----------------------------------------------------------------------------- RDF size


def _ntriples(path, n: int):
    with open(path, "w", encoding="ascii") as f:
        for i in range(n):
            f.write(f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" .\n")
    return path


def test_a_million_ntriples_are_refused_before_parsing(cli, tmp_path):
    """The attempt as made: 1M N-Triples (45 MB) took 32 s and 2 GB before "no organizations found"."""
    path = _ntriples(tmp_path / "big.nt", 1_000_000)
    assert path.stat().st_size > 45_000_000
    t0 = time.monotonic()
    code, _, err = cli("build", "--data", path, "--store", tmp_path / "store")
    assert time.monotonic() - t0 < 10
    assert code == 1 and "Traceback" not in err
    assert ("big.nt: 1,000,000 lines, more than the 600,000 triples read (about the export of 10,000 "
            "organizations): refused; split the file, or give the data as a folder of CSV files "
            "(jjjkg export --format csv writes one)") in err
    assert not (tmp_path / "store").exists()


def test_turtle_past_the_triple_cap_stops_parsing_there(tmp_path, monkeypatch, tiny_tables):
    from graph.rdf import write_turtle
    from loaders import rdf

    path = tmp_path / "g.ttl"
    write_turtle(tiny_tables, path)
    monkeypatch.setattr(rdf, "MAX_RDF_TRIPLES", 50)
    added = []
    real = rdf._capped_store

    def spy(file):
        store = real(file)
        added.append(store)
        return store

    monkeypatch.setattr(rdf, "_capped_store", spy)
    with pytest.raises(InputError, match="g.ttl: more than 50 triples .about the export of 10,000 organizations.: "
                                         "refused"):
        loaders.read_folder(path)
    assert added[0].added == 51  # the parser stopped at the first triple past the cap


def test_an_rdf_file_past_the_size_cap_is_not_read(tmp_path, monkeypatch):
    from loaders import rdf

    path = tmp_path / "g.jsonld"
    path.write_text(" " * 2000 + "{}")
    monkeypatch.setattr(rdf, "MAX_RDF_BYTES", 1024)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(InputError, match=r"g.jsonld: 2,002 bytes, more than the 1,024 read"):
        loaders.read_folder(path)
