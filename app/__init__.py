"""Homeroom: an open-source parent portal for K-12 school districts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.template.config import TemplateConfig

from app.settings import Settings, get_settings


GAUGE_SECONDS = 30


async def refresh_gauges(stop: asyncio.Event) -> None:
    """Every GAUGE_SECONDS: the outbox gauges for /metrics (issue 15 item 4)."""
    import logging

    from app.observability import refresh_outbox_gauges

    while not stop.is_set():
        try:
            await refresh_outbox_gauges()
        except Exception:  # noqa: BLE001 - the database may be away; /readyz says so, metrics wait
            logging.getLogger("homeroom.metrics").warning("outbox gauges not refreshed", exc_info=True)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), GAUGE_SECONDS)


def create_app(settings: Settings | None = None) -> Litestar:
    from app import clock
    from app.database import close_engine, prepare_engine
    from app.mail.sender import stop_sender, transport_for
    from app.services.maintenance import run_maintenance
    from app.services.outgoing_mail import run_sender
    from app.services.alert_schedule import run_schedule
    from app.templating import jinja_environment
    from app.web.access_log import redact_tokens_in_access_log
    from app.web.account import AccountController
    from app.web.account_security import AccountSecurityController
    from app.web.passkeys import PasskeyAccountController, PasskeySignInController
    from app.web.second_step import SecondStepController
    from app.web.activation import ActivationController
    from app.web.absence_reports import AbsenceReportsController
    from app.web.alerts import AlertChoicesController, UnsubscribeController
    from app.web.auth import AuthController
    from app.web.csrf import SessionBoundCSRFMiddleware
    from app.web.bounds import integers_in_range
    from app.web.corrections import CorrectionsController
    from app.web.dev_mailbox import DevMailboxController
    from app.web.errors import EXCEPTION_HANDLERS
    from app.web.guards import requires_sign_in
    from app.web.health import HEALTH_PATH_PATTERNS, HealthController
    from app.web.home import HomeController
    from app.web.key_request import KeyRequestController
    from app.web.head_requests import head_as_get
    from app.web.household import EmailConfirmationController, HouseholdController
    from app.web.language import LanguageController
    from app.web.middleware import SessionMiddleware, security_headers
    from app.web.records import RecordsController
    from app.web.recovery import RecoveryController
    from app.web.session_cookie import csrf_cookie_name
    from app.web.session_keepalive import KeepAliveController
    from app.web.staff import STAFF_CONTROLLERS
    from app.web.static_files import SKIP_COMPRESSION, static_file

    settings = settings or get_settings()
    clock.follow_settings(settings)
    redact_tokens_in_access_log()

    env = jinja_environment()

    @contextlib.asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await prepare_engine()
        stop = asyncio.Event()
        # Over SMTP, or into the dev mailbox in demo mode without a relay; none in tests without a relay.
        sender = asyncio.create_task(run_sender(settings, stop=stop)) if transport_for(settings) else None
        maintenance = asyncio.create_task(run_maintenance(stop=stop))  # purges expired rows (issue 9)
        gauges = asyncio.create_task(refresh_gauges(stop))
        # Alerts and weekly digests on the district's clock (issue 12); tests drive it themselves.
        schedule = asyncio.create_task(run_schedule(stop)) if settings.env != "test" else None
        try:
            yield
        finally:
            if schedule:
                await stop_sender(schedule, stop)
            if sender:
                await stop_sender(sender, stop)
            stop.set()
            await maintenance
            await gauges
            await close_engine()

    handlers = [
        AuthController,
        ActivationController,
        HomeController,
        RecordsController,
        CorrectionsController,
        HouseholdController,
        EmailConfirmationController,
        AccountController,
        AccountSecurityController,
        SecondStepController,
        PasskeyAccountController,
        PasskeySignInController,
        RecoveryController,
        KeyRequestController,
        LanguageController,
        KeepAliveController,
        AlertChoicesController,
        AbsenceReportsController,
        UnsubscribeController,
        HealthController,
        *STAFF_CONTROLLERS,
        # Static files pay only for what they use (issue 13): no session read (SessionMiddleware skips
        # /static/), no CSRF token minted and set as a cookie for every file, no compression per request
        # (each file is read and compressed once per process: app/web/static_files.py).
        static_file,
    ]
    if settings.is_demo:
        handlers.append(DevMailboxController)

    app = Litestar(
        route_handlers=handlers,
        request_class=HTMXRequest,
        guards=[requires_sign_in, integers_in_range],
        lifespan=[lifespan],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(env)),
        allowed_hosts=AllowedHostsConfig(allowed_hosts=list(settings.allowed_hosts), exclude=HEALTH_PATH_PATTERNS),
        # A 64 KiB brotli window (lgwin 16, Litestar's default is 4 MiB) is bigger than any page here and
        # costs half as much to set up for every response; same bytes on the wire (bench/RESULTS.md).
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=400,
                                             brotli_lgwin=16, gzip_compress_level=6,
                                             exclude_opt_key=SKIP_COMPRESSION),  # static files come compressed
        # The session first, then the CSRF check that binds its token to that session (app/web/csrf.py).
        middleware=[DefineMiddleware(SessionMiddleware), DefineMiddleware(SessionBoundCSRFMiddleware, config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=csrf_cookie_name(),
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            cookie_httponly=True,
            exclude=HEALTH_PATH_PATTERNS,  # probes keep no cookies
        ))],
        before_send=[security_headers(hsts=settings.secure_cookies)],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=None,
        logging_config=None,  # logging is the serving process's (app/observability.py); errors log themselves
        request_max_body_size=64 * 1024,
        debug=False,
    )
    app.asgi_handler = head_as_get(app.asgi_handler)
    return app
