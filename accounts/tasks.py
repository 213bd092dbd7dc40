from celery import shared_task

from core.audit import acting_as

from .services import notice_email_deliver


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_notice_email(notice_id: int) -> bool:
    with acting_as("task:deliver_notice_email"):
        return notice_email_deliver(notice_id=notice_id)
