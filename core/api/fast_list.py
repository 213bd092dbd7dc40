"""A fast read path for the list of a large table: `.values_list()` rows shaped by one plain function.

A ModelSerializer spends most of a big page on machinery, not data: for every row it builds a
model instance (and one per joined relation, every column of each), then walks ~40 field objects
whose `get_attribute` / `to_representation` calls are generic; dates are then formatted by the JSON
encoder's Python fallback. For a read-only list that is most of the response time.

`ValuesListMixin` keeps everything else of the viewset as it is — visibility (`get_queryset`),
the FilterSet, cursor pagination, the serializer for detail and writes, and the OpenAPI schema,
which drf-spectacular builds from `serializer_class` and never from `list()` — and answers the
list from:

- `list_values`: the names to select (relations by `relation__field`, so one query with the joins
  it needs and only the columns it shows); "pk" first, because the cursor reads it from a row
  (core.api.pagination);
- `list_expressions`: more columns by name, as expressions: a `Subquery` on the primary key of a
  small reference table costs PostgreSQL far less than one more join, because the planner's work
  grows with every table joined (six tables take milliseconds to plan, more than a page takes to
  run; bench/RESULTS.md);
- `represent_list(rows)`: the rows — tuples of `list_values` then `list_expressions`, in that
  order (`list_rows`): building a dict of every row was a tenth of a 500-row page — as the
  serializer would represent them, the same keys in the same order, the same values, with plain
  types only (str, int, bool, None, lists and dicts of them), so that the JSON encoder never
  calls back into Python.

Dates and datetimes are best selected as the text the serializer writes (`IsoDate`, `IsoDateTime`
among `list_expressions`): PostgreSQL formats them for next to nothing, where `isoformat` and
`astimezone` in Python took most of a 500-row page's representation (bench/list_api.py).

The serializer remains the contract: a viewset that uses this mixin must have a test comparing
`represent_list` with `serializer_class` for the same rows, nulls and relations included (see
tests/elevators/test_api_fast_list.py).
"""

import re
from datetime import UTC, date, datetime, tzinfo

from django.core.exceptions import ImproperlyConfigured
from django.db.models import CharField, Func
from django.utils import timezone
from rest_framework.response import Response


def iso_date(value: date | None) -> str | None:
    """A date as DRF's DateField represents it (ISO 8601, null for none)."""
    return value.isoformat() if value else None


