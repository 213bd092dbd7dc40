"""Writing the demo registry: ORM batches with full histories, or bulk loading at benchmark scale.

A demo of thousands goes through `bulk_create` with every elevator's timeline (yearly inspections,
construction notice, registration, rework, status change). A benchmark of a million skips the
history — one inspection per elevator — and streams rows in bounded chunks: PostgreSQL takes them
by COPY FROM STDIN (several times faster than INSERT), other databases by 5,000-row bulk_create;
around the COPY the tables' foreign keys are checked once (demo.bulkload). Their indexes are kept
up to date as the rows go in: the server does that while this process generates the next chunk,
whereas building them after the load added 20 s at a million (at load 4-5). Bulk writes bypass the change
log on purpose: a generated demo has no one to attribute it to.
"""

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from operator import attrgetter
from queue import Full, Queue

from django.db import connection, transaction
from django.utils import timezone

from core.pgcopy import CopyLayout
from demo.bulkload import analyze_tables, foreign_keys_checked_once
from elevators.models import Elevator, Inspection, LifecycleEvent

from .context import RegistryContext, context_load
from .generator import DemoElevator, RegistryStream
from .history import elevator_history

ORM_CHUNK = 2_000  # elevators per round of bulk_create with histories
ORM_BATCH = 1_000
FALLBACK_BATCH = 5_000  # bulk_create batches where COPY is not available
COPY_CHUNK = 20_000  # elevators per COPY round: memory stays bounded whatever N is
PROGRESS_EVERY = 100_000


@dataclass
class LoadResult:
    elevators: int = 0
    inspections: int = 0
    events: int = 0
    seconds: float = 0.0
    method: str = ""

    @property
    def rows(self) -> int:
        return self.elevators + self.inspections + self.events


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _fresh_rows(
    *, seed: int, context: RegistryContext | None, today: date | None, count: int, skip_codes
) -> Iterator[DemoElevator]:
    """The stream's first `count` elevators whose codes are not in the registry yet.

    `skip_codes` names the codes to pass over; None looks them up (only when the registry holds
    any elevator: counters start low, so two seeds' streams share some legacy codes). The database
    is read here, at once; the iterator returned touches nothing but Python objects.
    """
    if skip_codes is None:
        exists = Elevator.objects.exists()
        skip_codes = set(Elevator.objects.values_list("equipment_code", flat=True)) if exists else frozenset()
    stream = RegistryStream(seed=seed, context=context or context_load(), today=today or timezone.localdate())
    return _take(stream, count=count, skip_codes=skip_codes)


def _take(stream: Iterable[DemoElevator], *, count: int, skip_codes) -> Iterator[DemoElevator]:
    taken = 0
    for row in stream:
        if taken >= count:
            return
        if row.equipment_code not in skip_codes:
            taken += 1
            yield row


def _with_pks(elevators: list[Elevator]) -> list[Elevator]:
    """bulk_create sets primary keys on PostgreSQL and SQLite 3.35+; fetch them where it does not."""
    if all(e.pk for e in elevators):
        return elevators
    ids = dict(
        Elevator.objects.filter(equipment_code__in=[e.equipment_code for e in elevators]).values_list(
            "equipment_code", "id"
        )
    )
    for elevator in elevators:
        elevator.pk = ids[elevator.equipment_code]
    return elevators


def _progress(stdout, done: int, count: int, started: float) -> None:
    if stdout is not None and count >= PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == count):
        stdout.write(
            f"    {done:,} / {count:,} 台（{done / max(time.perf_counter() - started, 1e-9):,.0f} 台/秒）"
        )


def demo_elevators_create(
    *,
    count: int,
    seed: int,
    today: date | None = None,
    context: RegistryContext | None = None,
    skip_codes: set[str] | None = None,
    stdout=None,
) -> LoadResult:
    """Create `count` demo elevators with their full timelines, in ORM batches.

    Each elevator's inspection facts are its latest Inspection row's; earlier inspections and the
    lifecycle events come from `elevator_history`.
    """
    today = today or timezone.localdate()
    started = time.perf_counter()
    result = LoadResult(method="bulk_create")
    rows = _fresh_rows(seed=seed, context=context, today=today, count=count, skip_codes=skip_codes)
    for chunk in _chunks(rows, ORM_CHUNK):
        elevators = [Elevator(**row.elevator_fields()) for row in chunk]
        Elevator.objects.bulk_create(elevators, batch_size=ORM_BATCH)
        inspections, events = [], []
        for row, elevator in zip(chunk, _with_pks(elevators), strict=True):
            inspections.append(Inspection(elevator_id=elevator.pk, **row.latest_inspection_fields()))
            earlier, happened = elevator_history(row, seed=seed, today=today)
            inspections += [Inspection(elevator_id=elevator.pk, **vars(i)) for i in earlier]
            events += [LifecycleEvent(elevator_id=elevator.pk, **vars(e)) for e in happened]
        Inspection.objects.bulk_create(inspections, batch_size=ORM_BATCH)
        LifecycleEvent.objects.bulk_create(events, batch_size=ORM_BATCH)
        result.elevators += len(elevators)
        result.inspections += len(inspections)
        result.events += len(events)
    result.seconds = time.perf_counter() - started
    return result


