"""The daily figures kept for the dashboards: what a refresh keeps, who reads which, and that the
dashboard reads them (with the time they were computed) instead of counting."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Department
from core.principal import SYSTEM
from elevators.models import ElevatorStatus
from reporting.models import DailyFigure, DailySnapshot, FrozenMonth, ScopeKind
from reporting.months import freeze_scopes
from reporting.selectors import GROUPINGS, coverage_by, coverage_forecast
from reporting.selectors.daily import kept_coverage, kept_scope
from reporting.services import daily_figures_refresh, month_freeze
from reporting.tasks import refresh_daily_figures
from tests.utils.clients import browser
from tests.utils.dates import today

from .conftest import LAST_MONTH, ON
from .dashboard_scene import build_scene

pytestmark = pytest.mark.django_db
OVERVIEW = "/coverage/"


def rows(coverage):
    return [(r.key, r.label, r.in_scope, r.insured) for r in coverage.rows]


def test_a_refresh_keeps_every_scope_and_grouping_as_coverage_by_counts_it(world):
    build_scene(world)
    snapshot = daily_figures_refresh()
    assert snapshot.day == today() and DailySnapshot.objects.count() == 1
    for scope in freeze_scopes():
        kept = DailyFigure.objects.filter(snapshot=snapshot).of_scope(*scope.key)
        for by in GROUPINGS:
            live = coverage_by(user=scope.principal, on=today(), by=by, filters=scope.filters)
            assert [
                (f.key, f.label, f.in_scope, f.insured) for f in kept.filter(by=by).order_by("pk")
            ] == rows(live), (scope.key, by)
        total = kept.get(by="")
        assert (total.in_scope, total.insured) == (live.total.in_scope, live.total.insured)
    # again: the day's figures are replaced, not added to (the beat task does the same)
    again = DailySnapshot.objects.get(pk=refresh_daily_figures.delay().get())
    assert again.day == today() and DailySnapshot.objects.count() == 1
    assert again.figures.exists() and not DailyFigure.objects.exclude(snapshot=again).exists()


def test_each_reader_reads_its_own_scope_and_other_slices_are_counted_live(world):
    build_scene(world)
    daily_figures_refresh()
    u = world.users
    assert kept_scope(user=u["city"], filters={}) == (ScopeKind.CITY, "")
    assert kept_scope(user=u["nfra"], filters={"district": "420606"}) == (ScopeKind.DISTRICT, "420606")
    assert kept_scope(user=u["district"], filters={}) == (ScopeKind.DISTRICT, "420606")
    assert kept_scope(user=u["housing"], filters={}) == (ScopeKind.DEPARTMENT, Department.HOUSING)
    assert kept_scope(user=u["city"], filters={"district": "420606", "place_category": "RESIDENTIAL"}) is None
    assert kept_scope(user=u["housing"], filters={"district": "420606"}) is None
    assert kept_scope(user=u["insurer_a"], filters={}) is None
    assert kept_coverage(user=u["city"], on=today() - timedelta(days=1)) is None  # that day is not kept
    for key in ("city", "district", "housing", "finance", "nfra"):
        kept = kept_coverage(user=u[key], on=today())
        for by in GROUPINGS:
            assert rows(kept.by(by)) == rows(coverage_by(user=u[key], on=today(), by=by)), (key, by)
        live_points, _policies = coverage_forecast(user=u[key], on=today())
        assert kept.points == live_points and [p.days for p in kept.points] == [30, 60, 90], key
    # nobody reads another reader's scope through the queryset
    assert not DailyFigure.objects.visible_to(u["district"]).exclude(scope_code="420606").exists()
    assert set(DailyFigure.objects.visible_to(u["housing"]).values_list("scope_code", flat=True)) == {
        Department.HOUSING
    }
    assert not DailyFigure.objects.visible_to(u["insurer_a"]).exists()


def test_the_dashboard_reads_the_kept_figures_and_says_when_they_were_computed(world):
    scene = build_scene(world)
    client = browser(world, "city")
    client.get(OVERVIEW)  # warm
    with CaptureQueriesContext(connection) as counted:
        client.get(OVERVIEW)
    snapshot = daily_figures_refresh()
    scene.elevators["f_never"].status = ElevatorStatus.SCRAPPED  # after the refresh
    scene.elevators["f_never"].save()
    with CaptureQueriesContext(connection) as read:
        response = client.get(OVERVIEW)
    assert len(read) < len(counted)  # four groupings read from one day's rows instead of counted
    kept = kept_coverage(user=world.users["city"], on=today())
    assert response.context["total"] == kept.total
    assert (
        response.context["total"].in_scope
        == coverage_by(user=world.users["city"], on=today()).total.in_scope + 1
    )
    assert response.context["computed_at"] == snapshot.computed_at
    assert response.context["forecast"] == kept.points
    districts = next(s for s in response.context["sections"] if s["key"] == "districts")
    assert [row for row, _url in districts["rows"]] == sorted(
        kept.by("district").rows, key=lambda r: (r.rate is None, -(r.rate or 0), r.key)
    )
    # a place category's page is no kept scope: counted live
    place = client.get(OVERVIEW, {"district": "420606", "place_category": "RESIDENTIAL"})
    assert place.context["total"].in_scope == 2  # the scrapped one is gone at once


def test_freezing_a_month_keeps_its_last_day_for_the_dashboards(world, registry):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    snapshot = DailySnapshot.objects.get(day=ON)
    assert snapshot.figures.count() == frozen.figures.count()
    city = kept_coverage(user=world.users["city"], on=ON)
    assert (city.total.in_scope, city.total.insured) == (6, 3)
    assert FrozenMonth.objects.count() == 1
