"""The coverage engine: the one source of every coverage figure (pages, API, frozen months, Excel).

Coverage on a day D (DESIGN.md section 3): of the elevators in scope on D, how many are insured on
D, and the rate. The figures come from the single definitions (`in_scope_condition`; the one rule of
cover in force, `PolicyElevator.objects.in_force_on`, which `insured_condition` means too), are
counted in the database, and cover only what the caller may see
(`Elevator.objects.visible_to`): a department gets its sector, a district regulator its district,
an insurer the elevators it covers, with no configuration.

Grouping (`by`), as the API documents it:
- district, place_category, category_group: each elevator in exactly one row;
- department: an elevator counts under every department whose sector holds its place category
  (public housing under HOUSING and FINANCE); SAMR's row is the whole slice;
- model, insurer, funding_source: `in_scope` is the slice's in-scope total in every row, and
  `insured` counts the in-scope elevators insured (on D) by that model / insurer / source, through
  the covers the caller may see; an elevator with two models counts under both, the total once.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, District, Organisation
from core.exceptions import ApplicationError
from elevators.codes import CATEGORIES_BY_CODE, CategoryGroup
from elevators.filtersets import ElevatorFilterSet
from elevators.models import (
    Elevator,
    PlaceCategory,
    PlaceCategorySector,
    in_scope_condition,
    insured_condition,
)
from insurance.models import FundingSource, InsuranceModel, PolicyElevator

RATE_PLACES = Decimal("0.0001")
GROUPINGS = (
    "district",
    "place_category",
    "department",
    "category_group",
    "model",
    "insurer",
    "funding_source",
)


def coverage_rate(insured: int, in_scope: int) -> Decimal | None:
    """insured / in_scope to four places (half up); None when nothing is in scope."""
    if not in_scope:
        return None
    return (Decimal(insured) / Decimal(in_scope)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CoverageFigure:
    """One row of coverage: a slice's key (a code), its label, the counts and the rate."""

    key: str
    label: str
    in_scope: int
    insured: int

    @property
    def rate(self) -> Decimal | None:
        return coverage_rate(self.insured, self.in_scope)

    @property
    def uninsured(self) -> int:
        return self.in_scope - self.insured

    def as_dict(self) -> dict:
        rate = self.rate
        return {
            "key": self.key,
            "label": self.label,
            "in_scope": self.in_scope,
            "insured": self.insured,
            "rate": float(rate) if rate is not None else None,
        }


@dataclass(frozen=True)
class Coverage:
    """Coverage on `on` of what the caller may see, in total and by `by` (None: total only)."""

    on: date
    by: str | None
    total: CoverageFigure
    rows: list[CoverageFigure] = field(default_factory=list)
    computed_at: object = None

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "by": self.by,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "total": {k: v for k, v in self.total.as_dict().items() if k not in ("key", "label")},
            "rows": [row.as_dict() for row in self.rows],
        }


def coverage_elevators(*, user, filters: dict | None = None) -> QuerySet:
    """The elevators a coverage figure is about: what `user` may see, narrowed by the elevator
    list's filters (the same FilterSet as the list page, the API and the export). A bad filter
    value is refused, never ignored."""
    elevators = Elevator.objects.visible_to(user)
    if not filters:
        return elevators
    filterset = ElevatorFilterSet.for_api()(filters, queryset=elevators)
    if not filterset.is_valid():
        name, errors = next(iter(filterset.errors.items()))
        raise ApplicationError(" ".join(str(e) for e in errors), field=name)
    return filterset.qs


def coverage_by(*, user, on: date, by: str | None = None, filters: dict | None = None) -> Coverage:
    """Coverage on `on` of the elevators `user` may see (narrowed by `filters`), in total and grouped
    `by` one of GROUPINGS (see the module docstring for what each grouping counts)."""
    if by is not None and by not in GROUPINGS:
        raise ApplicationError(
            _("不支持的分组“%(by)s”，可用：%(choices)s。") % {"by": by, "choices": "、".join(GROUPINGS)},
            field="by",
        )
    in_scope = coverage_elevators(user=user, filters=filters).filter(in_scope_condition(on=on))
    if by in _PARTITIONS:
        # Every in-scope elevator is in one row: the total is the rows' sum, not another count.
        column, rows_of = _PARTITIONS[by]
        counts = _counted(in_scope, on, column)
        total = _figure("total", _("合计"), counts.values())
        rows = rows_of(counts, total)
    else:
        total = _figure("total", _("合计"), _counted(in_scope, on, None).values())
        rows = _SLICES[by](in_scope, total, user=user, on=on) if by else []
    return Coverage(on=on, by=by, total=total, rows=rows, computed_at=timezone.now())


# --- groupings ------------------------------------------------------------------------------------


