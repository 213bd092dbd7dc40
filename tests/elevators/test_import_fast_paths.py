"""The registry import's cheaper paths at scale: the rescue-code draw that counts the codes in use
only in a dense city and asks which are taken in one query, new rows made without the model's
constructor, choice labels translated once per language, and the garbage collector run rarely
while an import runs (restored after)."""

import gc
import io
from datetime import date

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.principal import SYSTEM
from core.xlsx import TableError
from elevators import rescue_codes
from elevators.choices import InspectionResult
from elevators.importing import registry, registry_import
from elevators.importing.applying import new_elevator, new_event
from elevators.models import Elevator, LifecycleEvent
from elevators.models.records import choice_label
from elevators.rescue_codes import RescueCodesExhausted, rescue_codes_draw
from tests.elevators import files
from tests.elevators.factories import ElevatorFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def reference_data(db):
    from django.core.management import call_command

    call_command("loaddata", "xiangyang", verbosity=0)


def run(rows: list[list]):
    return registry_import(
        source=io.BytesIO(files.xlsx(rows)), filename="台账.xlsx", user=SYSTEM, dry_run=False, today=TODAY
    )


# --- the rescue-code draw ---------------------------------------------------------------------


def test_a_draw_for_a_whole_chunk_at_a_city_density_is_one_query_and_counts_nothing():
    held = {ElevatorFactory().rescue_code for _ in range(3)}
    with CaptureQueriesContext(connection) as queries:
        codes = rescue_codes_draw(count=2500, queryset=Elevator.objects.all())
    assert len(codes) == len(set(codes)) == 2500
    assert not held & set(codes)
    assert len(queries.captured_queries) == 1  # 5,016 candidates asked about at once
    assert "COUNT(" not in queries.captured_queries[0]["sql"].upper()


def test_a_dense_city_is_counted_and_its_last_free_codes_are_found(monkeypatch):
    monkeypatch.setattr(rescue_codes, "RESCUE_CODES", range(100000, 100010))
    for number in range(100000, 100007):  # 7 of the 10 codes held
        ElevatorFactory(rescue_code=str(number))
    with CaptureQueriesContext(connection) as queries:
        codes = rescue_codes_draw(count=3, queryset=Elevator.objects.all())
    assert sorted(codes) == ["100007", "100008", "100009"]
    assert sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries) == 1


def test_a_dense_city_without_enough_free_codes_is_refused_by_its_count(monkeypatch):
    monkeypatch.setattr(rescue_codes, "RESCUE_CODES", range(100000, 100010))
    for number in range(100000, 100007):
        ElevatorFactory(rescue_code=str(number))
    with pytest.raises(RescueCodesExhausted, match="^4 rescue codes wanted, 3 free$"):
        rescue_codes_draw(count=4, queryset=Elevator.objects.all())


def test_a_sparse_city_asked_for_more_codes_than_exist_is_refused(monkeypatch):
    monkeypatch.setattr(rescue_codes, "RESCUE_CODES", range(100000, 100010))
    ElevatorFactory(rescue_code="100000")  # 9 free, 12 wanted: the batch is mostly free
    with pytest.raises(RescueCodesExhausted, match="^12 rescue codes wanted, 9 found free$"):
        rescue_codes_draw(count=12, queryset=Elevator.objects.all())


# --- new rows without the constructor ---------------------------------------------------------


def test_a_new_row_is_the_instance_the_constructor_makes():
    district = ElevatorFactory().district
    values = {
        "equipment_code": "311042001201500001",
        "address": "樊城区长征路1号",
        "district_id": district.pk,
    }
    made, constructed = new_elevator(dict(values)), Elevator(**values)
    state = ("_state",)
    assert {k: v for k, v in made.__dict__.items() if k not in state} == {
        k: v for k, v in constructed.__dict__.items() if k not in state
    }
    assert (made._state.adding, made._state.db, made.pk) == (True, None, None)
    assert made.district == district  # read through the descriptor as usual


def test_a_model_with_a_post_init_receiver_is_made_by_its_constructor():
    elevator = ElevatorFactory()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=LifecycleEvent)
    try:
        event = new_event({"occurred_on": TODAY, "kind": LifecycleEvent.Kind.REGISTRATION}, elevator=elevator)
    finally:
        post_init.disconnect(receiver, sender=LifecycleEvent)
    assert seen == [event]
    assert (event.elevator_id, event.elevator, event.kind) == (elevator.pk, elevator, "registration")


# --- labels once per language -----------------------------------------------------------------


def test_a_choice_label_is_kept_per_language():
    with translation.override("zh-hans"):
        assert choice_label(InspectionResult, "pass") == "合格"
    with translation.override("en"):
        assert choice_label(InspectionResult, "pass") == "Passed"
    with translation.override("zh-hans"):
        assert choice_label(InspectionResult, "pass") == "合格"
        assert choice_label(InspectionResult, "no such result") == "no such result"


# --- the garbage collector during an import ---------------------------------------------------


def test_an_import_collects_garbage_rarely_and_restores_the_collector(monkeypatch):
    before = gc.get_threshold()
    during = []
    write_chunk = registry.write_chunk

    def recording(*args, **kwargs):
        during.append(gc.get_threshold())
        return write_chunk(*args, **kwargs)

    monkeypatch.setattr(registry, "write_chunk", recording)
    result = run([files.row(code="311042001201500001")])
    assert (result.created, result.refused) == (1, 0)
    assert during == [(100_000, *before[1:])]
    assert gc.get_threshold() == before


def test_a_file_refused_whole_restores_the_collector():
    before = gc.get_threshold()
    with pytest.raises(TableError):
        registry_import(
            source=io.BytesIO(b"not a workbook"),
            filename="台账.xlsx",
            user=SYSTEM,
            dry_run=False,
            today=TODAY,
        )
    assert gc.get_threshold() == before
