"""Insurance+maintenance services through the bulk API, measured against PostgreSQL COPY of the
same rows.

1. Creates a scratch PostgreSQL database (dropped first if it exists), migrates it and loads an
   insurer, its API key, an insurance+maintenance product and N elevators, covered by policies of
   that insurer (POLICY_SIZE elevators each; bulk_create: the setup is not what is measured).
2. POSTs the services in batches to /api/v1/services/bulk/ with the API key through the Django test
   client (the whole request: authentication, shape checks, the cover of each elevator on the
   service's date, the audit entries, the JSON answer), checks that every item was created; then
   re-sends the first batches, which must come back unchanged (bench.harness.upload).
3. Deletes the services and loads the same rows (each service and its elevator's link to the
   policy) with COPY FROM STDIN, timed from the first COPY statement; prints the rows of the
   results table.

Usage: python bench/services_upload.py [--services 100000] [--batch 1000] [--elevators 5000]
Environment: BENCH_PG names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432),
BENCH_DATABASE the scratch database (default tibao_bench_services). `make bench` runs it as the
figure "services" (bench_rows).
"""

import os
import sys
from datetime import date, timedelta
from decimal import Decimal
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

DATABASE = os.environ.get("BENCH_DATABASE", "tibao_bench_services")
SERVICES_GOAL = 10_000
POLICY_SIZE = 50  # elevators a policy covers
START = date.today() - timedelta(days=200)  # the policies run a year from here
# The kinds sent, in turn, with the fields of their own (maintenance_quality scores the elevator's
# own maintenance company, found by the service).
KINDS = (
    ("usage_monitoring", {}),
    ("risk_control", {}),
    ("maintenance_quality", {"quality_score": 86}),
    ("training", {"attendance": 12}),
    ("rescue_drill", {"attendance": 8}),
)


