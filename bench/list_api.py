"""The elevator list API at scale: page sizes, first and deep cursor pages, and their limits.

Builds (or reuses) a scratch PostgreSQL database holding N demo elevators, loaded by the registry
step's COPY loader (`demo.registry.loading.demo_elevators_bulk_load`: no insurance step), then
measures GET /api/v1/elevators/ through the real stack (Django's test client: URL routing,
middleware, session authentication, visibility, filters, pagination, serialiser and renderer, in
this process; no socket), as a city regulator who sees every elevator:

1. page size 10, 50 and 500 on the first page and 50 and 500 at a cursor N - 100,000 rows deep,
   before (ElevatorSerializer) and after (the `.values_list()` fast path), median ms of --repeat rounds;
2. in the same rounds, the limits for the same rows: the page's bare SQL, `.values()` of the rows
   encoded by orjson (the API's encoder, core.api.fast_json, with no representation at all), the
   serialiser alone (rows fetched), and the queries of each call.

`figures(database_url)` gives the same figures as dicts (figure, value, limit, ratio, goal, met,
note), for `make bench` (bench/run.py calls `bench_rows`).

A section "Elevator list API" of bench/RESULTS.md is replaced by this run's figures (written by
bench/list_api_report.py).

Usage (the database must be a scratch one; it is built when it holds fewer than N elevators):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tibao_<scratch> DEBUG=1 \\
        .venv/bin/python bench/list_api.py [--elevators 1000000] [--repeat 15] [--no-write]
"""

import argparse
import base64
import io
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The benchmark calls the API far faster than a person: lift the caller's rate limit for it.
os.environ.setdefault("TIBAO_API_RATE_USER", "1000000/min")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.mixins import ListModelMixin  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.list_api_report import number, results_write, section  # noqa: E402
from core.api.fast_json import OrjsonRenderer  # noqa: E402
from core.audit import acting_as  # noqa: E402
from demo.management.commands.seed_demo import step_rng  # noqa: E402
from demo.registry import registry_organisations_ensure  # noqa: E402
from demo.registry.context import context_load  # noqa: E402
from demo.registry.loading import demo_elevators_bulk_load  # noqa: E402
from elevators.api.serializers import ElevatorSerializer  # noqa: E402
from elevators.api.serializers.elevators import (  # noqa: E402
    ELEVATOR_LIST_EXPRESSIONS,
    ELEVATOR_LIST_VALUES,
    elevator_list_represent,
)
from elevators.api.views import ELEVATOR_RELATIONS, ElevatorViewSet  # noqa: E402
from elevators.models import Elevator  # noqa: E402

ELEVATORS = "/api/v1/elevators/"


def database_build(*, count: int, seed: int) -> None:
    """Migrate, make the demo organisations and load `count` elevators by COPY (missing ones only)."""
    call_command("migrate", verbosity=0)
    existing = Elevator.objects.count()
    if existing >= count:
        print(f"数据库已有 {existing:,} 台电梯，直接使用。")
        return
    if not existing:
        # The demo's accounts (and its empty month's reports, whose mails go to the console).
        call_command("seed_demo", "--elevators", "0", "--seed", str(seed), stdout=io.StringIO())
    rng = step_rng(seed=seed, key="registry")
    started = time.perf_counter()
    with acting_as("bench:list_api"), transaction.atomic():
        registry_organisations_ensure(rng=rng)
        result = demo_elevators_bulk_load(
            count=count - existing,
            seed=rng.getrandbits(64),
            today=timezone.localdate(),
            context=context_load(),
            stdout=sys.stdout,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"装载 {result.elevators:,} 台电梯：{time.perf_counter() - started:.0f} 秒（{result.method}）")


# --- the measurements -------------------------------------------------------------------------


