"""The registry demo: `seed_demo --elevators N` and its generator and loaders."""

import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import District, Organisation, User
from demo import registry
from demo.management.commands import seed_demo as seed_demo_command
from elevators.codes import CATEGORIES_BY_CODE, normalise_equipment_code, normalise_registration_number
from elevators.models import Elevator, Inspection, LifecycleEvent, PlaceCategory
from elevators.selectors import elevator_timeline

pytestmark = pytest.mark.django_db

N = 300
SEED = 7
TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def registry_steps_only(monkeypatch):
    """Run seed_demo up to the registry step: the later steps (insurance, ...) have tests of their
    own, and what they write would keep these tests from wiping the registry between runs."""
    steps = seed_demo_command.DEMO_STEPS
    last = next(i for i, (_label, key, _path) in enumerate(steps) if key == "registry")
    monkeypatch.setattr(seed_demo_command, "DEMO_STEPS", steps[: last + 1])


def seed(elevators: int = N, seed: int = SEED) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--elevators", str(elevators), "--seed", str(seed), stdout=out)
    return out.getvalue()


def codes() -> list[str]:
    return list(Elevator.objects.order_by("pk").values_list("equipment_code", flat=True))


def assert_facts_follow_latest_inspection(elevators) -> None:
    latest_first = Inspection.objects.order_by("-inspected_on", "-pk")
    for elevator in elevators.prefetch_related(Prefetch("inspections", queryset=latest_first)):
        latest = elevator.inspections.all()[0]
        assert (elevator.last_inspected_on, elevator.inspection_result, elevator.next_inspection_due) == (
            latest.inspected_on,
            latest.result,
            latest.next_due,
        ), elevator.equipment_code


@pytest.fixture
def seeded():
    seed()
    return Elevator.objects.all()


# --- seed_demo ------------------------------------------------------------------------------


def test_codes_and_registration_numbers_are_valid_unique_and_agree_with_the_category(seeded):
    assert seeded.count() == N
    rows = list(seeded.values_list("equipment_code", "code_form", "category", "registration_number"))
    assert len({code for code, *_ in rows}) == N
    for code, form, category, registration in rows:
        assert normalise_equipment_code(code) == (code, form)
        assert code.startswith(category)
        assert (
            normalise_registration_number(registration, category_code=category, city_letter="F")
            == registration
        )
    forms = Counter(form for _code, form, *_ in rows)
    assert forms["device"] and forms["registration"]  # new device codes and legacy 20-digit ones


def test_elevators_spread_over_every_division_and_place_like_a_city(seeded):
    today = timezone.localdate()
    assert set(seeded.values_list("district", flat=True).distinct()) == set(
        District.objects.values_list("code", flat=True)
    )
    places = Counter(seeded.values_list("place_category", flat=True))
    assert places.most_common(1)[0][0] == "RESIDENTIAL"
    assert set(places) <= set(PlaceCategory.objects.values_list("code", flat=True))
    assert seeded.in_group("escalator").exists()
    assert 0.70 <= seeded.in_scope(on=today).count() / N <= 0.92
    assert 0.10 <= seeded.old(on=today).count() / N <= 0.40
    # A hospital's elevators belong to a hospital; every user unit is a property manager or owner.
    hospitals = seeded.filter(place_category="HOSPITAL", user_unit__isnull=False)
    assert hospitals.exists()
    assert all("医院" in name for name in hospitals.values_list("user_unit__name", flat=True))
    assert set(seeded.exclude(user_unit=None).values_list("user_unit__kind", flat=True)) == {
        "property_manager"
    }
    assert set(
        seeded.exclude(maintenance_company=None).values_list("maintenance_company__kind", flat=True)
    ) == {"maintenance_company"}


def test_each_elevator_keeps_its_latest_inspection_and_has_a_timeline(seeded):
    assert_facts_follow_latest_inspection(seeded)
    registered = set(
        LifecycleEvent.objects.filter(kind=LifecycleEvent.Kind.REGISTRATION).values_list(
            "elevator", flat=True
        )
    )
    assert registered == set(seeded.values_list("pk", flat=True))
    city = User.objects.get(username="samr")  # the city regulator sees every elevator
    lengths = {e.equipment_code: len(elevator_timeline(elevator=e, user=city)) for e in seeded}
    assert max(lengths.values()) >= 5
    assert sum(1 for n in lengths.values() if n >= 5) >= N // 2
    # The first elevator a user meets in each division (the list is ordered by code) has a history.
    for district in District.objects.all():
        first = seeded.filter(district=district).order_by("equipment_code").first()
        assert len(elevator_timeline(elevator=first, user=city)) >= 3, district


def test_out_of_use_elevators_have_a_status_change_on_their_timeline(seeded):
    out_of_use = seeded.exclude(status=Elevator.Status.IN_USE)
    changed = set(
        LifecycleEvent.objects.filter(kind=LifecycleEvent.Kind.STATUS_CHANGE).values_list(
            "elevator", flat=True
        )
    )
    assert set(out_of_use.values_list("pk", flat=True)) == changed


def test_seed_demo_is_deterministic():
    seed()
    first = codes()
    Elevator.objects.all().delete()
    seed()
    assert codes() == first
    Elevator.objects.all().delete()
    seed(seed=SEED + 1)
    assert codes() != first


