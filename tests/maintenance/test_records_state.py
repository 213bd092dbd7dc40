"""The maintenance state on day D (one query over the registry): none / overdue / ok by the
15-day rule, and each higher level by its interval counted from the first record when it has none."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from elevators.models import Elevator
from tests.maintenance.conftest_records import D, maintained, stored

pytestmark = pytest.mark.django_db


def ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def state(elevator, on=D):
    for name in ("ok", "overdue", "none"):
        if Elevator.objects.maintenance(on=on, state=name).filter(pk=elevator.pk).exists():
            return name
    raise AssertionError("no state")


def overdue(elevator, level, on=D):
    return Elevator.objects.maintenance(on=on, overdue_level=level).filter(pk=elevator.pk).exists()


def test_no_record_on_or_before_d_is_none(world):
    elevator = maintained(world)
    assert state(elevator) == "none"
    stored(elevator, D + timedelta(days=1))  # a later record does not exist yet on D
    assert state(elevator) == "none"
    assert not overdue(elevator, "yearly")


def test_fifteen_days_is_on_time_sixteen_overdue(world):
    on_time, late = maintained(world), maintained(world)
    stored(on_time, D - timedelta(days=15))
    stored(late, D - timedelta(days=16))
    assert (state(on_time), state(late)) == ("ok", "overdue")
    assert ids(Elevator.objects.maintenance(on=D, state="overdue")) == [late.pk]
    assert ids(Elevator.objects.maintenance(on=D, state="ok")) == [on_time.pk]


def test_a_yearly_record_counts_for_the_half_monthly_rule(world):
    elevator = maintained(world)
    stored(elevator, D - timedelta(days=40), "half_monthly")
    stored(elevator, D - timedelta(days=3), "yearly")
    assert state(elevator) == "ok"
    assert not overdue(elevator, "quarterly") and not overdue(elevator, "yearly")


@pytest.mark.parametrize(("level", "days"), [("quarterly", 90), ("half_yearly", 180), ("yearly", 365)])
def test_each_higher_level_is_overdue_one_day_past_its_interval(world, level, days):
    on_time, late = maintained(world), maintained(world)
    for elevator, gap in ((on_time, days), (late, days + 1)):
        stored(elevator, D - timedelta(days=gap), level)
        stored(elevator, D - timedelta(days=2))  # half-monthly visits go on
    assert (overdue(on_time, level), overdue(late, level)) == (False, True)
    assert state(late) == "ok"


def test_a_higher_level_record_counts_for_the_lower_higher_levels(world):
    elevator = maintained(world)
    stored(elevator, D - timedelta(days=200))
    stored(elevator, D - timedelta(days=10), "half_yearly")
    assert not overdue(elevator, "quarterly") and not overdue(elevator, "half_yearly")
    assert not overdue(elevator, "yearly")  # counted from the first record, 200 days ago


def test_a_level_with_no_record_counts_from_the_first_record(world):
    young, old = maintained(world), maintained(world)
    stored(young, D - timedelta(days=90))  # first record on the platform 90 days ago
    stored(old, D - timedelta(days=91))
    for elevator in (young, old):
        stored(elevator, D - timedelta(days=5))
    assert (overdue(young, "quarterly"), overdue(old, "quarterly")) == (False, True)
    assert not overdue(old, "half_yearly")


PILOT = {"half_monthly": 30, "quarterly": 120, "half_yearly": 240, "yearly": 365}


@override_settings(TIBAO={**settings.TIBAO, "MAINTENANCE_PILOT_INTERVAL_DAYS": PILOT})
def test_pilot_elevators_use_the_pilot_intervals(world):
    pilot, plain = maintained(world, on_demand_maintenance=True), maintained(world)
    for elevator in (pilot, plain):
        stored(elevator, D - timedelta(days=100))
        stored(elevator, D - timedelta(days=30))
    assert (state(pilot), state(plain)) == ("ok", "overdue")
    assert (overdue(pilot, "quarterly"), overdue(plain, "quarterly")) == (False, True)
    late_pilot = maintained(world, on_demand_maintenance=True)
    stored(late_pilot, D - timedelta(days=31))
    assert state(late_pilot) == "overdue"


def test_the_state_of_the_whole_registry_is_one_query(world):
    for gap in (1, 20, 100):
        stored(maintained(world), D - timedelta(days=gap))
    with CaptureQueriesContext(connection) as captured:
        assert len(ids(Elevator.objects.maintenance(on=D, state="overdue"))) == 2
        assert len(ids(Elevator.objects.maintenance(on=D, overdue_level="quarterly"))) == 1
    assert len(captured) == 2