def interleaved_ms(functions: dict, repeat: int) -> dict[str, float]:
    """Median milliseconds of each function, called in turn `repeat` rounds: on a shared machine
    the load then weighs on every figure alike, so the ratios between them hold."""
    for function in functions.values():
        function()  # warm: the first call pays for imports, plans and caches
    runs = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            runs[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(times) for name, times in runs.items()}


def cursor_at(depth: int) -> str:
    """The list's cursor (-pk order) that starts `depth` rows deep, as DRF encodes it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Elevator._meta.db_table} ORDER BY id DESC OFFSET %s LIMIT 1", [depth - 1]
        )
        position = cursor.fetchone()[0]
    return base64.b64encode(urlencode({"p": str(position)}).encode("ascii")).decode("ascii")


class ListCalls:
    """GET /api/v1/elevators/ through Django's test client, logged in as `username`."""

    def __init__(self, username: str):
        self.client = Client()
        self.client.force_login(User.objects.get(username=username))

    def get(self, page_size: int, cursor: str | None = None) -> bytes:
        query = {"page_size": page_size, **({"cursor": cursor} if cursor else {})}
        response = self.client.get(f"{ELEVATORS}?{urlencode(query)}")
        assert response.status_code == 200, response.content[:500]
        return response.content

    def queries(self, page_size: int, cursor: str | None = None) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.get(page_size, cursor)
        return len(captured)


@contextmanager
def serializer_list():
    """The list as it was answered before the fast path: ElevatorSerializer over model instances."""
    fast = ElevatorViewSet.list
    ElevatorViewSet.list = ListModelMixin.list
    try:
        yield
    finally:
        ElevatorViewSet.list = fast


def page_queryset(page_size: int, position: int | None = None, *, rows=None):
    """The rows of one list page, as the fast path selects them (visibility of a city regulator is
    all); `rows`: another form of the same columns."""
    queryset = (ElevatorViewSet.list_queryset() if rows is None else rows).order_by("-pk")
    if position is not None:
        queryset = queryset.filter(pk__lt=position)
    return queryset[: page_size + 1]


def values_dicts():
    """The page's columns as `.values()` dicts: the limit's form, with no representation."""
    return Elevator.objects.values(*ELEVATOR_LIST_VALUES, **ELEVATOR_LIST_EXPRESSIONS)


