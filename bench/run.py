"""`make bench`: the benchmark database at SCALE elevators, every figure, bench/RESULTS.md.

    python bench/run.py [--scale 1000000] [--only seed,coverage,list] [--no-seed] [--repeat 5]

1. "seed": a fresh PostgreSQL database (TIBAO_BENCH_DATABASE, default tibao_bench, on the server
   BENCH_PG, default postgres://postgres@127.0.0.1:5432) filled by `seed_demo --elevators SCALE`
   (the demo city: registry by COPY, policies for 60-70% of the elevators in scope, some renewed,
   claims, maintenance, services, hazards, rescues), timed beside its limit. --no-seed reuses the
   database as it is (it must hold SCALE elevators) and reports the seed it was built by.
2. every figure of bench/harness/figures.py (or those --only names), each in a process of its own,
   each returning rows: figure, value, the limit measured in the same run, ratio, goal, met;
3. the rows, the machine (cores, memory, PostgreSQL, load average before and after) and the date
   go to bench/results.json and to the generated table at the top of bench/RESULTS.md.
A part that fails is written as failed with its error, and the run goes on with the next one.
"""

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import machine  # noqa: E402
from bench.harness.child import MARKER  # noqa: E402
from bench.harness.figures import FIGURES, select  # noqa: E402
from bench.harness.results import results_write, scale_store, store_read, store_write, table  # noqa: E402


def now() -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}"


def part_run(figure, options: dict, environment: dict, stop_at: datetime.datetime | None = None) -> dict:
    """Run one figure's function in a child process; its rows, or why there are none. A part still
    running at `stop_at` is stopped (with its children) and written as not measured."""
    started, load_before = now(), machine.load()
    if stop_at is not None and datetime.datetime.now(datetime.UTC) >= stop_at:
        return {
            "at": started,
            "load": load_before,
            "status": f"not measured (the run stopped at {stop_at:%H:%M} UTC)",
        }
    print(f"\n=== {figure.key}: {figure.title} ({started} UTC, load {load_before})", flush=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.harness.child", figure.function, json.dumps(options)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped as one at stop_at
    )
    stopped = threading.Event()
    if stop_at is not None:
        seconds = (stop_at - datetime.datetime.now(datetime.UTC)).total_seconds()

        def stop() -> None:
            if process.poll() is None:
                stopped.set()
                os.killpg(process.pid, signal.SIGTERM)

        timer = threading.Timer(max(seconds, 0), stop)
        timer.daemon = True
        timer.start()
    answer = None
    for line in process.stdout:
        if line.startswith(MARKER):
            answer = json.loads(line[len(MARKER) :])
        else:
            print(line, end="", flush=True)
    process.wait()
    entry = {"at": started, "load": f"{load_before} → {machine.load()}"}
    if stopped.is_set():
        entry["status"] = (
            f"not measured (stopped at {stop_at:%H:%M} UTC, the run's time limit, after {started} UTC)"
        )
    elif answer is None:
        entry["status"] = f"failed (the part exited with {process.returncode} before answering)"
    elif "missing" in answer:
        entry["status"] = f"not measured ({answer['missing']} yet)"
    elif "failed" in answer:
        entry["status"] = f"failed: {answer['failed']}"
    else:
        entry["rows"] = answer["rows"]
    outcome = entry.get("status") or f"{len(entry['rows'])} row(s)"
    print(f"=== {figure.key}: {outcome}", flush=True)
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="elevators in the benchmark database")
    parser.add_argument("--only", help="comma-separated figures: " + ",".join(f.key for f in FIGURES))
    parser.add_argument("--no-seed", action="store_true", help="reuse the benchmark database as it is")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timed call (medians are shown)")
    parser.add_argument("--seed", type=int, default=2021, help="the demo's random seed")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave RESULTS.md alone")
    parser.add_argument("--stop-at", metavar="HH:MM", help="UTC time: parts still running then are stopped")
    args = parser.parse_args()
    stop_at = None
    if args.stop_at:
        hour, minute = (int(n) for n in args.stop_at.split(":"))
        stop_at = datetime.datetime.now(datetime.UTC).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )

    figures = select(args.only)
    if not args.no_seed and any(f.needs_database for f in figures) and figures[0].key != "seed":
        figures.insert(0, next(f for f in FIGURES if f.key == "seed"))  # the database they read
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    database = os.environ.get("TIBAO_BENCH_DATABASE", "tibao_bench")
    options = {
        "scale": args.scale,
        "database": database,
        "server": server,
        "repeat": args.repeat,
        "no_seed": args.no_seed,
        "seed": args.seed,
    }
    environment = {
        **os.environ,
        "DATABASE_URL": f"{server}/{database}",
        # The parts call the portal through Django's test client or a local gunicorn, far faster than
        # a person: development settings, and no per-user rate limit.
        "DEBUG": os.environ.get("DEBUG", "1"),
        "TIBAO_API_RATE_USER": "1000000/min",
        "PYTHONUNBUFFERED": "1",
    }
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    run_id = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    run = {"command": command.strip(), "started": now(), "load_before": machine.load()}
    run["machine"] = machine.describe(server)
    measured = {}
    for figure in figures:
        measured[figure.key] = {**part_run(figure, options, environment, stop_at), "run": run_id}
    run.update(finished=now(), load_after=machine.load())
    # Read again now: another run (of other figures) may have written it meanwhile.
    store = store_read()
    part = scale_store(store, args.scale)
    part["figures"].update(measured)
    part["runs"] = {
        key: entry
        for key, entry in {**part["runs"], run_id: run}.items()
        if any(f.get("run") == key for f in part["figures"].values())
    }
    text = table(store, FIGURES)
    print("\n" + text)
    if not args.no_write:
        store_write(store)
        results_write(text)


if __name__ == "__main__":
    main()