def demo_elevators_bulk_load(
    *,
    count: int,
    seed: int,
    today: date | None = None,
    context: RegistryContext | None = None,
    skip_codes: set[str] | None = None,
    stdout=None,
) -> LoadResult:
    """Load `count` demo elevators with one inspection each, as fast as the database takes them.

    PostgreSQL: COPY FROM STDIN in chunks of COPY_CHUNK elevators; elsewhere bulk_create in
    batches of FALLBACK_BATCH. No lifecycle events and no earlier inspections at this scale.
    """
    started = time.perf_counter()
    rows = _fresh_rows(seed=seed, context=context, today=today, count=count, skip_codes=skip_codes)
    if connection.vendor == "postgresql":
        result = _copy_load(rows, count=count, started=started, stdout=stdout)
    else:
        result = _batched_load(rows, count=count, started=started, stdout=stdout)
    result.seconds = time.perf_counter() - started
    return result


def _batched_load(rows: Iterator[DemoElevator], *, count: int, started: float, stdout) -> LoadResult:
    result = LoadResult(method="bulk_create")
    for chunk in _chunks(rows, FALLBACK_BATCH):
        elevators = [Elevator(**row.elevator_fields()) for row in chunk]
        Elevator.objects.bulk_create(elevators, batch_size=FALLBACK_BATCH)
        Inspection.objects.bulk_create(
            [
                Inspection(elevator_id=elevator.pk, **row.latest_inspection_fields())
                for row, elevator in zip(chunk, _with_pks(elevators), strict=True)
            ],
            batch_size=FALLBACK_BATCH,
        )
        result.elevators += len(chunk)
        result.inspections += len(chunk)
        _progress(stdout, result.elevators, count, started)
    return result


# --- COPY (PostgreSQL) ----------------------------------------------------------------------


def _reserve_ids(cursor) -> tuple[int, str | None]:
    """Lock the elevator table against other writers; return the first free id and the id sequence."""
    quote = connection.ops.quote_name
    table, pk = Elevator._meta.db_table, Elevator._meta.pk.column
    cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")
    first = cursor.fetchone()[0] + 1
    if sequence:
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = max(first, cursor.fetchone()[0])
    return first, sequence


def _in_background(items: Iterator, *, depth: int = 2) -> Iterator:
    """Iterate `items` in a thread, up to `depth` items ahead of the caller.

    Generating rows is Python work and COPY is the database's: with the generator in a thread the
    two overlap (the driver releases the GIL while it waits on the server). `items` must not touch
    the database: the thread has a connection of its own, outside the caller's transaction.
    """
    done = object()
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(done)
        except BaseException as error:  # handed to the caller, raised there
            put(error)

    thread = threading.Thread(target=work, name="demo-registry-rows", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


ELEVATOR_COPY_NAMES = (*DemoElevator.ELEVATOR_FIELDS, "id", "created_at", "updated_at")
INSPECTION_COPY_NAMES = (*DemoElevator.INSPECTION_FIELDS, "elevator_id", "created_at")


def _copy_chunks(
    rows: Iterator[DemoElevator],
    *,
    elevator_line: Callable[[Sequence], str],
    inspection_line: Callable[[Sequence], str],
    first_id: int,
    now: datetime,
) -> Iterator[tuple[int, str, str]]:
    """(elevators, elevator COPY data, inspection COPY data) per chunk of COPY_CHUNK elevators."""
    elevator_values = attrgetter(*DemoElevator.ELEVATOR_FIELDS)
    inspection_values = attrgetter(*DemoElevator.INSPECTION_ATTRIBUTES)
    next_id = first_id
    for chunk in _chunks(rows, COPY_CHUNK):
        elevator_lines, inspection_lines = [], []
        for row in chunk:
            elevator_lines.append(elevator_line((*elevator_values(row), next_id, now, now)))
            inspection_lines.append(inspection_line((*inspection_values(row), next_id, now)))
            next_id += 1
        yield len(chunk), "".join(elevator_lines), "".join(inspection_lines)


def _copy_load(rows: Iterator[DemoElevator], *, count: int, started: float, stdout) -> LoadResult:
    result = LoadResult(method="COPY")
    elevators = CopyLayout(Elevator)
    inspections = CopyLayout(Inspection, omit=("id",))
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        foreign_keys_checked_once(cursor, [Elevator, Inspection]),
    ):
        first_id, sequence = _reserve_ids(cursor)
        chunks = _copy_chunks(
            rows,
            elevator_line=elevators.formatter(ELEVATOR_COPY_NAMES),
            inspection_line=inspections.formatter(INSPECTION_COPY_NAMES),
            first_id=first_id,
            now=timezone.now(),
        )
        for size, elevator_data, inspection_data in _in_background(chunks):
            elevators.copy(cursor, elevator_data)
            inspections.copy(cursor, inspection_data)
            result.elevators += size
            result.inspections += size
            _progress(stdout, result.elevators, count, started)
        if sequence and result.elevators:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + result.elevators - 1])
        analyze_tables(cursor, [Elevator, Inspection])
    return result
