"""The portal under gunicorn, for the figures measured through real HTTP (bench/claims_upload.py).

`portal_environment` is the settings of a portal on a scratch database; `start_portal` runs
gunicorn on a free port of 127.0.0.1 and waits for /healthz; `post_json` sends one request with
an API key; `portal_pids` and `cpu_seconds` give the CPU the server's processes spent (their own,
beside PostgreSQL's). `database_drop` drops a scratch database (`bench.harness.seed.
database_recreate` makes it).
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def portal_environment(database_url: str, *, secret: str) -> dict[str, str]:
    """The environment of a production-like portal (DEBUG off) on `database_url`."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }


def database_drop(*, server: str, database: str) -> None:
    """Drop a scratch database, this process's own connections to it closed first."""
    from django.db import connections

    from bench.harness.seed import admin

    connections.close_all()
    connection = admin(server)  # not `with connection`: psycopg2 would open a transaction
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
    connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_portal(port: int, workers: int, environment: dict[str, str]) -> subprocess.Popen:
    """gunicorn with `workers` sync workers on 127.0.0.1:`port`, once it answers /healthz."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_portal(process)
    raise SystemExit("the portal did not start within 60 s")


def stop_portal(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def portal_pids(portal: subprocess.Popen) -> list[int]:
    """The gunicorn master and its workers."""
    pids = [portal.pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == portal.pid:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def post_json(port: int, path: str, key: str, body: dict) -> dict:
    """POST `body` as JSON with the API key `key`; the answer's JSON (SystemExit unless a 200)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request(
        "POST",
        path,
        body=json.dumps(body).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"HTTP {response.status}: {payload[:500]!r}")
    return json.loads(payload)
