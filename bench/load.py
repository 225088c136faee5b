"""A small load generator, run as its own process: `python -m bench.load URL [URL...] --cookie NAME=VALUE`
(`public:URL` for a page fetched without the cookies; `--fresh --connections 1` for one user, one request at
a time, each on a new connection).

A fixed number of connections each send requests one after another. The URLs take turns in `--rounds`
short rounds (bare route, page, page, bare route, page, page, ...), each round ending when its share of
`--requests` has been sent or of `--seconds` has passed, so a change in the machine's load (a shared
machine) falls on every URL alike and the ratios between them hold. Prints one JSON line per URL:
requests/s over its rounds together, p50 and p99 in milliseconds, the count of answers other than 200, and
the share of the machine's CPU time left idle while it was measured."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


async def hammer(targets: list[tuple[httpx.AsyncClient, str]], connections: int, requests: int, seconds: float,
                 tally: dict) -> None:
    """One round on one URL; adds its latencies, failures and elapsed time to `tally`. Connection i sends to
    targets[i % len(targets)] (one page on each of several servers: each gets the same share of connections)."""
    left = requests
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, url: str) -> None:
        nonlocal left
        while left > 0 and time.perf_counter() < deadline:
            left -= 1
            started = time.perf_counter()
            response = await client.get(url)
            tally["latencies"].append(time.perf_counter() - started)
            tally["failures"] += response.status_code != 200

    began, (busy, idle) = time.perf_counter(), machine_ticks()
    await asyncio.gather(*(worker(*targets[i % len(targets)]) for i in range(connections)))
    tally["elapsed"] += time.perf_counter() - began
    now_busy, now_idle = machine_ticks()
    tally["busy"] += now_busy - busy
    tally["idle"] += now_idle - idle


def machine_ticks() -> tuple[int, int]:
    """The machine's CPU time so far, every core together, in clock ticks: (busy, idle), idle counting
    time waiting for I/O (the first line of /proc/stat; (0, 0) where there is none). A URL measured with
    idle cores was held back by something other than the machine's CPU: for the bare route, by the load
    generator itself, a single Python process (bench/RESULTS.md, eighth session)."""
    try:
        with open("/proc/stat") as handle:
            ticks = [int(t) for t in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, idle


PUBLIC = "public:"  # a URL given as public:URL is fetched without the cookies (the login page, a static file)


async def measure(urls: list[str], cookies: dict[str, str], connections: int, requests: int, seconds: float,
                  rounds: int, fresh: bool = False) -> list[dict]:
    """`fresh`: every request on a new TCP connection (no keep-alive), as a single user measured one
    request at a time with a new connection each (issue 13). A URL may be several, `URL|URL|...` (the same page
    on several servers), over which the connections are shared out evenly.

    Each server (origin) has its own pool of keep-alive connections, kept from round to round: with one pool
    for every URL, a round on another server closed them, and the next round's new connections went to the
    server's workers as its accept() fell, often all to one worker (bench/RESULTS.md, eighth session)."""
    tallies = {url: {"latencies": [], "failures": 0, "elapsed": 0.0, "busy": 0, "idle": 0} for url in urls}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0 if fresh else connections)
    pools: dict[tuple[bool, str], httpx.AsyncClient] = {}

    def targets_of(url: str) -> list[tuple[httpx.AsyncClient, str]]:
        public = url.startswith(PUBLIC)
        targets = []
        for address in url.removeprefix(PUBLIC).split("|"):
            origin = httpx.URL(address).copy_with(path="/", query=None)
            key = (public, str(origin))
            if key not in pools:
                pools[key] = httpx.AsyncClient(cookies=None if public else cookies, limits=limits, timeout=30)
            targets.append((pools[key], address))
        return targets

    try:
        for url in urls:
            targets = targets_of(url)
            for i in range(connections):  # warm the connections and the workers' caches
                client, address = targets[i % len(targets)]
                await client.get(address)
        for _ in range(rounds):
            for url in urls:
                await hammer(targets_of(url), connections, max(1, requests // rounds), seconds / rounds,
                             tallies[url])
    finally:
        for pool in pools.values():
            await pool.aclose()
    figures = []
    for url, tally in tallies.items():
        latencies = sorted(tally["latencies"])
        figures.append({
            "url": url,
            "requests": len(latencies),
            "rps": round(len(latencies) / tally["elapsed"], 1),
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
            "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
            "mean_ms": round(1000 * sum(latencies) / len(latencies), 2),
            "failures": tally["failures"],
            "idle_pct": round(100 * tally["idle"] / max(1, tally["busy"] + tally["idle"])),
        })
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--cookie", action="append", default=[])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--fresh", action="store_true", help="a new TCP connection for every request")
    args = parser.parse_args()
    cookies = dict(c.split("=", 1) for c in args.cookie)
    for figure in asyncio.run(measure(args.urls, cookies, args.connections, args.requests, args.seconds,
                                      args.rounds, args.fresh)):
        print(json.dumps(figure), flush=True)


if __name__ == "__main__":
    main()
