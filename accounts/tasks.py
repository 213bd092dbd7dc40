"""Thin Celery wrappers around accounts' services.

The service that enqueues a task imports it at module level; the task imports its service inside
the function (HackSoft's rule for a task ↔ service cycle), so neither module imports the other first.
"""

from celery import shared_task

from core.audit import acting_as


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_notice_email(notice_id: int) -> bool:
    from .services import notice_email_deliver

    with acting_as("task:deliver_notice_email"):
        return notice_email_deliver(notice_id=notice_id)
