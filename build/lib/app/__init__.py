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
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    from app.database import close_engine, prepare_engine
    from app.mail.sender import run_sender, stop_sender
    from app.services.maintenance import run_maintenance
    from app.templating import jinja_environment
    from app.web.access_log import redact_tokens_in_access_log
    from app.web.account import AccountController
    from app.web.account_security import AccountSecurityController
    from app.web.passkeys import PasskeyAccountController, PasskeySignInController
    from app.web.second_step import SecondStepController
    from app.web.activation import ActivationController
    from app.web.auth import AuthController
    from app.web.dev_mailbox import DevMailboxController
    from app.web.errors import EXCEPTION_HANDLERS
    from app.web.guards import requires_sign_in
    from app.web.health import HEALTH_PATH_PATTERNS, HealthController
    from app.web.home import HomeController
    from app.web.key_request import KeyRequestController
    from app.web.household import EmailConfirmationController, HouseholdController
    from app.web.language import LanguageController
    from app.web.middleware import SessionMiddleware, security_headers
    from app.web.records import RecordsController
    from app.web.recovery import RecoveryController
    from app.web.session_cookie import csrf_cookie_name
    from app.web.staff import STAFF_CONTROLLERS
    from app.web.static_assets import STATIC_DIR

    settings = settings or get_settings()
    redact_tokens_in_access_log()

    env = jinja_environment()

    @contextlib.asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await prepare_engine()
        stop = asyncio.Event()
        sender = asyncio.create_task(run_sender(settings, stop=stop)) if settings.delivers_by_smtp else None
        maintenance = asyncio.create_task(run_maintenance(stop=stop))  # purges expired rows (issue 9)
        try:
            yield
        finally:
            if sender:
                await stop_sender(sender, stop)
            stop.set()
            await maintenance
            await close_engine()

    handlers = [
        AuthController,
        ActivationController,
        HomeController,
        RecordsController,
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
        HealthController,
        *STAFF_CONTROLLERS,
        create_static_files_router(path="/static", directories=[STATIC_DIR], opt={"public": True},
                                   send_as_attachment=False, include_in_schema=False),
    ]
    if settings.is_demo:
        handlers.append(DevMailboxController)

    return Litestar(
        route_handlers=handlers,
        request_class=HTMXRequest,
        guards=[requires_sign_in],
        lifespan=[lifespan],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(env)),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=csrf_cookie_name(),
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            cookie_httponly=True,
            exclude=HEALTH_PATH_PATTERNS,  # probes keep no cookies
        ),
        allowed_hosts=AllowedHostsConfig(allowed_hosts=list(settings.allowed_hosts), exclude=HEALTH_PATH_PATTERNS),
        # A 64 KiB brotli window (lgwin 16, Litestar's default is 4 MiB) is bigger than any page here and
        # costs half as much to set up for every response; same bytes on the wire (bench/RESULTS.md).
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=400,
                                             brotli_lgwin=16, gzip_compress_level=6),
        middleware=[DefineMiddleware(SessionMiddleware)],
        before_send=[security_headers(hsts=settings.secure_cookies)],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=None,
        request_max_body_size=64 * 1024,
        debug=False,
    )
