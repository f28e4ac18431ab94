"""Result rows: a list of dicts that keeps its column names and whether a row cap cut it.

Every engine returns them, and the Cypher dialect's results extend them; they live apart from the
engines so that neither an engine nor the dialect has to import the module that chooses an engine.
"""

from __future__ import annotations

__all__ = ["Rows"]


class Rows(list):
    """Result rows (one dict per row) that also know their column names and whether a cap cut them.

    The columns are kept when there is no row, so an empty result still prints its header.

    Examples
    --------
    >>> r = Rows([], columns=["id", "name"])
    >>> r, r.columns, r.truncated
    ([], ['id', 'name'], False)
    """

    def __init__(self, rows=(), columns=(), truncated: bool = False):
        super().__init__(rows)
        self.columns = list(columns)
        self.truncated = truncated
