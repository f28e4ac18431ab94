"""The store's graph as columnar arrays: written at build, memory-mapped on open, checked before use.

Beside the parquet tables a store keeps its graph's shape in ``graph/*.npy`` (plain numpy files, never
pickles)::

    node_ids.npy, node_id_offsets.npy      every node's id, UTF-8, one after another (int64 offsets)
    node_names.npy, node_name_offsets.npy  every node's name ("" when it has none)
    node_labels.npy                        int8: the node's label, a position in meta's ``labels``
    edge_src.npy, edge_dst.npy             int32: each edge's ends, as node positions, sorted by source
    edge_rel.npy                           int8: its relation type, a position in meta's ``relations``
    edge_offsets.npy                       int64: CSR offsets, the edges of node i are [off[i], off[i+1])

Nodes are the organizations in table order, then the sectors, the services and the regions; edges are
every edge of the networkx graph (``graph.build``): the input relations and the derived ones, once per
(source, target, type). A build writes them from the validated tables without making a Python object
per row, and counting, naming ids or walking the relations reads them without building the networkx
graph.

A store folder is untrusted: ``read_arrays`` opens each file without following links, checks its
header's dtype and shape against meta.json and its size against the header before mapping it, and
checks every offset and index against its bounds, so a hostile file is refused with one line
(``StoreError``) instead of a crash or a read out of bounds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import schema
from ..errors import StoreError
from ..safe_write import replacing
from . import versions

if TYPE_CHECKING:
    from ..tables import Tables

__all__ = ["Arrays", "write_arrays", "read_arrays", "FOLDER"]

#: the folder of a store version holding the arrays
FOLDER = "graph"

#: the labels of the nodes, in code order: the organizations' labels, then the other node kinds
LABELS = (*(t.label for t in schema.ORG_TYPES.values()), schema.SECTOR, schema.SERVICE, schema.REGION)

#: each file's dtype (little-endian, as written) and what its length is counted in
_FILES = {
    "node_ids": ("|u1", "id_bytes"), "node_id_offsets": ("<i8", "nodes+1"),
    "node_names": ("|u1", "name_bytes"), "node_name_offsets": ("<i8", "nodes+1"),
    "node_labels": ("|i1", "nodes"),
    "edge_src": ("<i4", "edges"), "edge_dst": ("<i4", "edges"), "edge_rel": ("|i1", "edges"),
    "edge_offsets": ("<i8", "nodes+1"),
}

#: the derived relations: (list or id column of organizations, relation, target family)
_DERIVED = (("sectors", "IN_SECTOR", schema.SECTOR), ("services", "OFFERS", schema.SERVICE),
            ("needs", "NEEDS", schema.SERVICE), ("region", "LOCATED_IN", schema.REGION))


def _utf8(values) -> tuple[np.ndarray, np.ndarray]:
    """``(bytes, offsets)`` of a sequence of strings (None: ""), through Arrow's string layout (no per-row Python)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.fill_null(pa.array(values, type=pa.large_string(), from_pandas=True), "")
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    _, offsets, data = arr.buffers()
    off = np.frombuffer(offsets, dtype="<i8")[arr.offset:arr.offset + len(arr) + 1]
    start, end = int(off[0]), int(off[-1])
    data = np.frombuffer(data, dtype="|u1")[start:end] if data is not None and end > start else np.zeros(0, "|u1")
    return data.copy(), (off - start).astype("<i8")


