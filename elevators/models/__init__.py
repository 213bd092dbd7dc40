"""The elevator registry: place categories, elevators and their lifecycle (the divisions they stand
in are accounts.District).

elevators.py: place categories, the conditions on elevators and the elevators; records.py: what is
recorded about one elevator, its inspections and lifecycle events.
"""

from ..choices import PASSING_RESULTS, ElevatorStatus, InspectionResult
from .elevators import (
    NO_ELEVATOR,
    OLD_ELEVATOR_YEARS,
    Elevator,
    ElevatorCondition,
    ElevatorQuerySet,
    PlaceCategory,
    PlaceCategorySector,
    elevator_condition,
    in_scope_condition,
    insured_condition,
    old_condition,
    register_elevator_condition,
    registration_number_for,
    three_no_condition,
    years_before,
)
from .records import ElevatorRecordQuerySet, Inspection, LifecycleEvent, choice_label

__all__ = [
    "NO_ELEVATOR",
    "OLD_ELEVATOR_YEARS",
    "PASSING_RESULTS",
    "Elevator",
    "ElevatorCondition",
    "ElevatorQuerySet",
    "ElevatorRecordQuerySet",
    "ElevatorStatus",
    "Inspection",
    "InspectionResult",
    "LifecycleEvent",
    "PlaceCategory",
    "PlaceCategorySector",
    "choice_label",
    "elevator_condition",
    "in_scope_condition",
    "insured_condition",
    "old_condition",
    "register_elevator_condition",
    "registration_number_for",
    "three_no_condition",
    "years_before",
]
