"""The maintenance step's line of seed_demo's summary, counted from the database."""

from datetime import date

from elevators.models import Elevator
from maintenance.models import (
    ClaimProposal,
    Hazard,
    MaintenanceRecord,
    MaintenanceState,
    PassengerFeedback,
    RecordFlag,
    RescueIncident,
    ServiceRecord,
)
from maintenance.selectors.records import maintenance_state_condition

from ..registry import BULK_THRESHOLD


def maintenance_summary(*, today: date, elevators: int) -> str:
    """Records (flagged ones awaiting review), the elevators' maintenance states (below benchmark
    scale only: they read every elevator), services, hazards, rescues, proposals and feedback."""
    records = MaintenanceRecord.objects.count()
    flagged = MaintenanceRecord.objects.filter(
        review_outcome__in=["", "pending"], pk__in=RecordFlag.objects.values("record")
    ).count()
    states = ""
    if elevators < BULK_THRESHOLD:
        overdue = Elevator.objects.filter(
            maintenance_state_condition(state=MaintenanceState.OVERDUE, on=today)
        )
        none = Elevator.objects.filter(maintenance_state_condition(state=MaintenanceState.NONE, on=today))
        states = f"（维保超期 {overdue.count():,} 台，无维保记录 {none.count():,} 台）"
    hazards = Hazard.objects.all()
    rescues = RescueIncident.objects.count()
    return (
        f"  维保记录 {records:,} 条，待复核 {flagged:,} 条{states}；保险服务 {ServiceRecord.objects.count():,} 次；"
        f"隐患 {hazards.count():,} 项（重大 {hazards.serious().count():,} 项，未整改 {hazards.open().count():,} 项，"
        f"逾期 {hazards.overdue_on(today).count():,} 项）；救援 {rescues:,} 次，理赔建议 "
        f"{ClaimProposal.objects.count():,} 件；乘客评价 {PassengerFeedback.objects.count():,} 条"
    )
