"""Who did it: attribution for the audit log (django-auditlog) beyond logged-in browser users.

The auditlog middleware records the browser user of each request. Callers that are not a user —
an organisation's API key, a management command, a Celery task — name themselves here, and
every change written while they act carries that name.

The change sets of a bulk write are worked out by `changes`, and its entries written (by COPY on
PostgreSQL) by `copying`.
"""

import contextlib
import copy
from collections import defaultdict

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_extra_data
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

from core.pgcopy import rows_update

from .changes import _CreationDiff, _update_diff
from .copying import _copy_entries, json_text

__all__ = [
    "COPY_FROM",
    "acting_as",
    "attribute_current_request",
    "json_text",
    "log_bulk",
    "rows_update_audited",
    "update_audited",
]


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


def rows_update_audited(pairs, names, *, created=(), deleted=()) -> None:
    """Write many changed rows of one model at once, audited as their save() would be.

    `pairs` are (stored, changed) instances of each row; `names` the fields to write. The entries
    are made first, with the rows' children just inserted (`created`) and those they replace
    (`deleted`), in one log_bulk: auditlog's receiver diffs a save() before auto_now applies, so an
    entry names the fields the sender changed, not the time of the change. Then updated_at is
    stamped and the fields written in one UPDATE (core.pgcopy.rows_update): the rows are locked by
    the caller, so a field a row did not change is written back as it is stored.
    """
    pairs = list(pairs)
    log_bulk(created=created, updated=pairs, deleted=deleted, just_inserted=True)
    now = timezone.now()
    for _stored, row in pairs:
        row.updated_at = now
    rows_update([row for _stored, row in pairs], ["updated_at", *names])
