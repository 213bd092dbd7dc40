"""The Celery application. Configuration comes from Django settings (CELERY_* names).

Every task is a core.outbox.OutboxTask: a task the broker cannot take when it is enqueued is kept
in the database and sent later (docs/decisions/0016).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tibao", task_cls="core.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