def _find(keys: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """The position of each of ``refs`` in ``keys`` (the first, if one is there twice), -1 where none: one
    hash pass over both (``pandas.factorize``)."""
    import pandas as pd

    codes, uniques = pd.factorize(np.concatenate([keys, refs]))
    first = np.full(len(uniques) + 1, -1, dtype=np.int64)
    first[codes[:len(keys)][::-1]] = np.arange(len(keys))[::-1]
    return first[codes[len(keys):]]


def _column(df, name: str) -> np.ndarray:
    return df[name].to_numpy(dtype=object, na_value=None)


def graph_arrays(tables: Tables) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays of the graph ``build_graph(tables)`` makes, and their part of meta.json."""
    import pandas as pd

    orgs = tables.organizations
    families = {schema.ORGANIZATION: _column(orgs, "id"), schema.SECTOR: _column(tables.sectors, "id"),
                schema.SERVICE: _column(tables.services, "id"), schema.REGION: _column(tables.regions, "id")}
    names = {schema.ORGANIZATION: _column(orgs, "name"), schema.SECTOR: _column(tables.sectors, "name"),
             schema.SERVICE: _column(tables.services, "name"), schema.REGION: _column(tables.regions, "name")}
    code = {label: i for i, label in enumerate(LABELS)}
    org_labels = pd.Series(orgs["type"].to_numpy(dtype=object)).map(
        {t: code[v.label] for t, v in schema.ORG_TYPES.items()}).to_numpy(dtype="i1")
    labels = {schema.ORGANIZATION: org_labels}

    def positions(family: str, ids: np.ndarray) -> np.ndarray:
        """Positions of ``ids`` among ``family``'s ids; an id that is not there becomes a node of its own
        (as ``build_graph`` adds an end it does not know), with no name."""
        at = _find(families[family], ids)
        if (at < 0).any():
            extra = pd.unique(ids[at < 0])
            if family == schema.ORGANIZATION:
                raise StoreError(f"a relation names the organization {extra[0]!r}, which the tables do not hold")
            families[family] = np.concatenate([families[family], extra])
            names[family] = np.concatenate([names[family], np.full(len(extra), None, dtype=object)])
            at = _find(families[family], ids)
        return at

    rels = tables.relations
    relation_names: list[str] = sorted(set(rels["relation"].unique().tolist()) |
                                       {rel for _, rel, _ in _DERIVED} | {"PART_OF"})
    rel_code = {r: i for i, r in enumerate(relation_names)}
    parts = [(schema.ORGANIZATION, positions(schema.ORGANIZATION, _column(rels, "from_id")),
              schema.ORGANIZATION, positions(schema.ORGANIZATION, _column(rels, "to_id")),
              rels["relation"].map(rel_code).to_numpy(dtype="i1"))]
    for column, rel, family in _DERIVED:
        ex = pd.Series(_column(orgs, column))  # numbered by organization row: the index is the source
        ex = (ex.explode() if column != "region" else ex).dropna()
        parts.append((schema.ORGANIZATION, ex.index.to_numpy(), family, positions(family, ex.to_numpy(dtype=object)),
                      np.full(len(ex), rel_code[rel], dtype="i1")))
    parents = tables.regions[["id", "parent"]].dropna()
    parts.append((schema.REGION, positions(schema.REGION, _column(parents, "id")),
                  schema.REGION, positions(schema.REGION, _column(parents, "parent")),
                  np.full(len(parents), rel_code["PART_OF"], dtype="i1")))

    order = (schema.ORGANIZATION, schema.SECTOR, schema.SERVICE, schema.REGION)
    start, at = {}, 0
    for f in order:
        start[f] = at
        at += len(families[f])
    n = at
    for f in order[1:]:
        labels[f] = np.full(len(families[f]), code[f], dtype="i1")
    src = np.concatenate([np.zeros(0, np.int64), *(p[1].astype(np.int64) + start[p[0]] for p in parts)])
    dst = np.concatenate([np.zeros(0, np.int64), *(p[3].astype(np.int64) + start[p[2]] for p in parts)])
    rel = np.concatenate([np.zeros(0, "i1"), *(p[4] for p in parts)]).astype(np.int64)
    # one edge per (source, target, type), sorted by source: the key sorts and removes repeats at once
    key = np.sort((src * n + dst) * len(relation_names) + rel)
    key = key[np.concatenate([np.ones(min(len(key), 1), bool), key[1:] != key[:-1]])]
    rel, pair = key % len(relation_names), key // len(relation_names)
    src, dst = pair // max(n, 1), pair % max(n, 1)
    ids, id_offsets = _utf8(np.concatenate([families[f] for f in order]))
    nm, name_offsets = _utf8(np.concatenate([names[f] for f in order]))
    arrays = {
        "node_ids": ids, "node_id_offsets": id_offsets, "node_names": nm, "node_name_offsets": name_offsets,
        "node_labels": np.concatenate([labels[f] for f in order]).astype("|i1"),
        "edge_src": src.astype("<i4"), "edge_dst": dst.astype("<i4"), "edge_rel": rel.astype("|i1"),
        "edge_offsets": np.searchsorted(src, np.arange(n + 1)).astype("<i8"),
    }
    meta = {"nodes": int(n), "edges": int(len(src)), "id_bytes": int(len(ids)), "name_bytes": int(len(nm)),
            "labels": list(LABELS), "relations": relation_names}
    return arrays, meta


def write_arrays(tables: Tables, root: Path) -> dict:
    """Write the graph's arrays into ``root/graph`` (each file through ``replacing``); their meta part."""
    arrays, meta = graph_arrays(tables)
    folder = root / FOLDER
    folder.mkdir()
    for name, a in arrays.items():
        with replacing(folder / f"{name}.npy") as tmp, open(tmp, "wb") as f:
            np.lib.format.write_array(f, np.ascontiguousarray(a), allow_pickle=False)
    return meta


@dataclass(frozen=True)
class Arrays:
    """A store's graph arrays, memory-mapped and checked (``read_arrays``)."""

    meta: dict
    a: dict

    @property
    def nodes(self) -> int:
        return self.meta["nodes"]

    @property
    def edges(self) -> int:
        return self.meta["edges"]

    def label_code(self, label: str) -> int | None:
        labels = self.meta["labels"]
        return labels.index(label) if label in labels else None

    def count(self, label: str | None = None) -> int:
        """How many nodes carry ``label`` (``Organization``: every organization; None: every node)."""
        if label is None:
            return self.nodes
        counts = np.bincount(self.a["node_labels"], minlength=len(self.meta["labels"]))
        if label == schema.ORGANIZATION:
            return int(counts[[self.label_code(t.label) for t in schema.ORG_TYPES.values()
                               if self.label_code(t.label) is not None]].sum())
        code = self.label_code(label)
        return 0 if code is None else int(counts[code])

    def strings(self, data: str, offsets: str):
        """The strings of ``data`` cut at ``offsets`` as one Arrow array over the mapped bytes, checked to be
        UTF-8 throughout (a planted byte never reaches a name)."""
        import pyarrow as pa

        off = self.a[offsets]
        arr = pa.LargeStringArray.from_buffers(len(off) - 1, pa.py_buffer(off), pa.py_buffer(self.a[data]))
        try:
            arr.validate(full=True)
        except pa.ArrowInvalid as err:
            raise StoreError(f"a store's graph arrays are damaged ({FOLDER}/{data}.npy: {err}); "
                             "rebuild it with `jjjkg build`") from err
        return arr

    def ids(self) -> list[str]:
        """Every node's id, in node order."""
        return self.strings("node_ids", "node_id_offsets").to_pylist()

    def names(self) -> list[str]:
        """Every node's name ("" when it has none), in node order."""
        return self.strings("node_names", "node_name_offsets").to_pylist()

    def labels(self) -> list[str]:
        """Every node's label, in node order."""
        return np.asarray(self.meta["labels"], dtype=object)[self.a["node_labels"]].tolist()


def _damaged(store: Path, name: str, why: str) -> StoreError:
    return StoreError(f"the store at {str(store)!r} is damaged ({FOLDER}/{name}.npy: {why}); "
                      "rebuild it with `jjjkg build`")


def _meta_part(meta: dict, store: Path) -> dict:
    part = meta.get("arrays")
    if not isinstance(part, dict):
        raise StoreError(f"the store at {str(store)!r} has no graph arrays (written by an older jjjkg); "
                         "rebuild it with `jjjkg build`")
    for key in ("nodes", "edges", "id_bytes", "name_bytes"):
        v = part.get(key)
        if type(v) is not int or not 0 <= v < 2 ** 31:
            raise StoreError(f"the store at {str(store)!r} is damaged (meta.json: arrays.{key} is {v!r}, expected a "
                             "count); rebuild it with `jjjkg build`")
    for key in ("labels", "relations"):
        v = part.get(key)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v) or not 0 < len(v) <= 127:
            raise StoreError(f"the store at {str(store)!r} is damaged (meta.json: arrays.{key} is not a list of "
                             "names); rebuild it with `jjjkg build`")
    return part


