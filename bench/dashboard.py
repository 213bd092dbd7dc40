"""The city dashboard (/coverage/, every chart of it) at scale: p95 server time beside its own SQL.

As the city regulator, through Django's test client (routing, middleware, session, the view, the
template; no socket), GET /coverage/ --repeat times after one warming call: median and p95 of the
server time, and the queries of one call. The page counts live: the day's kept figures
(decision 0026; bench/reports.py measures the page reading them) are set aside in a transaction
rolled back at the end. The limit, in the same run: the same SELECT statements, as the page sent
them (captured with their parameters), replayed over a bare cursor: what the page would cost if
rendering and Python were free. Rounds stop early, after three, once they have taken ten
minutes (BUDGET_S: at 10,000,000 elevators a round is minutes).

Usage (the benchmark database, see bench/run.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tibao_bench DEBUG=1 \\
        .venv/bin/python bench/dashboard.py [--repeat 20]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import OrganisationKind, User  # noqa: E402
from reporting.models import DailySnapshot  # noqa: E402

PAGE = "/coverage/"
GOAL_MS = 150
BUDGET_S = 600  # seconds of rounds after which no new round starts
MIN_ROUNDS = 3


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method: with few samples it stays within them)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def dashboard_measure(*, repeat: int, budget: float = BUDGET_S) -> dict:
    with transaction.atomic():
        DailySnapshot.objects.all().delete()  # counted live, as before any day is kept
        measured = _measure(repeat=repeat, budget=budget)
        transaction.set_rollback(True)
    return measured


def _measure(*, repeat: int, budget: float) -> dict:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.filter(organisation__kind=OrganisationKind.CITY_REGULATOR).first())

    def call() -> None:
        response = client.get(PAGE)
        assert response.status_code == 200, response.status_code

    call()  # warm: imports, plans, caches
    with CaptureQueriesContext(connection) as captured:
        call()
    selects = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
    ]

    def replay() -> None:
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)  # no parameters: the driver leaves "%" alone
                cursor.fetchall()

    page, sql = [], []
    began = time.perf_counter()
    for _ in range(repeat):  # in turn, so that the load weighs on both alike
        if len(page) >= MIN_ROUNDS and time.perf_counter() - began > budget:
            break
        started = time.perf_counter()
        call()
        page.append(time.perf_counter() - started)
        started = time.perf_counter()
        replay()
        sql.append(time.perf_counter() - started)
    return {
        "rounds": len(page),
        "queries": len(captured.captured_queries),
        "selects": len(selects),
        "p95": p95(page),
        "median": statistics.median(page),
        "sql_p95": p95(sql),
        "sql_median": statistics.median(sql),
        "elevators": elevators_count(),
    }


def elevators_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM elevators_elevator")
        return cursor.fetchone()[0]


def bench_rows(*, repeat: int = 5, **_) -> list:
    """The harness's part (bench/run.py): p95 and median of the page beside its replayed SQL."""
    from bench.harness.rows import Row, ms

    rounds = max(repeat, 10)
    m = dashboard_measure(repeat=rounds)
    return [
        Row(
            f"city dashboard GET {PAGE} with all its charts, as the city regulator ({m['elevators']:,} elevators, "
            f"{m['queries']} queries), counting live (no day kept), p95 of {m['rounds']}",
            ms(m["p95"]),
            f"{ms(m['sql_p95'])} (its {m['selects']} SELECTs replayed over a bare cursor, p95)",
            m["p95"] / m["sql_p95"],
            f"≤ {GOAL_MS} ms (at 10,000,000 elevators)",
            m["p95"] * 1000 <= GOAL_MS,
            note=f"median {ms(m['median'])} against the replayed SQL's {ms(m['sql_median'])}",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for row in bench_rows(repeat=args.repeat):
        print(f"{row.figure}: {row.value} (limit {row.limit}; {row.ratio:.2f}×; goal {row.goal})")


if __name__ == "__main__":
    main()
