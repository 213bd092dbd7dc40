"""Schema operations the project's migrations share."""

from django.db import migrations


class DropPatternIndexes(migrations.operations.base.Operation):
    """Drop the `varchar_pattern_ops` ("_like") index PostgreSQL's schema editor adds beside the
    index of an indexed CharField (decision 0030).

    That second index serves `LIKE 'prefix%'` only; where the project matches a column exactly or
    by `icontains` (which neither index serves), every write pays for it and no read uses it.
    The index is named as Django names it, so a later AlterField of the column finds nothing to
    drop and nothing to clash with; backwards, it is made again. Nothing on other databases.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, columns: list[str]):
        self.table, self.columns = table, list(columns)

    def deconstruct(self):
        return type(self).__qualname__, [], {"table": self.table, "columns": self.columns}

    def state_forwards(self, app_label, state):
        pass  # the models' state does not know of these indexes

    def _names(self, schema_editor):
        return [
            (column, schema_editor._create_index_name(self.table, [column], suffix="_like"))
            for column in self.columns
        ]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _column, name in self._names(schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for column, name in self._names(schema_editor):
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(self.table)} ({quote(column)} varchar_pattern_ops)"
            )

    def describe(self):
        return f"Drop the pattern indexes of {self.table} ({', '.join(self.columns)})"
