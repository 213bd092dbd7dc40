"""PostgreSQL's COPY FROM STDIN for bulk paths: several times faster than INSERT for large loads.

`CopyLayout(Model)` knows a table's columns in order and each column's default; its `formatter`
turns values into COPY text lines and `copy` sends them. Rows written this way skip save(),
signals and Django's checks: the caller has checked them, and audits them explicitly.
"""

import io
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import connection

COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if isinstance(value, str):
        return str.translate(value, COPY_ESCAPES)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class CopyLayout:
    """A model's columns in COPY order; fields the caller does not supply get their default."""

    def __init__(self, model, *, omit: tuple[str, ...] = ()):
        fields = [f for f in model._meta.concrete_fields if f.attname not in omit]
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = {
            f.attname: copy_text(f.get_db_prep_save(f.get_default(), connection)) for f in fields
        }

    def formatter(self, names: Sequence[str]) -> Callable[[Sequence], str]:
        """A function from values (in the order of `names`) to one COPY line of this table."""
        unknown = set(names) - set(self.attnames)
        if unknown:
            raise ValueError(f"{self.table} has no columns {sorted(unknown)}")
        index = {name: i for i, name in enumerate(names)}
        plan = [(index.get(name, -1), self.defaults[name]) for name in self.attnames]

        def line(values: Sequence) -> str:
            texts = [copy_text(value) for value in values]
            return "\t".join([texts[i] if i >= 0 else default for i, default in plan]) + "\n"

        return line

    def copy(self, cursor, data: str) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(self.table)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"
        raw = cursor.cursor  # the driver's cursor under Django's wrapper
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, io.StringIO(data))
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(data)
