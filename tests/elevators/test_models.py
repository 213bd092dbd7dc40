"""The single definitions: in scope on a date, old elevators, 三无; and the registry services."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from elevators.models import Elevator, LifecycleEvent, years_before
from elevators.services import elevator_update, inspection_record
from tests.factories import DistrictFactory, OrganisationFactory
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db

D = date(2026, 11, 25)


def make(code_serial: int = 1, **fields) -> Elevator:
    district = fields.pop("district", None) or DistrictFactory(code="420606")
    defaults = {
        "equipment_code": f"3110420012015{code_serial:05d}",
        "code_form": "device",
        "registration_number": f"梯11鄂F{code_serial:05d}(15)",
        "category": "3110",
        "address": "长征路1号",
        "district": district,
        "place_category_id": "RESIDENTIAL",
        "status": "in_use",
        "inspection_result": "pass",
        "last_inspected_on": D - timedelta(days=200),
        "next_inspection_due": D + timedelta(days=165),
        "installed_on": date(2015, 6, 1),
        "user_unit": OrganisationFactory(),
        "maintenance_company": OrganisationFactory(kind="maintenance_company"),
    }
    defaults.update(fields)
    return Elevator.objects.create(**defaults)


CASES = [
    ("due later", {}, True),
    ("due exactly on D still counts", {"next_inspection_due": D}, True),
    ("expired the day before", {"next_inspection_due": D - timedelta(days=1)}, False),
    ("suspended", {"status": "suspended"}, False),
    ("scrapped", {"status": "scrapped"}, False),
    ("registration cancelled", {"status": "cancelled"}, False),
    ("failed inspection", {"inspection_result": "fail"}, False),
    ("passed after rectification", {"inspection_result": "pass_rectified"}, True),
    ("not registered", {"registration_number": ""}, False),
    (
        "never inspected",
        {"inspection_result": "", "next_inspection_due": None, "last_inspected_on": None},
        False,
    ),
]


@pytest.mark.parametrize(("label", "fields", "expected"), CASES, ids=[c[0] for c in CASES])
def test_in_scope_edges(label, fields, expected):
    elevator = make(**fields)
    assert Elevator.objects.in_scope(on=D).filter(pk=elevator.pk).exists() is expected
    assert elevator.is_in_scope(on=D) is expected  # the predicate agrees with the query


def test_in_scope_counts_every_case_once():
    for serial, (_label, fields, _expected) in enumerate(CASES, start=1):
        make(serial, **fields)
    assert Elevator.objects.in_scope(on=D).count() == sum(1 for c in CASES if c[2])


@pytest.mark.parametrize(
    ("installed", "old"),
    [(date(2011, 11, 25), True), (date(2011, 11, 26), False), (date(1999, 1, 1), True), (None, False)],
)
def test_old_is_fifteen_years_since_installation(installed, old):
    elevator = make(installed_on=installed)
    assert Elevator.objects.old(on=D).filter(pk=elevator.pk).exists() is old


def test_fifteen_years_before_a_leap_day():
    assert years_before(date(2028, 2, 29), 15) == date(2013, 2, 28)


@pytest.mark.parametrize(
    ("fields", "three_no"),
    [
        ({}, False),
        ({"user_unit": None}, True),
        ({"maintenance_company": None}, True),
        ({"has_repair_funds": False}, True),
    ],
)
def test_three_no(fields, three_no):
    elevator = make(**fields)
    assert Elevator.objects.three_no().filter(pk=elevator.pk).exists() is three_no


def test_a_new_inspection_moves_the_elevator_in_and_out_of_scope():
    world = make_world()
    elevator = make(next_inspection_due=D - timedelta(days=10), last_inspected_on=D - timedelta(days=375))
    assert not elevator.is_in_scope(on=D)
    inspection_record(
        user=world.users["district"], elevator=elevator, inspected_on=D - timedelta(days=1), result="pass",
        next_due=D + timedelta(days=364),
    )  # fmt: skip
    elevator.refresh_from_db()
    assert elevator.is_in_scope(on=D)
    assert elevator.last_inspected_on == D - timedelta(days=1)
    # an older inspection entered late does not overwrite the latest facts
    inspection_record(
        user=world.users["district"], elevator=elevator, inspected_on=D - timedelta(days=400), result="fail",
        next_due=D - timedelta(days=35),
    )  # fmt: skip
    elevator.refresh_from_db()
    assert elevator.inspection_result == "pass"


def test_status_change_joins_the_timeline_and_respects_districts():
    world = make_world()
    elevator = make()
    elevator_update(user=world.users["district"], elevator=elevator, status="suspended", on=D)
    event = LifecycleEvent.objects.get(elevator=elevator)
    assert (event.kind, event.occurred_on) == ("status_change", D)
    assert "在用" in event.description and "停用" in event.description
    other = make(2, district=DistrictFactory(code="420602"))
    with pytest.raises(PermissionDenied):
        elevator_update(user=world.users["district"], elevator=other, status="suspended")
    with pytest.raises(PermissionDenied):  # nor move its own elevator out of its district
        elevator_update(user=world.users["district"], elevator=elevator, district=other.district)
    with pytest.raises(PermissionDenied):
        elevator_update(user=world.users["pm_fancheng"], elevator=elevator, status="in_use")
