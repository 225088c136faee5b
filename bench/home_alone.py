"""Home alone, two checkouts taking turns: how much a change to home moves it, against the bare route measured in
the same run (bench/RESULTS.md, issue 13).

    .venv/bin/python -m bench.home_alone /work/main /tmp/changed --rounds 2

Each checkout's portal is served as 2 uvicorn processes of one worker, against the 100,000-student PostgreSQL
district bench/records.py generates (`--students` for another), and loaded with bench/load.py: the bare route and
home, `--requests` each at most, `--seconds` at most. A checkout is served from its own folder (`git archive` of a
commit, or a copy with the change), with this checkout's bench and bare route. Prints one line a run."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.records import Server, database_url, environment, free_port, run_load, sign_in


def home_and_bare(root: Path, students: int, requests: int, seconds: float) -> dict:
    url = database_url("postgres", students)
    ports, bare_ports = [free_port() for _ in range(2)], [free_port() for _ in range(2)]
    servers = [Server("app.asgi:app", port, environment(url, port), 1, cwd=root) for port in ports]
    servers += [Server("bench.bare:app", port, environment(url, port), 1) for port in bare_ports]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        cookies, *_ = sign_in(bases[0])
        return run_load({"bare": "|".join(f"http://127.0.0.1:{port}/bare" for port in bare_ports),
                         "home": "|".join(base + "/home" for base in bases)},
                        cookies, "--requests", str(requests), "--seconds", str(seconds))
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", type=Path, nargs="+", help="checkouts to serve the portal from, in turn")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=12)
    args = parser.parse_args()
    for _ in range(args.rounds):
        for root in args.roots:
            f = home_and_bare(root.resolve(), args.students, args.requests, args.seconds)
            bare, home = f["bare"]["rps"], f["home"]["rps"]
            print(f"{root}: bare route {bare:,.0f} req/s, home {home:,.0f} req/s, {home / bare:.3f}x, "
                  f"CPU idle {f['home']['idle_pct']} %, non-200 {f['home']['failures']}", flush=True)


if __name__ == "__main__":
    main()
