"""A small load generator, run as its own process: `python -m bench.load URL [URL...] --cookie NAME=VALUE`
(`public:URL` for a page fetched without the cookies; `--fresh --connections 1` for one user, one request at
a time, each on a new connection).

A fixed number of connections each send requests one after another. The URLs take turns in `--rounds`
short rounds (bare route, page, page, bare route, page, page, ...), each round ending when its share of
`--requests` has been sent or of `--seconds` has passed, so a change in the machine's load (a shared
machine) falls on every URL alike and the ratios between them hold. Prints one JSON line per URL:
requests/s over its rounds together, p50 and p99 in milliseconds, and the count of answers other than 200."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


async def hammer(client: httpx.AsyncClient, url: str, connections: int, requests: int, seconds: float,
                 tally: dict) -> None:
    """One round on one URL; adds its latencies, failures and elapsed time to `tally`."""
    left = requests
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal left
        while left > 0 and time.perf_counter() < deadline:
            left -= 1
            started = time.perf_counter()
            response = await client.get(url)
            tally["latencies"].append(time.perf_counter() - started)
            tally["failures"] += response.status_code != 200

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    tally["elapsed"] += time.perf_counter() - began


PUBLIC = "public:"  # a URL given as public:URL is fetched without the cookies (the login page, a static file)


async def measure(urls: list[str], cookies: dict[str, str], connections: int, requests: int, seconds: float,
                  rounds: int, fresh: bool = False) -> list[dict]:
    """`fresh`: every request on a new TCP connection (no keep-alive), as a single user measured one
    request at a time with a new connection each (issue 13)."""
    tallies = {url: {"latencies": [], "failures": 0, "elapsed": 0.0} for url in urls}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0 if fresh else connections)
    async with httpx.AsyncClient(cookies=cookies, limits=limits, timeout=30) as signed_in, \
            httpx.AsyncClient(limits=limits, timeout=30) as public:
        def client_for(url: str) -> tuple[httpx.AsyncClient, str]:
            return (public, url.removeprefix(PUBLIC)) if url.startswith(PUBLIC) else (signed_in, url)

        for url in urls:
            client, address = client_for(url)
            for _ in range(connections):  # warm the connections and the workers' caches
                await client.get(address)
        for _ in range(rounds):
            for url in urls:
                client, address = client_for(url)
                await hammer(client, address, connections, max(1, requests // rounds), seconds / rounds,
                             tallies[url])
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
