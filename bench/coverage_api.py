"""Coverage by district on a day, through the real API, beside the best hand-written SQL.

1. the demo city at scale: `seed_demo --elevators N` into a scratch PostgreSQL database (skipped
   with --no-seed when the database already holds it), then ANALYZE;
2. the figure: `GET /api/v1/coverage/?by=district&on=D` as the city regulator, through Django's
   whole stack (middleware, authentication, visibility, the coverage engine, JSON rendering);
   median of --repeat runs, with its query count;
3. the limit: the same numbers from hand-written SQL in every form tried (SQL_FORMS: a semi-join per
   elevator, a LEFT JOIN to the day's distinct covered elevators, the same with GROUP BY, the in-scope
   count joined to the insured count of a semi-join, or to the covered elevators counted distinct);
   the fastest is the limit. `id IN (covers of the day)` is left out: at the default work_mem its
   subplan is not hashed, and it ran for over ten minutes;
4. the numbers of the API and of the SQL must agree, or the run stops;
5. with --reports: last month frozen (every scope and grouping) and the eight departments' monthly
   reports built from it, each timed, with the process's peak RSS (goal: ≤ 120 s, ≤ 400 MB).

Usage (a scratch database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tibao_bench DEBUG=1 \\
        .venv/bin/python bench/coverage_api.py --elevators 1000000 [--no-seed] [--repeat 5] [--reports]
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import OrganisationKind, User  # noqa: E402
from demo.management.commands import seed_demo  # noqa: E402
from elevators.models import PASSING_RESULTS, ElevatorStatus  # noqa: E402

SCOPE_WHERE = """
    e.registration_number <> '' AND e.status = %(in_use)s
    AND e.inspection_result = ANY(%(passing)s) AND e.next_inspection_due >= %(day)s
