"""The cast of the service tests: two insurers with insurance+maintenance products, a liability
product, elevators covered by each, and the users of every organisation kind (tests.utils.world)."""

from dataclasses import dataclass
from datetime import date

import pytest

from elevators.models import Elevator
from insurance.models import InsuranceModel, Policy
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.world import World, make_world

START = date(2026, 1, 1)  # the policies run 2026-01-01 .. 2026-12-31
IN_COVER = date(2026, 3, 10)


@dataclass
class ServiceCast:
    world: World
    covered: Elevator  # insurer_a's insurance+maintenance policy, user unit pm_fancheng
    other_covered: Elevator  # insurer_b's insurance+maintenance policy
    liability_only: Elevator  # insurer_a's liability policy only
    policy_a: Policy
    policy_b: Policy
    liability_a: Policy


@pytest.fixture
def cast(db) -> ServiceCast:
    return make_cast(make_world())


def make_cast(world: World) -> ServiceCast:
    """insurer_a and insurer_b each cover one elevator of pm_fancheng (maintained by `maint`) under
    an insurance+maintenance policy for 2026; insurer_a covers a third under liability only."""
    pm = world.orgs["pm_fancheng"]
    maint = world.orgs["maint"]
    elevators = [
        ElevatorFactory(user_unit=pm, owner=pm, district=world.fancheng, maintenance_company=maint)
        for _ in range(3)
    ]
    ins_maint = InsuranceModel.INSURANCE_MAINTENANCE
    version_a = product_version(world.orgs["insurer_a"], model=ins_maint)
    version_b = product_version(world.orgs["insurer_b"], model=ins_maint)
    liability = product_version(world.orgs["insurer_a"])
    return ServiceCast(
        world=world,
        covered=elevators[0],
        other_covered=elevators[1],
        liability_only=elevators[2],
        policy_a=policy(version_a, [elevators[0]], start=START),
        policy_b=policy(version_b, [elevators[1]], start=START),
        liability_a=policy(liability, [elevators[2]], start=START),
    )


def service_of(cast: ServiceCast, number: str, *, insurer: str = "insurer_a", **fields):
    """A service stored through the service layer (not the endpoint under test)."""
    from maintenance.services.service_records import service_record_upsert

    elevator = cast.covered if insurer == "insurer_a" else cast.other_covered
    data = {
        "service_number": number,
        "kind": "usage_monitoring",
        "performed_on": IN_COVER,
        "equipment_codes": [elevator.equipment_code],
        **fields,
    }
    return service_record_upsert(insurer=cast.world.orgs[insurer], data=data)[0]
