"""Bulk-uploading claims through the real API, measured against PostgreSQL COPY (the limit).

1. Creates a scratch PostgreSQL database (dropped at the end unless --keep), migrates it and loads
   an insurer, its API key, a product and N elevators each covered by a policy of that insurer
   (bulk_create: the setup is not what is measured).
2. Starts the portal with gunicorn on 127.0.0.1 (a free port) against that database.
3. POSTs the claims in batches to /api/v1/claims/bulk/ with the API key (http.client, one request
   at a time per connection; --concurrency connections), checks that every item was created, and
   prints claims per second; then re-sends the first batches, which must all come back unchanged,
   for the rate of the idempotent path, and once more as updates (a reserve changed, the reported
   claims accepted), which must all come back updated.
4. Deletes the claims and loads the same rows into the claims table with COPY FROM STDIN (timed
   from the COPY statement, the rows already formatted), and prints that rate and the ratio.
`make bench` runs it as the figure "claims" (bench_rows); run alone, it prints the same rows.
The gunicorn pieces (start, stop, the CPU of its processes, a POST) are bench.harness.portal's.

Usage: python bench/claims_upload.py [--claims 100000] [--batch 1000] [--elevators 20000]
                                     [--workers 2] [--concurrency 1] [--keep]
Environment: BENCH_PG names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432).
"""

import argparse
import io
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness.portal import (  # noqa: E402
    cpu_seconds,
    database_drop,
    free_port,
    portal_environment,
    portal_pids,
    post_json,
    start_portal,
    stop_portal,
)

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_CLAIMS_DATABASE", "tibao_bench_claims")
RESEND_BATCHES = 10
SECRET = "bench-claims-upload-not-a-secret"


def recreate_database() -> None:
    from bench.harness.seed import database_recreate

    database_recreate(server=SERVER, database=DATABASE)


def environment() -> dict[str, str]:
    return portal_environment(f"{SERVER}/{DATABASE}", secret=SECRET)


def setup_django() -> None:
    os.environ.update(environment())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- the data ---------------------------------------------------------------------------------


