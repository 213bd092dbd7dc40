"""The benchmark database: `seed_demo --elevators SCALE` into a fresh PostgreSQL database, timed.

The figure is the whole command as a user runs it (a process of its own: the organisations and
users, the registry by COPY, insurance, maintenance, reporting), wall clock and its own CPU; the
limit is INSERT ... SELECT generate_series of the registry's rows (bench/seed_scale.py's
`raw_limit`: as many elevators and inspections into copies of the two tables, same indexes),
measured right after in the same run. What the seed wrote (the mix) is its own row.

The figures are kept in the database (table bench_seed), so that a run with --no-seed, which
reuses the database, reports the seed it stands on, marked as measured then and not in this run.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.harness.machine import load
from bench.harness.rows import Row, s

ROOT = Path(__file__).resolve().parent.parent.parent
GOAL_SECONDS = 180
GOAL_SCALE = 1_000_000  # the goal is set for a million elevators (issue "Scale"); other scales have none
META_TABLE = "bench_seed"


def admin(server: str):
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    return connection


def database_recreate(*, server: str, database: str) -> None:
    connection = admin(server)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
        cursor.execute(f'CREATE DATABASE "{database}"')
    connection.close()


def manage(*arguments: str) -> tuple[float, float, list[str]]:
    """Run manage.py in a process of its own; its output goes on to ours. Returns wall seconds,
    the child's CPU seconds (user + system) and the output's lines."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line.rstrip("\n"))
    if process.wait():
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed ({process.returncode})")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, lines


def seed_run(*, scale: int, seed_value: int) -> dict:
    manage("migrate", "--noinput", "-v", "0")
    load_before = load()
    wall, cpu, lines = manage("seed_demo", "--elevators", str(scale), "--seed", str(seed_value))
    steps = [line.strip().strip("（）") for line in lines if "用时" in line]
    return {"seconds": wall, "cpu": cpu, "steps": steps, "load": f"{load_before} → {load()}"}


def mix() -> dict:
    """What the demo holds: the realistic mix the other figures read."""
    from django.apps import apps
    from django.utils import timezone

    from elevators.models import Elevator

    counts = {
        label: apps.get_model(model).objects.count()
        for label, model in (
            ("elevators", "elevators.Elevator"),
            ("inspections", "elevators.Inspection"),
            ("policies", "insurance.Policy"),
            ("covers", "insurance.PolicyElevator"),
            ("claims", "insurance.Claim"),
            ("maintenance records", "maintenance.MaintenanceRecord"),
            ("service records", "maintenance.ServiceRecord"),
            ("hazards", "maintenance.Hazard"),
            ("rescues", "maintenance.RescueIncident"),
        )
    }
    today = timezone.localdate()
    in_scope = Elevator.objects.in_scope(on=today)
    counts["in scope today"] = in_scope.count()
    counts["insured in scope today"] = in_scope.insured(on=today).count()
    return counts


def meta_write(record: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (at timestamptz DEFAULT now(), record jsonb)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE}")
        cursor.execute(
            f"INSERT INTO {META_TABLE} (record) VALUES (%s)", [json.dumps(record, ensure_ascii=False)]
        )


def meta_read() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT at, record FROM {META_TABLE} LIMIT 1")
        found = cursor.fetchone()
    if found is None:
        return None
    at, record = found
    record = record if isinstance(record, dict) else json.loads(record)
    return {**record, "at": f"{at:%Y-%m-%d %H:%M} UTC"}


def bench_rows(
    *, scale: int, database: str, server: str, seed: int = 2021, no_seed: bool = False, **_
) -> list[Row]:
    """Build the benchmark database (or, with no_seed, check the one there) and return its rows."""
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    if no_seed:
        manage("migrate", "--noinput", "-v", "0")  # the code may have migrations the database has not
    else:
        database_recreate(server=server, database=database)
        record = seed_run(scale=scale, seed_value=seed)
    import django

    django.setup()
    from django.db import connection

    from elevators.models import Elevator

    if no_seed:
        record = meta_read()
        elevators = Elevator.objects.count()
        if elevators != scale:
            raise SystemExit(
                f"{database} holds {elevators:,} elevators, not {scale:,}: seed it (drop --no-seed)"
            )
        if record is None:
            return [
                Row(f"seed_demo --elevators {scale:,}", "not measured (database seeded outside the harness)")
            ]
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        from bench.seed_scale import raw_limit

        record["limit"] = raw_limit(scale)
        record["mix"] = mix()
        record["scale"] = scale
        meta_write(record)
        record["at"] = "this run"
    return seed_rows(record)


def seed_rows(record: dict) -> list[Row]:
    scale, seconds, limit = record["scale"], record["seconds"], record["limit"]
    when = "" if record["at"] == "this run" else f" (seeded {record['at']}, not in this run)"
    goal, met = (
        (f"≤ {GOAL_SECONDS} s", True)
        if scale == GOAL_SCALE
        else (f"– (≤ {GOAL_SECONDS} s is for {GOAL_SCALE:,})", None)
    )
    mix_text = ", ".join(f"{n:,} {label}" for label, n in record["mix"].items() if n is not None)
    return [
        Row(
            f"seed_demo --elevators {scale:,}, wall clock{when}",
            s(seconds),
            f"{s(limit)} (INSERT … generate_series of the registry's {2 * scale:,} rows, same indexes)",
            seconds / limit,
            goal,
            met and seconds <= GOAL_SECONDS,
            note=f"load {record['load']}; steps: {'; '.join(record['steps'])}",
        ),
        Row(
            f"seed_demo --elevators {scale:,}, the command's own CPU{when}",
            s(record["cpu"]),
            s(seconds) + " (its wall clock)",
            record["cpu"] / seconds,
            goal,
            met and record["cpu"] <= GOAL_SECONDS,
        ),
        Row(f"what the seed wrote{when}", mix_text),
    ]
