"""Who did it: attribution for the audit log (django-auditlog) beyond logged-in browser users.

The auditlog middleware records the browser user of each request. Callers that are not a user —
an organisation's API key, a management command, a Celery task — name themselves here, and
every change written while they act carries that name.
"""

import contextlib
import copy
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_extra_data
from auditlog.diff import get_field_value, get_mask_function, is_primitive, model_instance_diff, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, ForeignKey, IntegerField, JSONField, TextField
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

from core.pgcopy import CopyLayout, any_of, copy_text


def attribute_current_request(label: str, **data) -> None:
    """Name the actor of the request being served (called once the caller is authenticated)."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["actor_email"] = label[:254]
    context["additional_data"] = {"actor": label, **data}


@contextlib.contextmanager
def acting_as(label: str, *, actor=None, **data):
    """Attribute every change made inside the block to `label` (commands, tasks), and to the user
    `actor` when the work is done on a user's behalf (an import queued from the browser)."""
    # auditlog's own context manager does not restore an enclosing context (a request serving an
    # in-process task); restoring it here lets the enclosing block disconnect its own receiver.
    enclosing = auditlog_value.get(None)
    try:
        context = {"actor_email": label[:254], "additional_data": {"actor": label, **data}}
        if actor is not None:
            context["actor"] = actor
        with set_extra_data(context):
            yield
    finally:
        if enclosing is not None:
            auditlog_value.set(enclosing)


def log_bulk(*, created=(), updated=(), deleted=(), just_inserted: bool = False) -> int:
    """Audit a bulk write like single ones: the entries auditlog's receivers would have written.

    `created` are new objects, `updated` are (before, after) pairs of one row, `deleted` are
    objects as they were. Each entry gets auditlog's own change set and the actor, API key,
    command or task of the enclosing attribution (`acting_as`, the request) through auditlog's
    pre_save receiver; all are inserted at once (by COPY on PostgreSQL). Models auditlog does not
    track, and updates that changed no tracked field, are left out. Returns the number of entries
    written.

    `just_inserted` says the `created` rows were inserted by the caller's transaction a moment ago,
    with ids no other row can name yet: a reverse one-to-one relation then points at none of them
    (as when auditlog's receiver logs a save), and the query that would look for such rows is
    skipped.
    """
    from auditlog.context import auditlog_disabled

    if auditlog_disabled.get():
        return 0
    action = LogEntry.Action
    use_json = settings.AUDITLOG_STORE_JSON_CHANGES
    now, cid = timezone.now(), get_cid()
    created = list(created)  # read twice: grouped by model, then in order
    by_model: dict[type, list] = defaultdict(list)
    for obj in created:
        by_model[obj.__class__].append(obj)
    plans = {
        model: _CreationDiff(objs, use_json=use_json, just_inserted=just_inserted)
        for model, objs in by_model.items()
        if auditlog.contains(model)
    }
    attribution = _attribution()
    # What every entry shares (the time, the request, the actor) apart from each entry's own values.
    shared = {"timestamp": now, "cid": cid, **(attribution or {})}
    entries = []
    content_types: dict[type, int] = {}

    def entry(kind, obj, diff) -> None:
        # An entry's own column values (by attname); a LogEntry is made of them only where needed.
        model = obj.__class__
        content_type = content_types.get(model)
        if content_type is None:
            content_type = content_types[model] = ContentType.objects.get_for_model(model).pk
        pk = obj.pk
        values = {
            "content_type_id": content_type,
            "object_pk": str(pk),
            "object_id": pk if isinstance(pk, int) else None,
            "object_repr": smart_str(obj),
            "action": kind,
            "changes": diff,
        }
        if attribution is None:
            instance = LogEntry(**values, **shared)
            pre_save.send(sender=LogEntry, instance=instance, raw=False, using="default", update_fields=None)
            values = {f.attname: getattr(instance, f.attname) for f in LogEntry._meta.concrete_fields}
        entries.append(values)

    diffs = {}  # by id(obj): the objects are alive for the whole call
    for model, plan in plans.items():
        diffs.update(zip(map(id, by_model[model]), plan.diffs(by_model[model]), strict=True))
    for obj in created:
        if obj.__class__ in plans:
            entry(action.CREATE, obj, diffs[id(obj)])
    for before, after in updated:
        if auditlog.contains(after.__class__):
            diff = _update_diff(before, after, use_json=use_json)
            if diff:
                entry(action.UPDATE, after, diff)
    for obj in deleted:
        if auditlog.contains(obj.__class__):
            entry(action.DELETE, obj, model_instance_diff(obj, None, use_json_for_changes=use_json))
    if connection.vendor == "postgresql" and len(entries) > COPY_FROM:
        _copy_entries(entries, shared)
    else:
        LogEntry.objects.bulk_create([LogEntry(**{**shared, **values}) for values in entries], batch_size=500)
    return len(entries)


COPY_FROM = 100  # entries: fewer go by INSERT, where COPY's set-up costs more than it saves