def test_seed_demo_twice_adds_nothing_and_a_larger_count_adds_the_missing_ones():
    seed()
    first = codes()
    counts = (Inspection.objects.count(), LifecycleEvent.objects.count(), Organisation.objects.count())

    output = seed()

    assert codes() == first
    assert (
        Inspection.objects.count(),
        LifecycleEvent.objects.count(),
        Organisation.objects.count(),
    ) == counts
    assert "未新建" in output

    seed(elevators=N + 50)
    assert Elevator.objects.count() == N + 50
    assert codes()[:N] == first
    # The same as a demo of N + 50 built at once.
    extended = codes()
    Elevator.objects.all().delete()
    seed(elevators=N + 50)
    assert codes() == extended


def test_zero_elevators_gives_the_organisations_alone():
    output = seed(elevators=0)
    assert not Elevator.objects.exists()
    assert not Organisation.objects.filter(name=registry.data.EXTRA_PROPERTY_MANAGERS[0][0]).exists()
    assert "未生成电梯" in output


# --- the generator --------------------------------------------------------------------------


@pytest.fixture
def context():
    seed(elevators=1)  # the organisations of both steps
    return registry.context_load()


def test_the_stream_is_deterministic_and_a_longer_run_begins_with_a_shorter_one(context):
    once = registry.elevators_generate(seed=SEED, context=context, today=TODAY, count=500)
    assert registry.elevators_generate(seed=SEED, context=context, today=TODAY, count=500) == once
    assert registry.elevators_generate(seed=SEED, context=context, today=TODAY, count=200) == once[:200]
    other = registry.elevators_generate(seed=SEED + 1, context=context, today=TODAY, count=500)
    assert [e.equipment_code for e in other] != [e.equipment_code for e in once]


def test_the_stream_keeps_the_citys_proportions_at_scale(context):
    rows = registry.elevators_generate(seed=SEED, context=context, today=TODAY, count=20_000)
    n = len(rows)
    assert len({r.equipment_code for r in rows}) == n

    def share(predicate) -> float:
        return sum(1 for r in rows if predicate(r)) / n

    assert 0.60 <= share(lambda r: r.place_category_id == "RESIDENTIAL") <= 0.70
    assert 0.90 <= share(lambda r: r.status == "in_use") <= 0.96
    assert 0.01 <= share(lambda r: r.status == "scrapped") <= 0.03
    assert (
        0.02
        <= share(
            lambda r: r.user_unit_id is None or r.maintenance_company_id is None or not r.has_repair_funds
        )
        <= 0.05
    )
    in_use = [r for r in rows if r.status == "in_use"]
    overdue = sum(1 for r in in_use if r.next_inspection_due < TODAY) / len(in_use)
    assert 0.05 <= overdue <= 0.11
    assert 0.85 <= share(lambda r: r.inspection_result == "pass") <= 0.95
    escalators = [r for r in rows if CATEGORIES_BY_CODE[r.category].group != "vertical"]
    assert {r.place_category_id for r in escalators} <= {
        "MALL", "BUS_STATION", "DOCK", "HOSPITAL", "MUSEUM", "CULTURE_CENTER", "ART_GALLERY", "EXHIBITION",
        "LIBRARY", "SCENIC", "OFFICE_BUILDING", "OTHER_PUBLIC",
    }  # fmt: skip
    assert share(lambda r: r.code_form == "registration" and r.registered_on.year >= 2016) == 0


def test_history_ends_where_the_elevator_stands(context):
    for row in registry.elevators_generate(seed=SEED, context=context, today=TODAY, count=300):
        inspections, events = registry.elevator_history(row, seed=SEED, today=TODAY)
        assert all(i.inspected_on < row.last_inspected_on for i in inspections)
        assert len(
            {(i.inspected_on, i.kind) for i in inspections} | {(row.last_inspected_on, row.inspection_kind)}
        ) == (len(inspections) + 1)
        assert all(e.occurred_on <= TODAY for e in events)
        assert row.manufactured_on < row.installed_on < row.accepted_on < row.registered_on <= TODAY


# --- the bulk path --------------------------------------------------------------------------


def test_bulk_load_writes_elevators_with_one_inspection_each(context):
    before = Elevator.objects.count()
    result = registry.demo_elevators_bulk_load(count=2000, seed=SEED + 2, today=TODAY)
    assert (result.elevators, result.inspections, result.events) == (2000, 2000, 0)
    assert Elevator.objects.count() == before + 2000
    assert_facts_follow_latest_inspection(Elevator.objects.all())
    for code, form in Elevator.objects.values_list("equipment_code", "code_form")[:500]:
        assert normalise_equipment_code(code) == (code, form)
    assert result.method == ("COPY" if connection.vendor == "postgresql" else "bulk_create")


@pytest.mark.postgres
def test_bulk_load_on_postgresql_copies_and_moves_the_id_sequence_on(context):
    result = registry.demo_elevators_bulk_load(count=2000, seed=SEED + 3, today=TODAY)
    assert result.method == "COPY"
    highest = Elevator.objects.order_by("-pk").values_list("pk", flat=True).first()
    # An elevator created afterwards gets a fresh id from the sequence, not one COPY took (its code
    # is a Wuhan one, which the Xiangyang stream never makes).
    row = registry.elevators_generate(seed=SEED + 4, context=context, today=TODAY, count=1)[0]
    elevator = Elevator.objects.create(**{**row.elevator_fields(), "equipment_code": "31104201002014080025"})
    assert elevator.pk > highest
    # A second load goes on from there.
    registry.demo_elevators_bulk_load(count=10, seed=SEED + 5, today=TODAY)
    assert Elevator.objects.count() == 1 + 2000 + 1 + 10
