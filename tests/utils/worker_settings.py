"""Settings of a Celery worker that a fault test starts as a process of its own (tests.utils.workers):
the project's settings, on the test's queue (TIBAO_TEST_QUEUE), with e-mail written to files (a mailbox every process can see) and two
test-only switches from the environment:

- TIBAO_TEST_PAUSE_AT (a dotted name, say reporting.reports.build_report) and
  TIBAO_TEST_PAUSE_MARKER (a file): the worker stops inside that function, writes its pid to the
  marker and sleeps, so that the test knows the task is in the middle and can kill the worker
  (once: with the marker there, the function runs as usual);
- TIBAO_TEST_VISIBILITY_TIMEOUT: seconds after which this worker takes back the tasks another
  worker received and never acknowledged (an hour in production; a second or so here).
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS

# The tasks this worker enqueues (a report's e-mail) go to the test's queue too.
CELERY_TASK_DEFAULT_QUEUE = os.environ["TIBAO_TEST_QUEUE"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["TIBAO_TEST_MAILBOX"]

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("TIBAO_TEST_VISIBILITY_TIMEOUT", 60 * 60)),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


def _pause_inside(dotted: str, marker: str):
    def install(**_kwargs):
        import importlib
        import time

        module_name, *attributes = dotted.split(".")
        target = importlib.import_module(module_name)
        while attributes:  # import the longest module prefix, then walk the attributes
            try:
                target = importlib.import_module(f"{target.__name__}.{attributes[0]}")
            except (ModuleNotFoundError, AttributeError):
                break
            attributes.pop(0)
        owner = target
        for name in attributes[:-1]:
            owner = getattr(owner, name)

        original = getattr(owner, attributes[-1])

        def paused(*args, **kwargs):
            if os.path.exists(marker):  # once: the task delivered again runs through
                return original(*args, **kwargs)
            with open(marker, "w") as handle:
                handle.write(str(os.getpid()))
            time.sleep(600)  # the test kills the worker (or its pool process) here

        setattr(owner, attributes[-1], paused)

    return install


if os.environ.get("TIBAO_TEST_PAUSE_AT"):
    from celery.signals import worker_init

    worker_init.connect(
        _pause_inside(os.environ["TIBAO_TEST_PAUSE_AT"], os.environ["TIBAO_TEST_PAUSE_MARKER"]), weak=False
    )
