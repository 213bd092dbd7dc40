"""Thin Celery wrappers around reporting's services (the task imports its service inside the
function; the service enqueues the task, as in accounts.tasks)."""

from celery import shared_task
from django.utils import timezone

from core.audit import acting_as
from core.principal import SYSTEM


@shared_task(acks_late=True)
def freeze_previous_month() -> int | None:
    """The beat task of the 1st (Asia/Shanghai): freeze the month that just ended, one task per
    slice then a finishing one (services.month_freeze_in_slices). Returns the frozen month's id
    when it is frozen already (at once when tasks run in-process), else None (queued)."""
    from .models import FrozenMonth
    from .months import previous_month
    from .services import month_freeze_in_slices

    month = previous_month(timezone.localdate())
    if not FrozenMonth.objects.filter(month=month).exists():
        month_freeze_in_slices(user=SYSTEM, month=month)
    return FrozenMonth.objects.filter(month=month).values_list("pk", flat=True).first()


@shared_task(acks_late=True)
def refresh_daily_figures() -> int:
    """The hourly beat task: keep today's coverage figures of every scope for the dashboards."""
    from .services import daily_figures_refresh

    with acting_as("task:refresh_daily_figures"):
        return daily_figures_refresh().pk


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=10, max_retries=3)
def freeze_slice(month: str, key: str) -> list[list]:
    """The figures of one slice of a month on its last day, as rows (a read: safe to repeat)."""
    from datetime import date

    from .months import month_end
    from .services.months import _figures_as_list, slice_figures

    return _figures_as_list(slice_figures(key=key, on=month_end(date.fromisoformat(month))))


@shared_task(acks_late=True)
def freeze_finish(slices: list[list[list]], month: str) -> int:
    """The chord's last step: store every slice's rows as the month, in one transaction (a month
    frozen meanwhile is left as it is)."""
    from datetime import date

    from .services import month_freeze

    rows = [row for figures in slices for row in figures]
    with acting_as("task:freeze_previous_month"):
        frozen, _computed = month_freeze(user=SYSTEM, month=date.fromisoformat(month), figures=rows)
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


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=4
)
def generate_reports(report_run_ids: list[int]) -> list[str]:
    """Build the reports of one scope's departments (services.report_batches) at once; a failure
    is retried with exponential backoff, the runs already done left alone."""
    from .services import reports_generate

    with acting_as("task:generate_report"):
        return [run.status for run in reports_generate(report_run_ids=report_run_ids)]


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_report(report_run_id: int) -> bool:
    from .services import report_email_deliver

    with acting_as("task:email_report"):
        return report_email_deliver(report_run_id=report_run_id)