"""
COVER_IN_FORCE = "NOT pe.is_cancelled AND pe.start_date <= %(day)s AND pe.end_date >= %(day)s"
SQL_FORMS = {
    "semi-join (EXISTS per elevator)": f"""
        SELECT e.district_id, count(*),
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM insurance_policyelevator pe WHERE pe.elevator_id = e.id AND {COVER_IN_FORCE}))
        FROM elevators_elevator e WHERE {SCOPE_WHERE} GROUP BY 1 ORDER BY 1""",
    "LEFT JOIN the day's distinct covered elevators": f"""
        SELECT e.district_id, count(*), count(c.elevator_id)
        FROM elevators_elevator e
        LEFT JOIN (SELECT DISTINCT pe.elevator_id FROM insurance_policyelevator pe WHERE {COVER_IN_FORCE}) c
               ON c.elevator_id = e.id
        WHERE {SCOPE_WHERE} GROUP BY 1 ORDER BY 1""",
    "LEFT JOIN the day's covers, one row per elevator (GROUP BY)": f"""
        SELECT e.district_id, count(*), count(c.elevator_id)
        FROM elevators_elevator e
        LEFT JOIN (SELECT pe.elevator_id FROM insurance_policyelevator pe WHERE {COVER_IN_FORCE}
                   GROUP BY pe.elevator_id) c ON c.elevator_id = e.id
        WHERE {SCOPE_WHERE} GROUP BY 1 ORDER BY 1""",
    "in scope counted, insured counted by a semi-join, joined": f"""
        SELECT s.district_id, s.n, coalesce(i.insured, 0)
        FROM (SELECT e.district_id, count(*) n FROM elevators_elevator e WHERE {SCOPE_WHERE} GROUP BY 1) s
        LEFT JOIN (SELECT e.district_id, count(*) insured FROM elevators_elevator e
                   WHERE {SCOPE_WHERE} AND EXISTS (SELECT 1 FROM insurance_policyelevator pe
                                                   WHERE pe.elevator_id = e.id AND {COVER_IN_FORCE})
                   GROUP BY 1) i ON i.district_id = s.district_id
        ORDER BY 1""",
    "two grouped counts joined (in scope; covered, distinct)": f"""
        SELECT s.district_id, s.n, coalesce(c.insured, 0)
        FROM (SELECT e.district_id, count(*) n FROM elevators_elevator e WHERE {SCOPE_WHERE} GROUP BY 1) s
        LEFT JOIN (SELECT e.district_id, count(DISTINCT pe.elevator_id) insured
                   FROM insurance_policyelevator pe JOIN elevators_elevator e ON e.id = pe.elevator_id
                   WHERE {SCOPE_WHERE} AND {COVER_IN_FORCE} GROUP BY 1) c ON c.district_id = s.district_id
        ORDER BY 1""",
}


def median_seconds(function, repeat: int):
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        runs.append((time.perf_counter() - started, value))
    return statistics.median(t for t, _ in runs), runs[-1][1]


def sql_figures(sql: str, day):
    params = {"in_use": ElevatorStatus.IN_USE, "passing": list(PASSING_RESULTS), "day": day}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {district: (n, insured) for district, n, insured in cursor.fetchall()}


def coverage_measure(*, repeat: int) -> dict:
    """The API's coverage by district today beside every SQL form (the numbers checked equal)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM elevators_elevator")
        (elevators,) = cursor.fetchone()
    day = timezone.localdate()

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.filter(organisation__kind=OrganisationKind.CITY_REGULATOR).first())
    url = f"/api/v1/coverage/?by=district&on={day.isoformat()}"

    def call_api():
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    call_api()  # warm caches and connections
    with CaptureQueriesContext(connection) as queries:
        call_api()
    api_seconds, body = median_seconds(call_api, repeat)
    api = {row["key"]: (row["in_scope"], row["insured"]) for row in body["rows"]}

    limits = {}
    for name, sql in SQL_FORMS.items():
        seconds, figures = median_seconds(lambda sql=sql: sql_figures(sql, day), repeat)
        if figures != api:
            raise SystemExit(f"{name}: the SQL's figures differ from the API's:\n{figures}\n{api}")
        limits[name] = seconds
    return {
        "elevators": elevators,
        "day": day,
        "api": api_seconds,
        "queries": len(queries),
        "limits": limits,
        "best": min(limits, key=limits.get),
        "total": body["total"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elevators", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-seed", action="store_true", help="use the demo city already in the database")
    parser.add_argument("--reports", action="store_true", help="also freeze last month and build its reports")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/coverage_api.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    if not args.no_seed:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        # The demo's year of frozen months is not part of this figure (--reports times one month).
        seed_demo.DEMO_STEPS = [step for step in seed_demo.DEMO_STEPS if step[1] != "reporting"]
        call_command("seed_demo", elevators=args.elevators, verbosity=0)
        print(f"seed_demo --elevators {args.elevators:,}: {time.perf_counter() - started:.0f} s")
    measured = coverage_measure(repeat=args.repeat)
    limits, best, api_seconds, day = measured["limits"], measured["best"], measured["api"], measured["day"]

    print(
        f"\n{measured['elevators']:,} elevators, coverage by district on {day} (median of {args.repeat}); "
        f"{timezone.now():%Y-%m-%d %H:%M} UTC, load average {load_average()}:"
    )
    print("| path | ms | ratio to the limit |")
    print("|---|---:|---:|")
    print(f"| GET /api/v1/coverage/?by=district ({measured['queries']} queries) | {api_seconds * 1000:.0f} | "
          f"{api_seconds / limits[best]:.2f}× |")  # fmt: skip
    for name, seconds in limits.items():
        mark = " (the limit)" if name == best else ""
        print(f"| SQL: {name}{mark} | {seconds * 1000:.0f} | {seconds / limits[best]:.2f}× |")
    total = measured["total"]
    print(f"\nin scope {total['in_scope']:,}, insured {total['insured']:,}, rate {total['rate']}")
    if args.reports:
        monthly_reports(day)


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def month_freeze_measure(day) -> dict:
    """Freeze the month before `day` (every scope and grouping), timed."""
    from datetime import timedelta

    from core.principal import SYSTEM
    from reporting.models import FrozenMonth
    from reporting.services import month_freeze

    last_month = day.replace(day=1) - timedelta(days=1)
    # A month frozen before (a run on a reused database) is frozen again from nothing: freezing is
    # idempotent, and timing the no-op would say nothing. Its reports go with it.
    FrozenMonth.objects.filter(month=last_month.replace(day=1)).delete()
    started = time.perf_counter()
    frozen, computed = month_freeze(user=SYSTEM, month=last_month)
    assert computed, "the month was frozen already"
    return {"frozen": frozen, "month": last_month, "seconds": time.perf_counter() - started}


def reports_measure(frozen) -> dict:
    """Build the eight departments' reports of a frozen month, timed, each and in all."""
    from reporting.services import report_batches, reports_generate, reports_request

    regulator = User.objects.filter(organisation__kind=OrganisationKind.CITY_REGULATOR).first()
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    runs = reports_request(user=regulator, frozen_month=frozen, enqueue=False)
    sizes, each = [], []
    # One batch per scope, as the workers build them (a scope's reports share their rows).
    for batch in report_batches(runs):
        batch_started = time.perf_counter()
        built = reports_generate(report_run_ids=batch)
        sizes += [run.size for run in built]
        each.append(f"{'+'.join(run.department for run in built)} {time.perf_counter() - batch_started:.1f}")
    return {
        "seconds": time.perf_counter() - started,
        "count": len(runs),
        "bytes": sum(sizes),
        "each": each,
        "rss_before": rss_before,
        "rss_after": peak_rss_mb(),
    }


def monthly_reports(day) -> None:
    frozen = month_freeze_measure(day)
    built = reports_measure(frozen["frozen"])
    print(
        f"\n| step | seconds | goal |\n|---|---:|---:|\n| freeze {frozen['month']:%Y-%m} (every scope and grouping) | {frozen['seconds']:.1f} | – |"
    )
    print(f"| the eight reports ({built['bytes'] / 1e6:.1f} MB of .xlsx) | {built['seconds']:.1f} | ≤ 120 |")
    print(f"each batch of reports (one scope), seconds: {', '.join(built['each'])}")
    print(
        f"peak RSS: {built['rss_before']:.0f} MB before the reports, {built['rss_after']:.0f} MB after (goal ≤ 400 MB)"
    )
    print(f"load average after the reports: {load_average()}")


# --- the harness's parts (bench/run.py): rows of the results table -----------------------------

COVERAGE_GOAL = 1.3


def bench_rows(*, repeat: int = 5, **_) -> list:
    """Coverage by district through the API beside the fastest hand-written SQL of the same run."""
    from bench.harness.rows import Row, ms

    measured = coverage_measure(repeat=repeat)
    limits, best, api = measured["limits"], measured["best"], measured["api"]
    total = measured["total"]
    forms = "; ".join(f"{name} {seconds * 1000:,.0f} ms" for name, seconds in limits.items())
    return [
        Row(
            f"coverage by district on {measured['day']}, GET /api/v1/coverage/?by=district as the city "
            f"regulator ({measured['queries']} queries; {measured['elevators']:,} elevators, "
            f"{total['in_scope']:,} in scope, {total['insured']:,} insured), median of {repeat}",
            ms(api),
            f"{ms(limits[best])} (best of {len(limits)} SQL forms: {best})",
            api / limits[best],
            f"≤ {COVERAGE_GOAL}× the best SQL",
            api / limits[best] <= COVERAGE_GOAL,
            note=f"SQL forms, median ms: {forms}",
        )
    ]


if __name__ == "__main__":
    main()
