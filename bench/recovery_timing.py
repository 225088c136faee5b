"""Forgot password / forgot username reply times, existing vs missing account or address (issue 9 item 3),
against a real uvicorn on SQLite or PostgreSQL. The proof is by counting (tests/integration/
test_recovery_work.py); this shows what an attacker with a stopwatch sees.

    python -m bench.recovery_timing [--database-url URL] [--samples N] [--root CHECKOUT]

A fresh demo district (200 students) is made in the database (PostgreSQL: the schema is dropped first, so
give it a database of its own), the username reminders per day set to the maximum (50) and the counters
cleared before every 40 replies, so each reply is a normal one (never the over-the-limit reply). Existing
and missing identifiers take turns, one request at a time. `--root` serves another checkout (for the
before/after figures in bench/RESULTS.md). No mail relay: what the reply costs is all that is timed.
Prints one JSON line per case: median and p90 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.records import SECRET, PEPPER, Server, free_port

ROOT = Path(__file__).parent.parent
EXISTING_USERNAME = "demoparent"  # app/demo.py's ready-made account
EXISTING_EMAIL = "lopez.family@example.org"  # its address (app/demo.py SHARED_EMAIL)
MISSING_USERNAME = "nobodyhere77"
MISSING_EMAIL = "nobody.here@example.org"
CASES = [
    ("forgot password, by username", "/forgot-password", "identifier", EXISTING_USERNAME, MISSING_USERNAME),
    ("forgot password, by email", "/forgot-password", "identifier", EXISTING_EMAIL, MISSING_EMAIL),
    ("forgot username", "/forgot-username", "email", EXISTING_EMAIL, MISSING_EMAIL),
]


def environment(root: Path, url: str, port: int) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": url, "HOMEROOM_ENV": "test",
            "HOMEROOM_SECRET_KEY": SECRET, "HOMEROOM_SSN_PEPPER": PEPPER,
            "HOMEROOM_PUBLIC_URL": f"http://127.0.0.1:{port}", "HOMEROOM_ALLOWED_HOSTS": "127.0.0.1"}


def _cli(root: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL)


async def _execute(url: str, sql: str) -> None:
    if not url.startswith("postgres"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as connection:
            connection.execute(sql)
        return
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def prepare(root: Path, url: str) -> None:
    env = environment(root, url, 8000)
    if url.startswith("postgres"):
        asyncio.run(_execute(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    _cli(root, env, "migrate")
    _cli(root, env, "demo", "--students", "200")
    _cli(root, env, "settings", "set", "username_reminders_per_day", "50")
    _cli(root, env, "settings", "set", "username_lock_scope", "recovery-only")


def measure(root: Path, url: str, samples: int) -> list[dict]:
    port = free_port()
    server = Server("app.asgi:app", port, environment(root, url, port), 1, cwd=root)
    try:
        figures = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for name, path, field, existing, missing in CASES:
                client.get(path)
                token = client.cookies["homeroom_csrftoken"]
                times: dict[str, list[float]] = {"existing": [], "missing": []}
                for _ in range(5):  # warm-up
                    for value in (existing, missing):
                        client.post(path, data={field: value, "_csrf_token": token})
                for sample in range(samples):
                    if sample % 20 == 0:
                        asyncio.run(_execute(url, "DELETE FROM rate_counter"))
                    for which, value in (("existing", existing), ("missing", missing)):
                        started = time.perf_counter()
                        answer = client.post(path, data={field: value, "_csrf_token": token})
                        times[which].append(1000 * (time.perf_counter() - started))
                        assert answer.status_code == 303, (answer.status_code, answer.text[:300])
                        assert answer.headers["location"].endswith("/sent"), answer.headers["location"]
                for which, values in times.items():
                    values.sort()
                    figures.append({"case": name, "identifier": which, "samples": len(values),
                                    "median_ms": round(statistics.median(values), 2),
                                    "p90_ms": round(values[int(len(values) * 0.9)], 2)})
        return figures
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--samples", type=int, default=200, help="replies per identifier and case")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="homeroom-recovery-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    prepare(args.root.resolve(), url)
    for figure in measure(args.root.resolve(), url, args.samples):
        print(json.dumps({"engine": "postgresql" if url.startswith("postgres") else "sqlite", **figure}))


if __name__ == "__main__":
    main()
