"""A worker killed (SIGKILL) while it sends a notice's e-mail (issue 11, "Faults";
docs/decisions/0016): a new worker takes the task back and exactly one e-mail goes out. Real
worker processes (`celery -A config worker`) on the test's own Redis queue, e-mail to files."""

import os

import pytest
from django.db import transaction

from accounts.models import Contact, Notice
from accounts.services import notice_send
from tests.accounts.test_notice_worker import wait_until
from tests.factories import OrganisationFactory
from tests.utils.celery import own_queue, through_broker
from tests.utils.workers import mails, worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SENDING = "django.core.mail.backends.filebased.EmailBackend.send_messages"


def test_a_notice_whose_worker_is_killed_while_sending_is_mailed_once(tmp_path):
    organisation = OrganisationFactory()
    Contact.objects.create(organisation=organisation, name="联系人", email="c@org.example.cn")
    queue, mailbox, logs = own_queue(), tmp_path / "mail", tmp_path / "logs"

    with through_broker(os.environ["REDIS_URL"], queue=queue):
        with worker_process(queue=queue, mailbox=mailbox, logs=logs, pause_at=SENDING) as first:
            with transaction.atomic():
                notice = notice_send(organisation=organisation, subject="工作进程被杀的通知")
            first.wait_paused()  # inside the send, the notice locked and not yet marked e-mailed
            first.kill()
        assert Notice.objects.get(pk=notice.pk).emailed_at is None
        assert mails(mailbox) == []

        with worker_process(queue=queue, mailbox=mailbox, logs=logs, visibility_timeout=1):
            assert wait_until(lambda: Notice.objects.get(pk=notice.pk).emailed_at is not None, timeout=60)

    [message] = mails(mailbox)
    assert (message["To"], message["Subject"]) == ("c@org.example.cn", "工作进程被杀的通知")
