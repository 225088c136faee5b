"""A small load generator, run as its own process: `python -m bench.load URL [URL...] --cookie NAME=VALUE`.

A fixed number of connections each send requests one after another until `--requests` have been sent or
`--seconds` have passed, whichever comes first; prints one JSON line per URL: requests/s, p50 and p99 in
milliseconds, and the count of answers other than 200."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


async def hammer(url: str, cookies: dict[str, str], connections: int, requests: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures = 0
    left = requests
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(cookies=cookies, limits=limits, timeout=30) as client:
        await client.get(url)  # warm the connection and the worker's caches

        async def worker() -> None:
            nonlocal left, failures
            while left > 0 and time.perf_counter() < deadline:
                left -= 1
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "url": url,
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--cookie", action="append", default=[])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    cookies = dict(c.split("=", 1) for c in args.cookie)
    for url in args.urls:
        print(json.dumps(asyncio.run(hammer(url, cookies, args.connections, args.requests, args.seconds))), flush=True)


if __name__ == "__main__":
    main()
