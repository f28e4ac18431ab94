"""The validated tables a graph is built from, and that a store keeps on disk.

``Tables`` is the hand-over point between ``loaders`` (which produce it from files) and
``graph.build`` (which turns it into a ``KnowledgeGraph``). Its columns are the schema's
(``graph.schema.TABLES``) plus ``organizations.region``: the id of the most specific region the
loader resolved for the row.

Missing values are ``None`` in string columns, ``NaN`` in float columns, ``<NA>`` in the nullable
integer/boolean columns, and an empty list in list columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from . import schema
from .errors import Problem

__all__ = ["Tables", "empty_table", "coerce_table", "records", "column_values"]

#: extra columns a table carries beyond the input columns
EXTRA_COLUMNS = {"organizations": ("region",)}


def _column_dtype(kind: str) -> str:
    return {"float": "float64", "int": "Int64", "bool": "boolean", "list": "object"}.get(kind, "object")


def _as_list(v) -> list:
    """A list cell from what a frame or a parquet file holds: list, tuple, array, scalar or missing."""
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        return [str(x) for x in v]
    return [] if v is None or (isinstance(v, float) and v != v) else [str(v)]


def table_columns(name: str) -> list[tuple[str, str]]:
    """(column, kind) pairs of a stored table, in order."""
    cols = [(c.name, c.kind) for c in schema.TABLES[name].columns]
    cols += [(c, "str") for c in EXTRA_COLUMNS.get(name, ())]
    return cols


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the stored columns of table ``name``."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=_column_dtype(k)) for c, k in table_columns(name)})


def coerce_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give ``df`` exactly the stored columns and dtypes of table ``name`` (missing columns empty)."""
    import pandas as pd

    out = {}
    n = len(df)
    for col, kind in table_columns(name):
        if col in df.columns:
            s = df[col]
        else:
            s = pd.Series([None] * n, index=df.index, dtype="object")
        if kind == "list":
            s = pd.Series([v if type(v) is list else _as_list(v) for v in s.tolist()], index=s.index, dtype=object)
        elif kind == "str":
            s = s.astype("object").where(s.notna(), None)
        else:
            s = s.astype(_column_dtype(kind))
        out[col] = s.reset_index(drop=True)
    return pd.DataFrame(out)


def column_values(s: pd.Series, with_missing: bool = False):
    """A column as a Python list, every missing value (NaN, NA, None) as ``None``.

    Column-wise, so a million rows cost a few vectorised passes rather than a boxing call per cell.
    With ``with_missing``: ``(values, mask of the missing ones)``.
    """
    import pandas as pd

    arr = s.to_numpy(dtype=object, na_value=None) if s.dtype != object else s.to_numpy()
    values = arr.tolist()
    missing = pd.isna(arr)
    if missing.any():
        for i in np.flatnonzero(missing):
            values[i] = None
    return (values, missing) if with_missing else values


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with every missing value as ``None`` and list columns as lists."""
    columns = list(df.columns)
    return [dict(zip(columns, row)) for row in zip(*(column_values(df[c]) for c in columns))]


@dataclass
class Tables:
    """The five validated tables of a graph, plus the warnings the loader raised."""

    organizations: pd.DataFrame
    relations: pd.DataFrame
    sectors: pd.DataFrame
    services: pd.DataFrame
    regions: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    source: str = ""  # what was loaded: a folder, a workbook, "bundled"
    #: the published lists merged in since (``jjjkg import``): {title, file, date, rows} each
    imports: list[dict] = field(default_factory=list)

    NAMES = ("organizations", "relations", "sectors", "services", "regions")

    def __post_init__(self) -> None:
        for name in self.NAMES:
            setattr(self, name, coerce_table(name, getattr(self, name)))

    def items(self):
        return [(name, getattr(self, name)) for name in self.NAMES]

    def fingerprint(self) -> str:
        """A short hash of the table contents, stable across runs and machines."""
        h = hashlib.sha256()
        for name, df in self.items():
            h.update(name.encode())
            h.update(df.to_csv(index=False).encode("utf-8"))
        return h.hexdigest()[:16]

    def equals(self, other: Tables) -> bool:
        return all(df.equals(getattr(other, name)) for name, df in self.items())
