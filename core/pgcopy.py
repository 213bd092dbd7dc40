"""PostgreSQL's COPY FROM STDIN for bulk paths: several times faster than INSERT for large loads.

`CopyLayout(Model)` knows a table's columns in order and each column's default; its `formatter`
turns values into COPY text lines and `copy` sends them. Rows written this way skip save(),
signals and Django's checks: the caller has checked them, and audits them explicitly.

`any_of(name, values)` is the filter a bulk path reads its batch's rows by: `name__in=values`,
sent on PostgreSQL as `= ANY(%s)` with the values as one array (Django prepares and binds each
value of an `__in` on its own: a fifth of a 1,000-claim request went there).

`rows_update(objs, names)` is the way back for rows already stored: the named columns of many
rows in one UPDATE, each column's new values sent as one array; `rows_delete(queryset)` removes
rows in one DELETE.
"""

import io
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import F, JSONField, Lookup, Q
from django.utils import timezone


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if isinstance(value, str):
        if value.isprintable() and "\\" not in value:  # no tab, newline or return either
            return value
        # (str.translate with a dict looks each character up in Python: slower for long text)
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class _AnyOf(Lookup):
    """`column = ANY(%s)`, the values bound as one array (plain str or int values, as stored)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, self.rhs)


class _AnyOfProbed(_AnyOf):
    """`column = ANY(ARRAY(SELECT unnest(%s)))`: the same rows, the array's length hidden from the
    planner (an init plan's result), so that it probes an index on the column value by value."""

    lookup_name = "any_of_probed"

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY(SELECT unnest(%s)))", (*params, self.rhs)


def any_of(name: str, values, *, probe: bool = False) -> Q | Lookup:
    """A filter for `queryset.filter(...)`: the rows whose `name` is one of `values` (`name__in`).

    On PostgreSQL the values go as one array parameter; they must be of the column's own Python
    type as stored (str for text, int for keys and numbers): they are not prepared one by one.
    Elsewhere, and for no values, it is the plain `__in` lookup.

    `probe` is for a table that grows fast under the lookup (a batch's claims by number): with
    statistics older than the rows, PostgreSQL took a plain array of 1,000 numbers as matching
    more rows than the whole "insurer = X" part and read every claim of the insurer (21 ms at
    70,000 claims, growing with them); hidden in an init plan, the array is looked up in the
    (insurer, number) index one number at a time (0.9 ms), whatever the statistics say.
    """
    values = list(values)
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{name}__in": values})
    return (_AnyOfProbed if probe else _AnyOf)(F(name), values)


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
        """Send COPY lines; a refusal (a unique or foreign key violated) is Django's IntegrityError."""
        quote = connection.ops.quote_name
        sql = f"COPY {quote(self.table)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"
        raw = cursor.cursor  # the driver's cursor under Django's wrapper
        with connection.wrap_database_errors:
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, io.StringIO(data))
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(data)


# Values COPY's text format takes as they are (copy_text); others go through the field's
# get_db_prep_save first. A naive datetime is not among them: Django makes it aware.
AS_THEY_ARE = (str, int, bool, Decimal, date, type(None))


def copy_insert(objs: list) -> list:
    """Insert unsaved instances of one model by COPY, as bulk_create would leave them (PostgreSQL).

    Their ids are drawn from the table's sequence in one query, in order; auto_now and
    auto_now_add fields take the time of the call. Like bulk_create it sends no signals and
    calls no save(): the caller audits (core.audit.log_bulk). Returns `objs`.
    """
    if not objs:
        return objs
    model = type(objs[0])
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    now = timezone.now()
    stamped = [
        f.attname
        for f in opts.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    layout = CopyLayout(model)
    # (attname, whether a JSON column, the field): the columns in COPY order (layout's)
    columns = [(f.attname, isinstance(f, JSONField), f) for f in opts.concrete_fields]

    rows = []
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        for name in stamped:
            obj.__dict__[name] = now
        obj._state.adding, obj._state.db = False, connection.alias
        values = obj.__dict__
        texts = []
        for name, is_json, field in columns:
            # copy_text of the value as bulk_create would prepare it, the common types inline
            value = values[name]
            kind = type(value)
            if kind is str and not is_json:
                texts.append(value if value.isprintable() and "\\" not in value else copy_text(value))
            elif value is None:
                texts.append("\\N")
            elif is_json:
                texts.append(copy_text(json.dumps(value, cls=field.encoder)))
            elif kind is int or kind is Decimal or kind is date:
                texts.append(str(value))
            elif kind is bool:
                texts.append("t" if value else "f")
            elif kind is datetime and value.utcoffset() is not None:
                texts.append(value.isoformat())
            else:
                texts.append(copy_text(field.get_db_prep_save(value, connection)))
        rows.append("\t".join(texts))
    with connection.cursor() as cursor:
        layout.copy(cursor, "\n".join(rows) + "\n")
    return objs


def rows_insert(objs: list) -> list:
    """Insert unsaved instances of one model at once, with their ids: by COPY on PostgreSQL
    (`copy_insert`, decision 0019), by bulk_create elsewhere. Either way no save() and no
    signals: the caller has checked the rows and audits them (core.audit.log_bulk); a unique key
    taken meanwhile is Django's IntegrityError. Returns `objs`."""
    if not objs:
        return objs
    if connection.vendor == "postgresql":
        return copy_insert(objs)
    return type(objs[0]).objects.bulk_create(objs)


def rows_update(objs: list, names: Sequence[str]) -> int:
    """Write the fields `names` (names or attnames) of many stored instances of one model at once.

    On PostgreSQL one statement, `UPDATE ... FROM unnest(%s::type[], ...)`: each column's values go
    as one array, so the statement's cost in Python is a list per column, not a CASE per row and
    column as bulk_update's; elsewhere bulk_update. Either way no save() and no signals: the caller
    has checked the rows, set auto_now fields it wants, and audits them (core.audit.log_bulk).
    Returns the number of rows updated.
    """
    if not objs or not names:
        return 0
    model = type(objs[0])
    opts = model._meta
    fields = list({opts.get_field(name): None for name in names})
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(objs, [f.name for f in fields])
        return len(objs)
    quote = connection.ops.quote_name
    columns = [opts.pk, *fields]
    arrays = []
    for field in columns:
        attname = field.attname
        values = [obj.__dict__[attname] for obj in objs]
        if any(type(value) not in AS_THEY_ARE for value in values):  # a choice's member, a naive time
            values = [field.get_db_prep_save(value, connection) for value in values]
        arrays.append(values)
    types = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in columns)
    names_sql = ", ".join(quote(field.column) for field in columns)
    sets = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    pk = quote(opts.pk.column)
    sql = (
        f"UPDATE {quote(opts.db_table)} AS t SET {sets} "
        f"FROM unnest({types}) AS v({names_sql}) WHERE t.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.rowcount


def rows_delete(queryset) -> int:
    """Delete the rows of `queryset` in one DELETE, as rows: not through Django's collector, which
    sends the delete signals (auditlog writing an entry by a query each) that the caller's
    core.audit.log_bulk stands for, and follows no relation (the caller deletes what it replaces).
    Returns the number of rows deleted."""
    return queryset._raw_delete(queryset.db)
