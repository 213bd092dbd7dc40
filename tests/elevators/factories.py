"""factory_boy factories of the registry: elevators, inspections, lifecycle events.

Reference data comes from the database: place categories from the data migration, districts from
DistrictFactory (or `loaddata xiangyang`). Every elevator is valid as the registry import would
take it: an 18-character device code and a registration number whose variety fits its category.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import OrganisationKind
from elevators.codes import CATEGORIES_BY_CODE, EquipmentCodeForm
from elevators.models import (
    Elevator,
    ElevatorStatus,
    Inspection,
    InspectionResult,
    LifecycleEvent,
    PlaceCategory,
)
from elevators.rescue_codes import rescue_codes_draw
from tests.factories import DistrictFactory, OrganisationFactory


def today():
    return timezone.localdate()


class ElevatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Elevator

    category = "3110"
    # category (4) + manufacturer (5: region 42, licence 001) + year (4) + serial (5)
    equipment_code = factory.LazyAttributeSequence(lambda o, n: f"{o.category}420012015{n:05d}")
    code_form = EquipmentCodeForm.DEVICE
    registration_number = factory.LazyAttributeSequence(
        lambda o, n: f"梯{CATEGORIES_BY_CODE[o.category].variety}鄂F{n % 100_000:05d}(21)"
    )
    registered_on = factory.LazyFunction(lambda: today() - timedelta(days=5 * 365))
    manufacturer = "襄阳某电梯制造有限公司"
    model_number = "TKJ1000/1.75"
    factory_serial = factory.Sequence(lambda n: f"F{n:06d}")
    manufactured_on = factory.LazyFunction(lambda: today() - timedelta(days=6 * 365))
    installed_on = factory.LazyFunction(lambda: today() - timedelta(days=5 * 365 + 30))
    site_name = factory.Sequence(lambda n: f"幸福家园{n}栋")
    address = factory.Sequence(lambda n: f"樊城区长征路{n}号")
    district = factory.SubFactory(DistrictFactory)
    place_category = factory.LazyFunction(lambda: PlaceCategory.objects.get(code="RESIDENTIAL"))
    user_unit = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.PROPERTY_MANAGER)
    owner = factory.SelfAttribute("user_unit")
    maintenance_company = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.MAINTENANCE_COMPANY)
    has_repair_funds = True
    status = ElevatorStatus.IN_USE
    last_inspected_on = factory.LazyFunction(lambda: today() - timedelta(days=30))
    inspection_result = InspectionResult.PASS
    next_inspection_due = factory.LazyFunction(lambda: today() + timedelta(days=335))
    # As elevators.services.rescue_codes_assign draws it: random and free in the database.
    rescue_code = factory.LazyFunction(lambda: rescue_codes_draw(count=1, queryset=Elevator.objects.all())[0])


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    elevator = factory.SubFactory(ElevatorFactory)
    inspected_on = factory.LazyFunction(lambda: today() - timedelta(days=30))
    kind = Inspection.Kind.PERIODIC
    result = InspectionResult.PASS
    next_due = factory.LazyAttribute(lambda o: o.inspected_on + timedelta(days=365))
    inspection_body = "襄阳市特种设备检验检测所"
    report_number = factory.Sequence(lambda n: f"DT-{n:06d}")


class LifecycleEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifecycleEvent

    elevator = factory.SubFactory(ElevatorFactory)
    occurred_on = factory.LazyFunction(today)
    kind = LifecycleEvent.Kind.STATUS_CHANGE
    description = "在用 → 停用"
