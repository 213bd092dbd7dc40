"""A real Celery worker as a process of its own (`celery -A config worker`), for the fault tests:
on the test's own queue of the Redis at REDIS_URL, on the test database, its e-mail written to a
directory (tests.utils.worker_settings), and killable with SIGKILL in the middle of a task."""

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.accounts.test_notice_worker import wait_until


def _database_url() -> str:
    """The test database (test_<name>), as the worker process must reach it."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, marker: Path, log: Path):
        self.process, self.marker, self.log = process, marker, log

    def wait_paused(self, timeout: float = 60) -> int:
        """Wait until the worker stopped at its pause point; returns the pid that stopped there."""
        ok = wait_until(lambda: self.marker.exists() and self.marker.read_text(), timeout=timeout)
        assert ok, f"the worker never reached its pause point; its log:\n{self.log.read_text()[-3000:]}"
        return int(self.marker.read_text())

    def kill(self, pid: int | None = None) -> None:
        """SIGKILL the worker (or one of its pool processes, `pid`): no warm shutdown, no
        acknowledgement, no clean-up of any kind."""
        if pid is not None and pid != self.process.pid:
            os.kill(pid, signal.SIGKILL)
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def worker_process(
    *,
    queue: str,
    mailbox: Path,
    logs: Path,
    pause_at: str = "",
    visibility_timeout: int | None = None,
    pool: str = "solo",
):
    """Start `celery -A config worker` consuming `queue` (the solo pool: the worker is the process
    running the task; prefork: one pool process runs it); stopped when the block ends."""
    mailbox.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex[:8]
    marker, log = logs / f"paused-{name}", logs / f"worker-{name}.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"},
        "DJANGO_SETTINGS_MODULE": "tests.utils.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "1",
        "TIBAO_TEST_QUEUE": queue,
        "TIBAO_TEST_MAILBOX": str(mailbox),
        "TIBAO_TEST_PAUSE_AT": pause_at,
        "TIBAO_TEST_PAUSE_MARKER": str(marker),
    }
    if visibility_timeout is not None:
        env["TIBAO_TEST_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}", "-Q", queue]
    if pool == "prefork":
        command.append("--concurrency=1")
    command += ["-n", f"fault-{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--loglevel=INFO"]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    worker = WorkerProcess(process, marker, log)
    try:
        yield worker
    finally:
        worker.stop()


def mails(mailbox: Path) -> list[EmailMessage]:
    """The messages the workers wrote to `mailbox`: Django's file backend writes one file per
    connection, each message followed by a line of 79 dashes."""
    separator = "\n" + "-" * 79 + "\n"
    texts = [path.read_text() for path in sorted(mailbox.iterdir())]
    return [
        message_from_string(message, policy=default)
        for text in texts
        for message in text.split(separator)
        if message.strip()
    ]
