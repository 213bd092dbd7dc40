"""One rule for a policy year (start + 1 year − 1 day, 29 February handled) used by quote,
registration, renewal and import; a policy not yet begun is "未生效"; renewal opens
TIBAO_RENEWAL_WINDOW_DAYS before the end."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from core.principal import SYSTEM
from insurance.models import Policy
from insurance.services import policy_default_end, policy_renew
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 2, 29), date(2025, 2, 28)),  # a leap day ends on the 28th
        (date(2025, 3, 1), date(2026, 2, 28)),
        (date(2027, 3, 1), date(2028, 2, 29)),  # the year ends on a leap day
        (date(2023, 3, 1), date(2024, 2, 29)),
        (date(2028, 2, 28), date(2029, 2, 27)),
        (date(2027, 2, 28), date(2028, 2, 27)),
        (date(2026, 1, 31), date(2027, 1, 30)),
        (date(2026, 12, 31), date(2027, 12, 30)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 12, 1), date(2027, 11, 30)),
        (date(2027, 12, 1), date(2028, 11, 30)),  # a year with 29 February in it has 366 days
    ],
)
def test_a_policy_year_ends_the_day_before_the_same_date_a_year_on(start, end):
    assert policy_default_end(start) == end


@pytest.fixture
def open_renewal(settings):
    """Renewal open whatever today is, so that periods far from today can be renewed."""
    settings.TIBAO = {**settings.TIBAO, "RENEWAL_WINDOW_DAYS": 100_000}


def test_a_renewal_is_one_policy_year_as_a_quote_says(world, open_renewal):
    # TB2026120100001 (2026-12-01..2027-11-30) was renewed to 2028-11-29; the quote said 2028-11-30.
    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    elevator = ElevatorFactory(user_unit=world.orgs["pm_fancheng"])
    first = policy(version, [elevator], start=date(2026, 12, 1), number="TB2026120100001")
    assert first.end_date == date(2027, 11, 30)
    quoted = session(world, "insurer_a").post(
        "/api/v1/quotes/",
        {"product": version.product_id, "elevators": [elevator.equipment_code], "start_date": "2027-12-01"},
        format="json",
    )
    assert quoted.status_code == 200, quoted.content
    renewal = policy_renew(user=SYSTEM, policy=first)
    assert (renewal.start_date, renewal.end_date) == (date(2027, 12, 1), date(2028, 11, 30))
    assert quoted.json()["end_date"] == renewal.end_date.isoformat()


@pytest.mark.parametrize(
    ("start", "renewed"),
    [
        (date(2024, 2, 29), (date(2025, 3, 1), date(2026, 2, 28))),
        (date(2027, 3, 1), (date(2028, 3, 1), date(2029, 2, 28))),
        (date(2027, 1, 31), (date(2028, 1, 31), date(2029, 1, 30))),
    ],
)
def test_renewals_at_leap_days_and_month_ends(open_renewal, start, renewed):
    first = policy(product_version(), [ElevatorFactory()], start=start)
    renewal = policy_renew(user=SYSTEM, policy=first)
    assert (renewal.start_date, renewal.end_date) == renewed


def test_renewal_opens_a_set_number_of_days_before_the_end(settings):
    today = timezone.localdate()
    version = product_version()
    later = policy(version, [ElevatorFactory()], start=today - timedelta(days=1))  # ends in 364 days
    assert later.renewal_opens_on == later.end_date - timedelta(days=60)
    assert not later.can_renew(today)
    assert later.can_renew(later.renewal_opens_on) and not later.can_renew(
        later.renewal_opens_on - timedelta(days=1)
    )
    with pytest.raises(ApplicationError) as exc:  # the day it was issued: too early, saying when
        policy_renew(user=SYSTEM, policy=later)
    assert later.renewal_opens_on.isoformat() in str(exc.value.message)
    assert not Policy.objects.filter(renewed_from=later).exists()
    settings.TIBAO = {**settings.TIBAO, "RENEWAL_WINDOW_DAYS": 400}
    assert later.can_renew(today)
    assert policy_renew(user=SYSTEM, policy=later).start_date == later.end_date + timedelta(days=1)


def test_a_policy_ending_within_the_window_may_be_renewed():
    today = timezone.localdate()
    ending = policy(product_version(), [ElevatorFactory()], start=today - timedelta(days=330))
    assert ending.end_date - today < timedelta(days=60)
    assert ending.can_renew(today)
    assert policy_renew(user=SYSTEM, policy=ending).renewed_from == ending


def test_the_renew_action_appears_only_once_renewal_opens(world):
    today = timezone.localdate()
    holder = world.orgs["pm_fancheng"]
    version = product_version(world.orgs["insurer_a"])
    fresh = policy(version, [ElevatorFactory(user_unit=holder)], start=today)
    ending = policy(version, [ElevatorFactory(user_unit=holder)], start=today - timedelta(days=330))
    browser = session(world, "pm_fancheng")
    page = browser.get(f"/policies/{fresh.pk}/").content.decode()
    assert 'data-testid="policy-renew"' not in page
    assert fresh.renewal_opens_on.isoformat() in page  # "自 … 起可以续保"
    assert 'data-testid="policy-renew"' in browser.get(f"/policies/{ending.pk}/").content.decode()
    refused = browser.post(f"/policies/{fresh.pk}/renew/", follow=True)
    assert fresh.renewal_opens_on.isoformat() in refused.content.decode()
    api = with_key(world, "insurer_a").post(f"/api/v1/policies/{fresh.pk}/renew/", {}, format="json")
    assert api.status_code == 400 and fresh.renewal_opens_on.isoformat() in api.json()["detail"]
    assert not Policy.objects.filter(renewed_from=fresh).exists()


def test_a_policy_that_starts_in_the_future_is_not_yet_in_force(world):
    today = timezone.localdate()
    version = product_version(world.orgs["insurer_a"])
    future = policy(
        version, [ElevatorFactory(user_unit=world.orgs["pm_fancheng"])], start=today + timedelta(days=1)
    )
    current = policy(version, [ElevatorFactory(user_unit=world.orgs["pm_fancheng"])], start=today)
    assert future.status == Policy.Status.ACTIVE  # stored status; shown "未生效" until it starts
    assert future.status_label(today) == "未生效" and current.status_label(today) == "有效"
    assert future.status_label(future.start_date) == "有效"
    browser = session(world, "insurer_a")
    detail = browser.get(f"/policies/{future.pk}/").content.decode()
    assert "未生效" in detail
    assert "未生效" not in browser.get(f"/policies/{current.pk}/").content.decode()
    listing = browser.get("/policies/").content.decode()
    assert listing.count("未生效") == 1
    api = with_key(world, "insurer_a").get(f"/api/v1/policies/{future.pk}/").json()
    assert (api["status"], api["status_display"]) == ("active", "未生效")
