"""The renewal cliff: coverage on the coming days of today's in-scope elevators if no policy were
renewed or registered, and the policies whose end causes the drop. Counted by the coverage engine's
definitions (reporting.selectors.coverage), which imports nothing from here."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from core.principal import SYSTEM
from elevators.models import Elevator, elevator_condition, in_scope_condition, insured_condition
from insurance.models import Policy, PolicyElevator

from .coverage import CoverageFigure, coverage_elevators
from .slices import CellSlice


@dataclass(frozen=True)
class ForecastPoint:
    """Coverage on `on` of today's in-scope elevators if no policy were renewed or registered."""

    days: int
    on: date
    figure: CoverageFigure


FORECAST_DAYS = (30, 60, 90)


def forecast_point(n: int, on: date, in_scope: int, insured: int) -> ForecastPoint:
    label = _("%(days)d天后") % {"days": n}
    return ForecastPoint(n, on + timedelta(days=n), CoverageFigure(str(n), label, in_scope, insured))


def forecast_all(
    *, user, on: date, days: tuple[int, ...] = FORECAST_DAYS, filters: dict | None = None, districts=()
) -> dict[str | None, list[ForecastPoint]]:
    """coverage_forecast's points for the slice (None) and each of `districts`, from one grouped
    count per district (every elevator is in one district, so the slice's are their sums)."""
    in_scope = coverage_elevators(user=user, filters=filters).filter(in_scope_condition(on=on))
    horizons = sorted(set(days))
    counts = {f"d{n}": Count("pk", filter=insured_condition(on=on + timedelta(days=n))) for n in horizons}
    rows = list(in_scope.values("district_id").annotate(n=Count("pk"), **counts).order_by())
    answers = {}
    for part in [None, *districts]:
        mine = [row for row in rows if part is None or row["district_id"] == part]
        total = sum(row["n"] for row in mine)
        answers[part] = [forecast_point(n, on, total, sum(row[f"d{n}"] for row in mine)) for n in horizons]
    return answers


def forecast_slices(
    *, on: date, slices: Sequence[CellSlice], days: tuple[int, ...] = FORECAST_DAYS
) -> list[list[ForecastPoint]]:
    """forecast_all's points for each of `slices` (selectors.slices.CellSlice), in order, from one
    grouped count per cell of the in-scope elevators (and one of the publicly funded ones, when a
    slice holds them apart): a slice's points are the sums of its cells, whatever the slices."""
    horizons = sorted(set(days))
    counts = {f"d{n}": Count("pk", filter=insured_condition(on=on + timedelta(days=n))) for n in horizons}
    in_scope = Elevator.objects.visible_to(SYSTEM).filter(in_scope_condition(on=on))  # summed per slice
    cells = {False: in_scope}
    if any(part.publicly_funded for part in slices):
        cells[True] = in_scope.filter(elevator_condition("publicly_funded"))
    rows = {
        public: list(
            elevators.values("district_id", "place_category_id").annotate(n=Count("pk"), **counts).order_by()
        )
        for public, elevators in cells.items()
    }
    answers = []
    for part in slices:
        mine = [row for row in rows[False] if part.holds_cell(row["district_id"], row["place_category_id"])]
        mine += [
            row
            for row in rows.get(True, ())
            if part.holds_public_of(row["district_id"], row["place_category_id"])
        ]
        total = sum(row["n"] for row in mine)
        answers.append([forecast_point(n, on, total, sum(row[f"d{n}"] for row in mine)) for n in horizons])
    return answers


def coverage_forecast(
    *,
    user,
    on: date,
    days: tuple[int, ...] = FORECAST_DAYS,
    filters: dict | None = None,
    points: bool = True,
):
    """The renewal cliff: for each horizon, the elevators in scope on `on` that the covers already
    registered still insure on `on` + days, and the policies whose end causes the drop (in force on
    `on`, ending before the last horizon, covering an in-scope elevator with no other cover then).
    Returns (points, policies); with `points` false the points are not counted (they are kept)."""
    in_scope = coverage_elevators(user=user, filters=filters).filter(in_scope_condition(on=on))
    answer = []
    for n in sorted(set(days)) if points else ():
        day = on + timedelta(days=n)
        counts = in_scope.aggregate(
            in_scope=Count("pk"), insured=Count("pk", filter=insured_condition(on=day))
        )
        answer.append(forecast_point(n, on, counts["in_scope"], counts["insured"]))
    ending = ending_covers(user=user, on=on, days=days, in_scope=in_scope)
    # each policy's count by a subquery of its own covers, evaluated for the rows shown only (after
    # the sort and the page's limit), rather than a second pass over every ending cover
    ending_of_policy = (
        ending.filter(policy_id=OuterRef("pk"))
        .order_by()
        .values("policy_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    policies = (
        Policy.objects.visible_to(user)
        .filter(pk__in=ending.values("policy_id"))
        .select_related("insurer", "policyholder")
        .annotate(elevators_ending=Subquery(ending_of_policy))
        .order_by(*ENDING_ORDER)
    )
    return answer, policies


ENDING_ORDER = ("end_date", "number")  # the renewal cliff's policies: the first to end first


def ending_covers(*, user, on: date, days: tuple[int, ...] = FORECAST_DAYS, in_scope=None, filters=None):
    """The covers whose end causes the renewal cliff's drop: visible to `user`, in force on `on`,
    ending before the last horizon, of an elevator in scope on `on` (`in_scope`, or those of the
    slice `filters`) that no cover registered insures at the horizon."""
    if in_scope is None:
        in_scope = coverage_elevators(user=user, filters=filters).filter(in_scope_condition(on=on))
    horizon = on + timedelta(days=max(days))
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join; a NOT IN over the half a
    # million elevators still insured is a subplan rescanned per cover once it outgrows work_mem
    # (minutes at 1,000,000 elevators)
    insured_then = in_scope.filter(insured_condition(on=horizon), pk=OuterRef("elevator_id"))
    return (
        PolicyElevator.objects.visible_to(user)
        .in_force_on(on)
        .filter(end_date__lt=horizon, elevator__in=in_scope)
        .filter(~Exists(insured_then))
    )
