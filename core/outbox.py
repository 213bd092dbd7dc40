"""Tasks enqueued while the broker is down are kept, not lost (docs/decisions/0016).

Every task of the project is an `OutboxTask` (config.celery_app names it the app's task class).
When publishing fails because the broker cannot be reached, `apply_async` keeps the task as a
`TaskOutbox` row and returns, so the request that enqueued it (after its commit) answers as usual;
the failure is logged as an error. `outbox_drain` sends the kept tasks once the broker answers.
"""

import logging

from celery import Task, current_app
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


def redis_unreachable(exc: BaseException) -> bool:
    """Whether enqueueing failed because Redis cannot be reached: the broker's publish (kombu's
    OperationalError), or the result backend's subscription that precedes it in a web process
    (a RuntimeError raised from the connection error, once its retries are spent)."""
    if isinstance(exc, OperationalError):
        return True
    cause = exc.__cause__
    return isinstance(exc, RuntimeError) and isinstance(cause, RedisConnectionError | RedisTimeoutError)


class OutboxTask(Task):
    """A Celery task whose publishing falls back to the outbox when the broker is unreachable."""

    def apply_async(self, args=None, kwargs=None, *, outbox: bool = True, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except (OperationalError, RuntimeError) as exc:
            if not outbox or self.app.conf.task_always_eager or not redis_unreachable(exc):
                raise
            kept = _keep(self.name, args, kwargs, exc)
            logger.error("broker unreachable: task %s%s kept as outbox row %s", self.name, kept.args, kept.pk)
            return None


def _keep(name: str, args, kwargs, exc: Exception):
    from .models import TaskOutbox

    return TaskOutbox.objects.create(
        task=name, args=list(args or ()), kwargs=dict(kwargs or {}), last_error=_reason(exc)
    )


def _reason(exc: BaseException) -> str:
    return str(exc.__cause__ if isinstance(exc, RuntimeError) else exc)[:2000]


def outbox_drain(*, limit: int = 1000) -> int:
    """Send the kept tasks, oldest first; returns how many went. Stops at the first that the broker
    still refuses (it stays, its attempt and error noted). A row is deleted in the transaction that
    sent it, and skipped when another drain holds it."""
    from .models import TaskOutbox

    sent = 0
    for pk in TaskOutbox.objects.order_by("pk").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            row = TaskOutbox.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            try:
                current_app.tasks[row.task].apply_async(row.args, row.kwargs, outbox=False)
            except (OperationalError, RuntimeError) as exc:
                if not redis_unreachable(exc):
                    raise
                row.attempts, row.last_error = row.attempts + 1, _reason(exc)
                row.save(update_fields=["attempts", "last_error"])
                logger.warning("broker still unreachable: %s of the outbox left", TaskOutbox.objects.count())
                break
            row.delete()
        sent += 1
    return sent
