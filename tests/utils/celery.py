"""Pointing the project's Celery app at a broker for one test: a closed port (Redis down), or the
real Redis on a queue of the test's own, so that no other worker reading Redis takes its tasks."""

import contextlib
import os
import uuid

from config.celery_app import app

#: Nothing listens here: a broker that is down.
CLOSED_BROKER = "redis://127.0.0.1:6390/0"


def _reset_connections() -> None:
    # The app keeps its connection and producer pools once made; a new URL needs new ones (kombu
    # keeps one pool per URL itself, which the app finds again when it goes back to a URL).
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None  # the result backend, made once (per thread unless thread-safe)
    app._local.__dict__.pop("backend", None)


def own_queue() -> str:
    """A queue name no other test run or worker uses."""
    return f"tibao-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def through_broker(url: str, *, queue: str | None = None):
    """Inside the block, tasks are published to `url` (on `queue`, when given), not run in-process,
    and their results kept there, as with REDIS_URL."""
    conf = app.conf
    previous = conf.broker_url, conf.result_backend, conf.task_default_queue, conf.task_always_eager
    conf.broker_url, conf.result_backend, conf.task_always_eager = url, url, False
    queues = app.amqp.queues
    consumed = queues._consume_from  # a worker started in-process on `queue` narrows it to that one
    if queue:
        conf.task_default_queue = queue
    _reset_connections()
    try:
        yield app
    finally:
        conf.broker_url, conf.result_backend, conf.task_default_queue, conf.task_always_eager = previous
        queues._consume_from = consumed
        if queue:
            queues.pop(queue, None)
        _reset_connections()
