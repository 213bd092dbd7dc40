"""The registry import of a provincial-size export (`manage.py import_registry`) against the bare readers.

1. Generates the 200,000-row registry export with bench/import_memory.py's generator (a clean
   file, and one where every other row names an unknown district, so half the rows are refused).
2. Times each bare reader iterating the clean file's rows once, each in a fresh process: openpyxl's
   read-only mode, python-calamine (the whole sheet at once), and `core.xlsx.read_table`'s source
   (what the import reads through: calamine a piece at a time). openpyxl with lxml allowed is not
   timed any more: it parses the sheet's rows with the same code (decision 0018), and at a load
   of 10-20 each openpyxl pass takes minutes.
3. Runs `manage.py import_registry FILE` in a fresh process against a scratch PostgreSQL database
   (migrated, the city's divisions loaded): the clean file (200,000 elevators created), the same
   file again (every row unchanged: the idempotent path), then the half-refused one (all refused,
   nothing written). Wall time, CPU time of the process and its peak RSS (the kernel's high-water
   mark for that process alone).

The limits are the bare readers on the same file in the same run: the machine is shared and noisy.

Usage: python bench/registry_import.py [--rows 200000]
Environment: BENCH_PG names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432),
BENCH_DATABASE the scratch database (default tibao_bench_import).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_DATABASE", "tibao_bench_import")
GOAL_SECONDS, GOAL_MB = 60, 400

# Each bare reader: the code a fresh process runs on the file (path in sys.argv[1]).
READERS = {
    "openpyxl read-only": (
        "import openpyxl, sys\n"
        "wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
        "ws = wb.worksheets[0]; ws.reset_dimensions()\n"
        "rows = sum(1 for _ in ws.iter_rows(values_only=True))\n",
        {"OPENPYXL_LXML": "False"},
    ),
    "python-calamine, whole sheet": (
        "import python_calamine, sys\n"
        "sheet = python_calamine.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0)\n"
        "rows = sum(1 for _ in sheet.iter_rows())\n",
        {},
    ),
    "core.xlsx.read_table (calamine by pieces)": (
        "import sys\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from core.xlsx.sources import open_xlsx\n"
        "iterator, close = open_xlsx(sys.argv[1], filename='registry.xlsx')\n"
        "rows = sum(1 for _ in iterator)\n"
        "close()\n",
        {},
    ),
}
MEASURED = (
    "import resource, time\n"
    "began = time.perf_counter()\n"
    "{code}"
    "seconds = time.perf_counter() - began\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print(json.dumps({{'rows': rows, 'seconds': seconds, 'cpu': usage.ru_utime + usage.ru_stime,"
    " 'rss_mb': usage.ru_maxrss / 1024}}))\n"
)


def bare_reader(name: str, path: str) -> dict:
    code, extra_env = READERS[name]
    script = "import json\n" + MEASURED.format(code=code)
    output = subprocess.run(
        [sys.executable, "-c", script, path, str(ROOT)],
        env={**os.environ, **extra_env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def scratch_database(server: str, name: str) -> str:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    url = f"{server}/{name}"
    env = django_env(url)
    for command in (["migrate", "-v0"], ["loaddata", "xiangyang", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], env=env, cwd=ROOT, check=True)
    return url


def django_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-registry-import-not-a-secret",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "ERROR",
    }


def import_registry(database_url: str, path: str) -> dict:
    """`manage.py import_registry path` in a process of its own: wall, CPU, peak RSS, summary line."""
    script = (
        "import json, os, resource, sys, time\n"
        "import django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.core.management.base import CommandError\n"
        "import io\n"
        "out = io.StringIO()\n"
        "began = time.perf_counter()\n"
        "try:\n"
        "    call_command('import_registry', sys.argv[1], stdout=out)\n"
        "    refused = False\n"
        "except CommandError:\n"
        "    refused = True\n"
        "seconds = time.perf_counter() - began\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'seconds': seconds, 'cpu': usage.ru_utime + usage.ru_stime,"
        " 'rss_mb': usage.ru_maxrss / 1024, 'refused': refused, 'summary': out.getvalue().splitlines()[0]},"
        " ensure_ascii=False))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script, path],
        env=django_env(database_url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def generate_files(directory: str, rows: int) -> tuple[str, str]:
    clean, refused = (
        os.path.join(directory, "registry.xlsx"),
        os.path.join(directory, "registry-refused.xlsx"),
    )
    generator = str(ROOT / "bench" / "import_memory.py")
    for path, extra in ((clean, []), (refused, ["--refuse-every", "2"])):
        subprocess.run(
            [sys.executable, generator, "--generate", path, "--rows", str(rows), *extra], check=True
        )
    return clean, refused


# The imports, in this order into one database: the clean file (every elevator created), the same
# file again (every elevator unchanged: the idempotent path), the half-refused file (nothing written).
CASES = (("clean", "clean"), ("again", "clean"), ("refused", "refused"))
LABELS = {
    "clean": "clean file",
    "again": "the clean file again, all unchanged",
    "refused": "half the rows refused",
}


def say(text: str) -> None:
    print(text, flush=True)


def measure(*, server: str = SERVER, database: str = DATABASE, rows: int = 200_000) -> dict:
    """Every figure of one run, as plain numbers."""
    directory = tempfile.mkdtemp(prefix="tibao-bench-import-")
    clean, refused = generate_files(directory, rows)
    say(f"generated {rows:,} rows twice ({os.path.getsize(clean) / 2**20:.1f} MB)")
    figures = {"rows": rows, "file_mb": os.path.getsize(clean) / 2**20, "readers": {}}
    for name in READERS:
        figures["readers"][name] = bare_reader(name, clean)
        say(f"bare reader {name}: {figures['readers'][name]['seconds']:,.1f} s")
    url = scratch_database(server, database)
    for case, path in CASES:
        figures[case] = import_registry(url, clean if path == "clean" else refused)
        say(f"import ({case}): {figures[case]['seconds']:,.1f} s, {figures[case]['rss_mb']:,.0f} MB")
    for path in (clean, refused):
        os.remove(path)
    os.rmdir(directory)
    return figures


def bench_rows(*, server: str = SERVER, rows: int = 200_000, **_options) -> list:
    """The figures as rows of the harness's table (bench.harness.rows.Row)."""
    from bench.harness.rows import Row

    return [Row(**row) for row in as_rows(measure(server=server, rows=rows))]


