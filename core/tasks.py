from celery import shared_task

from .services import import_execute


@shared_task(acks_late=True)
def execute_import(import_run_id: int) -> str | None:
    run = import_execute(import_run_id=import_run_id)
    return run.status if run else None
