"""The city regulator's page of frozen months and targets."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import FrozenMonth, MonthStatus, Refreeze, Target
from reporting.months import target_on
from tests.utils.clients import browser

from .conftest import LAST_MONTH, ON

pytestmark = pytest.mark.django_db
MONTH = f"{LAST_MONTH:%Y-%m}"


def test_the_city_regulator_freezes_approves_publishes_and_refreezes(
    world, registry, media, django_capture_on_commit_callbacks
):
    city = browser(world, "city")
    assert city.get(reverse("frozen-months")).status_code == 200
    assert city.post(reverse("frozen-month-freeze"), {"month": MONTH}).status_code == 302
    frozen = FrozenMonth.objects.get()
    assert city.post(reverse("frozen-month-publish", args=[frozen.pk])).status_code == 302  # refused: a draft
    assert FrozenMonth.objects.get().status == MonthStatus.DRAFT
    city.post(reverse("frozen-month-approve", args=[frozen.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        city.post(reverse("frozen-month-publish", args=[frozen.pk]))
    assert FrozenMonth.objects.get().status == MonthStatus.PUBLISHED
    city.post(reverse("frozen-month-freeze"), {"month": MONTH, "reason": "补录"})
    assert Refreeze.objects.get().refrozen_by == world.users["city"]
    page = city.get(reverse("frozen-months"))
    assert "补录".encode() in page.content


def test_targets_are_set_in_percent_for_the_city_or_a_district(world):
    city = browser(world, "city")
    city.post(reverse("coverage-target-set"), {"due_on": ON.isoformat(), "percent": "60"})
    city.post(
        reverse("coverage-target-set"), {"due_on": ON.isoformat(), "percent": "65.5", "district": "420606"}
    )
    assert target_on(on=ON) == Decimal("0.6")
    assert target_on(on=ON, district="420606") == Decimal("0.655")
    assert Target.objects.count() == 2


def test_nobody_else_opens_the_page_or_acts(world, registry):
    housing = browser(world, "housing")
    assert housing.get(reverse("frozen-months")).status_code == 403
    assert housing.post(reverse("frozen-month-freeze"), {"month": MONTH}).status_code == 403
    assert (
        housing.post(reverse("coverage-target-set"), {"due_on": "2021-06-30", "percent": "60"}).status_code
        == 403
    )
    assert not FrozenMonth.objects.exists() and not Target.objects.exists()
