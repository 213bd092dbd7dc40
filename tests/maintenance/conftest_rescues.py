"""The cast of the rescue tests: the world (tests.utils.world) with three elevators, a product of
insurer_a with the trapped-passenger payout (200 yuan a person for 30-60 minutes, 400 beyond an
hour) covering the 樊城区 elevator, and a way to record a rescue as one of the organisations."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.core.cache import cache
from django.utils import timezone

from accounts.models import OrganisationKind
from core.principal import SYSTEM
from elevators.models import Elevator
from insurance.models import Policy, Product, ProductVersion
from insurance.services import product_version_create
from maintenance.services.rescues import rescue_record
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.insurance.factories import STANDARD_BASES, STANDARD_LIMITS, policy
from tests.utils.world import World, make_world

NUMBERS = count(1)


def alarm_time():
    """Two days ago at 10:00 in the portal's time zone (whole minutes, inside the policy)."""
    day = timezone.localdate() - timedelta(days=2)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10, 0))


@dataclass
class RescueCast:
    world: World
    fan: Elevator  # 樊城区: maintained by maint, insured by insurer_a with the trapped payout
    xiang: Elevator  # 襄城区: maintained by maint, not insured
    other: Elevator  # 襄城区: another maintenance company
    version: ProductVersion
    policy: Policy

    def record(self, key: str, elevator: Elevator | None = None, **data):
        """Record a rescue as organisation `key` (alarm two days ago at 10:00 unless told)."""
        values = {
            "rescue_number": f"JY-{key}-{next(NUMBERS)}",
            "equipment_code": (elevator or self.fan).equipment_code,
            "alarm_at": alarm_time(),
            **data,
        }
        return rescue_record(user=self.world.users[key], data=values)

    def trapped(self, key: str, minutes: int, *, people: int = 2, elevator=None, **data):
        """A rescue with `people` trapped for `minutes` (released then), arrival after 20 minutes."""
        alarm = alarm_time()
        return self.record(
            key,
            elevator,
            alarm_at=alarm,
            arrived_at=alarm + timedelta(minutes=min(20, minutes)),
            released_at=alarm + timedelta(minutes=minutes),
            people_trapped=people,
            **data,
        )


def trapped_payout_version(insurer, *, code: str = "JY1") -> ProductVersion:
    product = Product.objects.create(insurer=insurer, code=code, name="电梯安全责任保险", model="liability")
    version = product_version_create(
        user=SYSTEM,
        product=product,
        limits={**STANDARD_LIMITS, "rescue": Decimal("10000")},
        base_premiums=STANDARD_BASES,
    )
    ProductVersion.objects.filter(pk=version.pk).update(
        trapped_threshold_minutes=30,
        trapped_payout_per_person=Decimal("200.00"),
        trapped_payout_per_person_over_hour=Decimal("400.00"),
    )
    version.refresh_from_db()
    return version


def make_cast() -> RescueCast:
    """The world and the three elevators, the 樊城区 one insured by insurer_a with the trapped payout."""
    cache.clear()  # the feedback throttle counts in the cache
    world = make_world()
    maint = world.orgs["maint"]
    fan = ElevatorFactory(
        district=world.fancheng, maintenance_company=maint, user_unit=world.orgs["pm_fancheng"]
    )
    xiang = ElevatorFactory(
        district=world.xiangcheng, maintenance_company=maint, user_unit=world.orgs["pm_xiangcheng"]
    )
    other = ElevatorFactory(
        district=world.xiangcheng,
        maintenance_company=OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY),
    )
    version = trapped_payout_version(world.orgs["insurer_a"])
    cover = policy(version, [fan], start=timezone.localdate() - timedelta(days=60))
    return RescueCast(world=world, fan=fan, xiang=xiang, other=other, version=version, policy=cover)
