"""The risk score on hand-computed cases (weights in docs/decisions/0010-risk-score.md), its panel
on the elevator page, and the rating's maintenance-quality factor fed by the services' scores."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from insurance.rating import quote
from maintenance.models import Hazard, MaintenanceRecord, RescueIncident
from maintenance.selectors.risk import elevator_risk
from maintenance.selectors.service_records import maintenance_quality_scores
from tests.elevators.factories import InspectionFactory
from tests.insurance.factories import product_version
from tests.maintenance.conftest_service_records import cast, service_of  # noqa: F401
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

D = date(2026, 6, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def points(risk) -> dict[str, Decimal]:
    return {part.key: part.points for part in risk.parts}


def maintained(elevator, on):
    MaintenanceRecord.objects.create(
        company=elevator.maintenance_company, record_number=f"R-{on}", elevator=elevator, performed_on=on,
        level="half_monthly",
    )  # fmt: skip


def hazard(elevator, number, severity="general", status="open"):
    Hazard.objects.create(
        reporter=elevator.maintenance_company, hazard_number=number, elevator=elevator, found_on=date(2026, 5, 1),
        found_by="maintenance", severity=severity, criterion="other" if severity == "serious" else "",
        description="门锁异常", status=status,
    )  # fmt: skip


def rescue(elevator, number, day):
    RescueIncident.objects.create(
        reporter=elevator.maintenance_company, rescue_number=number, elevator=elevator,
        alarm_at=datetime.combine(day, datetime.min.time(), SHANGHAI).replace(hour=9),
    )  # fmt: skip


def test_a_young_well_kept_elevator_scores_zero(cast):  # noqa: F811
    elevator = cast.covered
    maintained(elevator, D - timedelta(days=15))  # 15 days ago is still on time
    risk = elevator_risk(elevator=elevator, on=D)
    assert risk.total == Decimal("0.0")
    assert [part.key for part in risk.parts] == [
        "old_elevator", "rescues", "open_hazards", "serious_hazards", "maintenance_state",
        "maintenance_quality", "failed_inspections",
    ]  # fmt: skip


def test_everything_wrong_is_capped_at_each_factors_maximum(cast):  # noqa: F811
    elevator = cast.covered
    elevator.installed_on = date(2011, 6, 30)  # exactly 15 years on D: old
    elevator.save()
    maintained(elevator, D - timedelta(days=16))  # overdue
    for n, day in enumerate([date(2025, 6, 30), date(2025, 12, 1), date(2026, 2, 1), date(2026, 3, 1), D, D]):
        rescue(elevator, f"J-{n}", day)  # six in the 12 months (2025-06-30 is the first day of them)
    rescue(elevator, "J-old", date(2025, 6, 29))  # a day too early
    for n in range(3):
        hazard(elevator, f"H-{n}")
    hazard(elevator, "H-done", status="closed")
    hazard(elevator, "S-1", severity="serious")
    hazard(elevator, "S-2", severity="serious", status="rectifying")
    service_of(cast, "Q-1", kind="maintenance_quality", quality_score=20, performed_on=date(2026, 3, 10))
    InspectionFactory(elevator=elevator, inspected_on=date(2025, 9, 1), result="fail")
    InspectionFactory(elevator=elevator, inspected_on=date(2026, 1, 1), result="fail")
    risk = elevator_risk(elevator=elevator, on=D)
    assert points(risk) == {
        "old_elevator": Decimal("15.0"),
        "rescues": Decimal("20.0"),  # 6 × 5 = 30, capped at 20
        "open_hazards": Decimal("10.0"),  # 3 × 5 = 15, capped at 10
        "serious_hazards": Decimal("20.0"),  # 2 × 20 = 40, capped at 20
        "maintenance_state": Decimal("15.0"),
        "maintenance_quality": Decimal("8.0"),  # (100 − 20) × 0.1
        "failed_inspections": Decimal("10.0"),  # 2 × 10, capped at 10
    }
    assert risk.total == Decimal("98.0")
    values = {part.key: part.value for part in risk.parts}
    assert (values["rescues"], values["serious_hazards"], values["maintenance_quality"]) == (
        "6起",
        "2项",
        "20分",
    )


def test_a_middling_case(cast):  # noqa: F811
    elevator = cast.covered  # installed 5 years ago, no maintenance record at all
    rescue(elevator, "J-1", date(2026, 1, 15))
    hazard(elevator, "H-1")
    service_of(cast, "Q-1", kind="maintenance_quality", quality_score=90, performed_on=date(2026, 1, 10))
    service_of(cast, "Q-2", kind="maintenance_quality", quality_score=65, performed_on=date(2026, 4, 10))
    risk = elevator_risk(elevator=elevator, on=D)
    assert points(risk) == {
        "old_elevator": Decimal("0.0"),
        "rescues": Decimal("5.0"),
        "open_hazards": Decimal("5.0"),
        "serious_hazards": Decimal("0.0"),
        "maintenance_state": Decimal("10.0"),  # no record
        "maintenance_quality": Decimal("3.5"),  # the latest score counts: (100 − 65) × 0.1
        "failed_inspections": Decimal("0.0"),
    }
    assert risk.total == Decimal("23.5")


def test_quality_scores_are_the_latest_within_twelve_months_in_one_query(cast, django_assert_num_queries):  # noqa: F811
    service_of(cast, "Q-1", kind="maintenance_quality", quality_score=90, performed_on=date(2026, 1, 10))
    service_of(cast, "Q-2", kind="maintenance_quality", quality_score=55, performed_on=date(2026, 3, 10))
    service_of(
        cast,
        "Q-3",
        kind="maintenance_quality",
        quality_score=70,
        insurer="insurer_b",
        performed_on=date(2026, 2, 1),
    )
    ids = [cast.covered.pk, cast.other_covered.pk, cast.liability_only.pk]
    with django_assert_num_queries(1):
        scores = maintenance_quality_scores(ids, date(2026, 6, 30))
    assert scores == {cast.covered.pk: Decimal(55), cast.other_covered.pk: Decimal(70)}
    # A year later to the day the March score still counts; a day after, it no longer does.
    assert maintenance_quality_scores(ids, date(2027, 3, 10))[cast.covered.pk] == Decimal(55)
    assert cast.covered.pk not in maintenance_quality_scores(ids, date(2027, 3, 11))
    assert maintenance_quality_scores(ids, date(2026, 3, 9)) == {
        cast.covered.pk: Decimal(90),
        cast.other_covered.pk: Decimal(70),
    }


def maintenance_line(version, elevator, start):
    (line,) = quote(version=version, elevators=[elevator], start=start).lines
    return next(factor for factor in line.factors if factor.factor == "maintenance"), line.premium


def test_the_rating_factor_follows_the_score(cast):  # noqa: F811
    version = product_version(cast.world.orgs["insurer_a"])
    start = date(2026, 7, 1)
    cast.covered.installed_on = date(2016, 1, 1)  # ten years: age ×1.000
    cast.covered.save()
    factor, premium = maintenance_line(version, cast.covered, start)
    assert (factor.input, factor.coefficient, premium) == ("无评分", Decimal("1.000"), Decimal("93.00"))
    service_of(cast, "Q-1", kind="maintenance_quality", quality_score=95, performed_on=date(2026, 3, 10))
    factor, premium = maintenance_line(version, cast.covered, start)
    assert (factor.input, factor.coefficient, premium) == ("95", Decimal("0.900"), Decimal("83.70"))
    service_of(cast, "Q-2", kind="maintenance_quality", quality_score=50, performed_on=date(2026, 5, 10))
    factor, premium = maintenance_line(version, cast.covered, start)
    assert (factor.input, factor.coefficient, premium) == ("50", Decimal("1.200"), Decimal("111.60"))


def test_the_elevator_page_shows_the_score_and_its_parts(cast):  # noqa: F811
    response = browser(cast.world, "pm_fancheng").get(reverse("elevator-detail", args=[cast.covered.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="risk-score"' in html
    assert html.count('data-testid="risk-part"') == 7
    assert "10.0 / 100" in html  # no maintenance record yet: 10 points
