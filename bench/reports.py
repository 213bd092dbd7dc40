"""The monthly figures at scale: freezing a month for every slice, and the eight Excel reports,
each beside a limit measured in the same run.

1. freeze: last month frozen from nothing (reporting.services.month_freeze: every slice in one
   process, the way one worker does it), its counting (one pass for every slice) timed apart. The limit: the hand-written SQL
   of the city slice's three scans (in-scope elevators per district x place category x category,
   the insured ones by a semi-join with the day's covers, the covers per district and model /
   insurer / funding source with GROUPING SETS): what any freeze has to read at least once.
2. reports: the eight departments' reports of that month, built the way the workers build them
   (services.report_batches: one batch per scope, SAMR and NFRA together), by WORKERS processes
   of their own taking the next batch from one queue when free (as Celery workers do), the
   largest first; wall time, and each worker's peak RSS. The limit: a bare XlsxWriter loop
   (constant_memory, write_row) writing the same rows (each department's work list and policies
   ending, from the same queries) into eight files, by as many processes sharing them alike.
3. dashboard: today's figures kept for every scope (services.daily_figures_refresh, timed), then
   the city dashboard reading them, p95, beside the same page counting live (no day kept).

Usage (the benchmark database, see bench/run.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tibao_bench DEBUG=1 \\
        .venv/bin/python bench/reports.py [freeze] [reports] [dashboard]

`figures(database_url)` answers the rows as dicts (figure, value, limit, ratio, goal);
`freeze_rows`, `reports_rows` and `dashboard_rows` (keyword options) as bench.harness.rows.Row for
bench/run.py (whose row type and formats this script uses too).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.harness.rows import Row, ms, s  # noqa: E402

FREEZE_GOAL_SECONDS = 30
REPORTS_GOAL_SECONDS = 120
RSS_GOAL_MB = 400
WORKERS = 2  # the machine's cores: one report worker each


def _django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


# --- freezing -------------------------------------------------------------------------------------

LIMIT_SQL = [
    """SELECT e.district_id, e.place_category_id, e.category, count(*)
       FROM elevators_elevator e WHERE {scope} GROUP BY 1, 2, 3""",
    """SELECT e.district_id, e.place_category_id, e.category, count(*)
       FROM elevators_elevator e WHERE {scope} AND EXISTS (
           SELECT 1 FROM insurance_policyelevator pe WHERE pe.elevator_id = e.id AND {cover})
       GROUP BY 1, 2, 3""",
    """SELECT e.district_id, pe.model, p.insurer_id, p.funding_source, count(DISTINCT pe.elevator_id)
       FROM insurance_policyelevator pe JOIN elevators_elevator e ON e.id = pe.elevator_id
       JOIN insurance_policy p ON p.id = pe.policy_id
       WHERE {scope} AND {cover}
       GROUP BY GROUPING SETS ((1, 2), (1, 3), (1, 4))""",
]
SCOPE_WHERE = """e.registration_number <> '' AND e.status = %(in_use)s
    AND e.inspection_result = ANY(%(passing)s) AND e.next_inspection_due >= %(day)s"""
COVER_WHERE = "NOT pe.is_cancelled AND pe.start_date <= %(day)s AND pe.end_date >= %(day)s"


def freeze_measure() -> dict:
    """Last month frozen from nothing (the way one worker does it), its counting (the one pass of
    services.slices_figures) timed apart from the storing, and the limit."""
    from django.db import connection
    from django.utils import timezone

    from core.principal import SYSTEM
    from elevators.models import PASSING_RESULTS, ElevatorStatus
    from reporting.models import FrozenMonth
    from reporting.months import month_end
    from reporting.services import months as services  # slices_figures is timed where month_freeze calls it

    month = last_month(timezone.localdate())
    on = month_end(month)
    FrozenMonth.objects.filter(month=month).delete()
    counting, real = [], services.slices_figures

    def timed(*, keys, on):
        started = time.perf_counter()
        figures = real(keys=keys, on=on)
        counting.append(time.perf_counter() - started)
        return figures

    services.slices_figures = timed
    try:
        started = time.perf_counter()
        frozen, computed = services.month_freeze(user=SYSTEM, month=month)
        seconds = time.perf_counter() - started
    finally:
        services.slices_figures = real
    assert computed
    params = {"in_use": ElevatorStatus.IN_USE, "passing": list(PASSING_RESULTS), "day": on}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in LIMIT_SQL:
            cursor.execute(sql.format(scope=SCOPE_WHERE, cover=COVER_WHERE), params)
            cursor.fetchall()
    limit = time.perf_counter() - started
    return {
        "month": f"{month:%Y-%m}",
        "seconds": seconds,
        "limit": limit,
        "counting": sum(counting),
        "figures": frozen.figures.count(),
    }


# --- reports --------------------------------------------------------------------------------------


def _worker(batches) -> dict:
    """One report worker: build each batch (services.reports_generate), then its peak RSS."""
    from reporting.services import reports_generate

    each = []
    for batch in batches:
        started = time.perf_counter()
        runs = reports_generate(report_run_ids=batch)
        each.append(
            [[run.department for run in runs], time.perf_counter() - started, sum(r.size for r in runs)]
        )
    return {"each": each, "rss": peak_rss_mb()}


def _bare(departments, month: str) -> dict:
    """The limit's worker: the same rows (work list, policies ending) of each department from the
    same queries, written by a bare XlsxWriter loop in constant-memory mode."""
    import xlsxwriter

    from elevators.models import Elevator
    from insurance.models import Policy
    from reporting.models import FrozenMonth
    from reporting.months import department_scope
    from reporting.reports.data import _ending_next_month, _work_list
    from reporting.reports.workbook import SHEET_ROWS

    frozen = FrozenMonth.objects.get(month=date.fromisoformat(month))
    each = []
    for department in departments:
        started = time.perf_counter()
        principal = department_scope(department).principal
        work = _work_list(Elevator.objects.visible_to(principal), frozen.on)
        ending = _ending_next_month(Policy.objects.visible_to(principal), frozen.on)
        with tempfile.TemporaryDirectory() as directory:
            book = xlsxwriter.Workbook(f"{directory}/bare.xlsx", {"constant_memory": True})
            for name, rows in (("work", work), ("ending", ending)):
                for row, values in enumerate(rows):
                    if row % SHEET_ROWS == 0:  # a sheet holds no more (the report continues likewise)
                        sheet = book.add_worksheet(f"{name}{row // SHEET_ROWS + 1}")
                    sheet.write_row(row % SHEET_ROWS, 0, values)
            book.close()
        each.append([department, time.perf_counter() - started])
    return {"each": each, "rss": peak_rss_mb()}


def _claimed(directory: str):
    """The jobs of a queue `_in_processes` wrote, each taken by one worker (an atomic rename), in
    order: what a Celery worker does when it is free, not a share fixed beforehand."""
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(directory, name)
        try:
            os.rename(path, f"{path}.{os.getpid()}")
        except FileNotFoundError:
            continue  # another worker took it
        with open(f"{path}.{os.getpid()}") as handle:
            yield json.load(handle)


def _in_processes(task: str, jobs: list, month: str) -> tuple[float, list[dict]]:
    """`jobs` done by WORKERS processes of this script (each a fresh interpreter, like a Celery
    worker of its own) taking the next job from one queue when free; wall time and each worker's
    answer."""
    with tempfile.TemporaryDirectory() as queue:
        for number, job in enumerate(jobs):
            Path(queue, f"{number:03}.json").write_text(json.dumps(job))
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, task, month, queue], cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
            for _worker in range(min(WORKERS, len(jobs)))
        ]
        answers = []
        for process in processes:
            out, _err = process.communicate()
            if process.returncode:
                raise RuntimeError(f"a {task} worker exited with {process.returncode}")
            answers.append(json.loads(out.strip().splitlines()[-1]))
        return time.perf_counter() - started, answers


def reports_measure() -> dict:
    """Last month's eight reports by the workers, and the bare writer of the same rows."""
    from django.db import connection
    from django.utils import timezone

    from core.principal import SYSTEM
    from reporting.models import FrozenMonth
    from reporting.months import department_scope, frozen_coverage
    from reporting.services import month_freeze, report_batches, reports_request

    month = last_month(timezone.localdate())
    frozen = FrozenMonth.objects.filter(month=month).first() or month_freeze(user=SYSTEM, month=month)[0]
    runs = reports_request(user=SYSTEM, frozen_month=frozen, enqueue=False)
    department_of = {run.pk: run.department for run in runs}

    def rows(department: str) -> int:  # its work list's length: the month's uninsured in its scope
        return frozen_coverage(frozen_month=frozen, scope=department_scope(department).key).total.uninsured

    batches = report_batches(runs)  # the largest first, as the service queues them
    departments = sorted(department_of.values(), key=rows, reverse=True)  # the bare writer's alike
    connection.close()
    seconds, workers = _in_processes("worker", batches, f"{month:%Y-%m-%d}")
    limit, bare = _in_processes("bare", departments, f"{month:%Y-%m-%d}")
    return {
        "month": f"{month:%Y-%m}",
        "seconds": seconds,
        "limit": limit,
        "reports": sum(len(done[0]) for worker in workers for done in worker["each"]),
        "bytes": sum(done[2] for worker in workers for done in worker["each"]),
        "each": [done[:2] for worker in workers for done in worker["each"]],
        "rss": max(worker["rss"] for worker in workers),
        "bare_rss": max(worker["rss"] for worker in bare),
        "bare_each": [done for worker in bare for done in worker["each"]],
    }


