"""A worker killed (SIGKILL) in the middle of building a report (issue 11, "Faults";
docs/decisions/0016): a new worker takes the task back and the month has exactly one report file
and one e-mail. Real worker processes (`celery -A config worker`) on the test's own Redis queue."""

import os

import pytest
from django.db import transaction

from accounts.models import Contact
from core.principal import SYSTEM
from reporting.models import ReportRun, ReportStatus
from reporting.services import month_approve, month_freeze, month_publish, reports_request
from tests.accounts.test_notice_worker import wait_until
from tests.utils.celery import own_queue, through_broker
from tests.utils.workers import mails, worker_process

from .conftest import LAST_MONTH

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def frozen(world, registry):
    """Last month frozen and published without its reports, HOUSING with a contact to mail."""
    Contact.objects.create(organisation=world.orgs["housing"], name="住建联系人", email="h@zj.example.cn")
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    month_approve(user=SYSTEM, frozen_month=frozen)
    month_publish(user=SYSTEM, frozen_month=frozen, reports=False)
    return frozen


def built_and_mailed_once(run, *, media, mailbox) -> None:
    """The run was built on its second attempt: one file on disk, one e-mail carrying it."""
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ReportStatus.DONE, 2)
    assert [p.name for p in (media / "reports").rglob("*.xlsx")] == [run.file.name.rsplit("/", 1)[-1]]
    [message] = mails(mailbox)
    assert message["To"] == "h@zj.example.cn"
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == run.filename


def test_a_report_whose_worker_is_killed_mid_build_is_built_and_mailed_once(frozen, media, tmp_path):
    queue, mailbox, logs = own_queue(), tmp_path / "mail", tmp_path / "logs"

    with through_broker(os.environ["REDIS_URL"], queue=queue):
        with worker_process(
            queue=queue, mailbox=mailbox, logs=logs, pause_at="reporting.reports.build_report"
        ) as first:
            with transaction.atomic():
                [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=["HOUSING"])
            first.wait_paused()
            run.refresh_from_db()
            assert (run.status, run.attempts, run.file.name) == (ReportStatus.RUNNING, 1, "")
            first.kill()

        # the task was received and never acknowledged: a new worker takes it back
        with worker_process(queue=queue, mailbox=mailbox, logs=logs, visibility_timeout=1):
            assert wait_until(
                lambda: ReportRun.objects.filter(pk=run.pk, emailed_at__isnull=False).exists(), 60
            )

    built_and_mailed_once(run, media=media, mailbox=mailbox)


def test_a_report_whose_pool_process_is_killed_is_built_again_by_the_same_worker(frozen, media, tmp_path):
    """A prefork worker's pool process dies (the OOM killer's usual victim): the worker rejects the
    task back to the queue (task_reject_on_worker_lost) and its next pool process builds it."""
    queue, mailbox, logs = own_queue(), tmp_path / "mail", tmp_path / "logs"

    with through_broker(os.environ["REDIS_URL"], queue=queue):
        with worker_process(
            queue=queue, mailbox=mailbox, logs=logs, pause_at="reporting.reports.build_report", pool="prefork"
        ) as worker:
            with transaction.atomic():
                [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=["HOUSING"])
            pool_process = worker.wait_paused()
            assert pool_process != worker.process.pid
            worker.kill(pool_process)
            assert wait_until(
                lambda: ReportRun.objects.filter(pk=run.pk, emailed_at__isnull=False).exists(), 60
            )

    built_and_mailed_once(run, media=media, mailbox=mailbox)
