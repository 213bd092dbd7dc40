"""The notice e-mail really travels through Redis to a Celery worker (no eager shortcut)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from accounts.models import Contact, Notice
from accounts.services import notice_send
from config.celery_app import app
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_notice_email_is_sent_by_a_real_worker(celery_through_broker):
    organisation = OrganisationFactory()
    Contact.objects.create(organisation=organisation, name="联系人", email="c@org.example.cn")
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        with transaction.atomic():
            notice = notice_send(organisation=organisation, subject="经由 Redis 的通知")
            # inside the transaction nothing has been queued yet
            assert Notice.objects.get(pk=notice.pk).emailed_at is None
        assert wait_until(lambda: Notice.objects.get(pk=notice.pk).emailed_at is not None)
    assert [m.subject for m in mail.outbox] == ["经由 Redis 的通知"]
