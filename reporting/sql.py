"""Settings for reporting's large reads on PostgreSQL (a month's freeze, a report's queries)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def large_reads(using: str = "default", *, work_mem: str = "64MB") -> Iterator[None]:
    """Inside, the connection `using` reads in a transaction without JIT and with `work_mem` to
    sort and hash in (SET LOCAL: until the outermost transaction ends).

    Measured at 1,000,000 elevators: JIT compiling was 5 of the work list's 19 s and more than
    half of the finance bureau's maintenance states (estimated costs in the millions make
    PostgreSQL optimise and inline), and the default 4 MB sorted the work list and the day's
    covers on disk. Elsewhere than PostgreSQL, only the transaction."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        yield