def _map(path: Path, store: Path, dtype: str, length: int) -> np.ndarray:
    """``path`` mapped read-only, once its header says ``dtype`` and ``(length,)`` and its size agrees."""
    name = path.stem
    try:
        fd = versions.open_regular(path)
    except OSError as err:
        raise _damaged(store, name, err.strerror or str(err)) from err
    with os.fdopen(fd, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f"a .npy format version {version} that jjjkg does not write")
            shape, fortran, found = read_header(f)
        except (ValueError, OSError, SyntaxError, TypeError) as err:
            raise _damaged(store, name, f"not a numpy array file: {err}") from err
        if found != np.dtype(dtype) or found.hasobject:
            raise _damaged(store, name, f"holds {found}, expected {np.dtype(dtype)}")
        if fortran or shape != (length,):
            raise _damaged(store, name, f"shape {shape}, expected ({length},) as meta.json says")
        offset = f.tell()
        size = os.fstat(f.fileno()).st_size
        if size != offset + length * found.itemsize:
            raise _damaged(store, name, f"{size:,} bytes, expected {offset + length * found.itemsize:,}")
        if length == 0:
            return np.zeros(0, dtype=found)
        return np.memmap(f, dtype=found, mode="r", offset=offset, shape=(length,))


def _check_offsets(off: np.ndarray, total: int, store: Path, name: str) -> None:
    if off[0] != 0 or off[-1] != total or (len(off) > 1 and (np.diff(off) < 0).any()):
        raise _damaged(store, name, f"offsets out of order or beyond the {total:,} entries they index")


