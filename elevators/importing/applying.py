"""Writing one chunk of parsed rows: elevators created or updated in bulk, their lifecycle events,
and the inspections the file reports (the elevator follows its latest inspection)."""

import copy
from datetime import date

from django.utils import timezone

from core.audit import log_bulk
from core.xlsx import TableRow

from ..models import Elevator, Inspection, LifecycleEvent
from ..services import elevator_change_events, rescue_codes_assign
from .parsing import RegistryImportResult

CHUNK_ROWS = 1000

INSPECTION_FACTS = ["last_inspected_on", "inspection_result", "next_inspection_due"]
ELEVATOR_FIELDS = [
    "code_form", "registration_number", "category", "manufacturer", "model_number", "factory_serial",
    "manufactured_on", "installed_on", "registered_on", "address", "site_name", "district", "place_category",
    "status", "last_inspected_on", "inspection_result", "next_inspection_due", "user_unit", "owner",
    "maintenance_company",
]  # fmt: skip


def write_chunk(
    parsed: dict[str, tuple[TableRow, dict]],
    existing: dict[str, Elevator],
    *,
    result: RegistryImportResult,
    created_codes: set[str],
    today: date,
) -> None:
    """Create or update the chunk's elevators, their lifecycle events and inspections; every row
    written is audited like a single save (core.audit.log_bulk)."""
    created, changed, events = [], [], []
    for code, (_row, fields) in parsed.items():
        elevator = existing.get(code)
        if elevator is None:
            fields.setdefault("owner", fields.get("user_unit"))  # the owner defaults to the user unit
            created.append(Elevator(equipment_code=code, **fields))
            continue
        before = {"status": elevator.status, "registration_number": elevator.registration_number}
        differs = [
            name for name in ELEVATOR_FIELDS if name in fields and getattr(elevator, name) != fields[name]
        ]
        if code not in created_codes:  # a repeated row of this import is a duplicate, not an update
            if differs:
                result.updated += 1
            else:
                result.unchanged += 1
        if differs:
            changed.append((copy.copy(elevator), elevator))
            for name in differs:
                setattr(elevator, name, fields[name])
            elevator.updated_at = timezone.now()
            events.extend(elevator_change_events(elevator, before, on=today))
    rescue_codes_assign(elevators=created)
    Elevator.objects.bulk_create(created, batch_size=CHUNK_ROWS)
    Elevator.objects.bulk_update(
        [after for _before, after in changed], [*ELEVATOR_FIELDS, "updated_at"], batch_size=CHUNK_ROWS
    )
    result.created += len(created)
    created_codes.update(e.equipment_code for e in created)
    if created:
        created = list(Elevator.objects.filter(equipment_code__in=[e.equipment_code for e in created]))
    events.extend(
        LifecycleEvent(
            elevator=elevator,
            occurred_on=elevator.registered_on or today,
            kind=LifecycleEvent.Kind.REGISTRATION,
            reference=elevator.registration_number,
        )
        for elevator in created
        if elevator.registration_number
    )
    events = LifecycleEvent.objects.bulk_create(events, batch_size=CHUNK_ROWS)
    inspections = _record_inspections([*created, *existing.values()])
    followed = _follow_latest_inspections([*created, *existing.values()])
    log_bulk(created=[*created, *events, *inspections], updated=[*changed, *followed])


def _follow_latest_inspections(elevators: list[Elevator]) -> list[tuple[Elevator, Elevator]]:
    """The elevator's inspection facts come from its latest Inspection row (elevator_follow_latest_
    inspection, in bulk): a file holding an older inspection never rolls them back. Returns the
    elevators changed, as (before, after)."""
    latest: dict[int, Inspection] = {}
    for inspection in Inspection.objects.filter(elevator__in=elevators).order_by(
        "elevator_id", "inspected_on", "pk"
    ):
        latest[inspection.elevator_id] = inspection
    stale = []
    for elevator in elevators:
        inspection = latest.get(elevator.pk)
        facts = (inspection.inspected_on, inspection.result, inspection.next_due) if inspection else None
        if facts and facts != (
            elevator.last_inspected_on,
            elevator.inspection_result,
            elevator.next_inspection_due,
        ):
            before = copy.copy(elevator)
            elevator.last_inspected_on, elevator.inspection_result, elevator.next_inspection_due = facts
            stale.append((before, elevator))
    Elevator.objects.bulk_update([after for _before, after in stale], INSPECTION_FACTS, batch_size=CHUNK_ROWS)
    return stale


def _record_inspections(elevators: list[Elevator]) -> list[Inspection]:
    """Each elevator's latest periodic inspection from the file becomes an Inspection row."""
    with_inspection = [e for e in elevators if e.last_inspected_on and e.inspection_result]
    if not with_inspection:
        return []
    known = set(
        Inspection.objects.filter(elevator__in=with_inspection, kind=Inspection.Kind.PERIODIC).values_list(
            "elevator_id", "inspected_on"
        )
    )
    return Inspection.objects.bulk_create(
        [
            Inspection(
                elevator=e,
                inspected_on=e.last_inspected_on,
                kind=Inspection.Kind.PERIODIC,
                result=e.inspection_result,
                next_due=e.next_inspection_due,
            )
            for e in with_inspection
            if (e.pk, e.last_inspected_on) not in known
        ],
        batch_size=CHUNK_ROWS,
    )
