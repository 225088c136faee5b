"""Weekly digests for a whole district (issue 12 item 7): time to queue every guardian's digest, messages a
second to a local SMTP sink, peak memory — on SQLite and PostgreSQL.

    .venv/bin/python -m bench.digests --students 10000 100000 --send-seconds 60 [--reuse]
    BENCH_DATABASE=x .venv/bin/python -m bench.digests --students 100000 --reuse --records-districts

Each district is `homeroom demo --students N --attendance-events 100N --seed 2026` (as bench/records.py
makes them, in its own files and databases: bench/.data/alerts-district-N.sqlite3 and
`test_alerts_bench_N` on BENCH_POSTGRES), then every guardian with an email address on file gets a portal
account (the demo makes only a few), so every guardian who may see a child is a digest recipient: the
issue's worst case. Before each measurement the week's digest rows and the outbox are emptied.

Queueing runs in its own process (`homeroom digests queue`, the command districts run from cron): wall
time and that process's peak resident memory (ru_maxrss). Sending runs the portal's own sender
(`app.services.outgoing_mail.deliver_due`, what `homeroom mail-worker` runs) in another process against an
aiosmtpd sink in this one, for --send-seconds at most: messages accepted by the sink per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import records

ROOT = Path(__file__).parent.parent
DATA = ROOT / "bench" / ".data"


SHARED = {"on": False}  # --records-districts: bench/records.py's districts (generated once for both benchmarks)


def database_url(engine: str, students: int) -> str:
    if SHARED["on"]:
        return _RECORDS_URL(engine, students)
    if engine == "sqlite":
        return f"sqlite:///{DATA}/alerts-district-{students}.sqlite3"
    return f"{records.PG_SERVER}/test_alerts_bench_{students}"


_RECORDS_URL = records.database_url


def generate(engine: str, students: int, reuse: bool) -> float | None:
    if not SHARED["on"]:
        records.database_url = database_url  # bench/records.py's generator, on this benchmark's databases
    try:
        return records.generate(engine, students, reuse)
    finally:
        records.database_url = _RECORDS_URL


ACCOUNTS = """
INSERT INTO user_account (username, username_key, password_hash, person, role, language, disabled, created_at,
                          password_changed_at)
SELECT 'bench' || p.id, 'bench' || p.id, 'not-a-password-hash', p.id, 'guardian', 'en', {false}, {now}, {now}
FROM person p
WHERE p.kind = 'guardian' AND p.email IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM user_account a WHERE a.person = p.id)
"""


async def _prepare() -> dict:
    """Accounts for every guardian with an email; no digest rows and an empty outbox."""
    from app.database import close_engine, engine, prepare_engine
    from app.tables import OutboxEmail, UserAccount, WeeklyDigest

    await prepare_engine()
    try:
        postgres = engine().engine_type == "postgres"
        await UserAccount.raw(ACCOUNTS.replace("{false}", "false" if postgres else "0").replace(
            "{now}", "now()" if postgres else "CURRENT_TIMESTAMP"))
        await WeeklyDigest.delete(force=True)
        await OutboxEmail.delete(force=True)
        return {"accounts": await UserAccount.count().where(UserAccount.role == "guardian")}
    finally:
        await close_engine()


def child(what: str) -> None:
    """Run in its own process: `queue` or `send SECONDS`; prints one JSON line."""
    from app.database import close_engine, prepare_engine

    async def go() -> dict:
        await prepare_engine()
        try:
            if what == "queue":
                from app.services.digests import queue_digests

                started = time.perf_counter()
                run = await queue_digests()
                return {"seconds": time.perf_counter() - started, "queued": run.queued, "nothing": run.nothing,
                        "week_of": str(run.week_of)}
            from app.services.outgoing_mail import deliver_due
            from app.settings import get_settings

            limit = float(sys.argv[3])
            settings = get_settings()
            started = time.perf_counter()
            sent = 0
            while time.perf_counter() - started < limit:
                done = await deliver_due(settings)
                if not done:
                    break
                sent += done
            return {"seconds": time.perf_counter() - started, "sent": sent}
        finally:
            await close_engine()

    result = asyncio.run(go())
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


class Sink:
    """An aiosmtpd server that counts what it accepts."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self.sizes: list[int] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.count += 1
            self.sizes.append(len(envelope.original_content or envelope.content))
        return "250 OK"


def measure(engine: str, students: int, send_seconds: float) -> dict:
    url = database_url(engine, students)
    port = records.free_port()
    env = {**records.environment(url, 8000), "HOMEROOM_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # a district kept by --reuse may predate a migration
    prepare = subprocess.run([sys.executable, "-c", "import asyncio, json; from bench.digests import _prepare; "
                              "print(json.dumps(asyncio.run(_prepare())))"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
    accounts = json.loads(prepare.stdout.strip().splitlines()[-1])["accounts"]
    queued = json.loads(subprocess.run([sys.executable, "-m", "bench.digests", "--child", "queue"], cwd=ROOT, env=env,
                                       check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    second = json.loads(subprocess.run([sys.executable, "-m", "bench.digests", "--child", "queue"], cwd=ROOT, env=env,
                                       check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    sink = Sink(port)
    sink.controller.start()
    try:
        sent = json.loads(subprocess.run([sys.executable, "-m", "bench.digests", "--child", "send", str(send_seconds)],
                                         cwd=ROOT, env=env, check=True, capture_output=True,
                                         text=True).stdout.strip().splitlines()[-1])
    finally:
        sink.controller.stop()
    sent["avg_bytes"] = sum(sink.sizes) / max(len(sink.sizes), 1)
    sent["max_bytes"] = max(sink.sizes, default=0)
    return {"engine": engine, "students": students, "accounts": accounts, "queue": queued, "second_run": second,
            "send": sent, "sink_received": sink.count}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[10000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--send-seconds", type=float, default=60.0)
    parser.add_argument("--reuse", action="store_true", help="keep districts an earlier run generated")
    parser.add_argument("--records-districts", action="store_true",
                        help="use bench/records.py's districts (bench/.data/district-N.sqlite3, BENCH_DATABASE_N)")
    args = parser.parse_args()
    SHARED["on"] = args.records_districts
    for students in args.students:
        for engine in args.engines:
            took = generate(engine, students, args.reuse)
            if took is not None:
                print(f"generated {engine} {students:,} students in {took:.0f} s", flush=True)
            result = measure(engine, students, args.send_seconds)
            print(json.dumps(result), flush=True)
            q, s = result["queue"], result["send"]
            print(f"| {engine} | {students:,} | {result['accounts']:,} | {q['queued']:,} | {q['nothing']:,} | "
                  f"{q['seconds']:.1f} | {q['queued'] / q['seconds']:.0f} | {q['peak_rss_mb']:.0f} | "
                  f"{result['second_run']['queued']} in {result['second_run']['seconds']:.1f} s | "
                  f"{s['sent']:,} in {s['seconds']:.1f} s | {s['sent'] / s['seconds']:.1f} | "
                  f"{s['avg_bytes'] / 1024:.1f} / {s['max_bytes'] / 1024:.1f} |", flush=True)


if __name__ == "__main__":
    main()
