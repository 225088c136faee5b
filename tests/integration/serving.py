"""A real `homeroom serve` in its own process, for the tests that follow a district's install and deployment
(wheel, setup, backups, logs and metrics, proxies): started in a folder of the test's own, with an environment
of the test's choosing, ready when `/healthz` answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(**values: str) -> dict[str, str]:
    """The machine's environment without anything of Homeroom's or the test suite's, plus `values`."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("HOMEROOM_", "DATABASE_URL", "PICCOLO", "PROMETHEUS"))}
    return {**keep, **values}


@contextmanager
def serving(folder: Path, env: dict[str, str], *, port: int | None = None, extra: Sequence[str] = (),
            command: Sequence[str] | None = None, output=subprocess.DEVNULL,
            wait_seconds: float = 180) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of `homeroom serve --port P [extra]` run in `folder`; stopped on leaving.
    `command` replaces `python -m app.cli` (an installed `homeroom`); `output` is where stdout and stderr go
    (subprocess.PIPE to read them from the process afterwards)."""
    port = port or free_port()
    program = list(command or [sys.executable, "-m", "app.cli"])
    server = subprocess.Popen([*program, "serve", "--port", str(port), *extra], cwd=folder, env=env,
                              stdout=output, stderr=output, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the portal stopped while starting"
            assert time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.2)
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
