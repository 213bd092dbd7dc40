"""freeze_month and generate_reports by hand."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reporting.models import FrozenMonth, MonthStatus, Refreeze, ReportRun, ReportStatus
from reporting.tasks import freeze_previous_month

from .conftest import LAST_MONTH

pytestmark = pytest.mark.django_db
MONTH = f"{LAST_MONTH:%Y-%m}"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_freeze_month_freezes_once_and_publishes_on_request(world, registry, media):
    assert "已冻结" in run("freeze_month", "--month", MONTH)
    assert "未改变" in run("freeze_month", "--month", MONTH)
    assert FrozenMonth.objects.get().status == MonthStatus.DRAFT
    run("freeze_month", "--month", MONTH, "--publish")
    assert FrozenMonth.objects.get().status == MonthStatus.PUBLISHED
    run("freeze_month", "--month", MONTH, "--reason", "补录检验结论", "--publish")
    record = Refreeze.objects.get()
    assert record.refrozen_by_label == "command:freeze_month" and record.reason == "补录检验结论"
    with pytest.raises(CommandError):
        run("freeze_month", "--month", "2021/06")


def test_generate_reports_builds_one_or_all_departments(world, registry, media):
    with pytest.raises(CommandError):
        run("generate_reports", "--month", MONTH)  # not frozen yet
    run("freeze_month", "--month", MONTH)
    assert "HOUSING" in run("generate_reports", "--month", MONTH, "--department", "HOUSING")
    assert list(ReportRun.objects.values_list("department", flat=True)) == ["HOUSING"]
    run("generate_reports", "--month", MONTH)
    assert ReportRun.objects.filter(status=ReportStatus.DONE).count() == 8


def test_the_beat_task_freezes_the_month_just_ended_once(world, registry):
    entry = settings.CELERY_BEAT_SCHEDULE["freeze-previous-month"]
    assert entry["task"] == "reporting.tasks.freeze_previous_month"
    assert entry["schedule"].day_of_month == {1}
    first = freeze_previous_month.delay().get()
    assert freeze_previous_month.delay().get() == first
    frozen = FrozenMonth.objects.get()
    assert (frozen.month, frozen.frozen_by_label) == (LAST_MONTH, "task:freeze_previous_month")