def _counted(in_scope: QuerySet, on: date, column: str | None) -> dict[object, tuple[int, int]]:
    """In scope and insured per value of `column` (None: in total): the in-scope elevators counted,
    then those of them `insured_condition` holds for.

    PostgreSQL runs the second count as a parallel hash semi-join with the day's covers, the fastest
    of the forms measured at 1,000,000 elevators (bench/coverage_api.py): faster than an EXISTS probe
    per elevator in one scan, and than joining the distinct covered elevators (whose hash spills).
    """
    insured = in_scope.filter(insured_condition(on=on))
    if column is None:
        return {None: (in_scope.count(), insured.count())}
    scope = dict(in_scope.values_list(column).annotate(Count("pk")).order_by())
    covered = dict(insured.values_list(column).annotate(Count("pk")).order_by())
    return {key: (n, covered.get(key, 0)) for key, n in scope.items()}


def _figure(key: str, label: str, counts) -> CoverageFigure:
    counts = list(counts)
    return CoverageFigure(key, label, sum(n for n, _i in counts), sum(i for _n, i in counts))


def _district_rows(counts, total) -> list[CoverageFigure]:
    return [CoverageFigure(d.code, str(d), *counts[d.code]) for d in District.objects.filter(code__in=counts)]


def _place_category_rows(counts, total) -> list[CoverageFigure]:
    return [
        CoverageFigure(p.code, p.name, *counts[p.code]) for p in PlaceCategory.objects.filter(code__in=counts)
    ]


def _category_group_rows(counts, total) -> list[CoverageFigure]:
    groups: dict[str, list] = defaultdict(list)
    for code, figures in counts.items():
        category = CATEGORIES_BY_CODE.get(code)
        if category is not None:
            groups[category.group].append(figures)
    return [_figure(g.value, str(g.label), groups[g]) for g in CategoryGroup if g in groups]


def _department_rows(by_place, total) -> list[CoverageFigure]:
    sectors: dict[str, list] = defaultdict(list)
    for place, department in PlaceCategorySector.objects.values_list("place_category_id", "department"):
        sectors[department].append(by_place.get(place, (0, 0)))
    rows = [CoverageFigure(Department.SAMR.value, str(Department.SAMR.label), total.in_scope, total.insured)]
    rows += [
        _figure(d.value, str(d.label), sectors[d])
        for d in Department
        if d != Department.SAMR and d in sectors
    ]
    return rows


def _insured_by(column: str, in_scope, *, user, on) -> dict[object, int]:
    covers = PolicyElevator.objects.visible_to(user).in_force_on(on).filter(elevator__in=in_scope)
    rows = covers.values(column).annotate(n=Count("elevator", distinct=True)).order_by()
    return {row[column]: row["n"] for row in rows}


def _choice_rows(choices):
    """Rows of a choice of the covers (model, funding source): the slice's total in each row."""

    def rows(insured: dict, total) -> list[CoverageFigure]:
        return [
            CoverageFigure(c.value, str(c.label), total.in_scope, insured[c]) for c in choices if c in insured
        ]

    return rows


def _insurer_rows(insured: dict, total) -> list[CoverageFigure]:
    insurers = Organisation.objects.filter(pk__in=insured).order_by("name")
    return [
        CoverageFigure(o.credit_code or str(o.pk), o.name, total.in_scope, insured[o.pk]) for o in insurers
    ]


def _by_covers(column: str, rows_of):
    """A grouping by the covers: the in-scope elevators insured per value of `column`, as rows."""

    def grouped(in_scope, total, *, user, on) -> list[CoverageFigure]:
        return rows_of(_insured_by(column, in_scope, user=user, on=on), total)

    return grouped


# Groupings in which each elevator is in exactly one row (the column counted), and the rows made
# of the counts; the others are slices of the covers, each row with the slice's in-scope total.
_PARTITIONS = {
    "district": ("district_id", _district_rows),
    "place_category": ("place_category_id", _place_category_rows),
    "department": ("place_category_id", _department_rows),
    "category_group": ("category", _category_group_rows),
}
_SLICE_ROWS = {
    "model": _choice_rows(InsuranceModel),
    "insurer": _insurer_rows,
    "funding_source": _choice_rows(FundingSource),
}
_SLICES = {
    "model": _by_covers("model", _SLICE_ROWS["model"]),
    "insurer": _by_covers("policy__insurer_id", _SLICE_ROWS["insurer"]),
    "funding_source": _by_covers("policy__funding_source", _SLICE_ROWS["funding_source"]),
}


# --- every grouping at once (frozen months) ---------------------------------------------------------


