"""Loading the demo at benchmark scale on PostgreSQL: what lets a bulk load run at COPY's speed.

Each is used inside the seed's transaction, around a step's writes (the registry's COPY, the
policies' bulk registration): foreign keys checked once at the end instead of row by row, plain
indexes built once at the end instead of kept up to date (the policies'), fresh planner
statistics. They take locks until commit: for seeding and benchmarks, not for a portal in use.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from auditlog.context import disable_auditlog
from django.db import connection

from elevators.models import Elevator

BULK_THRESHOLD = 100_000  # from this many elevators on: the demo is loaded as a bulk load


def is_benchmark_scale() -> bool:
    """Whether the demo being written is a benchmark database (decision 0025): BULK_THRESHOLD
    elevators or more in the registry, on PostgreSQL. Below it, and on SQLite, the demo is written
    and audited like any other writes."""
    return connection.vendor == "postgresql" and Elevator.objects.count() >= BULK_THRESHOLD


@contextmanager
def unaudited_at_benchmark_scale() -> Iterator[None]:
    """No audit entries for what is written inside, at benchmark scale only (decision 0025): a
    generated city has no one's changes to trace."""
    if not is_benchmark_scale():
        yield
        return
    with disable_auditlog():
        yield


FOREIGN_KEYS_SQL = """
    SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
    FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname
"""


@contextmanager
def foreign_keys_checked_once(cursor, models) -> Iterator[None]:
    """Drop the foreign keys of `models`' tables and add them back afterwards, in one transaction.

    Django's foreign keys are deferred: each row COPY writes queues a check per key until commit
    (6 million checks for a million elevators, 15 s here); adding a key back checks every row in one
    join (under a second). Dropping a key locks the tables on both ends until commit: this is for
    seeding and benchmarks, not for a registry in use.
    """
    # A table with checks still queued (rows written earlier in this transaction: the demo's
    # organisations) cannot be altered: run those checks now, as Django's loaddata does.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(FOREIGN_KEYS_SQL, [[m._meta.db_table for m in models]])
    keys = cursor.fetchall()
    for table, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    yield
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


SECONDARY_INDEXES_SQL = """
    SELECT quote_ident(c.relname), pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
    ORDER BY i.indrelid, c.relname
"""
INDEX_BUILD_MEMORY = "256MB"  # maintenance_work_mem for building them again: each sorts in memory


@contextmanager
def secondary_indexes_built_after(cursor, models, *, rows_before: int, rows_added: int) -> Iterator[None]:
    """Drop the plain (non-unique) indexes of `models`' tables and build them again afterwards, in
    one transaction, when the load at least doubles the tables (a first seed: they are empty).

    For a load that waits on the server (the policies' COPY comes after their reads and pricing):
    keeping indexes up to date row by row costs it more than sorting each once at the end. Where
    the server works while the writer prepares the next rows (the registry's COPY), keeping them
    costs nothing extra and building them afterwards would. The unique ones stay, so a duplicate
    is refused as it is written. Like dropping the foreign keys, this locks the tables until
    commit: for seeding and benchmarks only.
    """
    if rows_added < max(rows_before, 1):
        yield
        return
    cursor.execute(SECONDARY_INDEXES_SQL, [[m._meta.db_table for m in models]])
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = %s", [INDEX_BUILD_MEMORY])  # until commit
    for _name, definition in indexes:
        cursor.execute(definition)


def analyze_tables(cursor, models) -> None:
    """Refresh the planner's statistics of `models`' tables inside the loading transaction.

    Autovacuum cannot see rows not yet committed, so until the seed commits the planner would take
    a million-row table for the empty one it last sampled, and pick nested loops over it. ANALYZE
    samples the transaction's own rows (a few seconds for a million).
    """
    quote = connection.ops.quote_name
    for model in models:
        cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