def load_world(elevator_count: int, start: date) -> dict:
    """An insurer, its API key, a product, and `elevator_count` elevators each with its own policy."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import District, Organisation, OrganisationKind
    from accounts.services import api_key_create
    from core.principal import SYSTEM
    from elevators.models import Elevator, PlaceCategory
    from insurance.models import InsuranceModel, Policy, PolicyElevator, Product
    from insurance.services import product_version_create

    call_command("migrate", verbosity=0)
    call_command("loaddata", "xiangyang", verbosity=0)
    insurer = Organisation.objects.create(kind=OrganisationKind.INSURER, name="基准保险公司")
    holder = Organisation.objects.create(kind=OrganisationKind.PROPERTY_MANAGER, name="基准物业公司")
    product = Product.objects.create(
        insurer=insurer, code="BENCH", name="电梯安全责任保险", model=InsuranceModel.LIABILITY
    )
    version = product_version_create(
        user=SYSTEM,
        product=product,
        limits={
            "death_disability": Decimal("800000"),
            "medical": Decimal("80000"),
            "property": Decimal("20000"),
        },
        base_premiums={"vertical": Decimal("93.00")},
    )
    districts = list(District.objects.all())
    residential = PlaceCategory.objects.get(code="RESIDENTIAL")
    Elevator.objects.bulk_create(
        (
            Elevator(
                equipment_code=f"3110420012015{n:05d}",
                code_form="device",
                category="3110",
                address=f"基准路{n}号",
                district=districts[n % len(districts)],
                place_category=residential,
                user_unit=holder,
                owner=holder,
            )
            for n in range(elevator_count)
        ),
        batch_size=5000,
    )
    elevators = list(Elevator.objects.order_by("pk"))
    end = start.replace(year=start.year + 1) - timedelta(days=1)
    Policy.objects.bulk_create(
        (
            Policy(
                number=f"BP{n:06d}",
                insurer=insurer,
                product_version=version,
                model=InsuranceModel.LIABILITY,
                policyholder=holder,
                start_date=start,
                end_date=end,
                total_premium=Decimal("93.00"),
                rated_total_premium=Decimal("93.00"),
            )
            for n in range(elevator_count)
        ),
        batch_size=5000,
    )
    policies = list(Policy.objects.order_by("pk"))
    PolicyElevator.objects.bulk_create(
        (
            PolicyElevator(
                policy=p,
                elevator=e,
                premium=Decimal("93.00"),
                rated_premium=Decimal("93.00"),
                model=p.model,
                start_date=start,
                end_date=end,
            )
            for p, e in zip(policies, elevators, strict=True)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _key, raw = api_key_create(organisation=insurer, name="基准测试")
    return {"insurer": insurer, "key": raw, "policies": policies, "elevators": elevators}


def claim_items(count: int, *, policies: list, elevators: list, start: date, today: date) -> list[dict]:
    """`count` claims spread over the policies, in a realistic mix of statuses."""
    rng = random.Random(2021)
    kinds = ["trapping"] * 7 + ["injury", "property_damage", "equipment_damage"]
    span = (today - start).days - 10
    items = []
    for n in range(count):
        day = start + timedelta(days=n * 7 % span)
        item = {
            "claim_number": f"LP{n:07d}",
            "policy_number": policies[n % len(policies)].number,
            "equipment_code": elevators[n % len(elevators)].equipment_code,
            "incident_at": f"{day.isoformat()}T{n % 24:02d}:15:00+08:00",
            "kind": rng.choice(kinds),
            "coverage_item": rng.choice(["medical", "property", "death_disability"]),
            "people_injured": 1 if n % 10 == 8 else 0,
            "amount_claimed": f"{rng.randint(100, 50000)}.00",
            "amount_reserved": f"{rng.randint(100, 50000)}.00",
            "reported_on": day.isoformat(),
            "description": "轿厢困人，维保单位到场救援。",
        }
        roll = n % 20
        later = (day + timedelta(days=3)).isoformat()
        if roll < 3:
            item.update(status="accepted", accepted_on=later)
        elif roll < 5:
            item.update(status="paid", paid_on=later, amount_paid="800.00", advance_payment=roll == 4)
        elif roll == 5:
            item.update(status="closed", closed_on=later)
        items.append(item)
    return items


def changed_items(items: list[dict]) -> list[dict]:
    """`items` sent again as updates: every reserve changed, and the reported claims accepted on
    the day they were reported."""
    changed = []
    for item in items:
        update = {"claim_number": item["claim_number"], "amount_reserved": "4321.00"}
        if item.get("status", "reported") == "reported":
            update.update(status="accepted", accepted_on=item["reported_on"])
        changed.append(update)
    return changed


# --- the API ----------------------------------------------------------------------------------


def upload(port: int, key: str, items: list[dict], *, batch: int, concurrency: int, expect: str) -> float:
    """Send every item in batches; return the seconds taken. Stops at the first unexpected result."""
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]

    def send(chunk: list[dict]) -> dict:
        return post_json(port, "/api/v1/claims/bulk/", key, {"claims": chunk})

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for answer in pool.map(send, batches):
            if answer["counts"][expect] != len(answer["results"]):
                wrong = next(r for r in answer["results"] if r["outcome"] != expect)
                raise SystemExit(f"expected every item {expect}, got {answer['counts']}: {wrong}")
    return time.perf_counter() - began


# --- COPY ---------------------------------------------------------------------------------------


def copy_rows(items: list[dict], world: dict) -> float:
    """Delete the claims, then load the same rows with COPY; return the seconds the load took."""
    from django.db import connection

    from insurance.models import Claim

    policies = {p.number: p.pk for p in world["policies"]}
    elevators = {e.equipment_code: e.pk for e in world["elevators"]}
    columns = [
        "insurer_id", "claim_number", "policy_id", "elevator_id", "incident_at", "kind", "coverage_item",
        "people_injured", "people_dead", "amount_claimed", "amount_reserved", "amount_paid", "advance_payment",
        "status", "reported_on", "accepted_on", "paid_on", "rejected_on", "withdrawn_on", "closed_on",
        "description", "created_at", "updated_at",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Claim._meta.db_table} CASCADE")
    insurer_id = world["insurer"].pk
    now = datetime.now().astimezone().isoformat()
    buffer = io.StringIO()
    for item in items:
        values = [
            insurer_id, item["claim_number"], policies[item["policy_number"]], elevators[item["equipment_code"]],
            item["incident_at"], item["kind"], item["coverage_item"], item.get("people_injured", 0),
            item.get("people_dead", 0), item["amount_claimed"], item["amount_reserved"],
            item.get("amount_paid", "0.00"), "t" if item.get("advance_payment") else "f",
            item.get("status", "reported"), item["reported_on"], item.get("accepted_on"), item.get("paid_on"),
            item.get("rejected_on"), item.get("withdrawn_on"), item.get("closed_on"), item["description"], now, now,
        ]  # fmt: skip
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in values) + "\n")
    buffer.seek(0)
    began = time.perf_counter()  # the load alone: formatting the rows is the client's work
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {Claim._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)
    elapsed = time.perf_counter() - began
    if Claim.objects.count() != len(items):
        raise SystemExit("COPY did not load every row")
    return elapsed


GOAL = 8_000  # claims/s, end to end (issue: faster than a naive DRF many=True + bulk_create)


def measure(*, claims: int, batch: int, elevators: int, workers: int, concurrency: int, keep: bool) -> dict:
    """Run the benchmark on the scratch database DATABASE; the figures as a dict (see the docstring)."""
    load_before = os.getloadavg()[0]
    recreate_database()
    setup_django()
    from django.utils import timezone

    today = timezone.localdate()
    start = today - timedelta(days=300)
    portal = None
    try:
        began = time.perf_counter()
        world = load_world(elevators, start)
        print(f"setup: {elevators:,} elevators and policies in {time.perf_counter() - began:.1f} s")
        items = claim_items(
            claims, policies=world["policies"], elevators=world["elevators"], start=start, today=today
        )
        port = free_port()
        portal = start_portal(port, workers, environment())
        servers = portal_pids(portal)
        cpu_before = cpu_seconds(servers)
        api_seconds = upload(
            port, world["key"], items, batch=batch, concurrency=concurrency, expect="created"
        )
        portal_cpu = cpu_seconds(servers) - cpu_before
        api_rate = claims / api_seconds
        print(f"API bulk create: {claims:,} claims in {api_seconds:.1f} s = {api_rate:,.0f} claims/s")
        print(
            f"  the portal's own CPU: {portal_cpu:.1f} s ({claims / portal_cpu:,.0f} claims per CPU second)"
        )

        resent = items[: RESEND_BATCHES * batch]
        resend_seconds = upload(
            port, world["key"], resent, batch=batch, concurrency=concurrency, expect="unchanged"
        )
        resend_rate = len(resent) / resend_seconds
        print(
            f"API re-send (all unchanged): {len(resent):,} claims in {resend_seconds:.1f} s = {resend_rate:,.0f} claims/s"
        )

        changed = changed_items(resent)
        update_seconds = upload(
            port, world["key"], changed, batch=batch, concurrency=concurrency, expect="updated"
        )
        update_rate = len(changed) / update_seconds
        print(
            f"API update (reserve changed, reported ones accepted): {len(changed):,} claims in "
            f"{update_seconds:.1f} s = {update_rate:,.0f} claims/s"
        )

        from insurance.models import Claim, ClaimStatusChange

        moved = sum(1 for item in resent if item.get("status", "reported") == "reported")
        stored = (Claim.objects.count(), ClaimStatusChange.objects.count())
        if stored != (claims, claims + moved):
            raise SystemExit(f"expected {claims} claims and {claims + moved} status changes, found {stored}")
        stop_portal(portal)
        portal = None

        copy_seconds = copy_rows(items, world)
        copy_rate = claims / copy_seconds
        print(f"COPY: {claims:,} rows in {copy_seconds:.2f} s = {copy_rate:,.0f} rows/s")
        print(f"API / COPY: {api_rate / copy_rate:.1%} (COPY is {copy_rate / api_rate:.0f}x faster)")
    finally:
        if portal is not None:
            stop_portal(portal)
        if not keep:
            database_drop(server=SERVER, database=DATABASE)
    return {
        "claims": claims, "batch": batch, "workers": workers, "concurrency": concurrency,
        "api_seconds": api_seconds, "api_rate": api_rate, "portal_cpu": portal_cpu,
        "resent": len(resent), "resend_seconds": resend_seconds, "resend_rate": resend_rate,
        "updated": len(changed), "update_seconds": update_seconds, "update_rate": update_rate,
        "copy_seconds": copy_seconds, "copy_rate": copy_rate,
        "load": f"{load_before:.1f} → {os.getloadavg()[0]:.1f}",
    }  # fmt: skip


def rows(m: dict) -> list:
    """The figures as bench.harness.rows.Row: the rate beside COPY's, the same per CPU second."""
    from bench.harness.rows import Row

    copy = f"{m['copy_rate']:,.0f} rows/s (COPY FROM STDIN of the same rows, claims table only)"
    per_cpu = m["claims"] / m["portal_cpu"]
    return [
        Row(
            f"bulk claims, {m['batch']:,} per request through gunicorn ({m['workers']} workers, "
            f"{m['concurrency']} in flight), {m['claims']:,} created with full validation, status changes and audit",
            f"{m['api_rate']:,.0f} claims/s",
            copy,
            m["api_rate"] / m["copy_rate"],
            f"≥ {GOAL:,} claims/s",
            m["api_rate"] >= GOAL,
            note=(
                f"load {m['load']}; the portal's own CPU {m['portal_cpu']:.1f} s ({per_cpu:,.0f} claims per CPU "
                "second of gunicorn; PostgreSQL's work comes on top)"
            ),
        ),
        Row(
            f"bulk claims re-sent, {m['resent']:,} all unchanged",
            f"{m['resend_rate']:,.0f} claims/s",
            copy,
            m["resend_rate"] / m["copy_rate"],
        ),
        Row(
            f"bulk claims updated, {m['updated']:,} (each reserve changed, the reported ones accepted: "
            "status changes and audit entries)",
            f"{m['update_rate']:,.0f} claims/s",
            copy,
            m["update_rate"] / m["copy_rate"],
        ),
    ]