def bare_sql(queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def explain_ms(queryset, repeat: int) -> dict:
    """PostgreSQL's own planning and execution times of a query (EXPLAIN ANALYZE), medians."""
    sql, params = queryset.query.sql_with_params()
    planning, execution = [], []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            cursor.execute(f"EXPLAIN (ANALYZE, SUMMARY) {sql}", params)
            lines = {line.split(":")[0]: line for (line,) in cursor.fetchall() if ":" in line}
            planning.append(float(lines["Planning Time"].split()[-2]))
            execution.append(float(lines["Execution Time"].split()[-2]))
    return {"planning": statistics.median(planning), "execution": statistics.median(execution)}


def measure(args) -> list[tuple]:
    """Every figure of the run: (figure, value, unit, limit, limit name, goal, met)."""
    calls, repeat, today = ListCalls(args.user), args.repeat, timezone.localdate()
    depth = args.elevators - 100_000
    deep = cursor_at(depth)
    deep_position = int(parse_qs(base64.b64decode(deep).decode())["p"][0])
    renderer, drf_renderer = OrjsonRenderer(), JSONRenderer()
    figures = []

    rows_500 = list(page_queryset(500))[:500]
    dicts_500 = list(page_queryset(500, rows=values_dicts()))[:500]
    represented = elevator_list_represent(rows_500, today=today)
    instances = list(Elevator.objects.select_related(*ELEVATOR_RELATIONS).order_by("-pk")[:500])

    def before(page_size: int, cursor: str | None = None):
        def call():
            with serializer_list():
                calls.get(page_size, cursor)

        return call

    def after(page_size: int, cursor: str | None = None):
        return lambda: calls.get(page_size, cursor)

    ms = interleaved_ms(
        {
            "before 10": before(10),
            "before 50": before(50),
            "before 500": before(500),
            "before 50 deep": before(50, deep),
            "10": after(10),
            "50": after(50),
            "500": after(500),
            "50 deep": after(50, deep),
            "500 deep": after(500, deep),
            # The limits, for the same rows in the same run.
            "sql 500": lambda: bare_sql(page_queryset(500)),
            "sql 50": lambda: bare_sql(page_queryset(50)),
            "sql 50 deep": lambda: bare_sql(page_queryset(50, deep_position)),
            "values render": lambda: orjson.dumps(list(page_queryset(500, rows=values_dicts()))[:500]),
            "represent render": lambda: renderer.render(elevator_list_represent(rows_500, today=today)),
            "serializer render": lambda: drf_renderer.render(
                ElevatorSerializer(instances, many=True, context={"today": today}).data
            ),
            "render only": lambda: drf_renderer.render(dicts_500),
            # Where a page's time goes.
            "values": lambda: list(page_queryset(500)),
            "represent": lambda: elevator_list_represent(rows_500, today=today),
            "render": lambda: renderer.render(represented),
            "drf render": lambda: drf_renderer.render(represented),
        },
        repeat,
    )
    with serializer_list():
        queries_before = (calls.queries(10), calls.queries(500))
    queries_after = (calls.queries(10), calls.queries(500))
    after = {key: ms[key] for key in ("10", "50", "500", "50 deep", "500 deep")}
    sql_500, sql_50, sql_50_deep = ms["sql 500"], ms["sql 50"], ms["sql 50 deep"]
    values_render, represent_render = ms["values render"], ms["represent render"]
    serializer_render, render_only = ms["serializer render"], ms["render only"]
    breakdown = {key: ms[key] for key in ("values", "represent", "render", "drf render")}
    breakdown.update(explain_ms(page_queryset(500), repeat))
    alone = Elevator.objects.order_by("-pk").values_list(*(n for n in ELEVATOR_LIST_VALUES if "__" not in n))
    breakdown["planning alone"] = explain_ms(alone[:501], repeat)["planning"]
    six_tables = Elevator.objects.select_related(*ELEVATOR_RELATIONS).order_by("-pk")[:501]
    breakdown["planning six tables"] = explain_ms(six_tables, repeat)["planning"]

    def rate(ms: float, rows: int = 500) -> float:
        return rows / ms * 1000

    bare = "bare SQL of the page"
    figures += [
        (
            "page size 500, first page: rows/s through the API",
            rate(after["500"]),
            "rows/s",
            rate(values_render),
            "`.values()` + orjson of the same rows, no representation",
            "≥ 40,000 rows/s",
            rate(after["500"]) >= 40_000,
        ),
        (
            "page size 500, the serialiser alone (rows fetched): rows/s",
            rate(represent_render),
            "rows/s",
            rate(serializer_render),
            "ElevatorSerializer(many=True) + JSONRenderer, instances fetched",
            "≥ 40,000 rows/s",
            rate(represent_render) >= 40_000,
        ),
        ("page size 500, first page", after["500"], "ms", sql_500, bare, "", None),
        (
            f"page size 500, {depth:,} rows deep",
            after["500 deep"],
            "ms",
            after["500"],
            "first page",
            "deep / first ≤ 1.2",
            after["500 deep"] / after["500"] <= 1.2,
        ),
        ("page size 10, first page", after["10"], "ms", None, "", "≤ 10 ms", after["10"] <= 10),
        ("page size 50, first page", after["50"], "ms", sql_50, bare, "≤ 50 ms", after["50"] <= 50),
        (
            f"page size 50, {depth:,} rows deep",
            after["50 deep"],
            "ms",
            sql_50_deep,
            bare,
            "≤ 50 ms",
            after["50 deep"] <= 50,
        ),
        (
            "page size 50, deep / first",
            after["50 deep"] / after["50"],
            "×",
            None,
            "",
            "≤ 1.2",
            after["50 deep"] / after["50"] <= 1.2,
        ),
        (
            "queries a call, page size 10 / 500",
            f"{queries_after[0]} / {queries_after[1]}",
            "",
            f"{queries_before[0]} / {queries_before[1]}",
            "the serializer path",
            "constant, ≤ 4",
            queries_after[0] == queries_after[1] <= 4,
        ),
    ]
    before_rows = [
        ("page size 500, first page", ms["before 500"], after["500"]),
        ("page size 50, first page", ms["before 50"], after["50"]),
        (f"page size 50, {depth:,} rows deep", ms["before 50 deep"], after["50 deep"]),
        ("page size 10, first page", ms["before 10"], after["10"]),
    ]
    extra = {"render_only": rate(render_only), "sql_500": sql_500, "page_500": after["500"], **breakdown}
    return figures, before_rows, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elevators", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=15, help="calls of each figure (the median is shown)")
    parser.add_argument("--user", default="samr", help="the demo login to call as (a city regulator)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("list_api needs PostgreSQL: DATABASE_URL=postgres://.../<scratch database>")
    print(f"数据库 {connection.settings_dict['NAME']}；电梯 {args.elevators:,} 台")
    database_build(count=args.elevators, seed=args.seed)
    setup_test_environment(debug=False)
    load_before = os.getloadavg()[0]
    figures, before_rows, extra = measure(args)
    text = section(args, figures, before_rows, extra, (load_before, os.getloadavg()[0]))
    print(text)
    if not args.no_write:
        results_write(text)


if __name__ == "__main__":
    main()


# --- the harness's part (bench/run.py): rows of the results table ------------------------------


def bench_rows(*, scale: int, repeat: int = 5, **_) -> list:
    """The list API's figures on the benchmark database (it must hold `scale` elevators), each
    beside its limit of the same rounds."""
    from bench.harness.rows import Row

    if scale < 200_000:
        raise SystemExit("the list figures read a page 100,000 rows from the end: SCALE ≥ 200,000")
    existing = Elevator.objects.count()
    if existing != scale:
        raise SystemExit(f"the benchmark database holds {existing:,} elevators, not {scale:,}")
    setup_test_environment(debug=False)
    args = argparse.Namespace(elevators=scale, repeat=max(repeat, 15), user="samr")
    figures, before_rows, _extra = measure(args)
    rows = []
    for name, value, unit, limit, limit_name, goal, met in figures:
        numbers = isinstance(value, float) and isinstance(limit, float)
        rows.append(
            Row(
                f"elevator list API, {name} (median of {args.repeat} rounds)",
                number(value, unit),
                f"{number(limit, unit)} ({limit_name})" if limit is not None else "–",
                value / limit if numbers else None,
                goal or "–",
                met,
            )
        )
    before = "; ".join(f"{name}: {old:.1f} → {new:.1f} ms" for name, old, new in before_rows)
    rows[0].note = f"serializer path → `.values_list()` fast path in the same rounds: {before}"
    return rows


def figures(database_url: str, *, repeat: int = 15) -> list[dict]:
    """The list API's figures on the benchmark database at `database_url` (it must hold at least
    200,000 elevators and the demo's accounts), as dicts: figure, value, limit, ratio, goal, met, note."""
    database_use(database_url)
    return [row.as_dict() for row in bench_rows(scale=Elevator.objects.count(), repeat=repeat)]


def database_use(database_url: str) -> None:
    """Point the default connection at `database_url` (the module set Django up from DATABASE_URL)."""
    import environ

    config = environ.Env.db_url_config(database_url)
    keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    if any(connection.settings_dict.get(key) != config.get(key) for key in keys):
        connection.close()
        connection.settings_dict.update({key: config.get(key) for key in keys})