def _update_diff(before, after, *, use_json: bool) -> dict | None:
    """`model_instance_diff(before, after)`: auditlog's change set of one row's update, worked out
    by auditlog on the fields that may differ only. A field whose stored value is the very same
    object on both sides, or an equal str, int, bool, date or None, has the same text on both
    and is in no change set; a bulk update changes a few fields of twenty, and auditlog's reading
    of every field of both sides was a third of the CPU of 1,000 updated claims."""
    maybe = [
        field.name
        for field in after._meta.concrete_fields
        if not _surely_same(
            before.__dict__.get(field.attname, _UNSET), after.__dict__.get(field.attname, _UNSET)
        )
    ]
    if not maybe:  # (auditlog reads an empty fields_to_check as "every field")
        return None
    return model_instance_diff(before, after, fields_to_check=maybe, use_json_for_changes=use_json)


SAME_TEXT_WHEN_EQUAL = (str, int, bool, date, type(None))  # exact types: not datetime, not Decimal


def _surely_same(old, new) -> bool:
    if old is new:
        return old is not _UNSET  # a deferred field on both sides: auditlog reads it
    return type(old) is type(new) and type(old) in SAME_TEXT_WHEN_EQUAL and old == new


def _attribution() -> dict | None:
    """What the pre_save receivers of LogEntry (auditlog's actor and extra data) set on an entry,
    found once by sending the signal for a blank entry: the same for every entry of the batch.

    They read the attribution context, not the entry; a context holding a callable (auditlog calls
    it for each entry) gives None, and each entry then gets the signal of its own.
    """
    context = auditlog_value.get(None) or {}
    if any(callable(value) for value in context.values()):
        return None
    probe = LogEntry()
    blank = dict(probe.__dict__)
    pre_save.send(sender=LogEntry, instance=probe, raw=False, using="default", update_fields=None)
    columns = {f.attname for f in LogEntry._meta.concrete_fields}
    return {
        name: value
        for name, value in probe.__dict__.items()
        if name in columns and (name not in blank or blank[name] is not value)
    }


class _CreationDiff:
    """`model_instance_diff(None, obj)` for many new objects of one model (`diffs`).

    auditlog's diff works out, for every object, which fields it tracks, the empty side of each
    field, and the text of every reverse relation's manager ("app.Model.None"): none of them
    depends on the object. Here they are worked out once for the model, from the first object,
    and only each object's own values are read; the result is the same dictionary. A reverse
    one-to-one relation (a row of another table pointing at the object) costs auditlog a query
    per object; here one query finds the objects that have such a row, and the others' empty
    side is left out of the diff as auditlog leaves it (no query for rows just inserted).
    """

    def __init__(self, objs: list, *, use_json: bool, just_inserted: bool = False):
        self.use_json = use_json
        first = objs[0]
        model = first.__class__
        fields = {f for f in model._meta.get_fields() if track_field(f)}
        options = auditlog.get_model_fields(model)
        if options["include_fields"]:
            fields = [f for f in fields if f.name in options["include_fields"]]
        if options["exclude_fields"]:
            fields = [f for f in fields if f.name not in options["exclude_fields"]]
        self.mask = get_mask_function(options.get("mask_callable"))
        # (name, attname, how to read it, the empty side's value and its text, the value if the
        # same for every object, masked, the reader for the other cases, the keys pointed at by a
        # reverse one-to-one)
        self.plan = []
        for field in fields:
            same = (
                get_field_value(first, field, use_json)
                if field.auto_created and not field.concrete and field.one_to_many
                else PER_OBJECT
            )
            old = get_field_value(None, field, use_json)
            pointed = (
                (set() if just_inserted else _pointed_at(field, objs))
                if field.one_to_one and field.auto_created and not field.concrete
                else None
            )
            kind = _kind(field, use_json)
            self.plan.append(
                (
                    field,
                    getattr(field, "attname", None),
                    kind,
                    old,
                    smart_str(old),
                    same,
                    field.name in options["mask_fields"],
                    _reader(field, use_json, kind),
                    pointed,
                )
            )

    def diffs(self, objs: list) -> list[dict | None]:
        """The change set of each object (None where nothing changed), in order. Field by field
        over all objects: the reading of the common kinds (_reader's, inlined) is chosen once per
        field, not once per field and object."""
        found: list[dict] = [{} for _obj in objs]
        for field, attname, kind, old, old_text, same, masked, read, pointed in self.plan:
            name = field.name
            if kind is _TEXT and not masked and not self.use_json:
                for obj, changes in zip(objs, found, strict=True):
                    new = obj.__dict__.get(attname, _UNSET)
                    if type(new) is str or isinstance(new, str):
                        pass  # a choice's enum member too: auditlog's smart_str leaves it as it is
                    elif type(new) in TEXT_AS_STR:
                        new = str(new)
                    else:
                        new = read(obj)
                    if old != new:
                        changes[name] = (old_text, new if isinstance(new, str) else smart_str(new))
                continue
            if kind is _TIME and not masked and not self.use_json:
                for obj, changes in zip(objs, found, strict=True):
                    new = obj.__dict__.get(attname, _UNSET)
                    if type(new) is datetime and new.tzinfo is UTC:
                        new = new.replace(tzinfo=None)  # auditlog's naive UTC
                    elif type(new) is datetime and new.utcoffset() is not None:
                        new = new.astimezone(UTC).replace(tzinfo=None)
                    else:
                        new = read(obj)
                    if old != new:
                        # str() of a datetime is smart_str's text of it
                        changes[name] = (old_text, str(new) if type(new) is datetime else smart_str(new))
                continue
            for obj, changes in zip(objs, found, strict=True):
                if kind is _KEY:
                    new = obj.__dict__.get(attname, _UNSET)
                    if new is not None and type(new) is not int:
                        new = read(obj)
                elif same is not PER_OBJECT:
                    new = same
                elif pointed is not None and not (
                    field.is_cached(obj) or field.field.target_field.value_from_object(obj) in pointed
                ):
                    continue  # no row points at the object: both sides are empty
                else:
                    new = read(obj)
                if old != new:
                    changes[name] = self._pair(old, old_text, new, masked)
        return [changes or None for changes in found]

    def _pair(self, old, old_text, new, masked) -> tuple:
        """(old, new) as auditlog writes them in a change set."""
        if masked:
            return (self.mask(smart_str(old)), self.mask(smart_str(new)))
        if not self.use_json:
            return (old_text, new if isinstance(new, str) else smart_str(new))
        return (
            old if is_primitive(old) else smart_str(old),
            new if is_primitive(new) else smart_str(new),
        )


