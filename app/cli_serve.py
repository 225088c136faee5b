"""`homeroom serve` (issue 15 items 3, 4 and 8): migrate if needed, refuse an unset-up production district,
then serve with uvicorn. The address is checked before anything else: a port out of range, one under the
privileged limit without root, zero workers or a host this machine does not have is a usage error (exit 2); a
port another program holds is refused (exit 1). Each is one line, never uvicorn's log of the failure."""

from __future__ import annotations

import argparse
import errno
import os
import socket
from pathlib import Path

HIGHEST_PORT = 65535
_UNPRIVILEGED_START = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")


class AddressRefused(Exception):
    """The address cannot be listened on. `usage`: the command typed must change (exit 2); else exit 1."""

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


def first_unprivileged_port() -> int:
    """Ports below this need root (1024 unless the machine's net.ipv4.ip_unprivileged_port_start says other)."""
    try:
        return int(_UNPRIVILEGED_START.read_text().strip())
    except (OSError, ValueError):
        return 1024


def _is_root() -> bool:
    return getattr(os, "geteuid", lambda: 0)() == 0


def port_argument(value: str) -> int:
    """An argparse type: a port this process may listen on, or a usage error that says why not."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number: use a whole number from 1 to "
                                         f"{HIGHEST_PORT}") from None
    if not 1 <= port <= HIGHEST_PORT:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use a whole number from 1 to {HIGHEST_PORT}")
    return port


def privileged_port_problem(port: int) -> str | None:
    """Why a process that is not root may not listen on `port`, or None."""
    lowest = first_unprivileged_port()
    if port < lowest and not _is_root():
        return (f"port {port} is below {lowest}, and only root may listen on those: choose a port from {lowest} "
                f"up (e.g. 8000) and let a reverse proxy take 80 and 443, or run as root")
    return None


def check_address(host: str, port: int, option: str) -> None:
    """Raise AddressRefused unless `host`:`port` can be listened on now. The socket is bound as uvicorn binds
    it (SO_REUSEADDR, so a port left in TIME_WAIT by the last run is fine) and closed again at once."""
    problem = privileged_port_problem(port)
    if problem:
        raise AddressRefused(f"{option} {port}: {problem}", usage=True)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except socket.gaierror:
        raise AddressRefused(f"--host {host}: no such address or host name on this machine's network",
                             usage=True) from None
    except OSError as problem:
        if problem.errno == errno.EADDRINUSE:
            raise AddressRefused(f"port {port} on {host} is already in use by another program (another "
                                 f"`homeroom serve`?): stop it, or choose another {option}", usage=False) from None
        if problem.errno == errno.EADDRNOTAVAIL:
            raise AddressRefused(f"--host {host} is not an address of this machine: use one of its addresses, "
                                 "127.0.0.1, or 0.0.0.0 for all of them", usage=True) from None
        if problem.errno == errno.EACCES:
            raise AddressRefused(f"{option} {port}: this user may not listen on it (ports under "
                                 f"{first_unprivileged_port()} need root)", usage=True) from None
        raise


def add_serve_command(commands) -> None:
    serve = commands.add_parser("serve", help="migrate if needed, then serve")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on; 0.0.0.0 behind a load balancer on another machine")
    serve.add_argument("--port", type=port_argument, default=8000,
                       help=f"port to listen on (1 to {HIGHEST_PORT}; under {first_unprivileged_port()} only as "
                            "root)")
    from app.cli import whole_number

    serve.add_argument("--workers", type=whole_number(1), default=1,
                       help="worker processes (about one per core; at least 1)")
    serve.add_argument("--metrics-port", type=port_argument, metavar="PORT",
                       help="serve Prometheus metrics on this port (off when not given)")
    serve.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST",
                       help="address for the metrics port; keep it off the public network")
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    import logging
    import tempfile

    from app.cli import EXIT_CONFIGURATION, EXIT_FAILED, EXIT_USAGE, _fail, _refuse_until_set_up, migrate

    if args.metrics_port is not None and args.metrics_port == args.port:
        return _fail(EXIT_USAGE, f"--metrics-port {args.metrics_port} is the same as --port: give metrics a port "
                                 "of their own")
    try:
        check_address(args.host, args.port, "--port")
        if args.metrics_port is not None:
            check_address(args.metrics_host, args.metrics_port, "--metrics-port")
    except AddressRefused as refused:
        return _fail(EXIT_USAGE if refused.usage else EXIT_FAILED, str(refused))

    if args.metrics_port:
        # Before prometheus_client is first imported, here and in every worker: their counts meet in this folder.
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="homeroom-metrics-"))
    import uvicorn

    from app.observability import configure_logging, start_metrics_server
    from app.settings import get_settings, is_loopback, serving_summary

    settings = get_settings()
    if settings.is_demo and "HOMEROOM_PUBLIC_URL" not in os.environ:
        # The demo's links (emails, the dev mailbox) point at the address it is served on.
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        os.environ["HOMEROOM_PUBLIC_URL"] = f"http://{host}:{args.port}"
        get_settings.cache_clear()
        settings = get_settings()
    if settings.is_demo and "HOMEROOM_ENV" not in os.environ and not is_loopback(args.host):
        # The demo shows every email at /dev/mailbox: on an address others reach, only when asked for by name.
        return _fail(EXIT_CONFIGURATION, f"HOMEROOM_ENV is not set, so this would serve the demo, which shows every "
                                         f"email at /dev/mailbox, on {args.host}, which other machines reach: set "
                                         "HOMEROOM_ENV=production for a district's portal, or HOMEROOM_ENV=demo to "
                                         "show the demo to others")
    if migrate() != 0:
        return EXIT_FAILED
    refusal = _refuse_until_set_up(settings)
    if refusal:
        return _fail(EXIT_CONFIGURATION, refusal)
    configure_logging(settings)
    started = logging.getLogger("homeroom.serve")
    for line in serving_summary(settings, host=args.host, port=args.port, workers=args.workers):
        started.info(line, extra={"event": "start"})
    if args.metrics_port:
        start_metrics_server(args.metrics_host, args.metrics_port)
        started.info("Prometheus metrics on http://%s:%d/metrics", args.metrics_host, args.metrics_port)
    # Logging is ours (app/asgi.py), and the request log replaces uvicorn's access log.
    try:
        uvicorn.run("app.asgi:app", host=args.host, port=args.port, workers=args.workers, proxy_headers=True,
                    forwarded_allow_ips=list(settings.trusted_proxies),
                    server_header=False, log_config=None, access_log=False)
    except SystemExit as stopped:
        if stopped.code not in (None, 0):
            # uvicorn exits 3 when it cannot start (the port taken since the check above, the app failing at
            # start-up); what went wrong is in the log lines above.
            return _fail(EXIT_FAILED, "the server did not start: the log lines above say why")
    return 0
