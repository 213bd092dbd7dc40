"""Reads of the dashboards, reports and exports on a PostgreSQL replica, when one is configured.

Only the code that asks for it reads from the replica: an entry point (a dashboard view, a report's
builder, an Excel export) runs its reads inside `replica_reads()`, and `ReplicaRouter` sends the
reads made there to the "replica" database alias (settings: DATABASE_REPLICA_URL). Every other read,
and every write anywhere, goes to the primary ("default"): a page that shows what was just saved
must read it back from where it was written, and a streaming replica lags by up to its replay
delay. Without a replica, `replica_reads()` changes nothing.

Some tables are read on the primary even inside `replica_reads()`, because the code that reads them
there has just written them or must see the latest row: sessions, lock-out counters and devices
(the request's own login), job rows (a report run, an import run) and the frozen months and their
figures (reports are built from a month frozen moments before). They are small reads; the heavy
ones, the registry, policies, covers, claims and maintenance, go to the replica.
See docs/decisions for the reasons.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
PRIMARY_APPS = frozenset({"sessions", "axes", "otp_static", "otp_totp", "otp_email", "django_otp"})
PRIMARY_MODELS = frozenset(
    {
        "reporting.reportrun",
        "reporting.frozenmonth",
        "reporting.frozenfigure",
        "reporting.refreeze",
        "core.importrun",
    }
)

_replica_reads: ContextVar[bool] = ContextVar("tibao_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_db() -> str:
    """The alias reads of dashboards, reports and exports use: the replica if configured."""
    return REPLICA if replica_configured() else DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside, ORM reads go to the replica (when configured), but for the PRIMARY_* tables."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """A function view whose reads run inside `replica_reads()` (after the request's own user and
    session are loaded from the primary), its response rendered there too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "user", None) is not None:
            _ = request.user.pk  # the lazy user and its session: loaded on the primary, here
        with replica_reads():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # a template response renders (and reads) here, not after
        return response

    return wrapped


class ReplicaReadsMixin:
    """For a class-based view: the same as `reads_from_replica`."""

    def dispatch(self, request, *args, **kwargs):
        return reads_from_replica(super().dispatch)(request, *args, **kwargs)


class ReplicaRouter:
    """Reads inside `replica_reads()` to the replica, everything else (and every write) to the
    primary; migrations run on the primary alone (the replica streams them)."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read on one may point at one from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
