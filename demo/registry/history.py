"""An elevator's past for the timeline: earlier yearly inspections and lifecycle events.

Built from a generated elevator's anchors (acceptance, registration, latest inspection, status
change); each elevator draws from a generator of its own, so histories do not disturb the stream.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from elevators.models import ElevatorStatus, Inspection, InspectionResult, LifecycleEvent, years_before

from . import data
from .drawing import Weighted
from .generator import DemoElevator, inspection_body


@dataclass(frozen=True)
class HistoryInspection:
    inspected_on: date
    kind: str
    result: str
    next_due: date
    inspection_body: str
    report_number: str


@dataclass(frozen=True)
class HistoryEvent:
    occurred_on: date
    kind: str
    description: str = ""
    reference: str = ""


def elevator_history(
    elevator: DemoElevator, *, seed: int, today: date
) -> tuple[list[HistoryInspection], list[HistoryEvent]]:
    """Earlier inspections (yearly, back 3-6 years or to acceptance) and lifecycle events.

    The elevator's latest inspection is not among them: it comes with the elevator. Each elevator
    draws from a generator of its own, so the history does not disturb the stream.
    """
    rng = random.Random(f"{seed}:{elevator.equipment_code}")
    results = Weighted.of(data.HISTORY_RESULT_WEIGHTS)
    inspections: list[HistoryInspection] = []

    def inspection(on: date, kind: str, result: str) -> HistoryInspection:
        return HistoryInspection(
            inspected_on=on,
            kind=kind,
            result=result,
            next_due=years_before(on, -1),
            inspection_body=inspection_body(on.year),
            report_number=f"DT{on.year}-{rng.randrange(1_000_000):06d}",
        )

    reached_acceptance = elevator.inspection_kind == Inspection.Kind.ACCEPTANCE
    if not reached_acceptance:
        kept = rng.randint(*data.HISTORY_YEARS)
        for back in range(1, kept):
            on = years_before(elevator.last_inspected_on, back) + timedelta(days=rng.randint(-20, 20))
            if on <= elevator.accepted_on + timedelta(days=200):
                reached_acceptance = True
                break
            result = results.pick(rng)
            if result == InspectionResult.FAIL:
                inspections.append(inspection(on, Inspection.Kind.PERIODIC, InspectionResult.FAIL))
                on = on + timedelta(days=rng.randint(15, 40))
                result = InspectionResult.PASS_AFTER_RECTIFICATION
            inspections.append(inspection(on, Inspection.Kind.PERIODIC, result))
        if reached_acceptance:
            inspections.append(
                inspection(elevator.accepted_on, Inspection.Kind.ACCEPTANCE, InspectionResult.PASS)
            )

    notice_on = elevator.installed_on - timedelta(days=rng.randint(20, 90))
    events = [
        HistoryEvent(
            occurred_on=notice_on,
            kind=LifecycleEvent.Kind.INSTALL_NOTICE,
            description=f"{elevator.manufacturer} {elevator.model_number}",
            reference=f"鄂F安告〔{notice_on.year}〕{rng.randint(1, 2999):04d}号",
        ),
        HistoryEvent(
            occurred_on=elevator.registered_on,
            kind=LifecycleEvent.Kind.REGISTRATION,
            reference=elevator.registration_number,
        ),
    ]
    rework_from = years_before(elevator.installed_on, -10)
    old = elevator.installed_on <= years_before(today, 12)
    if old and rng.random() < data.OLD_REWORK_SHARE and rework_from < today - timedelta(days=30):
        kind = rng.choice(sorted(data.REWORKS))
        on = rework_from + timedelta(days=rng.randrange((today - timedelta(days=30) - rework_from).days))
        word = "改告" if kind == LifecycleEvent.Kind.MODIFICATION_NOTICE else "修告"
        events.append(
            HistoryEvent(
                occurred_on=on,
                kind=kind,
                description=rng.choice(data.REWORKS[kind]),
                reference=f"鄂F{word}〔{on.year}〕{rng.randint(1, 999):04d}号",
            )
        )
    if elevator.status_changed_on is not None:
        events.append(
            HistoryEvent(
                occurred_on=elevator.status_changed_on,
                kind=LifecycleEvent.Kind.STATUS_CHANGE,
                description=f"{ElevatorStatus.IN_USE.label} → {ElevatorStatus(elevator.status).label}",
            )
        )
    return inspections, events
