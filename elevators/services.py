"""Writes to the registry: elevators, inspections, lifecycle events."""

import copy
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrganisationKind
from core.audit import log_bulk
from core.exceptions import ApplicationError, full_clean_or_refuse, save_or_refuse
from core.visibility import organisation_of

from .models import Elevator, Inspection, LifecycleEvent
from .rescue_codes import RescueCodesExhausted, rescue_codes_draw

# The key of the PostgreSQL advisory lock that serialises drawing rescue codes ("tibao", 1).
RESCUE_CODE_LOCK = 0x7469_6261_6F00_0001
FILL_BATCH = 5000


def registry_writable_districts(user) -> set[str] | None:
    """Districts whose registry `user` may change: None means every district, an empty set none.

    The city regulator keeps the whole registry; a district regulator its own district (DESIGN.md 2).
    """
    if getattr(user, "is_superuser", False) and organisation_of(user) is None:
        return None
    org = organisation_of(user)
    if org is None or not org.is_active:
        return set()
    if org.kind == OrganisationKind.CITY_REGULATOR:
        return None
    if org.kind == OrganisationKind.DISTRICT_REGULATOR:
        return {org.district_id}
    return set()


def registry_check_writer(*, user, district_id: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may change the registry (in `district_id`, if given)."""
    districts = registry_writable_districts(user)
    if districts is None:
        return
    if not districts or (district_id is not None and district_id not in districts):
        raise PermissionDenied(_("只有市级或本辖区市场监管部门可以修改电梯登记数据。"))


@transaction.atomic
def elevator_create(*, user, **fields) -> Elevator:
    """Register an elevator; records a registration event when it has a registration number."""
    elevator = Elevator(**fields)
    registry_check_writer(user=user, district_id=elevator.district_id)
    full_clean_or_refuse(elevator)
    rescue_codes_assign(elevators=[elevator])
    save_or_refuse(elevator)
    if elevator.registration_number:
        LifecycleEvent.objects.create(
            elevator=elevator,
            occurred_on=elevator.registered_on or timezone.localdate(),
            kind=LifecycleEvent.Kind.REGISTRATION,
            reference=elevator.registration_number,
        )
    return elevator


def elevator_change_events(elevator: Elevator, before: dict, *, on: date) -> list[LifecycleEvent]:
    """Timeline events for a change of status or registration number (`before`: the old values)."""
    events = []
    if before["status"] != elevator.status:
        events.append(
            LifecycleEvent(
                elevator=elevator,
                occurred_on=on,
                kind=LifecycleEvent.Kind.STATUS_CHANGE,
                description=_("%(old)s → %(new)s")
                % {
                    "old": Elevator.Status(before["status"]).label,
                    "new": elevator.get_status_display(),
                },
            )
        )
    if before["registration_number"] != elevator.registration_number:
        kind = (
            LifecycleEvent.Kind.REGISTRATION_CHANGE
            if before["registration_number"]
            else LifecycleEvent.Kind.REGISTRATION
        )
        events.append(
            LifecycleEvent(
                elevator=elevator,
                occurred_on=on,
                kind=kind,
                reference=elevator.registration_number,
                description=before["registration_number"]
                and _("原登记证编号 %(old)s") % {"old": before["registration_number"]},
            )
        )
    return events


@transaction.atomic
def elevator_update(*, user, elevator: Elevator, on: date | None = None, **fields) -> Elevator:
    """Change an elevator's registry facts; status and registration changes join its timeline."""
    elevator = Elevator.objects.select_for_update().get(pk=elevator.pk)
    registry_check_writer(user=user, district_id=elevator.district_id)
    before = {"status": elevator.status, "registration_number": elevator.registration_number}
    for name, value in fields.items():
        setattr(elevator, name, value)
    registry_check_writer(user=user, district_id=elevator.district_id)  # may not move it out of reach
    full_clean_or_refuse(elevator)
    elevator.save()
    events = LifecycleEvent.objects.bulk_create(
        elevator_change_events(elevator, before, on=on or timezone.localdate())
    )
    log_bulk(created=events)  # the events join the elevator's history tab like the change itself
    return elevator


@transaction.atomic
def inspection_record(*, user, elevator: Elevator, **fields) -> Inspection:
    """Record an inspection; when it is the latest, the elevator's inspection facts follow it."""
    registry_check_writer(user=user, district_id=elevator.district_id)
    elevator = Elevator.objects.select_for_update().get(pk=elevator.pk)
    inspection = Inspection(elevator=elevator, **fields)
    full_clean_or_refuse(inspection, exclude=["elevator"])
    if Inspection.objects.filter(
        elevator=elevator, inspected_on=inspection.inspected_on, kind=inspection.kind
    ).exists():
        raise ApplicationError(_("该电梯当天已有同类检验记录。"), field="inspected_on")
    inspection.save()
    elevator_follow_latest_inspection(elevator=elevator)
    return inspection


@transaction.atomic
def inspection_update(*, user, inspection: Inspection, **fields) -> Inspection:
    """Correct an inspection record (a typo in its date, result or report); the elevator's inspection
    facts follow whatever is now the latest inspection. The elevator itself cannot be changed."""
    registry_check_writer(user=user, district_id=inspection.elevator.district_id)
    elevator = Elevator.objects.select_for_update().get(pk=inspection.elevator_id)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    fields.pop("elevator", None)
    for name, value in fields.items():
        setattr(inspection, name, value)
    full_clean_or_refuse(inspection, exclude=["elevator"])
    clash = Inspection.objects.filter(
        elevator=elevator, inspected_on=inspection.inspected_on, kind=inspection.kind
    )
    if clash.exclude(pk=inspection.pk).exists():
        raise ApplicationError(_("该电梯当天已有同类检验记录。"), field="inspected_on")
    inspection.save()
    elevator_follow_latest_inspection(elevator=elevator)
    return inspection


def elevator_follow_latest_inspection(*, elevator: Elevator) -> None:
    """Copy the latest inspection's date, result and next due date onto the elevator."""
    latest = elevator.inspections.order_by("-inspected_on", "-pk").first()
    if latest is None:
        return
    elevator.last_inspected_on = latest.inspected_on
    elevator.inspection_result = latest.result
    elevator.next_inspection_due = latest.next_due
    elevator.save(
        update_fields=["last_inspected_on", "inspection_result", "next_inspection_due", "updated_at"]
    )


@transaction.atomic
def rescue_codes_assign(*, elevators: Sequence[Elevator]) -> None:
    """Give each of `elevators` without one a free rescue code (电梯识别码), in memory: the caller
    saves them (save, bulk_create), in this transaction.

    Every door that creates elevators calls it: registration, the registry import, the demo. On
    PostgreSQL a transaction-level advisory lock makes concurrent callers draw one after another
    (the second sees the first's codes once it commits); the unique constraint keeps it true.
    """
    missing = [elevator for elevator in elevators if not elevator.rescue_code]
    if not missing:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RESCUE_CODE_LOCK])
    try:
        codes = rescue_codes_draw(count=len(missing), queryset=Elevator.objects.all())
    except RescueCodesExhausted as exc:
        raise ApplicationError(_("电梯识别码已用完，请联系系统管理员。"), field="rescue_code") from exc
    for elevator, code in zip(missing, codes, strict=True):
        elevator.rescue_code = code


@transaction.atomic
def rescue_codes_fill() -> int:
    """Give every elevator still without a rescue code its code (after a bulk path that wrote rows
    without one); returns how many were given. Audited like single saves (core.audit.log_bulk)."""
    filled = 0
    while batch := list(Elevator.objects.filter(rescue_code=None).order_by("pk")[:FILL_BATCH]):
        before = [copy.copy(elevator) for elevator in batch]
        rescue_codes_assign(elevators=batch)
        Elevator.objects.bulk_update(batch, ["rescue_code"], batch_size=1000)
        log_bulk(updated=zip(before, batch, strict=True))
        filled += len(batch)
    return filled
