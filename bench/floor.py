"""The request floor (issue 13), in-process: what one request costs the app itself, with no network, no
load generator and no other worker — a static file, the public login page, a signed-in account page and the
signed-in pages (grades, attendance, home, a section) — each as milliseconds of this process's time a request, against a
bare Litestar route driven the same way. Optionally a profile of one of them (cProfile on CPU time).

    DATABASE_URL=sqlite:///bench/.data/district-1000.sqlite3 .venv/bin/python -m bench.floor --requests 300
    DATABASE_URL=... .venv/bin/python -m bench.floor --profile static --requests 2000   # cProfile, CPU time

On PostgreSQL the server's own CPU time is reported too (its backends' on-CPU time from /proc/PID/schedstat, for
this database's client connections: run it against a database nobody else is using): in a benchmark on this
machine the server shares the same cores, so a page costs what the app spends plus what the server spends.

The app is `app.asgi:app` as uvicorn serves it (the request log and metrics included), driven through
httpx's ASGI transport; the district is one made by bench/records.py (signed in as its `demoparent`). CPU
time (time.process_time) is reported next to wall time: on a shared machine it is the steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time

import httpx
from piccolo.querystring import QueryString

from bench import records


async def _server_pids() -> list[int]:
    """The PostgreSQL backends serving this database's clients (empty on SQLite, or when /proc cannot see them)."""
    from app.database import engine
    from piccolo.engine.postgres import PostgresEngine

    db = engine()
    if not isinstance(db, PostgresEngine):
        return []
    rows = await db.run_querystring(QueryString(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"))
    return [r["pid"] for r in db.transform_response_to_dicts(rows)]


def _cpu_ns(pids: list[int]) -> dict[int, int]:
    """Each process's time on a CPU so far, in nanoseconds (the first field of /proc/PID/schedstat)."""
    times = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as handle:
                times[pid] = int(handle.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return times


async def _run(pages: list[str], requests: int, profile: str | None, rounds: int) -> dict[str, tuple[float, float, float]]:
    os.environ.setdefault("HOMEROOM_ENV", "test")
    os.environ.setdefault("HOMEROOM_SECRET_KEY", records.SECRET)
    os.environ.setdefault("HOMEROOM_SSN_PEPPER", records.PEPPER)
    os.environ.setdefault("HOMEROOM_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("HOMEROOM_LOG_FORMAT", "text")
    import logging

    from app.asgi import app
    from app.database import close_engine, prepare_engine
    from bench.bare import app as bare_app

    logging.getLogger().handlers[:] = [logging.NullHandler()]  # the request log's work is done, not written
    await prepare_engine()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    bare_transport = httpx.ASGITransport(app=bare_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client, \
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as public, \
            httpx.AsyncClient(transport=bare_transport, base_url="http://testserver") as bare:
        login = (await client.get("/")).text
        token = client.cookies["homeroom_csrftoken"]
        answer = await client.post("/", data={"username": records.USERNAME, "password": records.PASSWORD,
                                              "_csrf_token": token})
        assert answer.status_code == 303, answer.status_code
        home = (await client.get("/home")).text
        student = re.search(r'href="/students/([0-9a-f-]{36})/grades"', home).group(1)
        grades = (await client.get(f"/students/{student}/grades")).text
        section = re.search(r'href="(/students/[0-9a-f-]{36}/grades/[0-9a-f-]{36})', grades).group(1)
        stylesheet = re.search(r'href="(/static/css/site\.css\?v=\w+)"', login).group(1)
        urls = {"bare": (bare, "/bare"), "static": (public, stylesheet), "login": (public, "/"),
                "account": (client, "/account"), "grades": (client, f"/students/{student}/grades"),
                "attendance": (client, f"/students/{student}/attendance"), "home": (client, "/home"),
                "section": (client, section)}
        headers = {"accept-encoding": "br, gzip"}
        for name in pages:  # warm every cache once
            http, url = urls[name]
            for _ in range(5):
                assert (await http.get(url, headers=headers)).status_code == 200, name
        totals = {name: [0.0, 0.0, 0, 0] for name in pages}
        profiler = None
        if profile:
            # CPU time, not wall time: on a shared machine the wall clock mostly measures the others.
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.start = profiler.enable
            profiler.stop = profiler.disable
        for _ in range(rounds):  # the pages take turns, so a change in the machine's load falls on all alike
            for name in pages:
                http, url = urls[name]
                server = _cpu_ns(await _server_pids())
                if profiler and name == profile:
                    profiler.start()
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(max(1, requests // rounds)):
                    await http.get(url, headers=headers)
                totals[name][0] += time.perf_counter() - wall
                totals[name][1] += time.process_time() - cpu
                totals[name][2] += max(1, requests // rounds)
                after = _cpu_ns(await _server_pids())  # (this look-up's own server time is left out)
                totals[name][3] += sum(t - server.get(pid, 0) for pid, t in after.items())
                if profiler and name == profile:
                    profiler.stop()
        if profiler:
            import pstats

            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
    await close_engine()
    return {name: (1000 * w / n, 1000 * c / n, s / 1e6 / n) for name, (w, c, n, s) in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per page")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", nargs="+", default=["bare", "static", "login", "account", "grades", "home",
                                                        "section"])
    parser.add_argument("--profile", help="one page to profile (cProfile, CPU time)")
    args = parser.parse_args()
    figures = asyncio.run(_run(args.pages, args.requests, args.profile, args.rounds))
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[0]
    print(f"load average {load}; {args.requests} requests a page, in-process (ASGI), {os.environ['DATABASE_URL']}")
    print("| page | wall ms | CPU ms | CPU vs bare | PostgreSQL server CPU ms | app + server CPU ms |")
    print("|---|---:|---:|---:|---:|---:|")
    bare_cpu = figures.get("bare", (0, 0, 0))[1]
    for name, (wall, cpu, server) in figures.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / bare_cpu if bare_cpu else float('nan'):.1f}× | "
              f"{server:.2f} | {cpu + server:.2f} |")


if __name__ == "__main__":
    main()
