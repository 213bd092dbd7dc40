"""Maintenance records through the bulk API, measured against PostgreSQL COPY of the same rows.

1. Creates a scratch PostgreSQL database (dropped first if it exists), migrates it and loads a
   maintenance company, its API key and N elevators it maintains (bulk_create: the setup is not
   what is measured).
2. POSTs the records in batches to /api/v1/maintenance-records/bulk/ with the API key through the
   Django test client (the whole request: authentication, shape checks, the service with its flags
   and audit entries, the JSON answer), checks that every item was created and prints records per
   second; then re-sends the first batches, which must come back unchanged.
3. Deletes the records and loads the same rows with COPY FROM STDIN (timed from the COPY statement),
   prints that rate and the ratio, and writes the figures to bench/RESULTS.md under
   "## Maintenance records upload".

Usage: python bench/maintenance_upload.py [--records 100000] [--batch 1000] [--elevators 5000]
Environment: BENCH_PG names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432),
BENCH_DATABASE the scratch database (default tibao_bench_maintenance).
"""

import argparse
import io
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "RESULTS.md"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_DATABASE", "tibao_bench_maintenance")
HEADING = "## Maintenance records upload"
RESEND_BATCHES = 5
LEVELS = ("half_monthly", "half_monthly", "half_monthly", "quarterly", "half_yearly", "yearly")


def scratch_database() -> None:
    """A fresh database for the run, and the portal's settings pointing at it."""
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    connection.close()
    os.environ.update(
        DATABASE_URL=f"{SERVER}/{DATABASE}",
        DEBUG="0",
        SECRET_KEY="bench-maintenance-upload-not-a-secret",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
    )


def setup(elevators: int):
    import django

    scratch_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import OrganisationKind
    from accounts.services import api_key_create
    from tests.elevators.factories import ElevatorFactory
    from tests.factories import DistrictFactory, OrganisationFactory

    company = OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY, name="基准维保有限公司")
    district = DistrictFactory()
    user_unit = OrganisationFactory(kind=OrganisationKind.PROPERTY_MANAGER)
    built = ElevatorFactory.build_batch(
        elevators,
        district=district,
        user_unit=user_unit,
        owner=user_unit,
        maintenance_company=company,
        rescue_code=None,
    )
    from elevators.models import Elevator

    codes = [e.equipment_code for e in Elevator.objects.bulk_create(built, batch_size=2_000)]
    _key, raw = api_key_create(organisation=company, name="基准")
    return company, codes, raw