def coverage_all(
    *, user, on: date, filters: dict | None = None, districts: Iterable[str] = ()
) -> dict[str | None, dict[str, Coverage]]:
    """What `coverage_by` answers for every grouping of GROUPINGS, from three scans instead of a
    couple per grouping: the in-scope and the insured elevators counted per (district, place
    category, category), and the covers in force counted per (district, model / insurer / funding
    source). Every grouping's rows are sums of those cells, with the same row builders as
    `coverage_by`, so the figures are the same (tests/reporting compare them).

    Returns {None: {by: Coverage}} for the slice, and {code: ...} for each of `districts`: what
    `coverage_by` answers with the slice narrowed to that district (every elevator is in one
    district, so a district's distinct covered elevators are its part of the slice's). Months are
    frozen from this (reporting.services).
    """
    in_scope = coverage_elevators(user=user, filters=filters).filter(in_scope_condition(on=on))
    cell = ("district_id", "place_category_id", "category")
    scope = in_scope.values_list(*cell).annotate(Count("pk")).order_by()
    covered = dict(
        ((d, p, c), n)
        for d, p, c, n in in_scope.filter(insured_condition(on=on))
        .values_list(*cell)
        .annotate(Count("pk"))
        .order_by()
    )
    cells = [(d, p, c, n, covered.get((d, p, c), 0)) for d, p, c, n in scope]
    covers = _cover_counts(
        PolicyElevator.objects.visible_to(user).in_force_on(on).filter(elevator__in=in_scope)
    )
    parts: list[str | None] = [None, *districts]
    computed_at = timezone.now()
    answers = {}
    for part in parts:
        mine = [c for c in cells if part is None or c[0] == part]
        answers[part] = _every_grouping(mine, covers, part, user=user, on=on, computed_at=computed_at)
    return answers


_CELL_COLUMN = {"district_id": 0, "place_category_id": 1, "category": 2}
# The covers' columns of the slices (model, insurer, funding source), as _SLICES reads them.
_COVER_COLUMNS = {
    "model": "model",
    "insurer": "policy__insurer_id",
    "funding_source": "policy__funding_source",
}


def _cover_counts(covers: QuerySet) -> dict[tuple[object, str, object], int]:
    """Distinct covered elevators per (district, slice grouping, value): one scan of the covers
    with GROUPING SETS on PostgreSQL, one grouped count per grouping elsewhere."""
    counts: dict[tuple[object, str, object], int] = {}
    if connections[covers.db].vendor == "postgresql":
        rows = covers.values_list("elevator_id", "elevator__district_id", *_COVER_COLUMNS.values())
        sql, params = rows.query.sql_with_params()
        with connections[covers.db].cursor() as cursor:
            cursor.execute(
                "SELECT d, m, i, f, GROUPING(m), GROUPING(i), count(DISTINCT e) "
                f"FROM ({sql}) AS covers (e, d, m, i, f) GROUP BY GROUPING SETS ((d, m), (d, i), (d, f))",
                params,
            )
            for district, model, insurer, funding, no_model, no_insurer, n in cursor.fetchall():
                if not no_model:
                    counts[(district, "model", model)] = n
                elif not no_insurer:
                    counts[(district, "insurer", insurer)] = n
                else:
                    counts[(district, "funding_source", funding)] = n
        return counts
    for by, column in _COVER_COLUMNS.items():
        grouped = covers.values_list("elevator__district_id", column).annotate(
            n=Count("elevator", distinct=True)
        )
        for district, value, n in grouped.order_by():
            counts[(district, by, value)] = n
    return counts


def _every_grouping(cells, covers, part, *, user, on, computed_at) -> dict[str, Coverage]:
    def counts_by(column: str) -> dict[object, tuple[int, int]]:
        index, summed = _CELL_COLUMN[column], {}
        for row in cells:
            n, insured = summed.get(row[index], (0, 0))
            summed[row[index]] = (n + row[3], insured + row[4])
        return summed

    total = _figure("total", _("合计"), ((c[3], c[4]) for c in cells))
    answers = {}
    for by in GROUPINGS:
        if by in _PARTITIONS:
            column, rows_of = _PARTITIONS[by]
            rows = rows_of(counts_by(column), total)
        else:
            insured: dict[object, int] = {}
            for (district, grouping, value), n in covers.items():
                if grouping == by and (part is None or district == part):
                    insured[value] = insured.get(value, 0) + n
            rows = _SLICE_ROWS[by](insured, total)
        answers[by] = Coverage(on=on, by=by, total=total, rows=rows, computed_at=computed_at)
    return answers


# --- change between frozen months -------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageChange:
    """The latest frozen month's rate against the month before and the same month a year before,
    in rate points (0.012 is 1.2 percentage points); None where either month is missing."""

    month: str | None
    rate: float | None
    month_on_month: Decimal | None
    year_on_year: Decimal | None


def coverage_change(*, months: list[dict]) -> CoverageChange:
    """From a trend's months (reporting.months.coverage_trend, oldest first, "YYYY-MM" labels)."""
    if not months:
        return CoverageChange(None, None, None, None)
    rates = {m["month"]: m["total"]["rate"] for m in months}
    latest = months[-1]["month"]
    year, month = int(latest[:4]), int(latest[5:7])
    previous = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"

    def change(before: str) -> Decimal | None:
        now, then = rates.get(latest), rates.get(before)
        if now is None or then is None:
            return None
        return (Decimal(str(now)) - Decimal(str(then))).quantize(RATE_PLACES)

    return CoverageChange(latest, rates[latest], change(previous), change(f"{year - 1}-{month:02d}"))
