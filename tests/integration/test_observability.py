"""Structured logs and Prometheus metrics from a real `homeroom serve` (issue 15 item 4)."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from tests.conftest import ON_POSTGRES
from tests.integration.serving import clean_environment, free_port, serving

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="one server on its own SQLite file is enough")

TOKEN = "Zq7pL0ngR3setT0kenThatMustNeverBeLogged"
PASSWORD = "Hunter2-never-logged!"


def test_one_json_line_per_request_no_secrets_and_metrics_on_their_own_port(tmp_path):
    metrics_port = free_port()
    env = clean_environment(HOMEROOM_ENV="demo", HOMEROOM_LOG_FORMAT="json",
                            DATABASE_URL=f"sqlite:///{tmp_path}/portal.sqlite3")
    with serving(tmp_path, env, extra=["--workers", "2", "--metrics-port", str(metrics_port)],
                 output=subprocess.PIPE) as (base, server):
        with httpx.Client(base_url=base) as browser:
            first = browser.get("/")
            browser.get(f"/reset/{TOKEN}")
            browser.get(f"/?key={TOKEN}x")  # a query string and a path nobody routes: uvicorn's access log
            browser.get(f"/no-such-page/{TOKEN}y")  # wrote both whole (an IT lead found them in the log)
            browser.post("/", data={"username": "nobody", "password": PASSWORD,
                                    "_csrf_token": browser.cookies.get("homeroom_csrftoken")})
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        assert httpx.get(f"{base}/metrics").status_code == 404  # not on the portal's own port
    stderr = server.stderr.read()

    assert TOKEN not in stderr and PASSWORD not in stderr and TOKEN not in metrics
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert [line for line in lines if not line.startswith("{")] == []  # every line is one JSON event
    events = [json.loads(line) for line in lines]
    start = [e for e in events if e.get("event") == "start"]
    assert start and "demo mode: SQLite file" in start[0]["message"] and "2 worker(s)" in start[0]["message"]
    assert not [e for e in events if e.get("logger") == "uvicorn.access"]  # the request log replaces it
    requests = [e for e in events if e.get("event") == "request"]
    assert {(e["method"], e["route"], e["status"]) for e in requests} >= {
        ("GET", "/healthz", 200), ("GET", "/", 200), ("GET", "/reset/{token}", 303)}
    for event in requests:
        assert set(event) >= {"time", "level", "method", "route", "status", "duration_ms", "request_id"}
    assert first.headers["x-request-id"] in {e["request_id"] for e in requests}

    assert 'homeroom_requests_total{method="GET",route="/",status="200"}' in metrics
    assert 'homeroom_request_duration_seconds_bucket{le="0.005",route="/"}' in metrics
    assert "homeroom_password_hash_queue" in metrics and "homeroom_outbox_backlog" in metrics