def bench_rows(*, database: str, **_) -> list:
    """The harness's figure: 100,000 claims on a scratch database named after the benchmark's."""
    global DATABASE
    DATABASE = f"{database}_run_claims"
    return rows(measure(claims=100_000, batch=1000, elevators=20_000, workers=2, concurrency=1, keep=False))


def figures(database_url: str) -> list[dict]:
    """The figures as dicts (figure, value, limit, ratio, goal, met, note), measured on the scratch
    database `database_url` names (dropped and created again, then dropped)."""
    global SERVER, DATABASE
    SERVER, _sep, DATABASE = database_url.rstrip("/").rpartition("/")
    m = measure(claims=100_000, batch=1000, elevators=20_000, workers=2, concurrency=1, keep=False)
    return [row.as_dict() for row in rows(m)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--elevators", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    m = measure(
        claims=args.claims, batch=args.batch, elevators=args.elevators, workers=args.workers,
        concurrency=args.concurrency, keep=args.keep,
    )  # fmt: skip
    for row in rows(m):
        ratio = "–" if row.ratio is None else f"{row.ratio:.2f}×"
        print(f"| {row.figure} | {row.value} | {row.limit} | {ratio} | {row.goal} |")
        if row.note:
            print(f"  {row.note}")


if __name__ == "__main__":
    main()
