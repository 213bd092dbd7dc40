"""The elevator list benchmark's section of bench/RESULTS.md (`python bench/list_api.py`): its
figures as a table beside their limits, the goals not met, before and after, and where a page's
time goes. The measurements are bench/list_api.py's; this only writes them down.
"""

import re
from pathlib import Path

from django.utils import timezone

SECTION = "## Elevator list API"


def number(value, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "×":
        return f"{value:.2f}"
    return f"{value:.1f} ms"


def section(args, figures, before_rows, extra, loads) -> str:
    lines = [
        SECTION,
        f"`python bench/list_api.py --elevators {args.elevators} --repeat {args.repeat}` on this machine "
        f"(2 cores, PostgreSQL), {timezone.localdate():%Y-%m-%d}; GET /api/v1/elevators/ through Django's "
        f"test client (routing, middleware, session login, visibility, filters, cursor pagination, "
        f"representation, orjson renderer; no socket), as the city regulator, who sees all "
        f"{args.elevators:,} elevators; median of {args.repeat} rounds, every figure called once a round in turn. 1-minute load average "
        f"{loads[0]:.1f} before and {loads[1]:.1f} after (other work shares the machine: read the ratios).",
        "",
        "| figure | value | limit in the same run | value / limit | goal | met |",
        "|---|---:|---|---:|---|---|",
    ]
    for name, value, unit, limit, limit_name, goal, met in figures:
        ratio = "–"
        if isinstance(value, float) and isinstance(limit, float):
            ratio = f"{value / limit:.2f}"
        limit_text = f"{number(limit, unit)} ({limit_name})" if limit is not None else "–"
        lines.append(
            f"| {name} | {number(value, unit)} | {limit_text} | {ratio} | {goal or '–'} | "
            f"{'–' if met is None else ('yes' if met else 'no')} |"
        )
    lines += [
        "",
        *unmet(figures),
        "Before and after in the same run (the serializer path is ElevatorSerializer over model",
        "instances with their five relations, as the list was answered before `core.api.fast_list`):",
        "",
        "| call | serializer path | `.values_list()` fast path | speed-up |",
        "|---|---:|---:|---:|",
    ]
    for name, old, new in before_rows:
        lines.append(f"| {name} | {old:.1f} ms | {new:.1f} ms | {old / new:.1f}× |")
    lines += [
        "",
        f"Where a 500-row page goes ({extra['page_500']:.1f} ms through the API): the page's SQL "
        f"{extra['sql_500']:.1f} ms bare (PostgreSQL's EXPLAIN ANALYZE: planning "
        f"{extra['planning']:.2f} ms with the three units joined and the district and place-category "
        f"names by subquery, where the serializer path's join of all six tables takes "
        f"{extra['planning six tables']:.2f} ms to plan and the elevator table alone "
        f"{extra['planning alone']:.2f} ms; execution {extra['execution']:.1f} ms; the "
        f"rest is the server writing and the driver reading 501 rows), `.values_list()` over it "
        f"{extra['values']:.1f} ms, `elevator_list_represent` {extra['represent']:.1f} ms (dates and "
        f"times come written by PostgreSQL), orjson through core.api.fast_json {extra['render']:.1f} ms "
        f"(DRF's JSONRenderer of the same page: {extra['drf render']:.1f} ms); what remains is the "
        f"request itself (middleware, session, user, organisation, rate limit, cursor). DRF's "
        f"JSONRenderer of the rows as `.values()` gives them (dates left to the encoder's Python "
        f"fallback) runs at {extra['render_only']:,.0f} rows/s.",
        "",
        "What would close the gaps. The JSON encoder and the date formatting are no longer the cost",
        "(orjson writes the page in a small fraction of the SQL's time; PostgreSQL writes the dates).",
        "A 500-row page costs under twice its bare SQL: the rest is the driver's and Django's rows",
        "(tuples of ~35 columns), the representation building the answer's dicts, and the request's",
        "fixed cost. 40,000 rows/s is 12.5 ms for 500 rows, below the bare fetch of the same rows at",
        "this load. The page built as JSON by PostgreSQL (row_to_json of exactly the serializer's",
        "keys, labels and flags in SQL) was tried and gave the same bytes, but is slower on",
        "PostgreSQL 15: its JSON output looks up each column's type on every row, and fetching 501",
        "rows as JSON took 1.5-2.5 times the `.values()` query (bench/RESULTS.md, the list API's",
        "analysis). The fixed cost, nearly all of a 10-row page, is three round trips to PostgreSQL",
        "(session, the user with its organisation, the page) and two to Redis (the rate limit's read",
        "and write), each several milliseconds at this load, and about 5 ms of CPU (middleware,",
        "compiling three queries). The FilterSet is not built for a call that names no filter",
        "(core.api.filtering) and the `.values()` queryset is resolved once per process",
        "(core.api.fast_list). The millisecond goals assume a quiet machine: at this load even the",
        "bare SQL of a 50-row page takes the time shown above, several times PostgreSQL's own",
        "planning and execution.",
        "",
    ]
    return "\n".join(lines)


def unmet(figures) -> list[str]:
    """A line for each goal this run did not meet, with the distance to it."""
    lines = []
    for name, value, unit, limit, _limit_name, goal, met in figures:
        if met is not False or not isinstance(value, float):
            continue
        target = float(re.findall(r"[\d,.]+", goal)[-1].replace(",", ""))
        ratio_goal = " / " in goal
        reached = value / limit if ratio_goal else value
        shown = f"{reached:.2f}" if ratio_goal else number(reached, unit)
        lines.append(f"- not met: {name}: {shown} against {goal} ({reached / target:.2f} of the goal)")
    return [*lines, ""] if lines else []


def results_write(text: str) -> None:
    """Replace this benchmark's section of bench/RESULTS.md (or append it), leaving the rest alone."""
    path = Path(__file__).resolve().parent / "RESULTS.md"
    content = path.read_text(encoding="utf-8")
    start = content.find(SECTION)
    if start == -1:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = content.find("\n## ", start + len(SECTION))
        content = content[:start] + text + ("" if end == -1 else "\n" + content[end + 1 :])
    path.write_text(content, encoding="utf-8")
