"""Error pages: friendly, in the portal's frame, never a stack trace (QUALITY §4, §5)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.response import Template

from app.rules.errors import N_
from app.services.password_hashing import HashingBusy
from app.web.rendering import is_htmx, redirect_after_post
from app.web.session_cookie import session_cookie_name

log = logging.getLogger("homeroom.web")


@dataclass(frozen=True)
class Problem:
    title: str
    explanation: str
    next_step: str


PROBLEMS = {
    400: Problem(N_("Something in the request was not right"), N_("Nothing was changed. Go back and try again."),
                 N_("Go to the start page")),
    403: Problem(N_("This form has expired"),
                 N_("For your security, forms stop working after a while or when you log in or out in another "
                    "tab. Nothing was changed."), N_("Start again")),
    404: Problem(N_("Page not found"), N_("If you typed the web address, check it is correct."),
                 N_("Go to the start page")),
    500: Problem(N_("Sorry, something went wrong"), N_("The problem has been recorded. Try again in a few minutes."),
                 N_("Go to the start page")),
    503: Problem(N_("The portal is busy"),
                 N_("Too many people are using the portal right now, or it is being updated. Nothing was lost. "
                    "Try again in a minute."), N_("Try again")),
}


def _page(request: Request, status: int, headers: dict | None = None) -> Response:
    # Error pages do not read the database (it may be the thing that is down).
    return Template(
        template_name="errors/error.html",
        context={"layout": "layouts/fragment.html" if is_htmx(request) else "layouts/bare.html", "errors": [],
                 "field_errors": {}, "problem": PROBLEMS[status if status in PROBLEMS else 400]},
        status_code=status,
        headers=headers or {},
    )


def not_signed_in(request: Request, _: NotAuthorizedException) -> Response:
    had_session = session_cookie_name() in request.cookies
    return redirect_after_post(request, "/?notice=session-ended" if had_session else "/", whole_page=True)


def not_found(request: Request, _: NotFoundException) -> Response:
    return _page(request, 404)


def forbidden(request: Request, _: PermissionDeniedException) -> Response:
    # In practice: a form posted without a valid CSRF token (an old tab, cookies cleared).
    return _page(request, 403)


def other_http_error(request: Request, error: HTTPException) -> Response:
    if error.status_code >= 500:
        return server_error(request, error)
    return _page(request, error.status_code if 400 <= error.status_code < 500 else 400)


def busy(request: Request, _: HashingBusy) -> Response:
    return _page(request, 503, {"Retry-After": "5"})


def server_error(request: Request, error: Exception) -> Response:
    if _database_unavailable(error):
        log.warning("database unavailable: %s", type(error).__name__)
        return _page(request, 503, {"Retry-After": "5"})
    log.exception("unhandled error on %s %s", request.method, request.url.path.replace("\n", "\\n"))
    return _page(request, 500)


def _database_unavailable(error: Exception) -> bool:
    names = {type(e).__name__ for e in _causes(error)}
    return bool(names & {"ConnectionRefusedError", "CannotConnectNowError", "ConnectionDoesNotExistError",
                         "InterfaceError", "TooManyConnectionsError", "AdminShutdown", "OperationalError",
                         "ConnectionResetError", "PostgresConnectionError"})


def _causes(error: BaseException):
    seen = 0
    while error is not None and seen < 10:
        yield error
        error = error.__cause__ or error.__context__
        seen += 1


EXCEPTION_HANDLERS = {
    NotAuthorizedException: not_signed_in,
    NotFoundException: not_found,
    PermissionDeniedException: forbidden,
    HashingBusy: busy,
    HTTPException: other_http_error,
    Exception: server_error,
}
