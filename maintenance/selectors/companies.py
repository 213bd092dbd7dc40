"""Maintenance companies scored and ranked (as Chengdu's platform does), for regulators and for the
rating's maintenance-quality score (docs/decisions/0009-maintenance-on-time-rate.md).

Figures of a company on day D, over the elevators it maintains (Elevator.maintenance_company) and
the twelve months ending on D (D - 364 .. D):
- on-time rate (按期维保率): of its elevators in use that have at least one record on or before D,
  the share whose maintenance state on D is `ok` (not overdue by the 15-day rule). Elevators with
  no record at all are counted apart (`no_record`), not as overdue: a registry just imported has
  no records, and the rate would otherwise punish the platform's start, not the company. A flagged
  record still counts (the flags are shown apart);
- flagged share: records of the company in the window that have at least one review flag / its
  records in the window;
- hazards found by others: hazards on its elevators found in the window by anyone but the
  maintenance company itself (Hazard.found_by != maintenance): what its visits missed;
- mean rescue arrival: minutes from alarm to arrival of the rescues on its elevators in the window
  that have an arrival time;
- complaints: passenger feedback with a complaint on its elevators in the window.
The ranking orders by on-time rate (high first), then flagged share, hazards found by others and
complaints (low first). Every figure is one grouped query, whatever the number of companies.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import Organisation, OrganisationKind
from elevators.models import Elevator, ElevatorStatus

from ..models import Hazard, HazardSource, MaintenanceRecord, PassengerFeedback, RecordFlag, RescueIncident
from .records import maintenance_state_expression

WINDOW_DAYS = 365


@dataclass
class CompanyScore:
    company: Organisation
    elevators: int = 0  # in use, maintained by it
    no_record: int = 0
    on_time: int = 0
    overdue: int = 0
    records: int = 0
    flagged: int = 0
    hazards_by_others: int = 0
    rescues_timed: int = 0
    arrival_minutes_total: float = 0.0
    complaints: int = 0
    rank: int = 0

    @property
    def with_records(self) -> int:
        return self.on_time + self.overdue

    @property
    def on_time_rate(self) -> Decimal | None:
        """On time / elevators with records, as a fraction with 4 places; None when it has none."""
        return _ratio(self.on_time, self.with_records)

    @property
    def flagged_share(self) -> Decimal | None:
        return _ratio(self.flagged, self.records)

    @property
    def mean_arrival_minutes(self) -> Decimal | None:
        if not self.rescues_timed:
            return None
        return Decimal(self.arrival_minutes_total / self.rescues_timed).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if whole else None


def _rank_key(score: CompanyScore):
    rate = score.on_time_rate
    return (
        rate is None,
        -(rate or 0),
        score.flagged_share or 0,
        score.hazards_by_others,
        score.complaints,
        score.company.name,
    )


def company_scores(*, on: date, companies=None) -> list[CompanyScore]:
    """Every maintenance company's figures on `on` (module docstring), ranked, best first.

    `companies` limits the result (a queryset or list of Organisation); the figures are the
    platform's whole data: the ranking is for regulators, who see every company's elevators.
    """
    since = on - timedelta(days=WINDOW_DAYS - 1)
    if companies is None:
        companies = Organisation.objects.filter(kind=OrganisationKind.MAINTENANCE_COMPANY, is_active=True)
    scores = {c.pk: CompanyScore(company=c) for c in companies}
    states = (
        Elevator.objects.filter(status=ElevatorStatus.IN_USE, maintenance_company__in=list(scores))
        .annotate(state=maintenance_state_expression(on=on))
        .values_list("maintenance_company", "state")
        .annotate(n=Count("pk"))
    )
    for company_id, state, count in states:
        score = scores[company_id]
        score.elevators += count
        setattr(score, {"none": "no_record", "ok": "on_time", "overdue": "overdue"}[state], count)
    records = (
        MaintenanceRecord.objects.filter(company__in=list(scores), performed_on__range=(since, on))
        .values_list("company")
        .annotate(
            n=Count("pk"),
            flagged=Count("pk", filter=Q(Exists(RecordFlag.objects.filter(record=OuterRef("pk"))))),
        )
    )
    for company_id, count, flagged in records:
        scores[company_id].records, scores[company_id].flagged = count, flagged
    of_company = {"elevator__maintenance_company__in": list(scores)}
    hazards = (
        Hazard.objects.filter(found_on__range=(since, on), **of_company)
        .exclude(found_by=HazardSource.MAINTENANCE)
        .values_list("elevator__maintenance_company")
        .annotate(n=Count("pk"))
    )
    for company_id, count in hazards:
        scores[company_id].hazards_by_others = count
    arrivals = defaultdict(list)
    for company_id, alarm, arrival in RescueIncident.objects.filter(
        alarm_at__date__range=(since, on), arrived_at__isnull=False, **of_company
    ).values_list("elevator__maintenance_company", "alarm_at", "arrived_at"):
        arrivals[company_id].append((arrival - alarm).total_seconds() / 60)
    for company_id, minutes in arrivals.items():
        scores[company_id].rescues_timed, scores[company_id].arrival_minutes_total = (
            len(minutes),
            sum(minutes),
        )
    complaints = (
        PassengerFeedback.objects.filter(created_at__date__range=(since, on), **of_company)
        .exclude(complaint="")
        .values_list("elevator__maintenance_company")
        .annotate(n=Count("pk"))
    )
    for company_id, count in complaints:
        scores[company_id].complaints = count
    ranked = sorted(scores.values(), key=_rank_key)
    for position, score in enumerate(ranked, start=1):
        score.rank = position
    return ranked
