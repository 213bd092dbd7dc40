"""Who did it: attribution for the audit log (django-auditlog) beyond logged-in browser users.

The auditlog middleware records the browser user of each request. Callers that are not a user —
an organisation's API key, a management command, a Celery task — name themselves here, and
every change written while they act carries that name.
"""

import contextlib
import copy

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_extra_data
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str


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


def log_bulk(*, created=(), updated=(), deleted=()) -> int:
    """Audit a bulk write like single ones: the entries auditlog's receivers would have written.

    `created` are new objects, `updated` are (before, after) pairs of one row, `deleted` are
    objects as they were. Each entry gets auditlog's own change set and the actor, API key,
    command or task of the enclosing attribution (`acting_as`, the request) through auditlog's
    pre_save receiver; all are inserted at once. Models auditlog does not track, and updates that
    changed no tracked field, are left out. Returns the number of entries written.
    """
    from auditlog.context import auditlog_disabled

    if auditlog_disabled.get():
        return 0
    action = LogEntry.Action
    changes = [
        *((action.CREATE, obj, None, obj) for obj in created),
        *((action.UPDATE, after, before, after) for before, after in updated),
        *((action.DELETE, obj, obj, None) for obj in deleted),
    ]
    now, cid = timezone.now(), get_cid()
    entries = []
    for kind, obj, old, new in changes:
        if not auditlog.contains(obj.__class__):
            continue
        diff = model_instance_diff(old, new, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES)
        if kind == action.UPDATE and not diff:
            continue
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(obj.__class__),
            object_pk=str(obj.pk),
            object_id=obj.pk if isinstance(obj.pk, int) else None,
            object_repr=smart_str(obj),
            action=kind,
            changes=diff,
            timestamp=now,
            cid=cid,
        )
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


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
