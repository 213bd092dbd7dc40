"""The dashboards' figures from the kept day (reporting.models.DailyFigure: coverage; DailySummary:
the insurance figures, the maintenance states, the first ending policies), read instead of counted
when the viewer's slice is one of the kept scopes; counted live otherwise."""

from datetime import date

from django.utils.translation import gettext as _

from accounts.models import OrganisationKind
from core.visibility import organisation_of
from insurance.models import Policy

from ..models import DailyFigure, DailySnapshot, DailySummary, ScopeKind
from .coverage import GROUPINGS, Coverage, CoverageFigure, coverage_by
from .forecast import ForecastPoint, coverage_forecast, forecast_point
from .insurers import InsuranceSummary, insurance_summary
from .summaries import STATE_FIELDS

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

    def __init__(self, snapshot: DailySnapshot, rows: list[DailyFigure], summary: DailySummary | None = None):
        self.snapshot = snapshot
        self.summary = summary
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

    def insurance(self) -> InsuranceSummary:
        s = self.summary
        return InsuranceSummary.of(
            on=self.snapshot.day,
            policies=s.policies,
            elevators=s.elevators_covered,
            premium=s.premium,
            claims=s.claims,
            paid=s.paid,
        )

    def maintenance_states(self) -> dict[str, int]:
        """The elevators in use per MaintenanceState, as maintenance_figures counts them."""
        return {state: getattr(self.summary, field) for state, field in STATE_FIELDS.items()}

    def ending_policies(self, user) -> list[Policy]:
        """The first ending policies kept, those `user` sees, in the kept order, each with its
        `elevators_ending` (one query by primary key)."""
        ending = dict((policy_id, n) for policy_id, n in self.summary.ending_policies)
        policies = (
            Policy.objects.visible_to(user).filter(pk__in=ending).select_related("insurer", "policyholder")
        )
        listed = sorted(policies, key=lambda policy: list(ending).index(policy.pk))
        for policy in listed:
            policy.elevators_ending = ending[policy.pk]
        return listed


def insurance_kept(*, user, on: date, filters: dict | None = None, kept=None) -> InsuranceSummary:
    """insurance_summary's answer for the dashboards: the kept summary when the day has one for
    the slice, otherwise counted live."""
    if kept is not None and kept.summary is not None:
        return kept.insurance()
    return insurance_summary(user=user, on=on, filters=filters)


def maintenance_states_kept(kept=None) -> dict[str, int] | None:
    """The kept maintenance states of the slice, or None (maintenance_figures counts them)."""
    if kept is not None and kept.summary is not None:
        return kept.maintenance_states()
    return None


def forecast_kept(*, user, on: date, filters: dict | None = None, kept=None):
    """coverage_forecast's (points, policies) for the dashboards: the points from the kept figures
    when there are some, and the first ending policies from the kept summary when the day has one
    (otherwise listed live: the page shows the first few)."""
    if kept is not None and kept.points and kept.summary is not None:
        return kept.points, kept.ending_policies(user)
    if kept is not None and kept.points:
        _points, policies = coverage_forecast(user=user, on=on, filters=filters, points=False)
        return kept.points, policies
    return coverage_forecast(user=user, on=on, filters=filters)


def kept_coverage(*, user, on: date, filters: dict | None = None) -> KeptCoverage | None:
    """The kept figures of `on` for the viewer's slice (one query for the day, one for its rows,
    one for its summary), or None when that day is not kept or the slice is not a kept scope."""
    scope = kept_scope(user=user, filters=filters)
    if scope is None:
        return None
    snapshot = DailySnapshot.objects.visible_to(user).filter(day=on).first()
    if snapshot is None:
        return None
    rows = DailyFigure.objects.visible_to(user).filter(snapshot=snapshot).of_scope(*scope).order_by("pk")
    summary = DailySummary.objects.visible_to(user).filter(snapshot=snapshot).of_scope(*scope).first()
    return KeptCoverage(snapshot, list(rows), summary)


def coverage_kept(*, user, on: date, by: str, filters: dict | None = None, kept=None) -> Coverage:
    """coverage_by's answer for the dashboards: from the kept figures (`kept`, kept_coverage's)
    when there are some for the slice, otherwise counted live."""
    if kept is not None and by in GROUPINGS:
        return kept.by(by)
    return coverage_by(user=user, on=on, by=by, filters=filters)
