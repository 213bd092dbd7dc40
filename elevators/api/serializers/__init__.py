"""The registry over the API: shapes only. Rules (who may write which district) live in the services.

fields.py: fields that read codes the way people type them (others import them from fields.py);
elevators.py: elevators, the quote view of one, the timeline; inspections.py: inspections.
"""

from .elevators import ElevatorQuoteSerializer, ElevatorSerializer, TimelineEntrySerializer
from .inspections import InspectionSerializer

__all__ = ["ElevatorQuoteSerializer", "ElevatorSerializer", "InspectionSerializer", "TimelineEntrySerializer"]
