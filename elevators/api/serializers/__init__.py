"""The registry over the API: shapes only. Rules (who may write which district) live in the services.

fields.py: fields that read codes the way people type them (shared with insurance's serializers);
elevators.py: elevators, the quote view of one, the timeline; inspections.py: inspections.
"""

from .elevators import (
    ELEVATOR_HELP,
    QUOTE_FIELDS,
    ElevatorQuoteSerializer,
    ElevatorSerializer,
    TimelineEntrySerializer,
)
from .fields import (
    CategoryField,
    DistrictField,
    EquipmentCodeField,
    OrganisationByCreditCodeField,
    PlaceCategoryField,
    TodayMixin,
    with_help,
)
from .inspections import INSPECTION_HELP, InspectionSerializer, VisibleElevatorField

__all__ = [
    "ELEVATOR_HELP",
    "INSPECTION_HELP",
    "QUOTE_FIELDS",
    "CategoryField",
    "DistrictField",
    "ElevatorQuoteSerializer",
    "ElevatorSerializer",
    "EquipmentCodeField",
    "InspectionSerializer",
    "OrganisationByCreditCodeField",
    "PlaceCategoryField",
    "TimelineEntrySerializer",
    "TodayMixin",
    "VisibleElevatorField",
    "with_help",
]