PER_OBJECT = object()
TEXT_AS_STR = (int, bool, Decimal, date, type(None))  # not datetime: a DateTimeField reads it apart


_TEXT, _KEY, _TIME, _OTHER = "text", "key", "time", "other"  # how _reader reads a field


def _kind(field, use_json: bool) -> str:
    """Which of _reader's ways reads `field` (_OTHER: auditlog's own function)."""
    if use_json or not field.concrete or isinstance(field, JSONField) or not settings.USE_TZ:
        return _OTHER
    if isinstance(field, DateTimeField):
        return _TIME
    if field.is_relation:
        if settings.AUDITLOG_USE_FK_STRING_REPRESENTATION or not hasattr(field, "rel_class"):
            return _OTHER
        return _KEY
    return _TEXT


def _reader(field, use_json: bool, kind: str | None = None):
    """`get_field_value(obj, field, use_json)` for many objects: a column's value as auditlog reads
    it, taken from the object's own attributes when they hold it (a str, an int key, an aware
    datetime), auditlog's function otherwise (deferred fields, other types, JSON change sets)."""
    kind = kind or _kind(field, use_json)
    if kind is _OTHER:
        return lambda obj: get_field_value(obj, field, use_json)
    attname = field.attname
    if kind is _TIME:

        def read(obj):
            value = obj.__dict__.get(attname, _UNSET)
            if isinstance(value, datetime) and value.utcoffset() is not None:
                return value.astimezone(UTC).replace(tzinfo=None)
            return get_field_value(obj, field, use_json)

    elif kind is _KEY:

        def read(obj):
            value = obj.__dict__.get(attname, _UNSET)
            return value if value is None or type(value) is int else get_field_value(obj, field, use_json)

    else:

        def read(obj):
            value = obj.__dict__.get(attname, _UNSET)
            if type(value) is str:
                return value
            if type(value) in TEXT_AS_STR:
                return str(value)  # smart_str's text of these types
            return get_field_value(obj, field, use_json)

    return read


def _pointed_at(relation, objs) -> set:
    """The values of `objs`' key that a row of a reverse one-to-one `relation` points at."""
    key = relation.field
    values = sorted({key.target_field.value_from_object(obj) for obj in objs}, key=str)
    pointed = set()
    for part in range(0, len(values), 10_000):
        chunk = values[part : part + 10_000]
        pointed.update(
            relation.related_model._base_manager.filter(any_of(key.attname, chunk)).values_list(
                key.attname, flat=True
            )
        )
    return pointed


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


_UNSET = object()


COPY_CHUNK = 20_000


def update_audited(queryset, **values) -> int:
    """`queryset.update(**values)` audited row by row, as saving each row would be.

    The rows are locked in pk order, updated in one statement, and each change is logged with
    `log_bulk`. `values` are plain values (no F() expressions: the entry records old → new).
    Returns the number of rows updated.
    """
    with transaction.atomic():
        before = list(queryset.select_for_update().order_by("pk"))
        if not before:
            return 0
        after = []
        for row in before:
            changed = copy.copy(row)
            for name, value in values.items():
                setattr(changed, name, value)
            after.append(changed)
        queryset.model._default_manager.filter(pk__in=[row.pk for row in before]).update(**values)
        log_bulk(updated=list(zip(before, after, strict=True)))
    return len(before)
