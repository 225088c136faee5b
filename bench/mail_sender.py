"""Outbox throughput and exactly-once at scale (issue 12 items 7 and 8, the sending side):

    python -m bench.mail_sender [--database-url URL] [--messages 5000] [--workers 1 2] [--relay-ms 0]

Queues N messages, starts `homeroom mail-worker` processes against a local aiosmtpd sink (which can be made
slow with --relay-ms), and times until every message is marked sent; then checks that the sink received each
message exactly once. Prints one JSON line per worker count: messages/s, seconds, duplicates, and the peak
resident memory of the workers. PostgreSQL: the schema is dropped first, so give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.records import PEPPER, SECRET, free_port
from bench.recovery_timing import _execute

ROOT = Path(__file__).parent.parent


def environment(url: str, smtp_port: int) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "HOMEROOM_ENV": "test", "HOMEROOM_SECRET_KEY": SECRET,
            "HOMEROOM_SSN_PEPPER": PEPPER, "HOMEROOM_PUBLIC_URL": "https://portal.example",
            "HOMEROOM_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "HOMEROOM_MAIL_FROM": "portal@portal.example"}


async def _queue(count: int) -> None:
    from app import clock
    from app.database import close_engine, prepare_engine, transaction
    from app.mail.outbox import enqueue_email

    await prepare_engine()
    try:
        for start in range(0, count, 1000):
            async with transaction():
                for number in range(start, min(count, start + 1000)):
                    await enqueue_email("password-changed", f"parent{number}@example.org", {
                        "portal_name": "Portal", "district_name": "District", "username": f"parent{number}",
                        "help_phone": "+14048021000", "when": clock.now(), "time_zone": "America/New_York"})
    finally:
        await close_engine()


async def _unsent() -> int:
    from app.database import close_engine, prepare_engine
    from app.tables import OutboxEmail

    await prepare_engine()
    try:
        return await OutboxEmail.count().where(OutboxEmail.status == "queued")
    finally:
        await close_engine()


def _in_child(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "bench.mail_sender", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]


def run(url: str, messages: int, workers: int, relay_ms: int) -> dict:
    from aiosmtpd.controller import Controller

    from tests.mailbox import Mailbox

    if url.startswith("postgres"):
        asyncio.run(_execute(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    sink = Mailbox(delay=relay_ms / 1000)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = environment(url, port)
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    _in_child(env, "--queue", str(messages))  # through the app, in a process of its own (settings read once)
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "app.cli", "mail-worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL) for _ in range(workers)]
    try:
        while len(sink.messages) < messages:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        time.sleep(1.0)  # were a message sent twice, it would show now
        left = int(_in_child(env, "--count-queued"))
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(timeout=30)
        controller.stop()
    received = Counter(mail.to for mail in sink.messages)
    return {"engine": "postgresql" if url.startswith("postgres") else "sqlite", "workers": workers,
            "messages": messages, "relay_ms": relay_ms, "seconds": round(elapsed, 2),
            "messages_per_s": round(messages / elapsed, 1), "received": sum(received.values()),
            "duplicates": sum(n - 1 for n in received.values() if n > 1), "left_queued": left,
            "children_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file per run in a temporary folder")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--relay-ms", type=int, default=0, help="how long the sink takes to accept a message")
    parser.add_argument("--queue", type=int, help=argparse.SUPPRESS)  # the child that queues
    parser.add_argument("--count-queued", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queue:
        asyncio.run(_queue(args.queue))
        print("queued")
        return
    if args.count_queued:
        print(asyncio.run(_unsent()))
        return
    for workers in args.workers:
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='homeroom-mail-bench-')}/bench.sqlite3"
        print(json.dumps(run(url, args.messages, workers, args.relay_ms)), flush=True)


if __name__ == "__main__":
    main()