def setup(elevators: int) -> dict:
    """The scratch database with an insurer, its API key, and `elevators` elevators covered by its
    insurance+maintenance policies."""
    scratch_database(SERVER, DATABASE)
    from accounts.models import OrganisationKind
    from accounts.services import api_key_create
    from core.principal import SYSTEM
    from elevators.models import Elevator
    from insurance.models import InsuranceModel, Policy, PolicyElevator, Product
    from insurance.services import product_version_create
    from tests.elevators.factories import ElevatorFactory
    from tests.factories import DistrictFactory, OrganisationFactory

    model = InsuranceModel.INSURANCE_MAINTENANCE
    insurer = OrganisationFactory(kind=OrganisationKind.INSURER, name="基准保险公司")
    company = OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY, name="基准维保有限公司")
    holder = OrganisationFactory(kind=OrganisationKind.PROPERTY_MANAGER)
    product = Product.objects.create(insurer=insurer, code="BENCH-IM", name="电梯保险+维保服务", model=model)
    version = product_version_create(
        user=SYSTEM,
        product=product,
        limits={"death_disability": Decimal("800000"), "medical": Decimal("80000")},
        base_premiums={"vertical": Decimal("300.00")},
    )
    built = ElevatorFactory.build_batch(
        elevators,
        district=DistrictFactory(),
        user_unit=holder,
        owner=holder,
        maintenance_company=company,
        rescue_code=None,
    )
    lifts = Elevator.objects.bulk_create(built, batch_size=2_000)
    end = START.replace(year=START.year + 1) - timedelta(days=1)
    policies = Policy.objects.bulk_create(
        Policy(
            number=f"BIM{n:06d}", insurer=insurer, product_version=version, model=model, policyholder=holder,
            start_date=START, end_date=end, total_premium=Decimal("300.00") * POLICY_SIZE,
            rated_total_premium=Decimal("300.00") * POLICY_SIZE,
        )
        for n in range((elevators + POLICY_SIZE - 1) // POLICY_SIZE)
    )  # fmt: skip
    PolicyElevator.objects.bulk_create(
        (
            PolicyElevator(
                policy=policies[n // POLICY_SIZE], elevator=lift, premium=Decimal("300.00"),
                rated_premium=Decimal("300.00"), model=model, start_date=START, end_date=end,
            )
            for n, lift in enumerate(lifts)
        ),
        batch_size=2_000,
    )  # fmt: skip
    _key, raw = api_key_create(organisation=insurer, name="基准")
    analyze()
    return {
        "insurer": insurer,
        "company": company,
        "key": raw,
        "codes": [lift.equipment_code for lift in lifts],
    }


def items(codes: list[str], count: int) -> list[dict]:
    return [
        {
            "service_number": f"S-{n:07d}",
            "kind": KINDS[n % len(KINDS)][0],
            "equipment_code": codes[n % len(codes)],
            "performed_on": (START + timedelta(days=n // len(codes) * 7 % 190)).isoformat(),
            "findings": "按计划完成服务，未发现异常。",
            **KINDS[n % len(KINDS)][1],
        }
        for n in range(count)
    ]


def copy_rows(world: dict, rows: list[dict]) -> float:
    """Seconds to load `rows` (each service and its elevator's link) with COPY, the rows formatted
    beforehand."""
    from django.db import connection
    from django.utils import timezone

    from insurance.models import PolicyElevator
    from maintenance.models import ServiceElevator, ServiceRecord

    covers = dict(PolicyElevator.objects.values_list("elevator__equipment_code", "elevator_id"))
    policies = dict(PolicyElevator.objects.values_list("elevator_id", "policy_id"))
    with connection.cursor() as cursor:  # not the ORM's delete: it would audit every deletion
        cursor.execute(f"TRUNCATE {ServiceElevator._meta.db_table}, {ServiceRecord._meta.db_table} CASCADE")
    now = timezone.now().isoformat()
    insurer, company = world["insurer"].pk, world["company"].pk
    services, links = [], []
    for n, row in enumerate(rows, start=1):
        quality = row.get("quality_score")
        services.append(
            f"{n}\t{insurer}\t{row['service_number']}\t{row['kind']}\t{row['performed_on']}\t\t{row['findings']}\t"
            f"{company if quality is not None else chr(92) + 'N'}\t{quality if quality is not None else chr(92) + 'N'}"
            f"\t\t\t\\N\t\t\\N\t{row.get('attendance', chr(92) + 'N')}\t{now}\t{now}\n"
        )
        elevator = covers[row["equipment_code"]]
        links.append(f"{n}\t{elevator}\t{policies[elevator]}\n")
    columns = (
        "id, insurer_id, service_number, kind, performed_on, site_name, findings, maintenance_company_id, "
        "quality_score, assessment_grade, assessment_conclusion, amount, repayer, repaid, attendance, "
        "created_at, updated_at"
    )
    seconds = copy_seconds(ServiceRecord._meta.db_table, columns, "".join(services))
    seconds += copy_seconds(
        ServiceElevator._meta.db_table, "service_id, elevator_id, policy_id", "".join(links)
    )
    assert ServiceRecord.objects.count() == ServiceElevator.objects.count() == len(rows)
    return seconds


def measure(services: int, batch: int, elevators: int) -> list:
    world = setup(elevators)
    rows = items(world["codes"], services)
    return measured(
        url="/api/v1/services/bulk/", key=world["key"], items_key="services", rows=rows, batch=batch,
        copy=lambda: copy_rows(world, rows),
        what="bulk insurance services (each elevator's cover found on the day, audit entries)",
        unit="services", copy_what="the services and their elevator links", goal=SERVICES_GOAL,
    )  # fmt: skip


def bench_rows(*, database: str, **_) -> list:
    """100,000 services through the bulk API, 1,000 a request, on 5,000 covered elevators, beside
    COPY of the same rows (a scratch database of its own, named after the benchmark database's)."""
    global DATABASE
    DATABASE = f"{database}_run_services"
    return measure(100_000, 1_000, 5_000)


if __name__ == "__main__":
    command_line(__doc__, measure, count="services")
