"""Structured logs and Prometheus metrics from a real `homeroom serve` (issue 15 item 4)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="one server on its own SQLite file is enough")

TOKEN = "Zq7pL0ngR3setT0kenThatMustNeverBeLogged"
PASSWORD = "Hunter2-never-logged!"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_one_json_line_per_request_no_secrets_and_metrics_on_their_own_port(tmp_path):
    port, metrics_port = _port(), _port()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HOMEROOM_", "DATABASE_URL", "PROMETHEUS"))}
    env = {**keep, "HOMEROOM_ENV": "demo", "HOMEROOM_LOG_FORMAT": "json",
           "DATABASE_URL": f"sqlite:///{tmp_path}/portal.sqlite3"}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2",
                               "--metrics-port", str(metrics_port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the portal did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as browser:
            first = browser.get("/")
            browser.get(f"/reset/{TOKEN}")
            browser.post("/", data={"username": "nobody", "password": PASSWORD,
                                    "_csrf_token": browser.cookies.get("homeroom_csrftoken")})
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        assert httpx.get(f"{base}/metrics").status_code == 404  # not on the portal's own port
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)

    assert TOKEN not in stderr and PASSWORD not in stderr and TOKEN not in metrics
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert [line for line in lines if not line.startswith("{")] == []  # every line is one JSON event
    events = [json.loads(line) for line in lines]
    start = [e for e in events if e.get("event") == "start"]
    assert start and "demo mode: SQLite file" in start[0]["message"] and "2 worker(s)" in start[0]["message"]
    requests = [e for e in events if e.get("event") == "request"]
    assert {(e["method"], e["route"], e["status"]) for e in requests} >= {
        ("GET", "/healthz", 200), ("GET", "/", 200), ("GET", "/reset/{token}", 303)}
    for event in requests:
        assert set(event) >= {"time", "level", "method", "route", "status", "duration_ms", "request_id"}
    assert first.headers["x-request-id"] in {e["request_id"] for e in requests}

    assert 'homeroom_requests_total{method="GET",route="/",status="200"}' in metrics
    assert 'homeroom_request_duration_seconds_bucket{le="0.005",route="/"}' in metrics
    assert "homeroom_password_hash_queue" in metrics and "homeroom_outbox_backlog" in metrics
