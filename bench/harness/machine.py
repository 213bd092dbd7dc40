"""The machine a run happened on: cores, memory, PostgreSQL's version and the load around it."""

import os
import platform
from pathlib import Path


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def load() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return " / ".join(f"{n:.1f}" for n in os.getloadavg())


def postgresql_version(server: str) -> str:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def describe(server: str) -> dict:
    return {
        "cores": os.cpu_count(),
        "memory": f"{memory_gb():.0f} GB",
        "postgresql": postgresql_version(server),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }
