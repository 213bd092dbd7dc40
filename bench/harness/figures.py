"""Every figure of the benchmark, in the order a run measures them.

A figure is a key (for `--only`), a title, and the `module:function` that measures it: a function
taking keyword options (scale, database, server, repeat, no_seed and anything else it ignores
with **_) and returning a list of `bench.harness.rows.Row`. To add a figure, write that function
(in bench/<name>.py or beside the code it measures) and add a line here; until its module exists,
the run writes "not measured" for it. `needs_database` figures read the benchmark database that
the "seed" figure builds; the others build scratch data of their own.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    function: str
    needs_database: bool = True


FIGURES = [
    Figure("seed", "seed_demo --elevators SCALE", "bench.harness.seed:bench_rows"),
    Figure("coverage", "coverage by district on a date, through the API", "bench.coverage_api:bench_rows"),
    Figure("list", "elevator list API: pages, depth, serialisation", "bench.list_api:bench_rows"),
    Figure("dashboard", "city dashboard with all its charts, p95 server time", "bench.dashboard:bench_rows"),
    Figure(
        "dashboard-kept", "city dashboard from the figures kept per day, p95", "bench.reports:dashboard_rows"
    ),
    Figure("freeze", "freezing a month for every slice", "bench.reports:freeze_rows"),
    Figure("reports", "the eight monthly Excel reports", "bench.reports:reports_rows"),
    Figure(
        "claims", "bulk claims, 1,000 per request", "bench.claims_upload:bench_rows", needs_database=False
    ),
    Figure(
        "maintenance",
        "bulk maintenance records, 1,000 per request",
        "bench.maintenance_upload:bench_rows",
        needs_database=False,
    ),
    Figure(
        "services",
        "bulk insurance services, 1,000 per request",
        "bench.services_upload:bench_rows",
        needs_database=False,
    ),
    Figure(
        "import",
        "registry import, 200,000-row xlsx (import_registry)",
        "bench.registry_import:bench_rows",
        needs_database=False,
    ),
    Figure(
        "reader",
        "streaming a 200,000-row registry xlsx (core.xlsx.read_table, rows validated)",
        "bench.import_memory:bench_rows",
        needs_database=False,
    ),
]


def select(only: str | None) -> list[Figure]:
    """The figures named in `only` (comma-separated keys), or all of them; unknown keys refused."""
    if not only:
        return list(FIGURES)
    keys = [key.strip() for key in only.split(",") if key.strip()]
    known = {figure.key for figure in FIGURES}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise SystemExit(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [figure for figure in FIGURES if figure.key in keys]
