"""How far a long import has got, as it runs: rows read of the rows in the file, rows refused so far.

`core.services.import_execute` runs an import inside `reporting(run)`; the table helpers
(`core.tabular.open_import_table` and `chunks`) name the import's result with `watch(result)` and
call `report()` after each chunk of rows, so every importer reports progress without knowing it.
Writes are throttled (`PROGRESS_EVERY_SECONDS`). An import runs in one transaction (it is all or
nothing, or rolled back as a dry run), so on PostgreSQL the counts are written on a connection of
their own: other requests (the page polling the run) see them at once. SQLite has one writer and
runs tasks in-process by default: there the counts are written on the import's own connection.
"""

import contextlib
import contextvars
import os
import time
from dataclasses import dataclass, field

import openpyxl
from django.db import connections
from django.utils import timezone

PROGRESS_EVERY_SECONDS = 1.0

_current: contextvars.ContextVar["Reporter | None"] = contextvars.ContextVar("import_progress", default=None)


@dataclass
class Reporter:
    """Writes one import run's progress fields."""

    run_pk: int
    table: str
    every: float
    result: object = None
    last: float = field(default=0.0)
    side: object = None

    def report(self, *, force: bool = False) -> None:
        if self.result is None:
            return
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        self.write(rows_read=self.result.rows, rows_refused=self.result.refused)

    def write(self, **values) -> None:
        values["progress_at"] = timezone.now()
        connection = connections["default"]
        if connection.in_atomic_block and connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection("default")
            connection = self.side
        assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(self.table)} SET {assignments} WHERE id = %s",
                [*values.values(), self.run_pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


@contextlib.contextmanager
def reporting(run, *, every: float | None = None):
    """Report the progress of the import run `run` made inside the block."""
    reporter = Reporter(
        run_pk=run.pk,
        table=run._meta.db_table,
        every=PROGRESS_EVERY_SECONDS if every is None else every,
    )
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)
        reporter.close()


def watch(result) -> None:
    """Name the result object (a TableImportResult: `rows`, `refused`) of the running import."""
    reporter = _current.get()
    if reporter is not None:
        reporter.result = result


def report() -> None:
    """A chunk of rows is done: write the counts of the running import, if it is time to."""
    reporter = _current.get()
    if reporter is not None:
        reporter.report()


def _filled(values) -> bool:
    return any(value is not None and str(value).strip() for value in values)


def count_rows(source, *, filename: str) -> int | None:
    """The data rows of a table file as the import will see them, near enough to show progress:
    the non-blank rows after the first (the header; a title row above it counts as one more).
    None for a format it does not know."""
    extension = os.path.splitext(filename)[1].lower()
    if extension == ".xlsx":
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # stored dimensions are often wrong in other systems' exports
            filled = sum(1 for row in sheet.iter_rows(values_only=True) if _filled(row))
        finally:
            workbook.close()
    elif extension == ".csv":
        filled = sum(1 for line in source if line.strip(b"\r\n\t ,;\xef\xbb\xbf"))
    else:
        return None
    return max(filled - 1, 0)
