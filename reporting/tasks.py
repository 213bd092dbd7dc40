"""Thin Celery wrappers around reporting's services (the task imports its service inside the
function; the service enqueues the task, as in accounts.tasks)."""

from celery import shared_task
from django.utils import timezone

from core.audit import acting_as
from core.principal import SYSTEM


@shared_task(acks_late=True)
def freeze_previous_month() -> int:
    """The beat task of the 1st (Asia/Shanghai): freeze the month that just ended."""
    from .months import previous_month
    from .services import month_freeze

    with acting_as("task:freeze_previous_month"):
        frozen, _computed = month_freeze(user=SYSTEM, month=previous_month(timezone.localdate()))
    return frozen.pk


@shared_task(acks_late=True)
def generate_month_reports(frozen_month_id: int) -> list[int]:
    """Queue the eight departments' reports of a frozen month (published, or asked for by hand)."""
    from .models import FrozenMonth
    from .services import reports_request

    with acting_as("task:generate_month_reports"):
        frozen = FrozenMonth.objects.get(pk=frozen_month_id)
        return [run.pk for run in reports_request(user=SYSTEM, frozen_month=frozen)]


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=4
)
def generate_report(report_run_id: int) -> str:
    """Build one report; a failure is retried with exponential backoff (30 s, 60 s, ...)."""
    from .services import report_generate

    with acting_as("task:generate_report"):
        return report_generate(report_run_id=report_run_id).status


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_report(report_run_id: int) -> bool:
    from .services import report_email_deliver

    with acting_as("task:email_report"):
        return report_email_deliver(report_run_id=report_run_id)
