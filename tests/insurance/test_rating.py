"""Rating: hand-computed examples, half-up to the fen, every factor shown."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from elevators.models import PlaceCategory
from insurance.models import Claim
from insurance.rating import MAINTENANCE_SCORE_SOURCES, quote
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import insurer, policy, product_version

pytestmark = pytest.mark.django_db

START = date(2026, 7, 1)


def test_new_residential_elevator_is_base_times_young_age():
    version = product_version()
    elevator = ElevatorFactory(installed_on=date(2024, 3, 1))  # 2 years old on START
    (line,) = quote(version=version, elevators=[elevator], start=START).lines
    # 93.00 x 0.900 (age 2) x 1 (residential: no row) x 1 (no claims) x 1 (no score) = 83.70
    assert line.premium == Decimal("83.70")
    assert [(f.factor, f.input, f.coefficient) for f in line.factors] == [
        ("age", "2年", Decimal("0.900")),
        ("place", "住宅小区", Decimal("1")),
        ("claims", "0次", Decimal("1")),
        ("maintenance", "无评分", Decimal("1")),
    ]


def test_old_hospital_escalator():
    version = product_version()
    hospital = PlaceCategory.objects.get(code="HOSPITAL")
    elevator = ElevatorFactory(category="3310", place_category=hospital, installed_on=date(2009, 7, 1))
    # 95.00 x 1.300 (17 years) x 1.200 (hospital) = 148.20
    assert quote(version=version, elevators=[elevator], start=START).lines[0].premium == Decimal("148.20")


def test_age_band_edges_use_completed_years():
    version = product_version()
    fifteen = ElevatorFactory(installed_on=date(2011, 7, 1))  # exactly 15 on START: the 15+ band
    fourteen = ElevatorFactory(installed_on=date(2011, 7, 2))  # one day short
    lines = quote(version=version, elevators=[fifteen, fourteen], start=START).by_elevator()
    assert lines[fifteen.pk].premium == Decimal("120.90")  # 93 x 1.3
    assert lines[fourteen.pk].premium == Decimal("93.00")


def test_half_up_rounding_to_the_fen():
    # 33.33 x 1.15 (mall) = 38.3295 -> 38.33; 10.05 x 0.9 x 1.15 = 10.40175 -> 10.40
    version = product_version(bases={"vertical": Decimal("33.33")})
    mall = PlaceCategory.objects.get(code="MALL")
    elevator = ElevatorFactory(place_category=mall, installed_on=date(2016, 1, 1))
    assert quote(version=version, elevators=[elevator], start=START).lines[0].premium == Decimal("38.33")
    version = product_version(bases={"vertical": Decimal("10.05")})
    young = ElevatorFactory(place_category=mall, installed_on=date(2025, 1, 1))
    assert quote(version=version, elevators=[young], start=START).lines[0].premium == Decimal("10.40")
    # a half fen rounds up, never to even: 10.10 x 1.15 = 11.615 -> 11.62
    version = product_version(bases={"vertical": Decimal("10.10")})
    assert quote(version=version, elevators=[elevator], start=START).lines[0].premium == Decimal("11.62")
    # ... also where half-even would round down: 10.30 x 1.15 = 11.845 -> 11.85 (half-even: 11.84)
    version = product_version(bases={"vertical": Decimal("10.30")})
    assert quote(version=version, elevators=[elevator], start=START).lines[0].premium == Decimal("11.85")


def test_claims_in_the_last_three_years_raise_the_premium():
    version = product_version()
    elevator = ElevatorFactory(installed_on=date(2016, 1, 1))
    cover = policy(version, [elevator], start=date(2023, 1, 1), end=date(2025, 12, 31))

    def claim(n, when, status="paid"):
        Claim.objects.create(
            insurer=version.product.insurer, claim_number=f"C{n}", policy=cover, elevator=elevator,
            incident_at=timezone.make_aware(datetime.combine(when, datetime.min.time())), kind="trapping",
            coverage_item="rescue", status=status, reported_on=when,
        )  # fmt: skip

    claim(1, date(2023, 7, 1))  # exactly 3 years before START: counts
    claim(2, date(2023, 6, 30))  # one day earlier: too old
    claim(3, date(2024, 5, 1), status="withdrawn")  # withdrawn: does not count
    line = quote(version=version, elevators=[elevator], start=START).lines[0]
    assert line.factors[2].input == "1次"
    assert line.premium == Decimal("111.60")  # 93 x 1.2


def test_maintenance_score_from_a_registered_source(monkeypatch):
    version = product_version()
    good, bad = ElevatorFactory(installed_on=date(2016, 1, 1)), ElevatorFactory(installed_on=date(2016, 1, 1))
    monkeypatch.setattr(
        "insurance.rating.MAINTENANCE_SCORE_SOURCES",
        [*MAINTENANCE_SCORE_SOURCES, lambda ids, on: {good.pk: Decimal("95"), bad.pk: Decimal("40")}],
    )
    lines = quote(version=version, elevators=[good, bad], start=START).by_elevator()
    assert lines[good.pk].premium == Decimal("83.70")  # 93 x 0.9
    assert lines[bad.pk].premium == Decimal("111.60")  # 93 x 1.2


def test_total_is_the_sum_of_rounded_premiums():
    version = product_version(bases={"vertical": Decimal("10.05")})
    mall = PlaceCategory.objects.get(code="MALL")
    elevators = [ElevatorFactory(place_category=mall, installed_on=date(2025, 1, 1)) for _ in range(3)]
    assert quote(version=version, elevators=elevators, start=START).total == Decimal("31.20")  # 3 x 10.40


def test_a_group_without_base_premium_cannot_be_quoted():
    version = product_version(insurer(), bases={"vertical": Decimal("93")})
    with pytest.raises(ApplicationError) as exc:
        quote(version=version, elevators=[ElevatorFactory(category="3320")], start=START)
    assert "自动人行道" in str(exc.value.message)
