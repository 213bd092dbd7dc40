"""Maintenance records through the bulk API, measured against PostgreSQL COPY of the same rows.

1. Creates a scratch PostgreSQL database (dropped first if it exists), migrates it and loads a
   maintenance company, its API key and N elevators it maintains (bulk_create: the setup is not
   what is measured).
2. POSTs the records in batches to /api/v1/maintenance-records/bulk/ with the API key through the
   Django test client (the whole request: authentication, shape checks, the service with its flags
   and audit entries, the JSON answer), checks that every item was created; then re-sends the first
   batches, which must come back unchanged (bench.harness.upload).
3. Deletes the records and loads the same rows with COPY FROM STDIN (timed from the COPY statement),
   and prints the rows of the results table (records per second, the limit, the ratio).

Usage: python bench/maintenance_upload.py [--records 100000] [--batch 1000] [--elevators 5000]
Environment: BENCH_PG names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432),
BENCH_DATABASE the scratch database (default tibao_bench_maintenance). `make bench` runs it as the
figure "maintenance" (bench_rows).
"""

import os
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness.upload import (  # noqa: E402
    SERVER,
    analyze,
    command_line,
    copy_seconds,
    measured,
    scratch_database,
)

DATABASE = os.environ.get("BENCH_DATABASE", "tibao_bench_maintenance")
LEVELS = ("half_monthly", "half_monthly", "half_monthly", "quarterly", "half_yearly", "yearly")
RECORDS_GOAL = 10_000


def setup(elevators: int):
    """The scratch database with a maintenance company, its API key and `elevators` elevators it
    maintains; returns (company, their codes, the raw key)."""
    scratch_database(SERVER, DATABASE)
    from accounts.models import OrganisationKind
    from accounts.services import api_key_create
    from elevators.models import Elevator
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
    codes = [e.equipment_code for e in Elevator.objects.bulk_create(built, batch_size=2_000)]
    _key, raw = api_key_create(organisation=company, name="基准")
    analyze()
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
    seconds = copy_seconds(MaintenanceRecord._meta.db_table, columns, text)
    assert MaintenanceRecord.objects.count() == len(rows)
    return seconds


def measure(records: int, batch: int, elevators: int) -> list:
    company, codes, raw = setup(elevators)
    rows = items(codes, records)
    return measured(
        url="/api/v1/maintenance-records/bulk/", key=raw, items_key="records", rows=rows, batch=batch,
        copy=lambda: copy_rows(company, rows), what="bulk maintenance records (each with its flags and audit entries)",
        unit="records", copy_what="records table only", goal=RECORDS_GOAL,
    )  # fmt: skip


def bench_rows(*, database: str, **_) -> list:
    """100,000 maintenance records through the bulk API, 1,000 a request, beside COPY of the same
    rows (a scratch database of its own, named after the benchmark database's). Each item carries
    the four required fields and one worker: it is stored with its two review flags (one worker,
    no on-site evidence) and an audit entry for each of the three rows."""
    global DATABASE
    DATABASE = f"{database}_run_maintenance"
    return measure(100_000, 1_000, 5_000)


if __name__ == "__main__":
    command_line(__doc__, measure, count="records")
