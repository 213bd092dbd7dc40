"""The coverage engine against hand-built cases at every edge of DESIGN.md section 3.

Expected figures are counted here from the cases as built (which elevator is in scope, which is
insured on the day), never read back from the engine.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from core.principal import SYSTEM
from elevators.models import ElevatorStatus, InspectionResult, PlaceCategory
from insurance.models import FundingSource, InsuranceModel
from insurance.services import policy_cancel
from reporting.selectors import coverage_by, coverage_forecast, coverage_rate
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.dates import today

pytestmark = pytest.mark.django_db

D = timezone.localdate()


def place(code):
    return PlaceCategory.objects.get(code=code)


def rows(coverage):
    return {row.key: (row.in_scope, row.insured) for row in coverage.rows}


@pytest.fixture
def city(world):
    """Elevators around day D in two districts, with one policy edge each.

    In scope and insured on D: ending_today, both_models (twice, two models), housing_pub.
    In scope, not insured on D: starts_tomorrow, cancelled_today, escalator.
    Not in scope: lapsed (inspection due yesterday), scrapped, unregistered, failed.
    """
    liability = product_version(world.orgs["insurer_a"], model=InsuranceModel.LIABILITY, code="A-L")
    service = product_version(world.orgs["insurer_b"], model=InsuranceModel.INSURANCE_MAINTENANCE, code="B-M")
    fan, xiang = world.fancheng, world.xiangcheng
    e = {
        "ending_today": ElevatorFactory(district=fan),
        "starts_tomorrow": ElevatorFactory(district=fan),
        "cancelled_today": ElevatorFactory(district=fan),
        "both_models": ElevatorFactory(district=xiang),
        "housing_pub": ElevatorFactory(district=xiang, place_category=place("PUBLIC_HOUSING")),
        "escalator": ElevatorFactory(district=fan, category="3310", place_category=place("MALL")),
        "lapsed": ElevatorFactory(district=fan, next_inspection_due=D - timedelta(days=1)),
        "scrapped": ElevatorFactory(district=fan, status=ElevatorStatus.SCRAPPED),
        "unregistered": ElevatorFactory(district=xiang, registration_number=""),
        "failed": ElevatorFactory(district=xiang, inspection_result=InspectionResult.FAIL),
    }
    policy(liability, [e["ending_today"]], start=D - timedelta(days=364), end=D)
    policy(liability, [e["starts_tomorrow"]], start=D + timedelta(days=1))
    cancelled = policy(liability, [e["cancelled_today"]], start=D - timedelta(days=100))
    policy_cancel(user=SYSTEM, policy=cancelled, on=D)
    policy(liability, [e["both_models"]], start=D - timedelta(days=10))
    policy(service, [e["both_models"]], start=D - timedelta(days=10))
    policy(
        service, [e["housing_pub"]], start=D - timedelta(days=10), funding_source=FundingSource.PUBLIC_FINANCE
    )
    # insured but out of scope: the policy must not lift the rate
    policy(liability, [e["lapsed"]], start=D - timedelta(days=10))
    return e


def test_the_total_counts_each_in_scope_elevator_once_and_each_edge_right(world, city):
    coverage = coverage_by(user=world.users["city"], on=D)
    # in scope: 6 (ending_today, starts_tomorrow, cancelled_today, both_models, housing_pub,
    # escalator); insured on D: ending_today, both_models, housing_pub
    assert (coverage.total.in_scope, coverage.total.insured) == (6, 3)
    assert coverage.total.rate == coverage_rate(3, 6) == pytest.approx(0.5)
    # the day after, ending_today is no longer insured and starts_tomorrow is
    after = coverage_by(user=world.users["city"], on=D + timedelta(days=1))
    assert (after.total.in_scope, after.total.insured) == (6, 3)
    # the day before: lapsed is still in scope (its due date counts) and insured, and the cancelled
    # policy's cover ran until then
    before = coverage_by(user=world.users["city"], on=D - timedelta(days=1))
    assert (before.total.in_scope, before.total.insured) == (7, 5)


def test_by_district_and_by_place_category(world, city):
    assert rows(coverage_by(user=world.users["city"], on=D, by="district")) == {
        "420606": (4, 1),  # ending_today, starts_tomorrow, cancelled_today, escalator
        "420602": (2, 2),  # both_models, housing_pub
    }
    assert rows(coverage_by(user=world.users["city"], on=D, by="place_category")) == {
        "RESIDENTIAL": (4, 2),
        "PUBLIC_HOUSING": (1, 1),
        "MALL": (1, 0),
    }
    assert rows(coverage_by(user=world.users["city"], on=D, by="category_group")) == {
        "vertical": (5, 3),
        "escalator": (1, 0),
    }


def test_by_department_counts_public_housing_twice_and_samr_is_the_whole_city(world, city):
    """Every department with a sector has its row, zero included: a report's shape never varies."""
    assert rows(coverage_by(user=world.users["city"], on=D, by="department")) == {
        "SAMR": (6, 3),
        "HOUSING": (5, 3),  # residential 4 + public housing 1
        "FINANCE": (1, 1),  # public housing
        "TRANSPORT": (0, 0),
        "HEALTH": (0, 0),
        "CULTURE": (0, 0),
        "OFFICES": (0, 0),
    }


