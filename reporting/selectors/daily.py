"""The dashboards' coverage from the kept daily figures (reporting.models.DailyFigure), read
instead of counted when the viewer's slice is one of the kept scopes; counted live otherwise."""

from datetime import date

from django.utils.translation import gettext as _

from accounts.models import OrganisationKind
from core.visibility import organisation_of

from ..models import DailyFigure, DailySnapshot, ScopeKind
from .coverage import GROUPINGS, Coverage, CoverageFigure, coverage_by
from .forecast import ForecastPoint, coverage_forecast, forecast_point

TOTAL = ""
FORECAST = "forecast"  # services.FORECAST: the renewal cliff's points
K = OrganisationKind
CITY_WIDE = frozenset({K.CITY_REGULATOR, K.INSURANCE_REGULATOR})
DEPARTMENT_KINDS = frozenset({K.SECTOR_DEPARTMENT, K.FINANCE_BUREAU})


def kept_scope(*, user, filters: dict | None) -> tuple[str, str] | None:
    """The kept scope whose elevators are exactly what `user` sees narrowed by `filters`, or None:
    a city-wide reader's city or one of its districts, a district regulator's district, a
    department's sector (not narrowed). Any other slice is counted live."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    organisation = organisation_of(user)
    if organisation is None or set(filters) - {"district"}:
        return None
    district = filters.get("district")
    if organisation.kind in CITY_WIDE:
        return (ScopeKind.DISTRICT, district) if district else (ScopeKind.CITY, "")
    if organisation.kind == K.DISTRICT_REGULATOR and district in (None, organisation.district_id):
        return (ScopeKind.DISTRICT, organisation.district_id)
    if organisation.kind in DEPARTMENT_KINDS and organisation.department and not district:
        from ..months import department_scope

        if department_scope(organisation.department).kind == ScopeKind.DEPARTMENT:
            return (ScopeKind.DEPARTMENT, organisation.department)
    return None


class KeptCoverage:
    """The kept figures of one day and scope, read once, answered grouping by grouping."""

    def __init__(self, snapshot: DailySnapshot, rows: list[DailyFigure]):
        self.snapshot = snapshot
        self.total = CoverageFigure("total", _("合计"), 0, 0)
        self.rows: dict[str, list[CoverageFigure]] = {}
        self.points: list[ForecastPoint] = []
        for row in rows:
            figure = CoverageFigure(row.key, row.label, row.in_scope, row.insured)
            if row.by == FORECAST:
                n = int(row.key)
                self.points.append(forecast_point(n, snapshot.day, row.in_scope, row.insured))
            elif row.by == TOTAL:
                self.total = CoverageFigure("total", _("合计"), row.in_scope, row.insured)
            else:
                self.rows.setdefault(row.by, []).append(figure)

    def by(self, grouping: str) -> Coverage:
        return Coverage(
            on=self.snapshot.day,
            by=grouping,
            total=self.total,
            rows=self.rows.get(grouping, []),
            computed_at=self.snapshot.computed_at,
        )


def forecast_kept(*, user, on: date, filters: dict | None = None, kept=None):
    """coverage_forecast's (points, policies) for the dashboards: the points from the kept figures
    when there are some (the policies ending are listed live: the page shows the first few)."""
    if kept is not None and kept.points:
        _points, policies = coverage_forecast(user=user, on=on, filters=filters, points=False)
        return kept.points, policies
    return coverage_forecast(user=user, on=on, filters=filters)


def kept_coverage(*, user, on: date, filters: dict | None = None) -> KeptCoverage | None:
    """The kept figures of `on` for the viewer's slice (one query for the day, one for its rows),
    or None when that day is not kept or the slice is not a kept scope."""
    scope = kept_scope(user=user, filters=filters)
    if scope is None:
        return None
    snapshot = DailySnapshot.objects.visible_to(user).filter(day=on).first()
    if snapshot is None:
        return None
    rows = DailyFigure.objects.visible_to(user).filter(snapshot=snapshot).of_scope(*scope).order_by("pk")
    return KeptCoverage(snapshot, list(rows))


def coverage_kept(*, user, on: date, by: str, filters: dict | None = None, kept=None) -> Coverage:
    """coverage_by's answer for the dashboards: from the kept figures (`kept`, kept_coverage's)
    when there are some for the slice, otherwise counted live."""
    if kept is not None and by in GROUPINGS:
        return kept.by(by)
    return coverage_by(user=user, on=on, by=by, filters=filters)
