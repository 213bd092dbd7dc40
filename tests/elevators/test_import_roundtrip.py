"""The portal's own export re-imports: every elevator the registry can hold, the 三无 ones
included, comes back from the list page's Excel export as a dry run with no refusal and no change."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Department, District, Organisation, OrganisationKind
from core.principal import SYSTEM
from elevators.importing import registry_import
from elevators.models import Elevator, ElevatorStatus, InspectionResult, PlaceCategory
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("elevator-export")


def export_and_reimport(client) -> tuple[int, object]:
    regulator = Organisation.objects.filter(
        kind=OrganisationKind.CITY_REGULATOR
    ).first() or OrganisationFactory(kind=OrganisationKind.CITY_REGULATOR, department=Department.SAMR)
    client.force_login(UserFactory(organisation=regulator))
    response = client.get(EXPORT)
    assert response.status_code == 200
    result = registry_import(
        source=io.BytesIO(response.content), filename="导出.xlsx", user=SYSTEM, dry_run=True
    )
    return Elevator.objects.count(), result


def assert_nothing_would_change(total: int, result) -> None:
    assert result.problems == []
    assert (result.rows, result.refused, result.created, result.updated) == (total, 0, 0, 0)
    assert (result.unchanged, result.organisations_created, result.duplicates) == (total, 0, [])


def test_every_kind_of_elevator_re_imports_unchanged(client):
    call_command("loaddata", "xiangyang", verbosity=0)
    districts = {d.code: d for d in District.objects.all()}
    places = {p.code: p for p in PlaceCategory.objects.all()}
    no_code = OrganisationFactory(name="无信用代码的物业公司", credit_code="")
    landlord = OrganisationFactory(name="某产权单位")
    maintainer = OrganisationFactory(
        kind=OrganisationKind.MAINTENANCE_COMPANY, name="某维保公司", credit_code=""
    )
    ElevatorFactory(district=districts["420606"])
    ElevatorFactory(district=districts["420672"], user_unit=None, owner=None, has_repair_funds=False)  # 三无
    ElevatorFactory(district=districts["420671"], user_unit=None, owner=landlord, maintenance_company=None)
    ElevatorFactory(
        district=districts["420673"], user_unit=no_code, owner=landlord, maintenance_company=maintainer
    )
    ElevatorFactory(district=districts["420602"], user_unit=no_code, owner=None)
    ElevatorFactory(
        category="3310",
        district=districts["420682"],
        place_category=places["MALL"],
        status=ElevatorStatus.SUSPENDED,
        inspection_result=InspectionResult.FAIL,
    )
    ElevatorFactory(
        equipment_code="31104206062014080025",
        code_form="registration",
        registration_number="",
        registered_on=None,
        manufactured_on=None,
        installed_on=None,
        manufacturer="",
        model_number="",
        factory_serial="",
        site_name="",
        last_inspected_on=None,
        inspection_result="",
        next_inspection_due=None,
        district=districts["420607"],
        place_category=places["HOSPITAL"],
        status=ElevatorStatus.SCRAPPED,
    )
    ElevatorFactory(
        district=districts["420684"],
        status=ElevatorStatus.CANCELLED,
        inspection_result=InspectionResult.PASS_AFTER_RECTIFICATION,
        last_inspected_on=date(2024, 5, 31),
        next_inspection_due=date(2025, 5, 31),
    )
    assert Elevator.objects.three_no().count() == 2
    assert Organisation.objects.filter(credit_code="").count() == 2

    total, result = export_and_reimport(client)
    assert_nothing_would_change(total, result)
    assert total == 8


def test_the_demo_registry_re_imports_unchanged(client):
    call_command("seed_demo", elevators=400, skip=["maintenance"], stdout=io.StringIO())
    assert Elevator.objects.filter(user_unit__isnull=True).exists()  # the 三无 the plan names
    total, result = export_and_reimport(client)
    assert_nothing_would_change(total, result)
