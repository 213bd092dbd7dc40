"""Registry scale: bulk-load N demo elevators into a scratch PostgreSQL database and time it.

1. the load: the registry step of `seed_demo --elevators N` (its COPY path: elevators and one
   inspection each, in one transaction), in rows per second, after `seed_demo --elevators 0` has
   made the organisations;
2. the limit: the same number of elevator and inspection rows written by INSERT ... SELECT
   generate_series into copies of the two tables (same columns and indexes, no foreign keys),
   and the ratio of the two;
3. reads at that scale, after ANALYZE: `Elevator.objects.in_scope(on=today).count()` and the
   in-scope count grouped by district (median of --repeat runs), with EXPLAIN ANALYZE of the
   grouped count.

Usage (the database must be a scratch one; --reset empties its registry first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tibao_bench DEBUG=1 \\
        .venv/bin/python bench/seed_scale.py --elevators 1000000 [--reset] [--seed 2021] [--repeat 5]
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import OutputWrapper  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import District, Organisation  # noqa: E402
from core.audit import acting_as  # noqa: E402
from demo import registry as registry_demo  # noqa: E402
from demo.management.commands.seed_demo import step_rng  # noqa: E402
from elevators.models import Elevator, Inspection, PlaceCategory  # noqa: E402

RAW_ELEVATOR = "bench_raw_elevator"
RAW_INSPECTION = "bench_raw_inspection"


def seconds(function) -> tuple[float, object]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def median_seconds(function, repeat: int) -> tuple[float, object]:
    runs = [seconds(function) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


# --- the limit: INSERT ... SELECT generate_series ------------------------------------------


def literal_array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values) + "]"


def raw_expressions(model, *, overrides: dict[str, str]) -> tuple[list[str], list[str]]:
    """Columns and a generate_series expression (of i) for each: the overrides, else a constant
    of the column's type, so that the row has the width and indexes of the real one."""
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in overrides:
            expressions.append(overrides[field.attname])
        elif field.null:
            expressions.append("NULL")
        elif isinstance(field, models.BooleanField):
            expressions.append("true")
        elif isinstance(field, models.DateTimeField):
            expressions.append("now()")
        elif isinstance(field, models.DateField):
            expressions.append("current_date")
        elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            expressions.append("0")
        else:
            expressions.append("'x'")
    return columns, expressions


def raw_limit(count: int, *, indexes: bool = True) -> float:
    """Seconds to write `count` elevators and `count` inspections by INSERT ... SELECT generate_series
    into copies of the tables: with all their indexes, or (indexes=False) with none at all."""
    organisations = list(Organisation.objects.filter(kind="property_manager").values_list("id", flat=True))
    maintainers = list(Organisation.objects.filter(kind="maintenance_company").values_list("id", flat=True))
    districts = list(District.objects.values_list("code", flat=True))
    places = list(PlaceCategory.objects.values_list("code", flat=True))
    elevator_columns, elevator_values = raw_expressions(
        Elevator,
        overrides={
            "id": "i",
            "equipment_code": "'3110' || lpad(i::text, 14, '0')",
            "code_form": "'device'",
            "registration_number": "'梯11鄂F' || lpad((i % 100000)::text, 5, '0') || '(' || lpad((i % 28)::text, 2, '0') || ')'",
            "registered_on": "date '1998-03-01' + (i % 10000)",
            "category": "'3110'",
            "manufacturer": "'三菱电机上海机电电梯有限公司'",
            "model_number": "'ELENESSA'",
            "factory_serial": "'SM' || lpad(i::text, 9, '0')",
            "manufactured_on": "date '1997-12-01' + (i % 10000)",
            "installed_on": "date '1998-01-01' + (i % 10000)",
            "site_name": "'华洋堤'",
            "address": "'襄阳市樊城区沿江大道66号华洋堤' || (i % 20) || '栋1号梯'",
            "district_id": f"({literal_array(districts)})[1 + i % {len(districts)}]",
            "place_category_id": f"({literal_array(places)})[1 + i % {len(places)}]",
            "user_unit_id": f"({literal_array(organisations)})[1 + i % {len(organisations)}]",
            "owner_id": f"({literal_array(organisations)})[1 + i % {len(organisations)}]",
            "maintenance_company_id": f"({literal_array(maintainers)})[1 + i % {len(maintainers)}]",
            "status": "CASE WHEN i % 100 < 93 THEN 'in_use' WHEN i % 100 < 97 THEN 'suspended' ELSE 'scrapped' END",
            "last_inspected_on": "current_date - (i % 540)",
            "inspection_result": "CASE WHEN i % 20 = 0 THEN 'fail' ELSE 'pass' END",
            "next_inspection_due": "current_date - (i % 540) + 365",
        },
    )
    inspection_columns, inspection_values = raw_expressions(
        Inspection,
        overrides={
            "id": "i",
            "elevator_id": "i",
            "inspected_on": "current_date - (i % 540)",
            "kind": "'periodic'",
            "result": "CASE WHEN i % 20 = 0 THEN 'fail' ELSE 'pass' END",
            "next_due": "current_date - (i % 540) + 365",
            "inspection_body": "'湖北省特种设备检验检测研究院襄阳分院'",
            "report_number": "'DT2026-' || lpad(i::text, 7, '0')",
        },
    )
    elevator_table = connection.ops.quote_name(Elevator._meta.db_table)
    inspection_table = connection.ops.quote_name(Inspection._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_ELEVATOR}, {RAW_INSPECTION}")
        like = "INCLUDING ALL" if indexes else "INCLUDING DEFAULTS"
        cursor.execute(f"CREATE TABLE {RAW_ELEVATOR} (LIKE {elevator_table} {like})")
        cursor.execute(f"CREATE TABLE {RAW_INSPECTION} (LIKE {inspection_table} {like})")

    def load() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns, values in (
                (RAW_ELEVATOR, elevator_columns, elevator_values),
                (RAW_INSPECTION, inspection_columns, inspection_values),
            ):
                # No parameters: the expressions hold "%" (modulo), which the driver would read as one.
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"SELECT {', '.join(values)} FROM generate_series(1, {int(count)}) AS i"
                )

    try:
        elapsed, _ = seconds(load)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW_ELEVATOR}, {RAW_INSPECTION}")
    return elapsed


