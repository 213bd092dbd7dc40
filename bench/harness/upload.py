"""What the bulk-upload figures share: a scratch database of their own, the batches POSTed through
the Django test client with an API key (created, then re-sent unchanged), COPY of the same rows as
the limit, and the two rows of the results table.

A figure (bench/maintenance_upload.py, bench/services_upload.py) brings its world (the
organisation, its API key, the elevators and what else its rules read), its items and the COPY
text of the same rows; the rest is here.
"""

import argparse
import io
import json
import os
import time

from bench.harness.rows import Row

RESEND_BATCHES = 5
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def scratch_database(server: str, database: str) -> None:
    """A fresh database (dropped first if it exists), migrated, with the portal's settings and
    Django pointing at it."""
    from bench.harness.seed import database_recreate

    database_recreate(server=server, database=database)
    os.environ.update(
        DATABASE_URL=f"{server}/{database}",
        DEBUG="0",
        SECRET_KEY="bench-upload-not-a-secret",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def analyze() -> None:
    """Fresh planner statistics for the world just loaded, as a database in use has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def upload(*, url: str, key: str, items_key: str, rows: list[dict], batch: int) -> tuple[float, float]:
    """POST `rows` to `url` in batches of `batch` (`{items_key: [...]}`, the API key `key`), each
    item to be created; then the first RESEND_BATCHES batches again, each item to come back
    unchanged. Returns the seconds of the first pass and the items per second of the second."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def send(first: int, expect: str) -> None:
        part = rows[first : first + batch]
        body = json.dumps({items_key: part})
        response = client.post(url, body, content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code}: {response.content[:500]!r}")
        answer = response.json()
        if answer["counts"][expect] != len(part):
            wrong = next(r for r in answer["results"] if r["outcome"] != expect)
            raise SystemExit(f"expected every item {expect}, got {answer['counts']}: {wrong}")

    began = time.perf_counter()
    for first in range(0, len(rows), batch):
        send(first, "created")
    elapsed = time.perf_counter() - began
    resent = min(RESEND_BATCHES * batch, len(rows))
    began = time.perf_counter()
    for first in range(0, resent, batch):
        send(first, "unchanged")
    return elapsed, resent / (time.perf_counter() - began)


def copy_seconds(table: str, columns: str, text: str) -> float:
    """Seconds to load `text` (COPY text lines of `columns`) into `table` with COPY FROM STDIN."""
    from django.db import connection

    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))
        return time.perf_counter() - began


def measured(
    *, url: str, key: str, items_key: str, rows: list[dict], batch: int, copy, what: str, unit: str,
    copy_what: str, goal: int,
) -> list[Row]:  # fmt: skip
    """Upload `rows` (`upload`), then time `copy()` (COPY of the same rows, in seconds); the
    figure's two rows: the items created through the bulk API at `batch` a request, and
    RESEND_BATCHES batches re-sent, each beside COPY."""
    api_seconds, resend_rate = upload(url=url, key=key, items_key=items_key, rows=rows, batch=batch)
    api_rate, copy_rate = len(rows) / api_seconds, len(rows) / copy()
    limit = f"{copy_rate:,.0f} {unit}/s (COPY FROM STDIN of the same rows, {copy_what})"
    return [
        Row(
            f"{what}, {batch:,} per request through the test client, {len(rows):,} created",
            f"{api_rate:,.0f} {unit}/s",
            limit,
            api_rate / copy_rate,
            f"≥ {goal:,} {unit}/s",
            api_rate >= goal,
        ),
        Row(
            f"{what} re-sent, {min(RESEND_BATCHES * batch, len(rows)):,} all unchanged",
            f"{resend_rate:,.0f} {unit}/s",
            limit,
            resend_rate / copy_rate,
        ),
    ]


def command_line(doc: str, measure, *, count: str) -> None:
    """A figure run by hand: `--<count> N --batch N --elevators N` to `measure(count, batch,
    elevators)`, its rows printed."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(f"--{count}", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--elevators", type=int, default=5_000)
    args = parser.parse_args()
    for row in measure(getattr(args, count), args.batch, args.elevators):
        print(f"{row.figure}: {row.value} ({row.limit}; ratio {row.ratio:.1%})")
    print(f"1-minute load average {os.getloadavg()[0]:.1f}")
