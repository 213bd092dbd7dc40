"""Writing what the rules decided: one claim through save(), or many with bulk inserts audited explicitly."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

from ..models import Claim, ClaimPayment, ClaimStatusChange
from .rules import Lookups, Plan, plan_item
from .values import UPDATED


def write_update(plan: Plan) -> None:
    """One changed claim through save() (auditlog logs the change), with its status change and its
    new payments, in a savepoint."""
    claim = plan.claim
    with transaction.atomic():
        claim.save(update_fields=[*plan.changed, "updated_at"])
        if plan.transition:
            from_status, to_status, on = plan.transition
            ClaimStatusChange.objects.create(claim=claim, from_status=from_status, to_status=to_status, on=on)
        if plan.payments is not None:
            claim.payments.all().delete()
            for payment in plan.payments:
                ClaimPayment.objects.create(claim=claim, **payment)


def write_new(plan: Plan) -> None:
    """One new claim through save() (auditlog's receivers log it), in a savepoint."""
    claim = plan.claim
    with transaction.atomic():
        claim.save(force_insert=True)
        from_status, to_status, on = plan.transition
        ClaimStatusChange.objects.create(claim=claim, from_status=from_status, to_status=to_status, on=on)
        for payment in plan.payments:
            ClaimPayment.objects.create(claim=claim, **payment)


def write_new_in_bulk(plans: list[Plan]) -> None:
    """Many new claims in one INSERT per table, audited explicitly (`audit_created`)."""
    claims = Claim.objects.bulk_create([plan.claim for plan in plans])
    changes = ClaimStatusChange.objects.bulk_create(
        ClaimStatusChange(claim=plan.claim, from_status=f, to_status=t, on=on)
        for plan in plans
        for f, t, on in [plan.transition]
    )
    payments = ClaimPayment.objects.bulk_create(
        ClaimPayment(claim=plan.claim, **payment) for plan in plans for payment in plan.payments
    )
    audit_created([*claims, *changes, *payments])


def audit_created(objects: list) -> None:
    """The creation entries auditlog's post_save receiver would have written, in one INSERT.

    Each entry is filled by auditlog itself: the change set by its diff function and the actor,
    remote address and extra data (API key, import run) by its own pre_save receiver, which is
    connected while a request, command or import is attributed (core.audit).
    """
    from auditlog.cid import get_cid
    from auditlog.context import auditlog_disabled
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    if auditlog_disabled.get():
        return
    entries = []
    now, cid = timezone.now(), get_cid()
    for obj in objects:
        if not auditlog.contains(obj.__class__):
            continue
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(obj.__class__),
            object_pk=str(obj.pk),
            object_id=obj.pk,
            object_repr=smart_str(obj),
            action=LogEntry.Action.CREATE,
            changes=model_instance_diff(None, obj, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES),
            timestamp=now,
            cid=cid,
        )
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=500)


def create_or_update(item: dict, plan: Plan, lookups: Lookups, today: date) -> Plan:
    """Create one claim; if a concurrent transaction created its number first, update that one."""
    try:
        write_new(plan)
        return plan
    except IntegrityError:
        lookups.load_claims([plan.claim.claim_number])
        if plan.claim.claim_number not in lookups.claims:
            raise
    plan = plan_item(item, lookups, today)
    if plan.outcome == UPDATED:
        write_update(plan)
    return plan
