"""Who sees which elevators and inspections, proven for every organisation kind.

The expected sets are written out by hand from DESIGN.md section 2, not derived from the rules under
test. The registry of this file (樊城区 = 420606, 襄城区 = 420602):

| key | district | place category | user unit | owner | maintained by | cover |
|---|---|---|---|---|---|---|
| fc_home | 樊城 | 住宅小区 | pm_fancheng | pm_fancheng | maint | |
| fc_public_housing | 樊城 | 保障性住房 | pm_fancheng | other | other_maint | |
| xc_hospital | 襄城 | 医院 | pm_xiangcheng | pm_xiangcheng | maint | |
| xc_mall | 襄城 | 商场超市 | other | pm_fancheng | other_maint | |
| xc_public_housing | 襄城 | 保障性住房 | — | — | — | |
| fc_office | 樊城 | 机关办公 | pm_xiangcheng | pm_xiangcheng | maint | insurer_a, public finance |
| xc_home | 襄城 | 住宅小区 | other | other | other_maint | insurer_b, self-funded |
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Department, OrganisationKind
from accounts.principal import ApiKeyPrincipal
from accounts.services import api_key_create
from core.principal import SYSTEM
from elevators.models import Elevator, Inspection, PlaceCategory
from tests.elevators.factories import ElevatorFactory, InspectionFactory
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL = {
    "fc_home",
    "fc_public_housing",
    "xc_hospital",
    "xc_mall",
    "xc_public_housing",
    "fc_office",
    "xc_home",
}

EXPECTED_ELEVATORS = {
    "city": ALL,
    "nfra": ALL,
    "district": {"fc_home", "fc_public_housing", "fc_office"},
    "housing": {"fc_home", "fc_public_housing", "xc_public_housing", "xc_home"},
    "health": {"xc_hospital"},
    "finance": {"fc_public_housing", "xc_public_housing", "fc_office"},
    "insurer_a": {"fc_office"},
    "insurer_b": {"xc_home"},
    "pm_fancheng": {"fc_home", "fc_public_housing", "xc_mall"},
    "pm_xiangcheng": {"xc_hospital", "fc_office"},
    "maint": {"fc_home", "xc_hospital", "fc_office"},
}


def cover(elevator: Elevator, *, insurer, funding_source: str = "self", days: int = 365):
    """A policy of `insurer` covering `elevator` from today (written directly, no rating)."""
    from insurance.models import Policy, PolicyElevator, Product, ProductVersion

    product, _created = Product.objects.get_or_create(
        insurer=insurer, code="LIAB", defaults={"name": "电梯安全责任险", "model": "liability"}
    )
    version, _created = ProductVersion.objects.get_or_create(product=product, number=1)
    start = timezone.localdate()
    policy = Policy.objects.create(
        number=f"P-{elevator.equipment_code}",
        insurer=insurer,
        product_version=version,
        model="liability",
        policyholder=elevator.owner or elevator.user_unit or insurer,
        start_date=start,
        end_date=start + timedelta(days=days),
        total_premium=Decimal("300.00"),
        rated_total_premium=Decimal("300.00"),
        funding_source=funding_source,
    )
    PolicyElevator.objects.create(
        policy=policy,
        elevator=elevator,
        premium=Decimal("300.00"),
        rated_premium=Decimal("300.00"),
        model="liability",
        start_date=policy.start_date,
        end_date=policy.end_date,
    )
    return policy


@pytest.fixture
def world(world):
    world.add("health", kind=OrganisationKind.SECTOR_DEPARTMENT, department=Department.HEALTH)
    return world


@pytest.fixture
def registry(world):
    orgs = world.orgs
    other = OrganisationFactory(kind=OrganisationKind.PROPERTY_MANAGER, name="别家物业")
    other_maint = OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY, name="别家维保")

    def make(district, place, user_unit, owner, maintenance_company):
        return ElevatorFactory(
            district=district,
            place_category=PlaceCategory.objects.get(code=place),
            user_unit=user_unit,
            owner=owner,
            maintenance_company=maintenance_company,
        )

    fc, xc = world.fancheng, world.xiangcheng
    elevators = {
        "fc_home": make(fc, "RESIDENTIAL", orgs["pm_fancheng"], orgs["pm_fancheng"], orgs["maint"]),
        "fc_public_housing": make(fc, "PUBLIC_HOUSING", orgs["pm_fancheng"], other, other_maint),
        "xc_hospital": make(xc, "HOSPITAL", orgs["pm_xiangcheng"], orgs["pm_xiangcheng"], orgs["maint"]),
        "xc_mall": make(xc, "MALL", other, orgs["pm_fancheng"], other_maint),
        "xc_public_housing": make(xc, "PUBLIC_HOUSING", None, None, None),
        "fc_office": make(fc, "GOV_OFFICE", orgs["pm_xiangcheng"], orgs["pm_xiangcheng"], orgs["maint"]),
        "xc_home": make(xc, "RESIDENTIAL", other, other, other_maint),
    }
    cover(elevators["fc_office"], insurer=orgs["insurer_a"], funding_source="public_finance")
    cover(elevators["xc_home"], insurer=orgs["insurer_b"], funding_source="self")
    for elevator in elevators.values():
        InspectionFactory(elevator=elevator)
    return elevators


def keys_of(registry, elevator_ids) -> set[str]:
    by_pk = {elevator.pk: key for key, elevator in registry.items()}
    return {by_pk[pk] for pk in elevator_ids}


def visible_elevators(registry, user) -> set[str]:
    return keys_of(registry, Elevator.objects.visible_to(user).values_list("pk", flat=True))


def visible_inspections(registry, user) -> set[str]:
    return keys_of(registry, Inspection.objects.visible_to(user).values_list("elevator_id", flat=True))


def test_the_cast_has_every_kind(world):
    assert {org.kind for org in world.orgs.values()} == set(OrganisationKind.values)
    assert set(EXPECTED_ELEVATORS) == set(world.orgs)


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ELEVATORS))
def test_elevators_visible_per_kind(world, registry, viewer):
    assert visible_elevators(registry, world.users[viewer]) == EXPECTED_ELEVATORS[viewer]


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ELEVATORS))
def test_inspections_follow_their_elevators(world, registry, viewer):
    assert visible_inspections(registry, world.users[viewer]) == EXPECTED_ELEVATORS[viewer]


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ELEVATORS))
def test_an_api_key_sees_what_its_organisation_sees(world, registry, viewer):
    api_key, _raw = api_key_create(organisation=world.orgs[viewer], name="t")
    principal = ApiKeyPrincipal(api_key)
    assert visible_elevators(registry, principal) == EXPECTED_ELEVATORS[viewer]
    assert visible_inspections(registry, principal) == EXPECTED_ELEVATORS[viewer]


def test_an_insurer_without_policies_sees_no_elevator(world, registry):
    newcomer = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.INSURER))
    assert visible_elevators(registry, newcomer) == set()
    assert visible_inspections(registry, newcomer) == set()


def test_anonymous_sees_nothing(registry):
    assert visible_elevators(registry, AnonymousUser()) == set()
    assert visible_inspections(registry, AnonymousUser()) == set()
    assert visible_elevators(registry, None) == set()


def test_superuser_without_organisation_and_the_system_see_everything(registry):
    staff = UserFactory(organisation=None, is_staff=True, is_superuser=True)
    assert visible_elevators(registry, staff) == ALL
    assert visible_inspections(registry, staff) == ALL
    assert visible_elevators(registry, SYSTEM) == ALL


def test_a_plain_user_without_organisation_sees_nothing(registry):
    assert visible_elevators(registry, UserFactory(organisation=None)) == set()


def test_an_inactive_user_or_organisation_sees_nothing(world, registry):
    user = world.users["city"]
    user.is_active = False
    assert visible_elevators(registry, user) == set()
    organisation = world.orgs["district"]
    organisation.is_active = False
    organisation.save()
    assert visible_elevators(registry, world.users["district"]) == set()
    assert visible_inspections(registry, world.users["district"]) == set()


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ELEVATORS))
def test_only_insurers_may_look_up_registry_facts_for_quoting(world, registry, viewer):
    quotable = keys_of(
        registry, Elevator.objects.quotable_by(world.users[viewer]).values_list("pk", flat=True)
    )
    assert quotable == (ALL if viewer in {"insurer_a", "insurer_b"} else set())


def test_nobody_else_may_look_up_for_quoting(world, registry):
    assert not Elevator.objects.quotable_by(AnonymousUser()).exists()
    assert not Elevator.objects.quotable_by(None).exists()
    insurer = world.orgs["insurer_a"]
    insurer.is_active = False
    insurer.save()
    assert not Elevator.objects.quotable_by(world.users["insurer_a"]).exists()
