"""Reads of frozen months: which scopes a month freezes, which scope a reader gets, the trend of
frozen figures, and the target in force on a day (docs/decisions/0007-frozen-month-figures.md).

A scope is a set of elevators some reader sees: the city, one district, one department's sector.
Each is frozen with a principal acting for an organisation of the kind that reads it, so the frozen
figures are exactly what that reader's live dashboard showed on the month's last day.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import Department, District, Organisation, OrganisationKind
from core.exceptions import ApplicationError
from core.principal import SYSTEM, OrganisationPrincipal
from core.visibility import organisation_of

from .models import FrozenFigure, FrozenMonth, ScopeKind, Target
from .selectors import GROUPINGS, CoverageFigure

K = OrganisationKind
# Readers who see every elevator of the city: the city scope is theirs.
CITY_WIDE_KINDS = frozenset({K.CITY_REGULATOR, K.INSURANCE_REGULATOR})
# The kind of organisation each department is when none is on record yet (accounts' fixtures).
DEPARTMENT_KINDS = {
    Department.SAMR: K.CITY_REGULATOR,
    Department.NFRA: K.INSURANCE_REGULATOR,
    Department.FINANCE: K.FINANCE_BUREAU,
}
TOTAL = ""  # the `by` of a scope's total row


def month_start(value: date) -> date:
    return value.replace(day=1)


def month_end(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def previous_month(value: date) -> date:
    first = month_start(value)
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)


def next_month(value: date) -> date:
    first = month_start(value)
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def parse_month(text: str, *, field: str = "month") -> date:
    """ "YYYY-MM" as the month's first day; anything else is refused."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise ApplicationError(_("月份格式应为 YYYY-MM，如 2021-06。"), field=field) from None


class ScopePrincipal(OrganisationPrincipal):
    """The caller a scope is frozen as: acting for an organisation (possibly not on record)."""

    def __str__(self) -> str:
        return f"scope:{self.organisation}"


@dataclass(frozen=True)
class Scope:
    """A set of elevators some reader sees: coverage_by(user=principal, filters=filters)."""

    kind: str
    code: str
    label: str
    principal: object
    filters: dict | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.code)


def _department_organisation(code: str) -> Organisation:
    organisation = Organisation.objects.filter(department=code, is_active=True).first()
    if organisation is None:
        kind = DEPARTMENT_KINDS.get(code, K.SECTOR_DEPARTMENT)
        organisation = Organisation(kind=kind, department=code, name=str(Department(code).label))
    return organisation


def department_scope(code: str) -> Scope:
    """The scope a department's figures and report come from: the city for a department that sees
    every elevator (SAMR, NFRA), otherwise its own."""
    organisation = _department_organisation(code)
    if organisation.kind in CITY_WIDE_KINDS:
        return city_scope()
    return Scope(ScopeKind.DEPARTMENT, code, str(Department(code).label), ScopePrincipal(organisation))


def city_scope() -> Scope:
    return Scope(ScopeKind.CITY, "", _("全市"), SYSTEM)


def district_scope(district: District) -> Scope:
    """A district regulator sees its district's elevators and the covers of those: the same
    figures as the whole city narrowed by the district filter, which is cheaper to count."""
    return Scope(ScopeKind.DISTRICT, district.code, str(district), SYSTEM, {"district": district.code})


def freeze_scopes() -> list[Scope]:
    """Every scope a month freezes: the city, each district, each department not city-wide."""
    return [scope for key in freeze_slices() for scope in slice_scopes(key)]


CITY_SLICE = "city"


def freeze_slices() -> list[str]:
    """The parts a month is frozen in, each by one task (reporting.tasks.freeze_slice): the city
    with its districts (one count answers all of them), then each department not city-wide."""
    departments = (department_scope(code) for code in Department.values)
    return [CITY_SLICE, *(s.code for s in departments if s.kind == ScopeKind.DEPARTMENT)]


def slice_scopes(key: str) -> list[Scope]:
    """The scopes of one slice of freeze_slices, in the order their figures are stored."""
    if key == CITY_SLICE:
        return [city_scope(), *(district_scope(d) for d in District.objects.all())]
    scope = department_scope(key)
    if scope.kind != ScopeKind.DEPARTMENT:
        raise ApplicationError(_("未知的冻结范围“%(key)s”。") % {"key": key})
    return [scope]


