"""Logs and metrics for the district's IT (issue 15 item 4).

**Logs.** `configure_logging()` makes every log record one JSON line on standard error (python-json-logger)
when `HOMEROOM_LOG_FORMAT=json` (the default in production) and plain text otherwise. `RequestLog` writes
one event per request: method, route *template* (`/reset/{token:str}`, never the path a token travels in),
status, duration in milliseconds and a request id, which the response also carries as `X-Request-ID`. No
query string, form field, cookie or header value is ever logged, so no token, key, SSN or password can be.

**Metrics.** Prometheus counters and histograms (`prometheus-client`), collected across uvicorn's worker
processes in its multiprocess mode: requests by route, method and status; request latency by route; how many
password hashes are running or waiting in the bounded pool; the outbox backlog and the messages whose last attempt
failed; import runs by kind and outcome. `homeroom serve --metrics-port P` serves them from the supervising
process on 127.0.0.1 (or `--metrics-host`): a separate port that the load balancer does not expose.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from app.settings import Settings

log = logging.getLogger("homeroom.request")

REQUESTS = Counter("homeroom_requests_total", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram("homeroom_request_duration_seconds", "Time to answer an HTTP request", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
HASH_QUEUE = Gauge("homeroom_password_hash_queue", "Password hashes running or waiting in the bounded pool",
                   multiprocess_mode="livesum")
OUTBOX_BACKLOG = Gauge("homeroom_outbox_backlog", "Emails due and not yet sent", multiprocess_mode="max")
OUTBOX_FAILING = Gauge("homeroom_outbox_failing", "Unsent emails whose last attempt failed",
                       multiprocess_mode="max")
IMPORT_RUNS = Counter("homeroom_import_runs_total", "homeroom import runs", ["kind", "outcome"])


def log_format(settings: Settings) -> str:
    """json or text: HOMEROOM_LOG_FORMAT, else json in production and text elsewhere."""
    chosen = os.environ.get("HOMEROOM_LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    return "json" if settings.is_production else "text"


def configure_logging(settings: Settings) -> None:
    """Send every record (ours and uvicorn's) to standard error, as JSON lines or text."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format(settings) == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"asctime": "time", "levelname": "level",
                                                          "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # RequestLog below is the request log: uvicorn's own access log would write every path and query string
    # whole (tokens and keys included) and the client's address, and this runs after uvicorn set it up.
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True


class RequestLog:
    """ASGI wrapper around the whole app: times each HTTP request, gives it an id, logs one event and counts
    it. The route is the template Litestar matched (`-` when none did, e.g. a 404)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "-"
            if route.startswith("/static/"):
                route = "/static"
            REQUESTS.labels(route, scope["method"], str(status)).inc()
            LATENCY.labels(route).observe(elapsed)
            duration_ms = round(elapsed * 1000, 1)
            log.info("%s %s %s %.1f ms %s", scope["method"], route, status, duration_ms, request_id,
                     extra={"event": "request", "method": scope["method"], "route": route, "status": status,
                            "duration_ms": duration_ms, "request_id": request_id})


def start_metrics_server(host: str, port: int) -> None:
    """Serve /metrics for every worker process (multiprocess mode: PROMETHEUS_MULTIPROC_DIR must be set
    before the workers start)."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)


async def refresh_outbox_gauges() -> None:
    """Set the outbox gauges from the table (the app's maintenance loop calls this)."""
    from app import clock
    from app.tables import OutboxEmail

    unsent = OutboxEmail.status == "queued"  # cancelled and given-up rows never get a sent_at: go by status
    OUTBOX_BACKLOG.set(await OutboxEmail.count().where(unsent, OutboxEmail.next_attempt_at <= clock.now()))
    OUTBOX_FAILING.set(await OutboxEmail.count().where(unsent, OutboxEmail.attempts > 0))
