"""Writing one chunk of parsed rows, set-based: the new elevators, their lifecycle events and the
inspections the file reports are inserted by COPY with ids from their sequences
(core.pgcopy.rows_insert, decision 0019), the changed elevators by one UPDATE … FROM (VALUES …),
and the inspections of the chunk's known elevators are read in one query (the elevator follows its
latest inspection). Every row written is audited like a single save (core.audit.log_bulk).

Other databases than PostgreSQL get bulk_create and bulk_update for the same rows.
"""

import copy
from datetime import date

from django.db import connection
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from core.audit import log_bulk
from core.pgcopy import any_of, rows_insert
from core.xlsx import TableRow

from ..models import Elevator, Inspection, LifecycleEvent
from ..services import elevator_change_events, rescue_codes_assign
from .parsing import RegistryImportResult

CHUNK_ROWS = 2500

INSPECTION_FACTS = ["last_inspected_on", "inspection_result", "next_inspection_due"]
ELEVATOR_FIELDS = [
    "code_form", "registration_number", "category", "manufacturer", "model_number", "factory_serial",
    "manufactured_on", "installed_on", "registered_on", "address", "site_name", "district", "place_category",
    "status", "last_inspected_on", "inspection_result", "next_inspection_due", "user_unit", "owner",
    "maintenance_company",
]  # fmt: skip
# A parsed row names a related row by its object (a District, an Organisation); the elevator keeps its key.
RELATED = {name for name in ELEVATOR_FIELDS if Elevator._meta.get_field(name).is_relation}
ATTNAMES = {name: Elevator._meta.get_field(name).attname for name in ELEVATOR_FIELDS}


def write_chunk(
    parsed: dict[str, tuple[TableRow, dict]],
    existing: dict[str, Elevator],
    *,
    result: RegistryImportResult,
    counted_codes: set[str],
    today: date,
    writing: bool = True,
) -> None:
    """Count the chunk's elevators as created, updated or unchanged and, when `writing`, create or
    update them with their lifecycle events and inspections.

    An import that has refused a row writes nothing more (it is rolled back whole): it goes on
    reading, checking and counting the rows, and passes `writing=False`. A code created by an
    earlier chunk that was not written is then a repeated row, as it would be when written.
    `counted_codes` are the codes an earlier chunk counted: a row repeating one is applied again
    (the last row wins) but not counted again.
    """
    created, changed, events = [], [], []
    for code, (_row, fields) in parsed.items():
        values = {ATTNAMES.get(name, name): _key(name, value) for name, value in fields.items()}
        elevator = existing.get(code)
        if elevator is None:
            if code in counted_codes:  # created by an earlier chunk and not written: a repeated row
                continue
            values.setdefault("owner_id", values.get("user_unit_id"))  # the owner defaults to the user unit
            values["equipment_code"] = code
            created.append(values)
            continue
        differs = [name for name, value in values.items() if getattr(elevator, name) != value]
        if code not in counted_codes:  # a repeated row of this import is a duplicate, not an update
            if differs:
                result.updated += 1
            else:
                result.unchanged += 1
            counted_codes.add(code)
        if differs and writing:
            before = {"status": elevator.status, "registration_number": elevator.registration_number}
            changed.append((copy.copy(elevator), elevator))
            for name in differs:
                setattr(elevator, name, values[name])
            elevator.updated_at = timezone.now()
            events.extend(elevator_change_events(elevator, before, on=today))
    result.created += len(created)
    counted_codes.update(values["equipment_code"] for values in created)
    if not writing:
        return
    created = [new_elevator(values) for values in created]
    rescue_codes_assign(elevators=created)
    rows_insert(created)
    events.extend(
        new_event(
            {
                "occurred_on": elevator.registered_on or today,
                "kind": LifecycleEvent.Kind.REGISTRATION,
                "reference": elevator.registration_number,
            },
            elevator=elevator,
        )
        for elevator in created
        if elevator.registration_number
    )
    inspections, followed = _inspections(created, list(existing.values()), changed)
    updated = {id(after): (before, after) for before, after in [*changed, *followed]}
    _update(after for _before, after in updated.values())
    rows_insert(events)
    rows_insert(inspections)
    log_bulk(created=[*created, *events, *inspections], updated=updated.values())


def _key(name: str, value):
    return value.pk if name in RELATED and value is not None else value