# --- the dashboard's kept figures -------------------------------------------------------------------

DASHBOARD = "/coverage/"
DASHBOARD_GOAL_MS = 150


def p95(values: list[float]) -> float:
    import statistics

    return values[0] if len(values) < 2 else statistics.quantiles(values, n=20, method="inclusive")[18]


def dashboard_measure(repeat: int) -> dict:
    """Today's figures kept (services.daily_figures_refresh, timed), then the city dashboard as
    the city regulator, reading them, beside the same page counting live (no day kept), in turn."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import OrganisationKind, User
    from reporting.models import DailySnapshot
    from reporting.services import daily_figures_refresh

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.filter(organisation__kind=OrganisationKind.CITY_REGULATOR).first())

    def call() -> float:
        started = time.perf_counter()
        response = client.get(DASHBOARD)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - started

    DailySnapshot.objects.all().delete()
    live = [call() for _ in range(max(2, repeat // 4))]  # slow: a few rounds are enough
    started = time.perf_counter()
    daily_figures_refresh()
    refresh = time.perf_counter() - started
    from reporting.services.months import _summaries_at

    started = time.perf_counter()
    _summaries_at(timezone.localdate())  # the summaries' share of the refresh, counted again
    summaries = time.perf_counter() - started
    call()  # warm
    connection.queries_log.clear()  # DEBUG keeps the last 9,000 queries: a full log counts none
    with CaptureQueriesContext(connection) as queries:
        call()
    kept = [call() for _ in range(repeat)]
    readers = {}  # the same page, kept, as the other readers of a kept scope (median of 5)
    for kind in (
        OrganisationKind.DISTRICT_REGULATOR,
        OrganisationKind.SECTOR_DEPARTMENT,
        OrganisationKind.FINANCE_BUREAU,
    ):
        reader = (
            User.objects.filter(organisation__kind=kind, is_active=True)
            .select_related("organisation")
            .first()
        )
        if reader is not None:
            client.force_login(reader)
            call()  # warm
            name = reader.organisation.department or reader.organisation.district_id
            readers[f"{kind.value} {name}"] = statistics.median([call() for _ in range(5)])
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return {
        "refresh": refresh,
        "summaries": summaries,
        "readers": readers,
        "kept": kept,
        "live": live,
        "queries": len(queries),
        "sql": sum(float(q["time"]) for q in queries.captured_queries),
        "slowest": [f"{float(q['time']) * 1000:.0f} ms {q['sql'][:60]}" for q in slowest],
    }


def dashboard_rows(repeat: int = 10, **_) -> list:
    _django()
    import statistics

    m = dashboard_measure(max(repeat, 10))
    kept, live = p95(m["kept"]), statistics.median(m["live"])
    return [
        Row(
            f"city dashboard {DASHBOARD} reading today's kept figures ({m['queries']} queries), p95 of {len(m['kept'])}",
            ms(kept),
            f"{ms(live)} (the same page counting live, median of {len(m['live'])})",
            kept / live,
            f"≤ {DASHBOARD_GOAL_MS} ms (at 10,000,000 elevators)",
            kept * 1000 <= DASHBOARD_GOAL_MS,
            note=(
                f"its SQL {ms(m['sql'])} of one call; slowest: {'; '.join(m['slowest'])}. Read from the kept"
                " day: coverage, the renewal cliff's points and first ending policies, the insurance summary,"
                " the maintenance states; still counted per request: the month's services, hazards and rescues."
                " As other readers, median of 5: "
                + ", ".join(f"{name} {ms(seconds)}" for name, seconds in m["readers"].items())
            ),
        ),
        Row(
            "keeping today's figures for every scope and grouping (daily_figures_refresh, hourly beat task)",
            s(m["refresh"]),
            "–",
            None,
            f"≤ {FREEZE_GOAL_SECONDS} s (as a freeze)",
            m["refresh"] <= FREEZE_GOAL_SECONDS,
            note=(
                f"of which the dashboard summaries of every scope (insurance, maintenance states, first"
                f" ending policies; selectors.summaries.summaries_slices, one pass) {m['summaries']:.1f} s,"
                " counted again apart"
            ),
        ),
    ]


# --- rows -----------------------------------------------------------------------------------------


def figures(database_url: str) -> list[dict]:
    """The rows of both figures as dicts: figure, value, limit, ratio, goal (and met, note)."""
    _django(database_url)
    return [row.as_dict() for row in freeze_rows() + reports_rows() + dashboard_rows()]


def freeze_rows(**_) -> list:
    _django()  # the harness's child process has not set Django up (DATABASE_URL is the bench's)
    m = freeze_measure()
    return [
        Row(
            f"freezing {m['month']} for every slice and grouping (month_freeze, one process; {m['figures']:,} figures)",
            s(m["seconds"]),
            f"{s(m['limit'])} (the city slice's three scans in hand-written SQL)",
            m["seconds"] / m["limit"],
            f"≤ {FREEZE_GOAL_SECONDS} s",
            m["seconds"] <= FREEZE_GOAL_SECONDS,
            note=(
                f"counting every slice in one pass (services.slices_figures: four statements) {m['counting']:.1f} s;"
                f" storing the figures and the day's kept figures {m['seconds'] - m['counting']:.1f} s"
            ),
        )
    ]


def reports_rows(**_) -> list:
    _django()  # the harness's child process has not set Django up (DATABASE_URL is the bench's)
    m = reports_measure()
    each = ", ".join(f"{'+'.join(departments)} {seconds:.1f} s" for departments, seconds in m["each"])
    bare = ", ".join(f"{department} {seconds:.1f} s" for department, seconds in m["bare_each"])
    return [
        Row(
            f"the {m['reports']} monthly Excel reports of {m['month']} ({m['bytes'] / 1e6:.1f} MB of .xlsx), "
            f"{WORKERS} workers sharing the month by scope",
            s(m["seconds"]),
            f"{s(m['limit'])} (bare XlsxWriter constant_memory write_row of the same rows, {WORKERS} processes)",
            m["seconds"] / m["limit"],
            f"≤ {REPORTS_GOAL_SECONDS} s in all",
            m["seconds"] <= REPORTS_GOAL_SECONDS,
            note=f"each batch: {each}; bare writer: {bare}",
        ),
        Row(
            "peak RSS of a report worker",
            f"{m['rss']:.0f} MB",
            f"{m['bare_rss']:.0f} MB (the bare writer's worker)",
            m["rss"] / m["bare_rss"],
            f"≤ {RSS_GOAL_MB} MB per worker",
            m["rss"] <= RSS_GOAL_MB,
        ),
    ]


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] in ("worker", "bare"):
        _django()
        jobs = _claimed(sys.argv[3])
        if sys.argv[1] == "worker":
            print(json.dumps(_worker(jobs)))
        else:
            print(json.dumps(_bare(jobs, sys.argv[2])))
        return
    _django()
    parts = {"freeze": freeze_rows, "reports": reports_rows, "dashboard": dashboard_rows}
    chosen = sys.argv[1:] or list(parts)
    for row in [row for name in chosen for row in parts[name]()]:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "–"
        print(
            f"{row.figure}: {row.value} (limit {row.limit}; {ratio}; goal {row.goal}) {row.note}", flush=True
        )


if __name__ == "__main__":
    main()
