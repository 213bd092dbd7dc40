"""The 6-digit rescue code (电梯识别码): drawn at random, unique in the city, given to every elevator
by every door that creates one (registration, the registry import, the data migration, a bulk fill),
read-only in the API and written to the export."""

import importlib
import io
import itertools
import threading
import time

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from core.exceptions import ApplicationError
from core.principal import SYSTEM
from elevators import rescue_codes
from elevators.api.serializers.elevators import ElevatorSerializer
from elevators.importing import registry_import
from elevators.models import Elevator
from elevators.rescue_codes import RescueCodesExhausted, is_rescue_code, rescue_codes_draw
from elevators.services import elevator_create, rescue_codes_assign, rescue_codes_fill
from tests.elevators import files
from tests.elevators.factories import ElevatorFactory
from tests.elevators.test_services import facts
from tests.utils.clients import session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    from django.core.management import call_command

    call_command("loaddata", "xiangyang", verbosity=0)


class Scripted:
    """A stand-in for the random source that "draws" the given numbers first, in order."""

    def __init__(self, numbers):
        self.numbers = list(numbers)

    def sample(self, population, k):
        rest = (n for n in population if n not in self.numbers)
        return [*self.numbers, *itertools.islice(rest, max(0, k - len(self.numbers)))][:k]


def test_codes_are_six_digits_without_a_leading_zero():
    codes = rescue_codes_draw(count=500, queryset=Elevator.objects.all())
    assert len(set(codes)) == 500
    assert all(is_rescue_code(code) for code in codes)
    assert not is_rescue_code("012345") and not is_rescue_code("12345") and not is_rescue_code("１２３４５６")


def test_a_code_already_held_is_never_drawn_again(monkeypatch):
    ElevatorFactory(rescue_code="123456")
    monkeypatch.setattr(rescue_codes, "_random", Scripted([123456, 123456 + 1]))
    assert rescue_codes_draw(count=1, queryset=Elevator.objects.all()) == ["123457"]


def test_registration_gives_the_elevator_its_code(world):
    elevator = elevator_create(user=world.users["city"], **facts(world))
    assert is_rescue_code(Elevator.objects.get(pk=elevator.pk).rescue_code)


