"""The change sets of a bulk write's entries, as auditlog's receivers would work them out for each
row (core.audit.log_bulk): an update's on the fields that may differ, a creation's per model."""

from datetime import UTC, date, datetime
from decimal import Decimal

from auditlog.diff import get_field_value, get_mask_function, is_primitive, model_instance_diff, track_field
from auditlog.registry import auditlog
from django.conf import settings
from django.db.models import DateTimeField, JSONField
from django.utils.encoding import smart_str

from core.pgcopy import any_of

_UNSET = object()  # a field not loaded on an instance


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
