"""Writing what the rules decided: one claim through save(), or many with bulk inserts audited explicitly."""

from datetime import date

from django.db import IntegrityError, transaction

from core.audit import log_bulk, rows_update_audited
from core.pgcopy import any_of, rows_delete, rows_insert

from ...models import ClaimPayment, ClaimStatusChange
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
    """Many new claims in one COPY (PostgreSQL) or INSERT per table, audited like single ones
    (`core.audit.log_bulk`). A number taken meanwhile raises IntegrityError."""
    claims = rows_insert([plan.claim for plan in plans])
    log_bulk(created=[*claims, *_insert_children(plans)], just_inserted=True)


def _insert_children(plans: list[Plan]) -> list:
    """Insert the status change and the new payments of each claim planned (`rows_insert`); returns
    them, to be audited."""
    changes = rows_insert(
        [
            _of(ClaimStatusChange(claim_id=plan.claim.pk, from_status=f, to_status=t, on=on), plan.claim)
            for plan in plans
            if plan.transition
            for f, t, on in [plan.transition]
        ]
    )
    payments = rows_insert(
        [
            _of(ClaimPayment(claim_id=plan.claim.pk, **payment), plan.claim)
            for plan in plans
            for payment in plan.payments or ()
        ]
    )
    return [*changes, *payments]


def write_updates_in_bulk(plans: list[Plan]) -> None:
    """Many changed claims at once, audited as write_update's save() and delete() audit them
    (`core.audit.log_bulk`): one UPDATE of the columns any of them changed (`rows_update`; the
    rows are locked, so a column one claim did not change is written back as it is stored), their
    status changes and new payments inserted (`rows_insert`), and the payments those replace
    deleted in one statement. A constraint refusing a row raises IntegrityError."""
    replaced = [plan for plan in plans if plan.payments is not None]
    old_payments = [payment for plan in replaced for payment in plan.stored.payments.all()]
    if old_payments:
        rows_delete(ClaimPayment.objects.filter(any_of("claim_id", [plan.claim.pk for plan in replaced])))
    rows_update_audited(
        [(plan.stored, plan.claim) for plan in plans],
        sorted({n for plan in plans for n in plan.changed}),
        created=_insert_children(plans),
        deleted=old_payments,
    )


def _of(row, claim):
    """`row` (a status change, a payment) with its claim cached as `row.claim = claim` would
    leave it, without the descriptor's per-assignment checks."""
    type(row)._meta.get_field("claim").set_cached_value(row, claim)
    return row


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
