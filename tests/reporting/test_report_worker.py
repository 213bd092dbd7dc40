"""The report task really travels through Redis to a Celery worker (no eager shortcut)."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from core.principal import SYSTEM
from reporting.models import ReportRun, ReportStatus
from reporting.services import month_freeze, reports_request
from tests.accounts.test_notice_worker import wait_until

from .conftest import LAST_MONTH

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_report_is_built_by_a_real_worker(world, registry, media, celery_through_broker):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    with start_worker(celery_through_broker, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        with transaction.atomic():
            [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=["HOUSING"])
            # inside the transaction nothing has been queued yet
            assert ReportRun.objects.get(pk=run.pk).status == ReportStatus.PENDING
        assert wait_until(lambda: ReportRun.objects.get(pk=run.pk).status == ReportStatus.DONE, timeout=60)
    run.refresh_from_db()
    assert run.file and len(run.checksum) == 64 and run.attempts == 1


def test_a_month_is_frozen_by_slices_on_a_real_worker(world, registry, celery_through_broker):
    """The beat task queues one task per slice and a finishing one (a chord through Redis); the
    worker stores the month whole, with the figures month_freeze computes in one process."""
    from reporting.models import FrozenMonth
    from reporting.months import freeze_slices
    from reporting.tasks import freeze_previous_month

    assert len(freeze_slices()) > 1
    with start_worker(celery_through_broker, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        assert freeze_previous_month.delay().get(timeout=60) is None  # queued, not yet frozen
        assert wait_until(lambda: FrozenMonth.objects.filter(month=LAST_MONTH).exists(), timeout=60)
        # the beat task again: the month is frozen, nothing is queued
        frozen = FrozenMonth.objects.get()
        assert freeze_previous_month.delay().get(timeout=60) == frozen.pk
    columns = ("scope", "scope_code", "by", "key", "in_scope", "insured")
    by_slices = list(frozen.figures.order_by("pk").values_list(*columns))
    assert frozen.frozen_by_label == "task:freeze_previous_month"
    frozen.delete()
    again, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    assert list(again.figures.order_by("pk").values_list(*columns)) == by_slices