def iso_datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """A datetime as DRF's DateTimeField represents it: in `zone` (the current time zone), ISO
    8601, "Z" for UTC."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _parameter(connection, name: str) -> str:
    """A run-time parameter the PostgreSQL server reported for the open session (no round trip)."""
    raw = connection.connection
    if raw is None:
        return ""
    if hasattr(raw, "get_parameter_status"):  # psycopg2
        value = raw.get_parameter_status(name)
    else:  # psycopg 3
        value = raw.info.parameter_status(name)
    return (value.decode() if isinstance(value, bytes) else value) or ""


def iso_date_style(connection) -> bool:
    """Whether the open PostgreSQL session casts dates and timestamps to ISO 8601 text (DateStyle
    "ISO, ...", PostgreSQL's default) and intervals to HH:MM:SS (IntervalStyle "postgres")."""
    return _parameter(connection, "DateStyle").upper().startswith("ISO") and _parameter(
        connection, "IntervalStyle"
    ) in ("postgres", "")


class IsoDate(Func):
    """A date column as DRF's DateField represents it (ISO 8601 text, null for none), written by
    the database: PostgreSQL's cast to text under the ISO DateStyle (thirty times cheaper than
    to_char, which it falls back to otherwise); SQLite keeps dates as that text already."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        if iso_date_style(connection):
            return f"({sql})::text", params
        return f"to_char({sql}, 'YYYY-MM-DD')", params


class IsoDateTime(Func):
    """A datetime column as DRF's DateTimeField represents it — in the current time zone, ISO 8601
    with microseconds when there are any, "Z" for UTC, null for none — written by PostgreSQL (the
    zone's offset at that instant from its own time zone data). Elsewhere the column is read as a
    datetime and formatted in Python (`iso_datetime`)."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def get_db_converters(self, connection):
        if connection.vendor == "postgresql":
            return super().get_db_converters(connection)
        return [*super().get_db_converters(connection), self._in_python]

    @staticmethod
    def _in_python(value, expression, connection):
        if value is None:
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        return iso_datetime(moment, timezone.get_current_timezone())

    # {here}: the instant on the zone's wall clock; {utc}: on UTC's; {column}: the instant itself.
    TEMPLATE = (
        "to_char({here}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        " || CASE WHEN to_char({column}, 'US') = '000000' THEN '' ELSE '.' || to_char({column}, 'US') END"
        " || CASE WHEN {here} = {utc} THEN 'Z'"
        " WHEN {here} > {utc} THEN '+' || to_char({here} - {utc}, 'HH24:MI')"
        " ELSE '-' || to_char({utc} - {here}, 'HH24:MI') END"
    )

    # The same by casts, about five times cheaper, when the session's styles make casts ISO text.
    CAST_TEMPLATE = (
        "replace(date_trunc('second', {here})::text, ' ', 'T')"
        " || CASE WHEN extract(microseconds from {column})::int %% 1000000 = 0 THEN ''"
        " ELSE '.' || lpad((extract(microseconds from {column})::int %% 1000000)::text, 6, '0') END"
        " || CASE WHEN {here} = {utc} THEN 'Z'"
        " WHEN {here} > {utc} THEN '+' || left(({here} - {utc})::text, 5)"
        " ELSE '-' || left(({utc} - {here})::text, 5) END"
    )

    def as_postgresql(self, compiler, connection, **extra_context):
        template = self.CAST_TEMPLATE if iso_date_style(connection) else self.TEMPLATE
        column, column_params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        parts = {
            "here": (f"({column} AT TIME ZONE %s)", [*column_params, zone]),
            "utc": (f"({column} AT TIME ZONE 'UTC')", list(column_params)),
            "column": (column, list(column_params)),
        }
        params = []
        for name in re.findall(r"\{(\w+)\}", template):
            params += parts[name][1]
        sql = template.format(**{name: text for name, (text, _params) in parts.items()})
        return f"({sql})", params


def choice_labels(field) -> dict:
    """The labels of a model field's choices in the active language (as get_FOO_display gives them)."""
    return {value: str(label) for value, label in field.flatchoices}


def list_rows(queryset, values: tuple[str, ...], expressions: dict):
    """`queryset`'s rows as tuples: the columns `values` names, then the `expressions`, in order."""
    if values[:1] != ("pk",):
        raise ImproperlyConfigured('A fast list selects "pk" first: its cursor reads it there.')
    return queryset.annotate(**expressions).values_list(*values, *expressions)


class ValuesListMixin:
    """list() from `list_rows(queryset, list_values, list_expressions)` shaped by
    `represent_list`; see the module docstring.

    The rows' queryset (the viewset's `queryset` with those names and expressions resolved) is
    built once per viewset class, not per call: resolving ~40 names and the date expressions was
    a millisecond of every call's CPU. Each call's visibility (`get_queryset`) and filters apply to
    a clone of it, as they applied to `queryset` before; so for the list they may only filter (an
    annotation added after `.values_list()` would be one more column of each row, and an aggregate
    one would group the rows).
    """

    list_values: tuple[str, ...] = ()
    list_expressions: dict = {}

    def represent_list(self, rows: list[tuple]) -> list[dict]:
        raise NotImplementedError(f"{type(self).__name__} must represent its list rows")

    @classmethod
    def list_queryset(cls):
        """`list_rows(queryset, list_values, list_expressions)`, built on the first call."""
        built = cls.__dict__.get("_list_queryset")
        if built is None:
            built = list_rows(cls.queryset, cls.list_values, cls.list_expressions)
            cls._list_queryset = built
        return built

    def list(self, request, *args, **kwargs):
        self.queryset = self.list_queryset()  # this call's base: get_queryset() clones it
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.represent_list(list(queryset)))
        return self.get_paginated_response(self.represent_list(page))
