"""Recording rescues (maintenance.services.rescues): who may, the elevator by either code, the
derived minutes and the 30-minute limit, idempotency by the reporter's number, the figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.exceptions import ApplicationError
from elevators.selectors import elevator_timeline
from maintenance.models import RescueIncident
from maintenance.selectors.rescues import rescue_board, rescue_figures
from tests.maintenance.conftest_rescues import alarm_time, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    return make_cast()


def arrived_after(cast, minutes, seconds=0, **data):
    alarm = alarm_time()
    rescue, _outcome = cast.record(
        "maint", alarm_at=alarm, arrived_at=alarm + timedelta(minutes=minutes, seconds=seconds), **data
    )
    return rescue


def test_minutes_to_arrive_on_site_and_trapped_are_derived(cast):
    alarm = alarm_time()
    rescue, outcome = cast.record(
        "maint",
        alarm_at=alarm,
        dispatched_at=alarm + timedelta(minutes=2),
        arrived_at=alarm + timedelta(minutes=18),
        released_at=alarm + timedelta(minutes=41),
        people_trapped=3,
    )
    assert outcome == "created"
    assert (rescue.minutes_to_arrive, rescue.minutes_on_site, rescue.minutes_trapped) == (18, 23, 41)
    assert rescue.arrived_within_limit is True


def test_the_30_minute_edge_30_is_within_31_is_not(cast):
    assert arrived_after(cast, 30).arrived_within_limit is True
    assert arrived_after(cast, 30, seconds=59).arrived_within_limit is True
    assert arrived_after(cast, 31).arrived_within_limit is False
    assert arrived_after(cast, 5).minutes_to_arrive == 5


def test_no_arrival_yet_has_no_verdict(cast):
    rescue, _ = cast.record("maint")
    assert (rescue.minutes_to_arrive, rescue.arrived_within_limit, rescue.minutes_trapped) == (
        None,
        None,
        None,
    )


def test_the_elevator_is_found_by_its_six_digit_rescue_code(cast):
    rescue, _ = cast.record("maint", equipment_code="", rescue_code=cast.xiang.rescue_code)
    assert rescue.elevator == cast.xiang


def test_a_rescue_code_typed_with_spaces_and_full_width_digits_is_found(cast):
    code = cast.fan.rescue_code
    typed = " ".join(chr(ord(c) + 0xFEE0) for c in code)  # full-width digits, spaced
    rescue, _ = cast.record("maint", equipment_code="", rescue_code=typed)
    assert rescue.elevator == cast.fan


def test_a_maintenance_company_records_only_at_elevators_it_maintains(cast):
    with pytest.raises(ApplicationError) as refused:
        cast.record("maint", cast.other)
    assert refused.value.field == "equipment_code"
    with pytest.raises(ApplicationError):
        cast.record("maint", equipment_code="", rescue_code=cast.other.rescue_code)
    assert RescueIncident.objects.count() == 0


def test_regulators_record_the_city_everywhere_a_district_in_its_district(cast):
    assert cast.record("city", cast.other)[0].reporter == cast.world.orgs["city"]
    assert cast.record("district", cast.fan)[0].elevator == cast.fan
    with pytest.raises(ApplicationError):
        cast.record("district", cast.xiang)


@pytest.mark.parametrize("key", ["insurer_a", "pm_fancheng", "housing", "nfra", "finance"])
def test_other_kinds_may_not_record_rescues(cast, key):
    with pytest.raises(PermissionDenied):
        cast.record(key)


def test_the_same_number_again_is_unchanged_then_updated(cast):
    alarm = alarm_time()
    data = {"rescue_number": "JY-7", "alarm_at": alarm, "people_trapped": 1}
    first, created = cast.record("maint", **data)
    again, unchanged = cast.record("maint", **data)
    later, updated = cast.record("maint", **data, arrived_at=alarm + timedelta(minutes=12))
    assert (created, unchanged, updated) == ("created", "unchanged", "updated")
    assert first.pk == again.pk == later.pk
    assert RescueIncident.objects.get().minutes_to_arrive == 12


def test_another_reporter_may_use_the_same_number(cast):
    cast.record("maint", rescue_number="JY-1")
    cast.record("city", rescue_number="JY-1")
    assert RescueIncident.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "times"),
    [
        ("arrived_at", {"arrived_at": -5}),
        ("released_at", {"released_at": -1}),
        ("dispatched_at", {"dispatched_at": -1}),
        ("released_at", {"arrived_at": 20, "released_at": 10}),
        ("alarm_at", {"alarm_at_in_future": 1}),
    ],
)
def test_times_out_of_order_or_in_the_future_are_refused(cast, field, times):
    alarm = alarm_time()
    if times.pop("alarm_at_in_future", None):
        data = {"alarm_at": timezone.now() + timedelta(hours=2)}
    else:
        data = {name: alarm + timedelta(minutes=m) for name, m in times.items()}
    with pytest.raises(ApplicationError) as refused:
        cast.record("maint", **{"alarm_at": alarm, **data})
    assert refused.value.field == field
    assert RescueIncident.objects.count() == 0


def test_a_new_rescue_needs_an_alarm_time(cast):
    with pytest.raises(ApplicationError) as refused:
        cast.record("maint", alarm_at=None)
    assert refused.value.field == "alarm_at"


def test_figures_count_mean_and_rate_of_a_period(cast):
    for minutes in (10, 20, 30, 40):
        arrived_after(cast, minutes)
    cast.record("maint")  # no arrival yet: counted, not in the mean or the rate
    day = timezone.localdate(alarm_time())
    figures = rescue_figures(rescues=RescueIncident.objects.all(), start=day, end=day)
    assert figures["count"] == 5
    assert figures["arrived"] == 4
    assert figures["within_limit"] == 3
    assert str(figures["mean_minutes_to_arrive"]) == "25.0"
    assert str(figures["within_limit_rate"]) == "0.7500"
    assert (
        rescue_figures(
            rescues=RescueIncident.objects.all(), start=day + timedelta(days=1), end=day + timedelta(days=1)
        )["count"]
        == 0
    )


def test_the_board_groups_by_district_in_one_query(cast, django_assert_num_queries):
    arrived_after(cast, 10)  # 樊城区
    alarm = alarm_time()
    cast.record("maint", cast.xiang, alarm_at=alarm, arrived_at=alarm + timedelta(minutes=45))
    cast.record("maint", cast.xiang, alarm_at=alarm, arrived_at=alarm + timedelta(minutes=15))
    day = timezone.localdate(alarm)
    with django_assert_num_queries(1):
        rows = rescue_board(rescues=RescueIncident.objects.all(), start=day, end=day)
    by_district = {row["district_id"]: row for row in rows}
    fan, xiang = by_district[cast.world.fancheng.pk], by_district[cast.world.xiangcheng.pk]
    assert (fan["count"], str(fan["within_limit_rate"]), str(fan["mean_minutes_to_arrive"])) == (
        1,
        "1.0000",
        "10.0",
    )
    assert (xiang["count"], str(xiang["within_limit_rate"]), str(xiang["mean_minutes_to_arrive"])) == (
        2,
        "0.5000",
        "30.0",
    )


def test_rescues_appear_on_the_timeline_of_those_who_see_them(cast):
    arrived_after(cast, 12, rescue_number="JY-T")
    kinds = lambda key: [e.kind for e in elevator_timeline(elevator=cast.fan, user=cast.world.users[key])]  # noqa: E731
    assert "rescue" in kinds("maint")
    assert "rescue" in kinds("district")
    assert "rescue" not in kinds("nfra")