def test_by_model_insurer_and_source_use_the_slice_total_and_count_an_elevator_under_each(world, city):
    city_user = world.users["city"]
    assert rows(coverage_by(user=city_user, on=D, by="model")) == {
        "liability": (6, 2),  # ending_today, both_models
        "insurance_maintenance": (6, 2),  # both_models, housing_pub
    }
    by_insurer = coverage_by(user=city_user, on=D, by="insurer")
    assert rows(by_insurer) == {
        world.orgs["insurer_a"].credit_code: (6, 2),
        world.orgs["insurer_b"].credit_code: (6, 2),
    }
    assert rows(coverage_by(user=city_user, on=D, by="funding_source")) == {
        "self": (6, 2),
        "public_finance": (6, 1),
    }


def test_visibility_scopes_every_figure_without_configuration(world, city):
    district = coverage_by(user=world.users["district"], on=D, by="district")  # 樊城区
    assert (district.total.in_scope, district.total.insured) == (4, 1)
    assert rows(district) == {"420606": (4, 1)}
    housing = coverage_by(user=world.users["housing"], on=D)
    assert (housing.total.in_scope, housing.total.insured) == (5, 3)
    # an insurer: the elevators it covers, and only its own row by insurer
    insurer_b = coverage_by(user=world.users["insurer_b"], on=D, by="insurer")
    assert (insurer_b.total.in_scope, insurer_b.total.insured) == (2, 2)
    assert rows(insurer_b) == {world.orgs["insurer_b"].credit_code: (2, 2)}
    # a property manager of neither district's elevators sees nothing
    assert coverage_by(user=world.users["pm_xiangcheng"], on=D).total.in_scope == 0
    assert coverage_by(user=world.users["pm_xiangcheng"], on=D).total.rate is None


def test_list_filters_narrow_the_slice_and_a_bad_one_is_refused(world, city):
    residential = coverage_by(user=world.users["city"], on=D, filters={"place_category": "RESIDENTIAL"})
    assert (residential.total.in_scope, residential.total.insured) == (4, 2)
    with pytest.raises(ApplicationError) as refused:
        coverage_by(user=world.users["city"], on=D, filters={"district": "999999"})
    assert refused.value.field == "district"
    with pytest.raises(ApplicationError):
        coverage_by(user=world.users["city"], on=D, by="colour")


def test_the_renewal_cliff_names_the_policies_whose_end_drops_coverage(world, city):
    points, policies = coverage_forecast(user=world.users["city"], on=D, days=(30, 60))
    # on D+30: ending_today's cover is over, starts_tomorrow's has begun; the others run a year
    assert [(p.days, p.figure.in_scope, p.figure.insured) for p in points] == [(30, 6, 3), (60, 6, 3)]
    assert [p.end_date for p in policies] == [D]
    assert policies[0].elevators_ending == 1


def test_a_cliff_policy_counts_only_its_elevators_left_uninsured(world):
    liability = product_version(world.orgs["insurer_a"], model=InsuranceModel.LIABILITY, code="A-L")
    unit = world.orgs["pm_fancheng"]
    renewed, left, left_too, later = (
        ElevatorFactory(district=world.fancheng, user_unit=unit) for _ in range(4)
    )
    day = today()
    ending = policy(
        liability, [renewed, left, left_too], start=day - timedelta(days=300), end=day + timedelta(days=20)
    )
    policy(liability, [renewed], start=day + timedelta(days=21))  # renewed the day after: not a drop
    policy(liability, [later], start=day - timedelta(days=100))  # ends beyond the last horizon
    _points, policies = coverage_forecast(user=world.users["city"], on=day)
    assert [(p.pk, p.elevators_ending) for p in policies] == [(ending.pk, 2)]


def test_cover_from_a_later_day_counts_from_that_day_only(world):
    """Cover from a date after D counts from that date only (start ≤ D ≤ end)."""
    version = product_version(world.orgs["insurer_a"])
    elevator = ElevatorFactory(district=world.fancheng)
    policy(version, [elevator], start=date(D.year + 1, 1, 1))
    assert coverage_by(user=world.users["city"], on=D).total.insured == 0
    assert coverage_by(user=world.users["city"], on=date(D.year + 1, 1, 1)).total.insured == 1