# --- the run --------------------------------------------------------------------------------


def measure(*, elevators: int, seed: int = 2021, repeat: int = 5, reset: bool = False) -> dict:
    """The registry step at `elevators`, its limit and the reads (see the docstring), as a dict."""
    if connection.vendor != "postgresql":
        sys.exit("seed_scale needs PostgreSQL: DATABASE_URL=postgres://.../<scratch database>")
    print(f"数据库 {connection.settings_dict['NAME']}；电梯 {elevators:,} 台")
    call_command("migrate", verbosity=0)
    if reset:
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {connection.ops.quote_name(Elevator._meta.db_table)} RESTART IDENTITY CASCADE"
            )
    if Elevator.objects.exists():
        sys.exit("The database already holds elevators: use a scratch database, or --reset to empty it.")
    call_command("seed_demo", "--elevators", "0", "--seed", str(seed), stdout=io.StringIO())
    load_before = os.getloadavg()[0]

    # The registry step alone, as seed_demo runs it (later steps, such as insurance, are not timed).
    buffer = io.StringIO()

    def load() -> None:
        with acting_as("bench:seed_scale"), transaction.atomic():
            registry_demo.build(
                rng=step_rng(seed=seed, key="registry"),
                options={"elevators": elevators, "seed": seed},
                stdout=OutputWrapper(buffer),
            )

    cpu_before = time.process_time()
    load_seconds, _ = seconds(load)
    load_cpu = time.process_time() - cpu_before
    rows = Elevator.objects.count() + Inspection.objects.count()
    step = next((line.strip() for line in buffer.getvalue().splitlines() if "电梯新建" in line), "")
    print(
        f"登记簿步骤：{load_seconds:.1f} 秒（本进程 CPU {load_cpu:.1f} 秒），{rows:,} 行，{rows / load_seconds:,.0f} 行/秒"
    )
    print(f"  {step}")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    today = timezone.localdate()
    in_scope = Elevator.objects.in_scope(on=today)
    by_district = in_scope.values("district").annotate(n=Count("id")).order_by("district")
    count_seconds, in_scope_count = median_seconds(in_scope.count, repeat)
    grouped_seconds, grouped = median_seconds(lambda: list(by_district.all()), repeat)
    print(
        f"in_scope(on={today}).count() = {in_scope_count:,}：{count_seconds * 1000:.0f} ms（{repeat} 次中位数）"
    )
    print(f"按区县分组计数（{len(grouped)} 组）：{grouped_seconds * 1000:.0f} ms")
    print("EXPLAIN ANALYZE：")
    print(by_district.explain(analyze=True))

    raw_seconds = raw_limit(elevators)
    bare_seconds = raw_limit(elevators, indexes=False)
    raw_rows = 2 * elevators
    print(
        f"极限（INSERT ... SELECT generate_series，同列同索引、无外键）：{raw_seconds:.1f} 秒，"
        f"{raw_rows / raw_seconds:,.0f} 行/秒；无任何索引时 {bare_seconds:.1f} 秒"
    )
    print(
        f"登记簿步骤 / 极限 = {load_seconds / raw_seconds:.1f} 倍"
        f"（对无索引的 INSERT 为 {load_seconds / bare_seconds:.1f} 倍）"
    )
    return {
        "elevators": elevators, "rows": rows, "seconds": load_seconds, "cpu": load_cpu, "limit": raw_seconds,
        "bare": bare_seconds, "count_seconds": count_seconds, "grouped_seconds": grouped_seconds,
        "load": f"{load_before:.1f} → {os.getloadavg()[0]:.1f}",
    }  # fmt: skip


def figures(database_url: str, *, elevators: int = 1_000_000) -> list[dict]:
    """The registry step's figures on the scratch database `database_url` (its registry emptied
    first), as dicts: figure, value, limit, ratio, goal, met, note."""
    import environ

    from bench.harness.rows import Row, ms, s

    config = environ.Env.db_url_config(database_url)
    keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    connection.close()
    connection.settings_dict.update({key: config.get(key) for key in keys})
    m = measure(elevators=elevators, reset=True, repeat=3)
    limit = f"{s(m['limit'])} (INSERT … generate_series of the same {m['rows']:,} rows, same indexes)"
    return [
        Row(
            f"seed_demo's registry step at {elevators:,} elevators (COPY), wall clock",
            s(m["seconds"]),
            limit,
            m["seconds"] / m["limit"],
            note=f"load {m['load']}; the process's own CPU {s(m['cpu'])}; without any index the limit is {s(m['bare'])}",
        ).as_dict(),
        Row(
            f"in-scope elevators by district at {elevators:,} (the ORM's grouped count)",
            ms(m["grouped_seconds"]),
            f"{ms(m['count_seconds'])} (the in-scope count alone)",
            m["grouped_seconds"] / m["count_seconds"],
        ).as_dict(),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elevators", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each read (the median is shown)")
    parser.add_argument("--reset", action="store_true", help="empty the scratch database's registry first")
    args = parser.parse_args()
    measure(elevators=args.elevators, seed=args.seed, repeat=args.repeat, reset=args.reset)


if __name__ == "__main__":
    main()
