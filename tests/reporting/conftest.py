"""A registry around the last day of the month before this one, which the tests freeze."""

from datetime import timedelta

import pytest
from django.utils import timezone

from elevators.models import PlaceCategory
from insurance.models import FundingSource, InsuranceModel
from reporting.months import month_end, previous_month
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version

LAST_MONTH = previous_month(timezone.localdate())
ON = month_end(LAST_MONTH)  # the day the figures of LAST_MONTH are taken on


def place(code):
    return PlaceCategory.objects.get(code=code)


@pytest.fixture
def registry(world):
    """On ON: 樊城区 has 3 residential elevators in scope (1 insured) and a hospital one insured;
    襄城区 has a public-housing elevator insured with public funds and a residential one uninsured.
    City: 6 in scope, 3 insured. HOUSING (residential + public housing): 5 in scope, 2 insured."""
    liability = product_version(world.orgs["insurer_a"], model=InsuranceModel.LIABILITY, code="A-L")
    service = product_version(world.orgs["insurer_b"], model=InsuranceModel.INSURANCE_MAINTENANCE, code="B-M")
    fan, xiang = world.fancheng, world.xiangcheng
    due = ON + timedelta(days=200)
    e = {
        "fan_insured": ElevatorFactory(district=fan, next_inspection_due=due),
        "fan_open_1": ElevatorFactory(district=fan, next_inspection_due=due),
        "fan_open_2": ElevatorFactory(district=fan, next_inspection_due=due),
        "fan_hospital": ElevatorFactory(
            district=fan, place_category=place("HOSPITAL"), next_inspection_due=due
        ),
        "xiang_housing": ElevatorFactory(
            district=xiang, place_category=place("PUBLIC_HOUSING"), next_inspection_due=due
        ),
        "xiang_open": ElevatorFactory(district=xiang, next_inspection_due=due, site_name="=HYPERLINK(1)"),
    }
    start = ON - timedelta(days=100)
    policy(liability, [e["fan_insured"]], start=start)
    policy(liability, [e["fan_hospital"]], start=start, end=ON + timedelta(days=10))
    policy(service, [e["xiang_housing"]], start=start, funding_source=FundingSource.PUBLIC_FINANCE)
    return e


@pytest.fixture
def media(settings, tmp_path):
    """Report files go to a directory of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