def _check_index(a: np.ndarray, bound: int, store: Path, name: str) -> None:
    if len(a) and (int(a.min()) < 0 or int(a.max()) >= bound):
        raise _damaged(store, name, f"an index out of range (expected 0 to {bound - 1})")


def read_arrays(root: Path, meta: dict, store: Path) -> Arrays:
    """The arrays of the store version ``root`` (meta.json's ``meta``), mapped and checked; ``store`` names it.

    Raises
    ------
    StoreError
        A file missing, a link, of another dtype or shape than meta.json says, or an offset or index
        out of its bounds: one line naming the file.
    """
    part = _meta_part(meta, store)
    n, e = part["nodes"], part["edges"]
    lengths = {"nodes": n, "nodes+1": n + 1, "edges": e, "id_bytes": part["id_bytes"], "name_bytes": part["name_bytes"]}
    a = {name: _map(root / FOLDER / f"{name}.npy", store, dtype, lengths[size])
         for name, (dtype, size) in _FILES.items()}
    _check_offsets(a["node_id_offsets"], part["id_bytes"], store, "node_id_offsets")
    _check_offsets(a["node_name_offsets"], part["name_bytes"], store, "node_name_offsets")
    _check_offsets(a["edge_offsets"], e, store, "edge_offsets")
    _check_index(a["node_labels"], len(part["labels"]), store, "node_labels")
    _check_index(a["edge_src"], n, store, "edge_src")
    _check_index(a["edge_dst"], n, store, "edge_dst")
    _check_index(a["edge_rel"], len(part["relations"]), store, "edge_rel")
    if (a["edge_offsets"] != np.searchsorted(a["edge_src"], np.arange(n + 1))).any():
        raise _damaged(store, "edge_offsets", "does not match edge_src")
    return Arrays(part, a)
