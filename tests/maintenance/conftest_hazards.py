"""The cast of the hazard tests: the world (tests.utils.world) with three elevators and a way to
report a hazard as one of its organisations."""

from dataclasses import dataclass
from datetime import date
from itertools import count

from accounts.models import Contact, OrganisationKind
from elevators.models import Elevator
from insurance.models import InsuranceModel
from maintenance.services.hazards import hazard_report
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.insurance.factories import policy, product_version
from tests.utils.world import World, make_world

FOUND = date(2026, 3, 2)
TODAY = date(2026, 3, 10)
NUMBERS = count(1)


@dataclass
class HazardCast:
    world: World
    fan: Elevator  # 樊城区: maintained by maint, used by pm_fancheng, insured by insurer_a
    xiang: Elevator  # 襄城区: maintained by maint, used by pm_xiangcheng
    other: Elevator  # 襄城区: another maintenance company, another user unit, not insured

    def report(self, key: str, elevator: Elevator | None = None, **data):
        """Report a hazard as organisation `key` (a general one found on FOUND unless told)."""
        values = {
            "hazard_number": f"YH-{key}-{next(NUMBERS)}",
            "equipment_code": (elevator or self.fan).equipment_code,
            "found_on": FOUND,
            "severity": "general",
            "description": "轿厢照明损坏",
            **data,
        }
        return hazard_report(user=self.world.users[key], data=values, today=TODAY)


def make_cast() -> HazardCast:
    world = make_world()
    maint = world.orgs["maint"]
    for key in ("city", "district", "maint", "insurer_a"):
        Contact.objects.create(organisation=world.orgs[key], name=f"{key}联系人", email=f"{key}@example.cn")
    fan = ElevatorFactory(
        district=world.fancheng, user_unit=world.orgs["pm_fancheng"], owner=world.orgs["pm_fancheng"],
        maintenance_company=maint,
    )  # fmt: skip
    xiang = ElevatorFactory(
        district=world.xiangcheng, user_unit=world.orgs["pm_xiangcheng"], owner=world.orgs["pm_xiangcheng"],
        maintenance_company=maint,
    )  # fmt: skip
    other = ElevatorFactory(
        district=world.xiangcheng,
        maintenance_company=OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY),
    )
    version = product_version(world.orgs["insurer_a"], model=InsuranceModel.LIABILITY)
    policy(version, [fan], start=date(2026, 1, 1))
    return HazardCast(world=world, fan=fan, xiang=xiang, other=other)
