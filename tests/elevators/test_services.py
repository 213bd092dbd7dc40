"""The registry's write services, called directly: who may register an elevator and what it writes.

DESIGN.md section 2: the city regulator writes the whole registry, a district regulator its own
district's, nobody else any of it.
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from accounts.models import OrganisationKind
from core.exceptions import ApplicationError
from elevators.models import Elevator, ElevatorStatus, LifecycleEvent, PlaceCategory
from elevators.services import elevator_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    world.add("district_xiangcheng", kind=OrganisationKind.DISTRICT_REGULATOR, district=world.xiangcheng)
    return world


def facts(world, **overrides) -> dict:
    """A 樊城区 passenger elevator as the registry records it (Python values, as the API passes them)."""
    return {
        "equipment_code": "311042001201900077",
        "registration_number": "梯11鄂F00077(19)",
        "registered_on": date(2019, 8, 1),
        "category": "3110",
        "installed_on": date(2019, 6, 1),
        "site_name": "汉江花园",
        "address": "樊城区汉江路77号",
        "district": world.fancheng,
        "place_category": PlaceCategory.objects.get(code="RESIDENTIAL"),
        "user_unit": world.orgs["pm_fancheng"],
        "owner": world.orgs["pm_fancheng"],
        "maintenance_company": world.orgs["maint"],
        **overrides,
    }


def nothing_written() -> bool:
    return not (
        Elevator.objects.exists()
        or LifecycleEvent.objects.exists()
        or LogEntry.objects.filter(content_type__model="elevator").exists()
    )


def test_the_district_regulator_registers_an_elevator_of_its_district(world):
    elevator = elevator_create(user=world.users["district"], **facts(world))

    stored = Elevator.objects.get(pk=elevator.pk)
    assert (stored.equipment_code, stored.code_form, stored.category) == (
        "311042001201900077",
        "device",
        "3110",
    )
    assert (stored.registration_number, stored.registered_on) == ("梯11鄂F00077(19)", date(2019, 8, 1))
    assert (stored.district_id, stored.user_unit, stored.owner) == (
        "420606",
        world.orgs["pm_fancheng"],
        world.orgs["pm_fancheng"],
    )
    assert stored.maintenance_company == world.orgs["maint"]
    assert stored.status == ElevatorStatus.IN_USE
    # Not inspected yet, so not in scope (DESIGN.md section 3)
    assert (stored.next_inspection_due, stored.inspection_result) == (None, "")
    assert not Elevator.objects.in_scope(on=date(2026, 1, 1)).filter(pk=stored.pk).exists()


def test_registering_joins_the_timeline_with_the_registration(world):
    elevator = elevator_create(user=world.users["district"], **facts(world))
    (event,) = LifecycleEvent.objects.filter(elevator=elevator)
    assert (event.kind, event.occurred_on, event.reference) == (
        LifecycleEvent.Kind.REGISTRATION,
        date(2019, 8, 1),
        "梯11鄂F00077(19)",
    )


def test_registering_is_audited(world):
    elevator = elevator_create(user=world.users["district"], **facts(world))
    (entry,) = LogEntry.objects.get_for_object(elevator)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["equipment_code"] == ["None", "311042001201900077"]


def test_an_elevator_recorded_before_its_registration_has_no_registration_event(world):
    elevator = elevator_create(
        user=world.users["district"], **facts(world, registration_number="", registered_on=None)
    )
    assert not LifecycleEvent.objects.filter(elevator=elevator).exists()


def test_the_city_regulator_registers_in_any_district(world):
    elevator = elevator_create(user=world.users["city"], **facts(world, district=world.xiangcheng))
    assert elevator.district_id == "420602"


def test_the_district_regulator_of_another_district_may_not(world):
    with pytest.raises(PermissionDenied, match="市场监管"):
        elevator_create(user=world.users["district_xiangcheng"], **facts(world))
    assert nothing_written()


def test_a_district_regulator_may_not_register_outside_its_district(world):
    with pytest.raises(PermissionDenied):
        elevator_create(user=world.users["district"], **facts(world, district=world.xiangcheng))
    assert nothing_written()


@pytest.mark.parametrize("who", ["insurer_a", "pm_fancheng", "maint", "housing", "finance", "nfra"])
def test_nobody_else_registers_elevators(world, who):
    with pytest.raises(PermissionDenied):
        elevator_create(user=world.users[who], **facts(world))
    assert nothing_written()


def test_a_broken_rule_is_an_application_error_naming_the_field(world):
    elevator_create(user=world.users["district"], **facts(world))
    with pytest.raises(ApplicationError) as refused:
        elevator_create(user=world.users["district"], **facts(world, registration_number="梯11鄂F00078(19)"))
    assert refused.value.field == "equipment_code"
    assert Elevator.objects.count() == 1
