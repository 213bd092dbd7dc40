"""A bulk write's audit entries written by COPY (core.audit.log_bulk), each column as
bulk_create would have written it."""

import json

import orjson
from auditlog.models import LogEntry
from django.db import connection
from django.db.models import CharField, ForeignKey, IntegerField, JSONField, TextField

from core.pgcopy import CopyLayout, copy_text

from .changes import _UNSET

COPY_CHUNK = 20_000  # entries a COPY statement takes


def _copy_entries(entries: list[dict], shared: dict | None = None) -> None:
    """Write log entries (their column values by attname, and the values all of them `shared`)
    by COPY, with the values bulk_create would have written; a column neither names takes
    LogEntry's default. A column no entry names has one text for the whole batch."""
    shared = shared or {}
    layout = CopyLayout(LogEntry, omit=("id",))
    fields = [f for f in LogEntry._meta.concrete_fields if f.attname in layout.attnames]
    blank = LogEntry().__dict__
    own = {name for values in entries for name in values}
    template, per_entry = [], []
    for position, field in enumerate(fields):
        name = field.attname
        default = shared.get(name, blank.get(name))
        if name in own:
            template.append(None)
            plain = isinstance(field, PLAIN_FIELDS) and not isinstance(field, JSONField)
            per_entry.append((position, name, default, plain, _preparer(field)))
        else:
            template.append(copy_text(_preparer(field)(default)))

    with connection.cursor() as cursor:
        for at in range(0, len(entries), COPY_CHUNK):
            lines = []
            for values in entries[at : at + COPY_CHUNK]:
                texts = template.copy()
                for position, name, default, plain, prepare in per_entry:
                    value = values.get(name, default)
                    if plain and type(value) is int:
                        texts[position] = str(value)  # what prepare and copy_text make of it
                    elif plain and type(value) is str and value.isprintable() and "\\" not in value:
                        texts[position] = value
                    else:
                        texts[position] = copy_text(prepare(value))
                lines.append("\t".join(texts))
            layout.copy(cursor, "\n".join(lines) + "\n")


# Fields whose get_db_prep_save leaves a str or an int as it is.
PLAIN_FIELDS = (CharField, TextField, IntegerField, ForeignKey)


def _preparer(field):
    """`field.get_db_prep_save` (JSON text for a JSONField) for one column of many entries: a str or
    int of a plain field is its own value, and a value shared by consecutive entries (the time, the
    actor's extra data) is prepared once."""
    plain = isinstance(field, PLAIN_FIELDS) and not isinstance(field, JSONField)
    last: list = [_UNSET, None]

    def prepare(value):
        if value is None or (plain and type(value) in (str, int)):
            return value
        if value is last[0]:
            return last[1]
        if isinstance(field, JSONField):
            prepared = json_text(value, field.encoder)
        else:
            prepared = field.get_db_prep_save(value, connection)
        last[0], last[1] = value, prepared
        return prepared

    return prepare


def json_text(value, encoder=None) -> str:
    """JSON text of `value` for a JSON column: orjson's (several times quicker) when it can encode
    the value, else json.dumps with the column's encoder. PostgreSQL's jsonb keeps the same value
    from either text."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: a type only the encoder knows, an int past 64 bits
        return json.dumps(value, cls=encoder)