def items(codes: list[str], count: int) -> list[dict]:
    start = date.today() - timedelta(days=400)
    return [
        {
            "record_number": f"B-{n:07d}",
            "equipment_code": codes[n % len(codes)],
            "performed_on": (start + timedelta(days=n // len(codes) * 3 % 390)).isoformat(),
            "level": LEVELS[n % len(LEVELS)],
            "worker_name": "张三",
            "worker_certificate": f"T{n % 997:04d}",
        }
        for n in range(count)
    ]


def upload(raw: str, rows: list[dict], batch: int) -> float:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    began = time.perf_counter()
    for first in range(0, len(rows), batch):
        body = json.dumps({"records": rows[first : first + batch]})
        response = client.post("/api/v1/maintenance-records/bulk/", body, content_type="application/json")
        counts = response.json()["counts"]
        assert counts["created"] == len(rows[first : first + batch]), counts
    elapsed = time.perf_counter() - began
    began = time.perf_counter()
    for first in range(0, RESEND_BATCHES * batch, batch):
        body = json.dumps({"records": rows[first : first + batch]})
        counts = client.post(
            "/api/v1/maintenance-records/bulk/", body, content_type="application/json"
        ).json()["counts"]
        assert counts["unchanged"] == batch, counts
    resend = RESEND_BATCHES * batch / (time.perf_counter() - began)
    return elapsed, resend


def copy_rows(company, rows: list[dict]) -> float:
    """Seconds to load `rows` into the records table with COPY (the rows formatted beforehand)."""
    from django.db import connection
    from django.utils import timezone

    from elevators.models import Elevator
    from maintenance.models import MaintenanceRecord, RecordFlag, RecordItem

    ids = dict(Elevator.objects.filter(maintenance_company=company).values_list("equipment_code", "pk"))
    with connection.cursor() as cursor:  # not the ORM's delete: it would audit 300,000 deletions
        cursor.execute(
            f"TRUNCATE {RecordItem._meta.db_table}, {RecordFlag._meta.db_table}, {MaintenanceRecord._meta.db_table} CASCADE"
        )
    now = timezone.now().isoformat()
    text = "".join(
        f"{company.pk}\t{row['record_number']}\t{ids[row['equipment_code']]}\t{row['performed_on']}\t"
        f"{row['level']}\t{row['worker_name']}\t{row['worker_certificate']}\t\t\t\t\t\t\t{now}\t{now}\n"
        for row in rows
    )
    columns = (
        "company_id, record_number, elevator_id, performed_on, level, worker_name, worker_certificate, "
        "second_worker_name, second_worker_certificate, findings, scan_in_method, review_outcome, review_note, "
        "created_at, updated_at"
    )
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.cursor.copy_expert(
            f"COPY maintenance_maintenancerecord ({columns}) FROM STDIN", io.StringIO(text)
        )
        elapsed = time.perf_counter() - began
    assert MaintenanceRecord.objects.count() == len(rows)
    return elapsed


def write_results(lines: list[str]) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if HEADING in text:
        head, _sep, rest = text.partition(HEADING)
        following = rest.find("\n## ")
        text = head.rstrip() + "\n\n" + rest[following + 1 :] if following >= 0 else head.rstrip() + "\n"
    RESULTS.write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--elevators", type=int, default=5_000)
    args = parser.parse_args()
    company, codes, raw = setup(args.elevators)
    rows = items(codes, args.records)
    api_seconds, resend_rate = upload(raw, rows, args.batch)
    copy_seconds = copy_rows(company, rows)
    api_rate, copy_rate = args.records / api_seconds, args.records / copy_seconds
    lines = [
        HEADING,
        "",
        f"`python bench/maintenance_upload.py --records {args.records} --batch {args.batch} --elevators "
        f"{args.elevators}` ({date.today().isoformat()}; Django test client in one process, PostgreSQL, 2-core machine "
        f"shared with other work, 1-minute load average {os.getloadavg()[0]:.1f} at the end). Each item carries the four "
        "required fields and one worker: it is stored with its two review flags (one worker, no on-site evidence) and an "
        "audit entry for each of the three rows, so the API writes six rows where COPY writes one.",
        "",
        "| figure | value | limit (COPY) | ratio |",
        "|---|---|---|---|",
        f"| records/s through the bulk API | {api_rate:,.0f} | {copy_rate:,.0f} | {api_rate / copy_rate:.1%} |",
        f"| seconds for {args.records:,} records | {api_seconds:,.1f} | {copy_seconds:,.2f} | {copy_seconds / api_seconds:.1%} |",
        f"| records/s re-sent (unchanged) | {resend_rate:,.0f} | {copy_rate:,.0f} | {resend_rate / copy_rate:.1%} |",
    ]
    write_results(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()


# --- the harness's part (bench/run.py): rows of the results table ------------------------------

RECORDS_GOAL = 10_000


def bench_rows(*, database: str, **_) -> list:
    """100,000 maintenance records through the bulk API, 1,000 a request, beside COPY of the same
    rows (a scratch database of its own, named after the benchmark database's)."""
    from bench.harness.rows import Row

    global DATABASE
    DATABASE = f"{database}_run_maintenance"
    records, batch, elevators = 100_000, 1_000, 5_000
    company, codes, raw = setup(elevators)
    rows = items(codes, records)
    api_seconds, resend_rate = upload(raw, rows, batch)
    copy_seconds = copy_rows(company, rows)
    api_rate, copy_rate = records / api_seconds, records / copy_seconds
    copy = f"{copy_rate:,.0f} records/s (COPY FROM STDIN of the same rows, records table only)"
    return [
        Row(
            f"bulk maintenance records, {batch:,} per request through the test client, {records:,} created "
            "(flags and audit entries)",
            f"{api_rate:,.0f} records/s",
            copy,
            api_rate / copy_rate,
            f"≥ {RECORDS_GOAL:,} records/s",
            api_rate >= RECORDS_GOAL,
        ),
        Row(
            f"bulk maintenance records re-sent, {RESEND_BATCHES * batch:,} all unchanged",
            f"{resend_rate:,.0f} records/s",
            copy,
            resend_rate / copy_rate,
        ),
    ]


def figures(database_url: str) -> list[dict]:
    """The figures as dicts (figure, value, limit, ratio, goal, met, note), measured on a scratch
    database beside `database_url` (the same server; `database_url` itself is not touched)."""
    global SERVER
    SERVER, _sep, name = database_url.rstrip("/").rpartition("/")
    return [row.as_dict() for row in bench_rows(database=name)]