class NewRows:
    """Unsaved instances of one model from their column values, made as Model.__init__ would make
    them but without it: the instance's attributes are set at once, which is three times faster
    than the model's positional constructor (that sets each field through its descriptor and
    sends pre_init and post_init): 150,000 instances a 50,000-row file. A column not given takes
    the model's default (a constant one read once, a callable one called for each row); `related`
    objects are kept on the instance as keyword arguments would keep them (an inspection's name
    reads its elevator's). A model with a field descriptor of its own, or with receivers of
    pre_init or post_init, is made by its constructor instead."""

    CALLED = object()

    def __init__(self, model):
        self.model = model
        self.defaults = {
            f.attname: self.CALLED if f.has_default() and callable(f.default) else f.get_default()
            for f in model._meta.concrete_fields
        }
        self.fields = {f.attname: f for f in model._meta.concrete_fields}
        # Plain attributes: a field's descriptor that only reads (DeferredAttribute) or only drops a
        # cached related object on assignment, which a new instance has none of.
        self.plain = all(
            type(model.__dict__.get(f.attname)) in (DeferredAttribute, ForeignKeyDeferredAttribute)
            for f in model._meta.concrete_fields
        )

    def __call__(self, values: dict, **related):
        for name, obj in related.items():
            values[self.model._meta.get_field(name).attname] = obj.pk
        unknown = values.keys() - self.defaults.keys()
        if unknown:
            raise ValueError(f"not columns of {self.model.__name__}: {sorted(unknown)}")
        columns = {
            name: values.get(name, self.fields[name].get_default())
            if default is self.CALLED
            else values.get(name, default)
            for name, default in self.defaults.items()
        }
        if self.plain and not (
            signals.pre_init.has_listeners(self.model) or signals.post_init.has_listeners(self.model)
        ):
            instance = self.model.__new__(self.model)
            instance._state = ModelState()
            instance.__dict__.update(columns)
        else:
            instance = self.model(*columns.values())
        for name, obj in related.items():
            self.model._meta.get_field(name).set_cached_value(instance, obj)
        return instance


new_elevator, new_event, new_inspection = NewRows(Elevator), NewRows(LifecycleEvent), NewRows(Inspection)


UPDATED = [*(ATTNAMES[name] for name in ELEVATOR_FIELDS), "updated_at"]


def _update(elevators) -> None:
    """Write the registry columns of `elevators` (ELEVATOR_FIELDS and updated_at) as they are in
    memory: one UPDATE … FROM (VALUES …) on PostgreSQL."""
    elevators = list(elevators)
    if not elevators:
        return
    if connection.vendor != "postgresql":
        Elevator.objects.bulk_update(elevators, [*ELEVATOR_FIELDS, "updated_at"], batch_size=CHUNK_ROWS)
        return
    quote = connection.ops.quote_name
    fields = [Elevator._meta.get_field(name) for name in ["id", *UPDATED]]
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(
        f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in fields[1:]
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in elevators for f in fields]
    table = quote(Elevator._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS e SET {assignments} "
            f"FROM (VALUES {', '.join([row] * len(elevators))}) AS v ({columns}) "
            f"WHERE e.{quote('id')} = v.{quote('id')}::bigint",
            params,
        )


def _inspections(
    created: list[Elevator], known: list[Elevator], changed: list[tuple[Elevator, Elevator]]
) -> tuple[list[Inspection], list[tuple[Elevator, Elevator]]]:
    """The periodic inspections the file reports that are not recorded yet (one per elevator), and
    the known elevators whose inspection facts now follow their latest inspection, as (before,
    after): a file holding an older inspection never rolls them back. One query reads the known
    elevators' inspections; a new elevator has none but the file's."""
    new = [_inspection(e) for e in created if e.last_inspected_on and e.inspection_result]
    if not known:
        return new, []
    latest: dict[int, tuple] = {}  # elevator id: (date, order, facts) of its latest inspection
    recorded = set()
    rows = Inspection.objects.filter(any_of("elevator_id", [e.pk for e in known])).values_list(
        "elevator_id", "inspected_on", "pk", "kind", "result", "next_due"
    )
    for elevator_id, on, pk, kind, result, next_due in rows:
        if kind == Inspection.Kind.PERIODIC:
            recorded.add((elevator_id, on))
        if elevator_id not in latest or (on, pk) > latest[elevator_id][:2]:
            latest[elevator_id] = (on, pk, (on, result, next_due))
    befores = {id(after): before for before, after in changed}
    followed = []
    for elevator in known:
        facts = (elevator.last_inspected_on, elevator.inspection_result, elevator.next_inspection_due)
        if facts[0] and facts[1] and (elevator.pk, facts[0]) not in recorded:
            new.append(_inspection(elevator))
            if elevator.pk not in latest or facts[0] >= latest[elevator.pk][0]:  # newer than any
                continue
        if elevator.pk in latest and latest[elevator.pk][2] != facts:
            before = befores.get(id(elevator)) or copy.copy(elevator)
            (
                elevator.last_inspected_on,
                elevator.inspection_result,
                elevator.next_inspection_due,
            ) = latest[elevator.pk][2]
            followed.append((before, elevator))
    return new, followed


def _inspection(elevator: Elevator) -> Inspection:
    return new_inspection(
        {
            "inspected_on": elevator.last_inspected_on,
            "kind": Inspection.Kind.PERIODIC,
            "result": elevator.inspection_result,
            "next_due": elevator.next_inspection_due,
        },
        elevator=elevator,
    )