def figures(database_url: str, *, rows: int = 200_000) -> list[dict]:
    """The figures (figure, value, limit, ratio, goal, met, note), measured on a scratch database
    beside `database_url` (on the same server; `database_url` itself is not touched)."""
    server = database_url.rsplit("/", 1)[0]
    return as_rows(measure(server=server, rows=rows))


def as_rows(measured: dict) -> list[dict]:
    rows, readers = measured["rows"], measured["readers"]
    table = []
    for case, label in LABELS.items():
        run = measured[case]
        for name, reader in readers.items():
            table.append(
                {
                    "figure": f"registry import, {rows:,} rows ({label}): seconds against {name}",
                    "value": f"{run['seconds']:,.1f} s",
                    "limit": f"{reader['seconds']:,.1f} s ({name}, CPU {reader['cpu']:,.1f} s)",
                    "ratio": run["seconds"] / reader["seconds"],
                    "goal": f"≤ {GOAL_SECONDS} s",
                    "met": run["seconds"] <= GOAL_SECONDS,
                    "note": f"import CPU {run['cpu']:,.1f} s; {run['summary']}",
                }
            )
        for name, reader in readers.items():
            table.append(
                {
                    "figure": f"registry import, {rows:,} rows ({label}): peak RSS against {name}",
                    "value": f"{run['rss_mb']:,.0f} MB",
                    "limit": f"{reader['rss_mb']:,.0f} MB ({name})",
                    "ratio": run["rss_mb"] / reader["rss_mb"],
                    "goal": f"≤ {GOAL_MB} MB",
                    "met": run["rss_mb"] <= GOAL_MB,
                    "note": f"file {measured['file_mb']:.1f} MB",
                }
            )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    measured = measure(rows=args.rows)
    print(json.dumps(measured, indent=2, ensure_ascii=False))
    for row in as_rows(measured):
        print(f"| {row['figure']} | {row['value']} | {row['limit']} | {row['ratio']:.2f} | {row['goal']} |")


if __name__ == "__main__":
    main()
