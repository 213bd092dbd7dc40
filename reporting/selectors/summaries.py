"""What the dashboard shows beside coverage, counted for many slices at once so that a day's
refresh can keep it (reporting.models.DailySummary): the insurance summary
(insurers.insurance_summary), the maintenance states of the on-time rate
(reports.maintenance.maintenance_figures) and the first policies of the renewal cliff
(forecast.coverage_forecast), each from the live selector's own queryset.

`summaries_slices` answers every frozen slice (selectors.slices.CellSlice: the city, a district, a
sector, the finance bureau's) from one pass: each figure counted per cell (district x place
category, and apart for the publicly funded elevators and covers), a slice's the sum of its cells.
Distinct policies do not sum (a policy may cover elevators of several cells): the pass reads the
(policy, cell) pairs in force and counts them per slice. `summaries_all` counts one slice and its
districts as that slice's reader, for a scope whose reader's rule is not one of the cells'.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date

from django.db.models import Count, Q, Sum

from core.principal import SYSTEM
from elevators.models import Elevator, elevator_condition
from insurance.models import Claim, FundingSource, PolicyElevator
from maintenance.models import MaintenanceState

from ..reports.maintenance import in_use_states
from .coverage import coverage_elevators
from .forecast import FORECAST_DAYS, ending_covers
from .insurers import CLAIM_TOTALS, COVER_TOTALS, insurance_sources, loss_window
from .slices import CellSlice

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
                key = (end_date, number, policy)
                counted[part][key] = counted[part].get(key, 0) + n
    for part, policies in counted.items():
        parts[part]["ending_policies"] = _ending_first(policies)
    return parts


def _ending_first(counted: dict[tuple, int]) -> list[list]:
    """The first ENDING_POLICIES_KEPT of {(end date, number, policy id): elevators ending}, in
    coverage_forecast's order (forecast.ENDING_ORDER), as [[policy id, elevators ending], ...]."""
    return [[policy, n] for (_end, _number, policy), n in sorted(counted.items())[:ENDING_POLICIES_KEPT]]


def summaries_slices(
    *, on: date, slices: Sequence[CellSlice], days: tuple[int, ...] = FORECAST_DAYS
) -> list[dict]:
    """For each of `slices`, in order, DailySummary's fields as the slice's reader counts them live
    on `on` (the module docstring): eight grouped queries, whatever the slices and the size."""
    public = any(part.publicly_funded for part in slices)
    cell = ("district_id", "place_category_id")
    on_cover = ("elevator__district_id", "elevator__place_category_id")
    public_policy = Q(policy__funding_source=FundingSource.PUBLIC_FINANCE)
    # the elevators' own figures per cell: maintenance states, claims and their payments
    per_cell: dict[bool, dict[tuple, Counter]] = {False: {}, True: {}}
    start, end = loss_window(on)
    for public_only in (False, True) if public else (False,):
        elevators = Elevator.objects.visible_to(SYSTEM)  # every elevator: the cells are summed per slice
        if public_only:
            elevators = elevators.filter(elevator_condition("publicly_funded"))
        counts = per_cell[public_only]
        states = in_use_states(elevators, on=on).values_list(*cell, "state").annotate(n=Count("pk"))
        for district, place, state, n in states:
            counts.setdefault((district, place), Counter())[STATE_FIELDS[MaintenanceState(state)]] += n
        claims = (
            Claim.objects.visible_to(SYSTEM)
            .filter(elevator__in=elevators, reported_on__gte=start, reported_on__lte=end)
            .values_list(*on_cover)
            .annotate(**CLAIM_TOTALS)
            .order_by()
        )
        for district, place, n, paid in claims:
            counts.setdefault((district, place), Counter()).update(claims=n, paid=paid or 0)
    # the covers in force: distinct elevators and premium per cell, of all and of the publicly
    # funded policies; the (policy, cell) pairs for the distinct policies
    covers = PolicyElevator.objects.visible_to(SYSTEM).in_force_on(on)
    per_cover = {False: {}, True: {}}
    for district, place, n, premium, public_n, public_premium in (
        covers.values_list(*on_cover)
        .annotate(
            n=Count("elevator", distinct=True),
            total=Sum("premium"),
            public_n=Count("elevator", distinct=True, filter=public_policy),
            public_total=Sum("premium", filter=public_policy),
        )
        .order_by()
    ):
        per_cover[False][(district, place)] = Counter(elevators_covered=n, premium=premium or 0)
        per_cover[True][(district, place)] = Counter(elevators_covered=public_n, premium=public_premium or 0)
    pairs = list(covers.values_list("policy_id", "policy__funding_source", *on_cover).distinct().order_by())
    ending = list(
        ending_covers(user=SYSTEM, on=on, days=days)
        .values_list("policy_id", "policy__end_date", "policy__number", "policy__funding_source", *on_cover)
        .annotate(n=Count("pk"))
        .order_by()
    )
    answers = []
    for part in slices:

        def covers_of(district, place, part=part) -> bool:
            """Whether the slice counts the covers of a cell: the finance bureau (publicly
            funded covers only) every cell, for every elevator those cover is in its slice."""
            return (
                part.district in (None, district)
                if part.public_covers_only
                else part.holds_cell(district, place)
            )

        def covered(funding, district, place, part=part) -> bool:
            public_ok = funding == FundingSource.PUBLIC_FINANCE or not part.public_covers_only
            return public_ok and covers_of(district, place)

        def add(counts: Counter, summed: dict) -> None:
            for field, value in counts.items():
                summed[field] += value

        summed = _zero()
        for key, counts in per_cell[False].items():
            if part.holds_cell(*key):
                add(counts, summed)
        for key, counts in per_cell[True].items():  # of a cell outside its sector, the publicly funded
            if part.holds_public_of(*key):
                add(counts, summed)
        for key, counts in per_cover[part.public_covers_only].items():
            if covers_of(*key):
                add(counts, summed)
        summed["policies"] = len({policy for policy, *where in pairs if covered(*where)})
        first: dict[tuple, int] = {}
        for policy, end_date, number, funding, district, place, n in ending:
            if covered(funding, district, place):
                first[(end_date, number, policy)] = first.get((end_date, number, policy), 0) + n
        summed["ending_policies"] = _ending_first(first)
        answers.append(summed)
    return answers
