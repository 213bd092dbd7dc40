"""The reports page: the list, download, run now and preview."""

import pytest
from django.urls import reverse

from core.principal import SYSTEM
from reporting.models import ReportRun, ReportStatus
from reporting.services import month_approve, month_freeze, month_publish
from tests.utils.clients import browser

from .conftest import LAST_MONTH

pytestmark = pytest.mark.django_db


def test_the_reports_page_lists_downloads_and_lets_the_city_regulator_run_now(
    world, registry, media, django_capture_on_commit_callbacks
):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    page = browser(world, "city").get(reverse("reports"))
    assert page.status_code == 200 and b'data-testid="reports-run-now"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(world, "city").post(
            reverse("reports-run-now"), {"frozen_month": frozen.pk, "department": "HOUSING"}
        )
    assert response.status_code == 302
    run = ReportRun.objects.get(department="HOUSING")  # built in-process after commit here
    assert run.status == ReportStatus.DONE
    preview = browser(world, "city").get(reverse("report-preview", args=[run.pk]))
    assert preview.status_code == 200 and "汇总".encode() in preview.content
    download = browser(world, "city").get(reverse("report-download", args=[run.pk]))
    assert download.status_code == 200
    # a department: no run-now, no preview, and its reports only once the month is published
    housing = browser(world, "housing")
    assert b"reports-run-now" not in housing.get(reverse("reports")).content
    assert housing.post(reverse("reports-run-now"), {"frozen_month": frozen.pk}).status_code == 403
    assert housing.get(reverse("report-preview", args=[run.pk])).status_code == 403
    assert housing.get(reverse("report-download", args=[run.pk])).status_code == 404
    month_approve(user=SYSTEM, frozen_month=frozen)
    month_publish(user=SYSTEM, frozen_month=frozen)
    assert housing.get(reverse("report-download", args=[run.pk])).status_code == 200
