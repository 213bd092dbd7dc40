"""Two concurrent creates of one key (issue 8, section 5.6): both pass the service's check, the
unique constraint lets one in, and the other is refused with the check's own message, not a 500."""

import threading

import pytest
from django.db import connection

from core.exceptions import ApplicationError
from core.principal import SYSTEM
from tests.elevators.factories import ElevatorFactory
from tests.factories import DistrictFactory, OrganisationFactory
from tests.insurance.factories import STANDARD_BASES, STANDARD_LIMITS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(monkeypatch, module, check_name: str, create) -> list:
    """Run `create` in two threads that both pass `check_name` before either writes; the outcomes."""
    barrier = threading.Barrier(2)
    checked = threading.local()
    real_check = getattr(module, check_name)

    def check_then_wait(*args, **kwargs):
        real_check(*args, **kwargs)
        if not getattr(checked, "once", False):
            checked.once = True
            barrier.wait(timeout=10)

    monkeypatch.setattr(module, check_name, check_then_wait)
    outcomes = []

    def run():
        try:
            outcomes.append(create())
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_registrations_of_one_equipment_code(monkeypatch):
    import elevators.services
    from elevators.models import Elevator
    from elevators.services import elevator_create

    template = ElevatorFactory.build(district=DistrictFactory(), user_unit=OrganisationFactory())
    fields = {
        f.name: getattr(template, f.name)
        for f in Elevator._meta.concrete_fields
        if not f.primary_key and f.name not in ("created_at", "updated_at", "rescue_code")
    }
    fields.update(
        owner=template.user_unit, maintenance_company=OrganisationFactory(kind="maintenance_company")
    )

    outcomes = race(
        monkeypatch,
        elevators.services,
        "full_clean_or_refuse",
        lambda: elevator_create(user=SYSTEM, **fields),
    )
    created = [o for o in outcomes if isinstance(o, Elevator)]
    refused = [o for o in outcomes if not isinstance(o, Elevator)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ApplicationError), refused[0]
    with pytest.raises(ApplicationError) as sequential:
        elevator_create(user=SYSTEM, **fields)
    assert (refused[0].field, refused[0].message) == (sequential.value.field, sequential.value.message)
    assert refused[0].field == "equipment_code"
    assert Elevator.objects.filter(equipment_code=fields["equipment_code"]).count() == 1


def test_two_concurrent_creates_of_one_product_code(monkeypatch):
    import insurance.services.products
    from accounts.models import OrganisationKind
    from insurance.models import Product
    from insurance.services import product_create

    insurer = OrganisationFactory(kind=OrganisationKind.INSURER)

    def create():
        return product_create(
            user=SYSTEM, insurer=insurer, code="XY-2027", name="电梯安全责任保险", model="liability",
            limits=STANDARD_LIMITS, base_premiums=STANDARD_BASES,
        )  # fmt: skip

    outcomes = race(monkeypatch, insurance.services.products, "_check_code_free", create)
    created = [o for o in outcomes if isinstance(o, Product)]
    refused = [o for o in outcomes if not isinstance(o, Product)]
    assert len(created) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ApplicationError), refused[0]
    assert (refused[0].field, refused[0].message) == ("code", "产品代码 XY-2027 已存在。")
    assert Product.objects.filter(insurer=insurer, code="XY-2027").count() == 1
