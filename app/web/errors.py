"""Error pages: friendly, in the portal's frame, never a stack trace (QUALITY §4, §5)."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.response import Template

from app.services.password_hashing import HashingBusy
from app.web.rendering import is_htmx, redirect_after_post

log = logging.getLogger("homeroom.web")


def _page(request: Request, name: str, status: int, headers: dict | None = None) -> Response:
    # Error pages do not read the database (it may be the thing that is down).
    return Template(
        template_name=f"errors/{name}.html",
        context={"layout": "layouts/fragment.html" if is_htmx(request) else "layouts/bare.html", "errors": [],
                 "field_errors": {}},
        status_code=status,
        headers=headers or {},
    )


def not_signed_in(request: Request, _: NotAuthorizedException) -> Response:
    return redirect_after_post(request, "/?notice=session-ended", whole_page=True)


def not_found(request: Request, _: NotFoundException) -> Response:
    return _page(request, "404", 404)


def forbidden(request: Request, _: PermissionDeniedException) -> Response:
    # In practice: a form posted without a valid CSRF token (an old tab, cookies cleared).
    return _page(request, "403", 403)


def other_http_error(request: Request, error: HTTPException) -> Response:
    if error.status_code >= 500:
        return server_error(request, error)
    return _page(request, "400", error.status_code if 400 <= error.status_code < 500 else 400)


def busy(request: Request, _: HashingBusy) -> Response:
    return _page(request, "503", 503, {"Retry-After": "5"})


def server_error(request: Request, error: Exception) -> Response:
    if _database_unavailable(error):
        log.warning("database unavailable: %s", type(error).__name__)
        return _page(request, "503", 503, {"Retry-After": "5"})
    log.exception("unhandled error on %s %s", request.method, request.url.path.replace("\n", "\\n"))
    return _page(request, "500", 500)


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
