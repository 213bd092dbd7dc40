"""What the dashboard shows beside coverage, counted for a whole slice and its districts at once so
that a day's refresh can keep it (reporting.models.DailySummary): the insurance summary
(insurers.insurance_summary), the maintenance states of the on-time rate
(reports.maintenance.maintenance_figures) and the first policies of the renewal cliff
(forecast.coverage_forecast). Each is the live selector's own queryset, grouped by district: every
elevator is in one district, so a slice's counts are its districts' sums, except its distinct
policies (a policy may cover elevators of several districts), counted apart.
"""

from datetime import date

from django.db.models import Count

from maintenance.models import MaintenanceState

from ..reports.maintenance import in_use_states
from .coverage import coverage_elevators
from .forecast import FORECAST_DAYS, ending_covers
from .insurers import CLAIM_TOTALS, COVER_TOTALS, insurance_sources

ENDING_POLICIES_KEPT = 20  # the first ending policies the dashboard lists


def _zero() -> dict:
    return {
        "policies": 0,
        "elevators_covered": 0,
        "premium": 0,
        "claims": 0,
        "paid": 0,
        "maintenance_on_time": 0,
        "maintenance_overdue": 0,
        "maintenance_none": 0,
        "ending_policies": [],
    }


STATE_FIELDS = {
    MaintenanceState.OK: "maintenance_on_time",
    MaintenanceState.OVERDUE: "maintenance_overdue",
    MaintenanceState.NONE: "maintenance_none",
}


def summaries_all(
    *, user, on: date, filters: dict | None = None, districts=(), days: tuple[int, ...] = FORECAST_DAYS
) -> dict[str | None, dict]:
    """For the slice `user` sees narrowed by `filters` (None) and each of `districts`: DailySummary's
    fields as the dashboard of that slice counts them live on `on`. Six grouped queries (four for a
    slice without districts), whatever the size."""
    parts: dict[str | None, dict] = {part: _zero() for part in (None, *districts)}

    def add(district, field: str, value) -> None:
        for part in (None, district):
            if part in parts and value:
                parts[part][field] += value

    covers, claims = insurance_sources(user=user, on=on, filters=filters)
    city = covers.aggregate(**COVER_TOTALS)
    parts[None].update(
        policies=city["policies"], elevators_covered=city["elevators"], premium=city["premium"] or 0
    )
    if districts:
        per_district = covers.values("elevator__district_id").annotate(**COVER_TOTALS).order_by()
        for row in per_district:
            if row["elevator__district_id"] in parts:
                parts[row["elevator__district_id"]].update(
                    policies=row["policies"], elevators_covered=row["elevators"], premium=row["premium"] or 0
                )
    for row in claims.values("elevator__district_id").annotate(**CLAIM_TOTALS).order_by():
        add(row["elevator__district_id"], "claims", row["claims"])
        add(row["elevator__district_id"], "paid", row["paid"])

    elevators = coverage_elevators(user=user, filters=filters)
    states = in_use_states(elevators, on=on).values_list("district_id", "state").annotate(n=Count("pk"))
    for district, state, n in states:
        add(district, STATE_FIELDS[MaintenanceState(state)], n)

    ending = (
        ending_covers(user=user, on=on, days=days, filters=filters)
        .values_list("policy_id", "policy__end_date", "policy__number", "elevator__district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted: dict[str | None, dict] = {part: {} for part in parts}
    for policy, end_date, number, district, n in ending:
        for part in (None, district):
            if part in counted:
                key = (end_date, number, policy)  # ENDING_ORDER
                counted[part][key] = counted[part].get(key, 0) + n
    for part, policies in counted.items():
        first = sorted(policies.items())[:ENDING_POLICIES_KEPT]
        parts[part]["ending_policies"] = [[policy, n] for (_end, _number, policy), n in first]
    return parts
