"""Frozen months: freezing, re-freezing, approval and publication, targets, the trend."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Department
from core.exceptions import ApplicationError
from core.principal import SYSTEM
from elevators.models import ElevatorStatus
from reporting.models import FrozenFigure, FrozenMonth, MonthStatus, Refreeze, ScopeKind
from reporting.months import coverage_trend, freeze_scopes, frozen_coverage, scope_of, target_on
from reporting.selectors import GROUPINGS, coverage_by
from reporting.services import month_approve, month_freeze, month_freeze_in_slices, month_publish, target_set

from .conftest import LAST_MONTH, ON

pytestmark = pytest.mark.django_db


def figures(frozen, scope=(ScopeKind.CITY, "")):
    coverage = frozen_coverage(frozen_month=frozen, scope=scope)
    return coverage.total.in_scope, coverage.total.insured


def as_rows(figure_list):
    return {f.key: (f.in_scope, f.insured) for f in figure_list}


def test_a_month_is_frozen_once_for_every_scope_and_grouping(world, registry):
    frozen, computed = month_freeze(user=SYSTEM, month=LAST_MONTH)
    assert computed and frozen.status == MonthStatus.DRAFT and frozen.on == ON
    assert figures(frozen) == (6, 3)
    assert figures(frozen, (ScopeKind.DISTRICT, "420606")) == (4, 2)
    assert figures(frozen, (ScopeKind.DEPARTMENT, Department.HOUSING)) == (5, 2)
    # every grouping of every scope is what coverage_by answered for that scope's reader
    city = frozen_coverage(frozen_month=frozen, scope=(ScopeKind.CITY, ""))
    housing = frozen_coverage(frozen_month=frozen, scope=(ScopeKind.DEPARTMENT, Department.HOUSING))
    for by in GROUPINGS:
        assert as_rows(city.by(by)) == as_rows(coverage_by(user=world.users["city"], on=ON, by=by).rows), by
        assert as_rows(housing.by(by)) == as_rows(
            coverage_by(user=world.users["housing"], on=ON, by=by).rows
        ), by
    district = frozen_coverage(frozen_month=frozen, scope=(ScopeKind.DISTRICT, "420606"))
    for by in GROUPINGS:
        live = coverage_by(user=world.users["district"], on=ON, by=by)
        assert as_rows(district.by(by)) == as_rows(live.rows), by
    finance = frozen_coverage(frozen_month=frozen, scope=(ScopeKind.DEPARTMENT, Department.FINANCE))
    live = coverage_by(user=world.users["finance"], on=ON)
    assert (
        (finance.total.in_scope, finance.total.insured) == (live.total.in_scope, live.total.insured) == (1, 1)
    )
    # freezing again is a no-op
    again, computed = month_freeze(user=SYSTEM, month=LAST_MONTH + timedelta(days=3))
    assert (again.pk, computed, again.frozen_at) == (frozen.pk, False, frozen.frozen_at)
    assert FrozenMonth.objects.count() == 1


def test_every_scope_is_frozen_in_one_pass_as_coverage_by_counts_each_grouping(world, registry):
    """The slices' one-pass counts (coverage_all) give, for every scope and grouping, exactly the
    rows and total coverage_by answers for that scope's reader, in coverage_by's order."""
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    scopes = freeze_scopes()
    assert [s.key for s in scopes[:2]] == [(ScopeKind.CITY, ""), (ScopeKind.DISTRICT, scopes[1].code)]
    assert {s.kind for s in scopes} == {ScopeKind.CITY, ScopeKind.DISTRICT, ScopeKind.DEPARTMENT}
    for scope in scopes:
        stored = frozen_coverage(frozen_month=frozen, scope=scope.key)
        for by in GROUPINGS:
            live = coverage_by(user=scope.principal, on=ON, by=by, filters=scope.filters)
            assert (stored.total.in_scope, stored.total.insured) == (live.total.in_scope, live.total.insured)
            assert [(r.key, r.label, r.in_scope, r.insured) for r in stored.by(by)] == [
                (r.key, r.label, r.in_scope, r.insured) for r in live.rows
            ], (scope.key, by)


def test_freezing_by_slices_stores_the_same_figures_once(world, registry):
    """month_freeze_in_slices (one task per slice, then the finishing step; in-process here) stores
    what month_freeze does, and is a no-op for a month already frozen."""
    month_freeze_in_slices(user=SYSTEM, month=LAST_MONTH)
    frozen = FrozenMonth.objects.get()
    by_slices = list(
        frozen.figures.order_by("pk").values_list("scope", "scope_code", "by", "key", "in_scope", "insured")
    )
    assert frozen.frozen_by_label == "task:freeze_previous_month" and len(by_slices) > 100
    month_freeze_in_slices(user=SYSTEM, month=LAST_MONTH)
    assert FrozenMonth.objects.get().frozen_at == frozen.frozen_at
    frozen.delete()
    month_freeze(user=SYSTEM, month=LAST_MONTH)
    in_one = list(
        FrozenMonth.objects.get()
        .figures.order_by("pk")
        .values_list("scope", "scope_code", "by", "key", "in_scope", "insured")
    )
    assert in_one == by_slices
    with pytest.raises(ApplicationError):
        month_freeze_in_slices(user=world.users["housing"], month=LAST_MONTH)


def test_later_registry_corrections_never_change_a_frozen_month(world, registry):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    before = list(FrozenFigure.objects.values_list("scope", "scope_code", "by", "key", "in_scope", "insured"))
    registry["fan_open_1"].status = ElevatorStatus.SCRAPPED
    registry["fan_open_1"].save()
    registry["xiang_open"].delete()
    assert coverage_by(user=SYSTEM, on=ON).total.in_scope == 4
    after = list(FrozenFigure.objects.values_list("scope", "scope_code", "by", "key", "in_scope", "insured"))
    assert after == before
    assert figures(FrozenMonth.objects.get()) == (6, 3)


def test_a_refreeze_needs_the_city_regulator_and_a_reason_and_is_recorded(world, registry):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    month_approve(user=world.users["city"], frozen_month=frozen)
    registry["fan_open_1"].status = ElevatorStatus.SCRAPPED
    registry["fan_open_1"].save()
    with pytest.raises(ApplicationError):
        month_freeze(user=world.users["housing"], month=LAST_MONTH, reason="更正")
    refrozen, computed = month_freeze(user=world.users["city"], month=LAST_MONTH, reason="樊城区报废电梯补录")
    assert computed and refrozen.pk == frozen.pk
    assert refrozen.status == MonthStatus.DRAFT and refrozen.approved_at is None
    assert figures(refrozen) == (5, 3)
    record = Refreeze.objects.get()
    assert (record.refrozen_by, record.reason, record.previous_status) == (
        world.users["city"],
        "樊城区报废电梯补录",
        MonthStatus.APPROVED,
    )
    total = lambda rows: next(r for r in rows if r[:3] == ["city", "", ""])  # noqa: E731
    assert total(record.figures_before)[5:] == [6, 3]
    assert total(record.figures_after)[5:] == [5, 3]


def test_a_month_not_ended_is_refused(world):
    with pytest.raises(ApplicationError):
        month_freeze(user=SYSTEM, month=timezone.localdate())


def test_approve_then_publish_by_the_city_regulator_only(world, registry, django_capture_on_commit_callbacks):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    with pytest.raises(ApplicationError):
        month_publish(user=world.users["city"], frozen_month=frozen)  # not approved yet
    for key in ("housing", "district", "nfra", "insurer_a"):
        with pytest.raises(ApplicationError):
            month_approve(user=world.users[key], frozen_month=frozen)
    frozen = month_approve(user=world.users["city"], frozen_month=frozen)
    assert (frozen.status, frozen.approved_by) == (MonthStatus.APPROVED, world.users["city"])
    with pytest.raises(ApplicationError):
        month_approve(user=world.users["city"], frozen_month=frozen)
    with django_capture_on_commit_callbacks() as callbacks:
        frozen = month_publish(user=world.users["city"], frozen_month=frozen)
    assert frozen.status == MonthStatus.PUBLISHED and frozen.published_at is not None
    assert len(callbacks) == 1  # the month's reports are queued after commit


def test_departments_read_published_months_of_their_own_scope(world, registry):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    housing = world.users["housing"]
    assert scope_of(housing) == (ScopeKind.DEPARTMENT, Department.HOUSING)
    assert scope_of(world.users["district"]) == (ScopeKind.DISTRICT, "420606")
    assert scope_of(world.users["nfra"]) == (ScopeKind.CITY, "")
    assert coverage_trend(user=housing)["months"] == []  # a draft is the city regulator's
    assert len(coverage_trend(user=world.users["city"])["months"]) == 1
    month_approve(user=world.users["city"], frozen_month=frozen)
    month_publish(user=world.users["city"], frozen_month=frozen)
    trend = coverage_trend(user=housing, by="district")
    [month] = trend["months"]
    assert month["total"] == {"in_scope": 5, "insured": 2, "rate": 0.4}
    assert {r["key"]: r["in_scope"] for r in month["rows"]} == {"420606": 3, "420602": 2}
    # another department's scope stays closed to it
    other = coverage_trend(user=housing, scope=(ScopeKind.DEPARTMENT, Department.FINANCE))
    assert other["months"] == []


def test_targets_apply_until_their_date_and_districts_follow_the_city(world):
    target_set(user=world.users["city"], due_on=date(2021, 6, 30), rate="0.6")
    target_set(user=world.users["city"], due_on=date(2021, 12, 31), rate=Decimal("0.8"))
    target_set(user=world.users["city"], due_on=date(2021, 6, 30), rate="0.65", district=world.fancheng)
    assert target_on(on=date(2021, 1, 31)) == Decimal("0.6")
    assert target_on(on=date(2021, 7, 31)) == Decimal("0.8")
    assert target_on(on=date(2023, 1, 31)) == Decimal("0.8")  # the last one holds once all are past
    assert target_on(on=date(2021, 1, 31), district="420606") == Decimal("0.65")
    assert target_on(on=date(2021, 1, 31), district="420602") == Decimal("0.6")
    target_set(user=world.users["city"], due_on=date(2021, 6, 30), rate="0.62")  # a change, not a second
    assert target_on(on=date(2021, 1, 31)) == Decimal("0.62")
    with pytest.raises(ApplicationError):
        target_set(user=world.users["housing"], due_on=date(2021, 6, 30), rate="0.5")
    with pytest.raises(ApplicationError):
        target_set(user=world.users["city"], due_on=date(2021, 6, 30), rate="1.5")