def test_the_database_keeps_codes_unique():
    ElevatorFactory(rescue_code="234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        ElevatorFactory(rescue_code="234567")


def test_no_code_is_left_when_the_city_has_used_them_all(world, monkeypatch):
    monkeypatch.setattr(rescue_codes, "RESCUE_CODES", range(100000, 100002))
    ElevatorFactory(rescue_code="100000")
    ElevatorFactory(rescue_code="100001")
    with pytest.raises(RescueCodesExhausted):
        rescue_codes_draw(count=1, queryset=Elevator.objects.all())
    with pytest.raises(ApplicationError, match="电梯识别码已用完"):
        elevator_create(user=world.users["city"], **facts(world))
    assert not Elevator.objects.filter(equipment_code="311042001201900077").exists()


def test_assign_keeps_a_code_already_given():
    elevator = ElevatorFactory(rescue_code="345678")
    rescue_codes_assign(elevators=[elevator])
    assert elevator.rescue_code == "345678"


# --- the registry import -----------------------------------------------------------------------


def import_rows(rows, **kwargs):
    return registry_import(
        source=io.BytesIO(files.xlsx(rows)), filename="台账.xlsx", user=SYSTEM, dry_run=False, **kwargs
    )


def test_the_import_gives_each_new_elevator_its_own_code_around_those_taken(monkeypatch):
    ElevatorFactory(rescue_code="500000")
    ElevatorFactory(rescue_code="500001")
    # The random source proposes the taken codes first, and one code twice over.
    monkeypatch.setattr(rescue_codes, "_random", Scripted([500000, 500001, 500002, 500002, 500003]))
    rows = [files.row(code=f"31104200120150012{n}", registration=f"梯11鄂F0012{n}(21)") for n in range(3)]
    result = import_rows(rows)
    assert (result.created, result.refused) == (3, 0)
    imported = Elevator.objects.filter(equipment_code__startswith="31104200120150012")
    # Neither taken code, the repeated one once; then the source's next numbers (from 100000).
    assert sorted(imported.values_list("rescue_code", flat=True)) == ["100000", "500002", "500003"]
    codes = list(Elevator.objects.values_list("rescue_code", flat=True))
    assert len(set(codes)) == len(codes) == 5


def test_a_large_import_gives_unique_codes_and_an_update_keeps_them():
    rows = [
        files.row(code=f"3110420012015{n:05d}", registration=f"梯11鄂F{n:05d}(21)") for n in range(1, 1201)
    ]
    assert import_rows(rows).created == 1200  # more than one chunk of the import
    before = dict(Elevator.objects.values_list("equipment_code", "rescue_code"))
    assert len(set(before.values())) == 1200 and all(is_rescue_code(code) for code in before.values())
    rows[0][7] = "樊城区长征路2号"  # the address changes: an update
    assert import_rows(rows).updated == 1
    assert dict(Elevator.objects.values_list("equipment_code", "rescue_code")) == before


def test_the_export_with_its_rescue_codes_imports_again_unchanged(world):
    for _ in range(3):
        ElevatorFactory(district=world.fancheng)
    before = dict(Elevator.objects.values_list("equipment_code", "rescue_code"))
    client = session(world, "city")
    export = client.get("/elevators/export.xlsx")
    result = registry_import(source=io.BytesIO(export.content), filename="e.xlsx", user=SYSTEM, dry_run=False)
    assert (result.rows, result.refused, result.created, result.updated) == (3, 0, 0, 0)
    assert dict(Elevator.objects.values_list("equipment_code", "rescue_code")) == before


# --- rows written without a code: the data migration and the bulk fill ------------------------


def test_the_data_migration_gives_existing_elevators_their_codes():
    for _ in range(3):
        ElevatorFactory()
    Elevator.objects.update(rescue_code=None)
    migration = importlib.import_module("elevators.migrations.0005_rescue_code")
    migration.assign_rescue_codes(apps, None)
    codes = list(Elevator.objects.values_list("rescue_code", flat=True))
    assert len(set(codes)) == 3 and all(is_rescue_code(code) for code in codes)


def test_the_fill_gives_a_code_to_every_elevator_without_one():
    kept = ElevatorFactory(rescue_code="456789")
    for _ in range(4):
        ElevatorFactory(rescue_code=None)
    assert rescue_codes_fill() == 4
    codes = list(Elevator.objects.values_list("rescue_code", flat=True))
    assert len(set(codes)) == 5 and None not in codes
    assert Elevator.objects.get(pk=kept.pk).rescue_code == "456789"
    assert rescue_codes_fill() == 0


# --- the API --------------------------------------------------------------------------------------


def test_the_api_shows_the_code_and_never_takes_one(world):
    elevator = ElevatorFactory(district=world.fancheng)
    client = session(world, "city")
    body = client.get(f"/api/v1/elevators/{elevator.pk}/").json()
    assert body["rescue_code"] == elevator.rescue_code
    response = client.patch(f"/api/v1/elevators/{elevator.pk}/", {"rescue_code": "111111"}, format="json")
    assert response.status_code == 200
    assert Elevator.objects.get(pk=elevator.pk).rescue_code == elevator.rescue_code


def test_the_schema_describes_the_code_as_read_only(schema):
    field = schema["components"]["schemas"]["Elevator"]["properties"]["rescue_code"]
    assert field["readOnly"] is True
    assert "电梯识别码" in field["description"]
    assert "rescue_code" in ElevatorSerializer.Meta.read_only_fields


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_draw_one_after_the_other(monkeypatch):
    """Both writers' random source proposes the same code first; the advisory lock makes the second
    wait for the first to commit and then draw around it, instead of reaching the unique constraint."""
    monkeypatch.setattr(rescue_codes, "_random", Scripted([700000, 700001]))
    elevators = [ElevatorFactory(rescue_code=None), ElevatorFactory(rescue_code=None)]
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def write(elevator):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                rescue_codes_assign(elevators=[elevator])
                elevator.save(update_fields=["rescue_code"])
                time.sleep(0.3)  # hold the transaction open: the other writer must wait
        except Exception as exc:  # the test reports whatever a writer met
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(elevator,)) for elevator in elevators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert set(Elevator.objects.values_list("rescue_code", flat=True)) == {"700000", "700001"}
