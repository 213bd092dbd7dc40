"""The demo's reporting step: twelve frozen months with coverage rising towards today's."""

import io

import pytest
from django.core.management import call_command

from demo.management.commands import seed_demo as seed_demo_command
from reporting.models import FrozenMonth, MonthStatus, ReportRun, Target

pytestmark = pytest.mark.django_db

STEP = ("月度冻结数据与报表", "reporting", "demo.reporting.build")


@pytest.fixture
def with_reporting_step(monkeypatch):
    steps = [step for step in seed_demo_command.DEMO_STEPS if step[1] not in ("reporting", "maintenance")]
    monkeypatch.setattr(seed_demo_command, "DEMO_STEPS", [*steps, STEP])


def test_the_demo_has_a_year_of_frozen_months_rising_towards_the_target(
    with_reporting_step, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--elevators", "300", stdout=io.StringIO())
    months = list(FrozenMonth.objects.order_by("month"))
    assert len(months) == 12
    assert [m.status for m in months] == [MonthStatus.PUBLISHED] * 11 + [MonthStatus.APPROVED]
    rates = [m.figures.get(scope="city", by="").rate for m in months]
    assert rates[-1] > rates[0]  # the policies started over the past year
    assert Target.objects.for_city().exists()
    # the last published month has its eight reports; the back-filled history none
    assert set(ReportRun.objects.values_list("frozen_month", flat=True)) == {months[-2].pk}
    assert ReportRun.objects.count() == 8
    # seeding again changes nothing
    frozen_at = [m.frozen_at for m in months]
    call_command("seed_demo", "--elevators", "300", stdout=io.StringIO())
    assert [m.frozen_at for m in FrozenMonth.objects.order_by("month")] == frozen_at
