"""Premium rating: one function prices browser quotes, API quotes and imported policies.

premium = base premium of the elevator's category group
          × age coefficient × place-category coefficient × claims-experience coefficient
          × maintenance-quality coefficient,
rounded half-up to the fen once, at the end. A factor whose input is unknown, or whose table has no
matching row, counts 1.000 and the quote says so.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.pgcopy import any_of
from elevators.models import Elevator, years_before

from .models import Claim, Coefficient, ProductVersion, RatingFactor

FEN = Decimal("0.01")
ONE = Decimal("1")
CLAIMS_LOOKBACK_YEARS = 3

# Sources of maintenance quality scores (0-100) per elevator, registered by the maintenance app:
# fn(elevator_ids, on) -> {elevator_id: score}. With none registered every score is unknown.
MAINTENANCE_SCORE_SOURCES: list[Callable[[list[int], date], dict[int, Decimal]]] = []


@dataclass(frozen=True)
class FactorLine:
    factor: str  # RatingFactor value
    label: str
    input: str  # what the table was read with, as shown to people ("12年", "住宅小区", "未知")
    coefficient: Decimal


@dataclass(frozen=True)
class ElevatorQuote:
    elevator: Elevator
    group: str
    base: Decimal
    factors: tuple[FactorLine, ...]
    premium: Decimal

    def as_dict(self) -> dict:
        """The rating kept with each covered elevator (PolicyElevator.rating) and sent by the API."""
        return {
            "group": self.group,
            "base": str(self.base),
            "factors": [
                {"factor": f.factor, "label": f.label, "input": f.input, "coefficient": str(f.coefficient)}
                for f in self.factors
            ],
            "premium": str(self.premium),
        }


@dataclass(frozen=True)
class Quote:
    version: ProductVersion
    start: date
    lines: tuple[ElevatorQuote, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((line.premium for line in self.lines), Decimal("0.00"))

    def by_elevator(self) -> dict[int, ElevatorQuote]:
        return {line.elevator.pk: line for line in self.lines}


def completed_years(since: date, on: date) -> int:
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def _band(rows: list[Coefficient], number) -> Decimal | None:
    for row in rows:
        if row.matches(number):
            return row.value
    return None


def _claims_counts(elevator_ids: list[int], start: date) -> dict[int, int]:
    since = years_before(start, CLAIMS_LOOKBACK_YEARS)
    rows = (
        Claim.objects.filter(
            elevator_id__in=elevator_ids, incident_at__date__gte=since, incident_at__date__lt=start
        )
        .exclude(status=Claim.Status.WITHDRAWN)
        .values("elevator_id")
        .annotate(n=Count("pk"))
    )
    return {row["elevator_id"]: row["n"] for row in rows}


def _maintenance_scores(elevator_ids: list[int], on: date) -> dict[int, Decimal]:
    scores: dict[int, Decimal] = {}
    for source in MAINTENANCE_SCORE_SOURCES:
        scores.update(source(elevator_ids, on))
    return scores


def quote(*, version: ProductVersion, elevators: Iterable[Elevator], start: date) -> Quote:
    """The premium of each elevator under `version` for a policy year starting on `start`.

    Raises ApplicationError when the product has no base premium for an elevator's category group.
    """
    elevators = list(elevators)
    ids = [e.pk for e in elevators]
    return _priced(
        version, elevators, start, claims=_claims_counts(ids, start), scores=_maintenance_scores(ids, start)
    )


def quotes(*, requests: Sequence[tuple[ProductVersion, list[Elevator], date]]) -> list[Quote]:
    """quote() for many (version, elevators, start) at once — the policies of a bulk registration:
    the same premiums, with the claims history of all the elevators read in a few queries instead
    of one per request, and the maintenance scores once per start date (whatever the product).
    Quotes come back in the order of `requests`."""
    if not requests:
        return []
    ids = sorted({e.pk for _version, elevators, _start in requests for e in elevators})
    by_start: dict[date, set[int]] = {}
    for _version, elevators, start in requests:
        by_start.setdefault(start, set()).update(e.pk for e in elevators)
    incidents = _claim_days(
        ids, since=years_before(min(by_start), CLAIMS_LOOKBACK_YEARS), until=max(by_start)
    )
    scores = {start: _maintenance_scores(sorted(pks), start) for start, pks in by_start.items()}
    result, memo = [], {}
    for version, elevators, start in requests:
        since = years_before(start, CLAIMS_LOOKBACK_YEARS)
        claims = {}
        for elevator in elevators:
            count = sum(1 for day in incidents.get(elevator.pk, ()) if since <= day < start)
            if count:
                claims[elevator.pk] = count
        result.append(
            _priced(version, list(elevators), start, claims=claims, scores=scores[start], memo=memo)
        )
    return result


IDS_PER_QUERY = 900  # `IN (...)` lists stay under SQLite's limit on query parameters


def _ids_per_query(ids: list[int]) -> int:
    """How many of `ids` one query reads: all on PostgreSQL (`any_of`: one array), else IDS_PER_QUERY."""
    return max(len(ids), 1) if connection.vendor == "postgresql" else IDS_PER_QUERY


def _claim_days(elevator_ids: list[int], *, since: date, until: date) -> dict[int, list[date]]:
    """The incident days of the claims counted by the claims factor (_claims_counts' rows), from
    `since` up to the day before `until`, by elevator."""
    days: dict[int, list[date]] = {}
    step = _ids_per_query(elevator_ids)
    for at in range(0, len(elevator_ids), step):
        rows = (
            Claim.objects.filter(
                any_of("elevator_id", elevator_ids[at : at + step]),
                incident_at__date__gte=since,
                incident_at__date__lt=until,
            )
            .exclude(status=Claim.Status.WITHDRAWN)
            .values_list("elevator_id", "incident_at")
        )
        for elevator_id, incident_at in rows:
            days.setdefault(elevator_id, []).append(timezone.localtime(incident_at).date())
    return days


def _priced(
    version: ProductVersion,
    elevators: list[Elevator],
    start: date,
    *,
    claims: dict[int, int],
    scores: dict[int, Decimal],
    memo: dict | None = None,
) -> Quote:
    """The quote of `elevators`, given their claims counts and maintenance scores. Elevators whose
    inputs are the same (group, age, place, claims, score) get the same factors and premium:
    those are worked out once per `memo`."""
    bases = {row.group: row.amount for row in version.base_premiums.all()}
    tables: dict[str, list[Coefficient]] = {factor: [] for factor in RatingFactor.values}
    for row in version.coefficients.all():
        tables[row.factor].append(row)
    places = {row.key: row.value for row in tables[RatingFactor.PLACE]}
    memo = {} if memo is None else memo

    def rated(elevator: Elevator, group: str, age: int | None, claim_count: int, score) -> tuple:
        factors = (
            FactorLine(
                RatingFactor.AGE,
                str(RatingFactor.AGE.label),
                _("%(n)d年") % {"n": age} if age is not None else _("未知"),
                (_band(tables[RatingFactor.AGE], age) if age is not None else None) or ONE,
            ),
            FactorLine(
                RatingFactor.PLACE,
                str(RatingFactor.PLACE.label),
                str(elevator.place_category),
                places.get(elevator.place_category_id, ONE),
            ),
            FactorLine(
                RatingFactor.CLAIMS,
                str(RatingFactor.CLAIMS.label),
                _("%(n)d次") % {"n": claim_count},
                _band(tables[RatingFactor.CLAIMS], claim_count) or ONE,
            ),
            FactorLine(
                RatingFactor.MAINTENANCE,
                str(RatingFactor.MAINTENANCE.label),
                str(score) if score is not None else _("无评分"),
                (_band(tables[RatingFactor.MAINTENANCE], score) if score is not None else None) or ONE,
            ),
        )
        premium = bases[group]
        for line in factors:
            premium *= line.coefficient
        return factors, premium.quantize(FEN, rounding=ROUND_HALF_UP)

    lines = []
    for elevator in elevators:
        group = elevator.group
        if group not in bases:
            raise ApplicationError(
                _("产品“%(product)s”没有%(group)s的基准保费，不能为电梯 %(code)s 报价。")
                % {
                    "product": version.product,
                    "group": elevator.category_info.group.label,
                    "code": elevator.equipment_code,
                },
                field="elevators",
            )
        installed = elevator.installed_on or elevator.manufactured_on
        age = completed_years(installed, start) if installed else None
        claim_count = claims.get(elevator.pk, 0)
        score = scores.get(elevator.pk)
        key = (version.pk, group, age, elevator.place_category_id, claim_count, score)
        if key not in memo:
            memo[key] = rated(elevator, group, age, claim_count, score)
        factors, premium = memo[key]
        lines.append(
            ElevatorQuote(elevator=elevator, group=group, base=bases[group], factors=factors, premium=premium)
        )
    return Quote(version=version, start=start, lines=tuple(lines))


_COUNTED_INPUTS = {RatingFactor.AGE: ("年", "%(n)d年"), RatingFactor.CLAIMS: ("次", "%(n)d次")}


def factor_input_shown(factor: str, text: str) -> str:
    """A stored factor input (PolicyElevator.rating, written in the language of its day: "12年",
    "0次", "无评分", a place category) in the language of the page that shows it."""
    counted = _COUNTED_INPUTS.get(factor)
    if counted is not None and text.endswith(counted[0]) and text[: -len(counted[0])].isdigit():
        return _(counted[1]) % {"n": int(text[: -len(counted[0])])}
    return _(text) if text else text
