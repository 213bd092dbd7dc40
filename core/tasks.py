"""Thin Celery wrappers around core's services (the task imports its service inside the function,
as in accounts.tasks: the service enqueues the task)."""

from celery import shared_task

from .audit import acting_as


@shared_task(acks_late=True)
def execute_import(import_run_id: int) -> str | None:
    from .services import import_execute

    run = import_execute(import_run_id=import_run_id)
    return run.status if run else None


@shared_task(acks_late=True)
def drain_task_outbox() -> int:
    """The beat's minute: send the tasks kept while the broker was down (core.outbox)."""
    from .outbox import outbox_drain

    with acting_as("task:drain_task_outbox"):
        return outbox_drain()