def scope_of(user) -> tuple[str, str]:
    """The scope whose frozen figures are `user`'s own: a district regulator's district, a
    department's sector, otherwise the city (whose published figures everyone may read)."""
    organisation = organisation_of(user)
    if organisation is None or organisation.kind in CITY_WIDE_KINDS:
        return (ScopeKind.CITY, "")
    if organisation.kind == K.DISTRICT_REGULATOR:
        return (ScopeKind.DISTRICT, organisation.district_id)
    if organisation.department and department_scope(organisation.department).kind == ScopeKind.DEPARTMENT:
        return (ScopeKind.DEPARTMENT, organisation.department)
    return (ScopeKind.CITY, "")


@dataclass(frozen=True)
class FrozenCoverage:
    """A scope's frozen figures of one month: its total and its rows for each grouping."""

    frozen_month: FrozenMonth
    total: CoverageFigure
    rows: dict[str, list[CoverageFigure]]

    def by(self, grouping: str) -> list[CoverageFigure]:
        return self.rows.get(grouping, [])


def frozen_coverage(*, frozen_month: FrozenMonth, scope: tuple[str, str], figures=None) -> FrozenCoverage:
    """One scope of a frozen month as coverage figures (`figures`: the rows the reader may see;
    every row of the month by default, for services and reports)."""
    figures = FrozenFigure.objects.all() if figures is None else figures
    total = CoverageFigure("total", _("合计"), 0, 0)
    rows: dict[str, list[CoverageFigure]] = {}
    for figure in figures.filter(frozen_month=frozen_month).of_scope(*scope).order_by("pk"):
        value = CoverageFigure(figure.key, figure.label, figure.in_scope, figure.insured)
        if figure.by == TOTAL:
            total = value
        else:
            rows.setdefault(figure.by, []).append(value)
    return FrozenCoverage(frozen_month=frozen_month, total=total, rows=rows)


def _figure_dict(figure: CoverageFigure, *, with_key: bool = True) -> dict:
    data = figure.as_dict()
    return data if with_key else {k: v for k, v in data.items() if k not in ("key", "label")}


def coverage_trend(
    *, user, start: date | None = None, end: date | None = None, by: str | None = None, scope=None
) -> dict:
    """Frozen months from `start` to `end` (first days; open ends allowed) of `user`'s scope (or
    `scope`, which the user must be able to read), oldest first: status, frozen_at, total, rows
    `by` one grouping. A month not frozen, or not visible to the user, is absent."""
    if by is not None and by not in GROUPINGS:
        raise ApplicationError(
            _("不支持的分组“%(by)s”，可用：%(choices)s。") % {"by": by, "choices": "、".join(GROUPINGS)},
            field="by",
        )
    scope = scope or scope_of(user)
    months = FrozenMonth.objects.visible_to(user).order_by("month")
    if start:
        months = months.filter(month__gte=start)
    if end:
        months = months.filter(month__lte=end)
    figures = FrozenFigure.objects.visible_to(user).of_scope(*scope).filter(frozen_month__in=months)
    wanted = [TOTAL] + ([by] if by else [])
    by_month: dict[int, dict] = {}
    for figure in figures.filter(by__in=wanted).order_by("pk"):
        entry = by_month.setdefault(figure.frozen_month_id, {"total": None, "rows": []})
        value = CoverageFigure(figure.key, figure.label, figure.in_scope, figure.insured)
        if figure.by == TOTAL:
            entry["total"] = _figure_dict(value, with_key=False)
        else:
            entry["rows"].append(_figure_dict(value))
    return {
        "by": by,
        "scope": {"kind": scope[0], "code": scope[1]},
        "months": [
            {
                "month": month.label,
                "status": month.status,
                "frozen_at": month.frozen_at.isoformat(),
                "target": _rate_or_none(target_on(on=month.on, district=_district_code(scope))),
                **by_month[month.pk],
            }
            for month in months
            if month.pk in by_month
        ],
    }


def _district_code(scope: tuple[str, str]) -> str | None:
    return scope[1] if scope[0] == ScopeKind.DISTRICT else None


def _rate_or_none(rate: Decimal | None) -> float | None:
    return float(rate) if rate is not None else None


def target_on(*, on: date, district: District | str | None = None) -> Decimal | None:
    """The target rate that applies on `on`: the one due next (on or after `on`), or the last one
    once all are past; a district without targets of its own follows the city's."""
    district_code = getattr(district, "code", district)
    candidates = [Target.objects.filter(district_id=district_code)] if district_code else []
    candidates.append(Target.objects.for_city())
    for targets in candidates:
        upcoming = targets.filter(due_on__gte=on).order_by("due_on").first()
        target = upcoming or targets.filter(due_on__lt=on).order_by("-due_on").first()
        if target is not None:
            return target.rate
    return None
