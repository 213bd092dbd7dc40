"""The scene of the authorisation tests: the world (tests.utils.world) with a second tenant of every
kind that has tenants, two elevators (side "a" and side "b") and one object of every model on each
side, built once per test module inside a transaction that is rolled back at its end."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Department, OrganisationKind, User
from core.principal import SYSTEM
from elevators.models import Elevator
from tests.utils.world import World, make_world

K = OrganisationKind

# Who is on which side: a viewer of side "a" must never see side "b" rows, and the other way round.
PAIRS = {
    "insurer": ("insurer_a", "insurer_b"),
    "property_manager": ("pm_fancheng", "pm_xiangcheng"),
    "sector_department": ("housing", "transport"),
    "district_regulator": ("district", "district_b"),
    "maintenance_company": ("maint", "maint_b"),
}

# The viewers of the matrix: one organisation per kind, anonymous and the back office.
VIEWERS = {
    "city": "city_regulator",
    "district": "district_regulator",
    "housing": "sector_department",
    "finance": "finance_bureau",
    "nfra": "insurance_regulator",
    "insurer_a": "insurer",
    "pm_fancheng": "property_manager",
    "maint": "maintenance_company",
    "anonymous": "anonymous",
    "backoffice": "backoffice",
}


@dataclass
class Side:
    elevator: Elevator
    objects: dict = field(default_factory=dict)  # model key -> instance


@dataclass
class Scene:
    world: World
    backoffice: User
    a: Side
    b: Side
    keys: dict = field(default_factory=dict)  # organisation key -> raw API key


def _alarm():
    day = timezone.localdate() - timedelta(days=2)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def _version(insurer, code: str):
    from insurance.models import InsuranceModel, Product, ProductVersion
    from insurance.services import product_version_create
    from tests.insurance.factories import STANDARD_BASES, STANDARD_LIMITS

    product = Product.objects.create(
        insurer=insurer, code=code, name="电梯保险+维保服务", model=InsuranceModel.INSURANCE_MAINTENANCE
    )
    version = product_version_create(
        user=SYSTEM,
        product=product,
        limits={**STANDARD_LIMITS, "rescue": Decimal("10000")},
        base_premiums=STANDARD_BASES,
    )
    ProductVersion.objects.filter(pk=version.pk).update(
        trapped_threshold_minutes=30, trapped_payout_per_person=Decimal("200.00")
    )
    version.refresh_from_db()
    return version


def _side(world: World, tag: str, *, district, pm: str, maint: str, insurer: str, category: str) -> Side:
    """One elevator and one object of every model around it, owned by the side's tenants."""
    from accounts.services import api_key_create
    from core.models import ImportRun
    from elevators.models import PlaceCategory
    from insurance.models import Claim
    from maintenance.models import Attachment, Hazard, MaintenanceRecord
    from maintenance.services.rescues import rescue_record
    from maintenance.services.service_records import service_record_upsert
    from tests.elevators.factories import ElevatorFactory, InspectionFactory
    from tests.factories import NoticeFactory, UserFactory
    from tests.insurance.factories import policy

    orgs = world.orgs
    elevator = ElevatorFactory(
        district=district,
        user_unit=orgs[pm],
        owner=orgs[pm],
        maintenance_company=orgs[maint],
        place_category=PlaceCategory.objects.get(code=category),
    )
    side = Side(elevator=elevator)
    o = side.objects
    o["inspection"] = InspectionFactory(elevator=elevator)
    version = _version(orgs[insurer], f"AZ{tag}")
    o["product"] = version.product
    o["policy"] = cover = policy(version, [elevator], start=timezone.localdate() - timedelta(days=60))
    o["claim"] = Claim.objects.create(
        insurer=orgs[insurer], claim_number=f"LP-{tag}", policy=cover, elevator=elevator, kind="trapping",
        incident_at=_alarm(), coverage_item="rescue", reported_on=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    o["service"] = service_record_upsert(
        insurer=orgs[insurer],
        data={
            "service_number": f"FW-{tag}",
            "kind": "usage_monitoring",
            "performed_on": timezone.localdate() - timedelta(days=3),
            "equipment_codes": [elevator.equipment_code],
        },
    )[0]
    o["record"] = record = MaintenanceRecord.objects.create(
        company=orgs[maint], elevator=elevator, record_number=f"WB-{tag}",
        performed_on=timezone.localdate() - timedelta(days=4), level="half_monthly",
    )  # fmt: skip
    attachment = Attachment(record=record, content_type="image/jpeg", size=3, sha256="ab" * 32)
    attachment.file.save(f"az-{tag}.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
    o["attachment"] = attachment
    o["hazard"] = Hazard.objects.create(
        reporter=orgs[maint], found_by="maintenance", description="轿厢照明损坏", hazard_number=f"YH-{tag}",
        elevator=elevator, found_on=timezone.localdate() - timedelta(days=5), severity="general",
        deadline=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    alarm = _alarm()
    o["rescue"] = rescue = rescue_record(
        user=world.users[maint],
        data={
            "rescue_number": f"JY-{tag}",
            "equipment_code": elevator.equipment_code,
            "alarm_at": alarm,
            "arrived_at": alarm + timedelta(minutes=20),
            "released_at": alarm + timedelta(minutes=45),
            "people_trapped": 2,
        },
    )[0]
    o["proposal"] = rescue.claim_proposal
    o["import"] = ImportRun.objects.create(
        kind="claims", filename="claims.xlsx", checksum=tag * 64, organisation=orgs[insurer],
        created_by=world.users[insurer], status=ImportRun.Status.DONE,
    )  # fmt: skip
    o["notice"] = NoticeFactory(recipient_organisation=orgs[insurer])
    o["api_key"] = api_key_create(organisation=orgs[insurer], name="对接系统")[0]
    o["colleague"] = UserFactory(organisation=orgs[insurer], username=f"colleague_{tag}")
    return side


def _workbook() -> bytes:
    from io import BytesIO

    import openpyxl

    book, out = openpyxl.Workbook(), BytesIO()
    book.active.append(["区县", "覆盖率"])
    book.save(out)
    return out.getvalue()


def _months(scene: Scene) -> None:
    from reporting.models import FrozenMonth, MonthStatus, ReportRun, Target

    frozen_at = timezone.now()
    published = FrozenMonth.objects.create(
        month=date(2020, 1, 1), on=date(2020, 1, 28), status=MonthStatus.PUBLISHED, frozen_at=frozen_at
    )
    draft = FrozenMonth.objects.create(month=date(2020, 2, 1), on=date(2020, 2, 28), frozen_at=frozen_at)
    target = Target.objects.create(due_on=date(2021, 6, 30), rate=Decimal("0.6"))
    for side, department in ((scene.a, Department.HOUSING), (scene.b, Department.TRANSPORT)):
        run = ReportRun.objects.create(frozen_month=published, department=department, status="done")
        run.file.save(run.filename, ContentFile(_workbook()), save=True)
        side.objects["report"] = run
        side.objects["month"] = draft
        side.objects["target"] = target


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def make_scene() -> Scene:
    """The world plus 襄城区's regulator, the transport department and a second maintenance company;
    side a: a 樊城区 residential elevator of pm_fancheng maintained by maint, insured by insurer_a;
    side b: a 襄城区 bus-station elevator of pm_xiangcheng maintained by maint_b, insured by insurer_b."""
    from tests.factories import UserFactory

    world = make_world()
    world.add("district_b", kind=K.DISTRICT_REGULATOR, district=world.xiangcheng)
    world.add("transport", kind=K.SECTOR_DEPARTMENT, department=Department.TRANSPORT)
    world.add("maint_b", kind=K.MAINTENANCE_COMPANY, district=world.fancheng)
    backoffice = UserFactory(organisation=None, is_superuser=True, is_staff=True, username="backoffice")
    a = _side(world, "a", district=world.fancheng, pm="pm_fancheng", maint="maint", insurer="insurer_a",
              category="RESIDENTIAL")  # fmt: skip
    b = _side(world, "b", district=world.xiangcheng, pm="pm_xiangcheng", maint="maint_b", insurer="insurer_b",
              category="BUS_STATION")  # fmt: skip
    scene = Scene(world=world, backoffice=backoffice, a=a, b=b)
    _months(scene)
    from accounts.services import api_key_create

    scene.keys = {
        key: api_key_create(organisation=org, name="授权测试")[1] for key, org in world.orgs.items()
    }
    return scene


def _reference_data() -> None:
    from django.apps import apps

    from elevators.models import PlaceCategory

    if not PlaceCategory.objects.exists():
        import importlib

        importlib.import_module("elevators.migrations.0002_place_categories").load(apps, None)


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """The scene, once per module; every test's own transaction nests inside this one."""
    from django.core.cache import cache

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cache.clear()
            _reference_data()
            yield make_scene()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
