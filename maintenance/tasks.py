"""Thin Celery wrappers around the maintenance services (see accounts.tasks for the import rule:
the service imports its task at module level, the task imports the service inside)."""

from celery import shared_task
from django.utils import timezone

from core.audit import acting_as


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_regulators_of_hazard(hazard_id: int) -> int:
    """The serious-hazard notice to the regulators (sent once whatever the number of calls)."""
    from .services.hazard_notices import hazard_regulators_notify

    with acting_as("task:notify_regulators_of_hazard"):
        return hazard_regulators_notify(hazard_id=hazard_id)


@shared_task
def escalate_overdue_hazards() -> dict:
    """Daily: escalate open hazards past their deadline, once per hazard and level."""
    from .services.hazard_notices import hazards_escalate

    with acting_as("task:escalate_overdue_hazards"):
        return {str(level): count for level, count in hazards_escalate(on=timezone.localdate()).items()}
