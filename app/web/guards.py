"""Deny by default: every route needs a signed-in account unless its handler says `opt={"public": True}`.
Role guards narrow further. A test walks `app.routes` to hold this (docs/quality.md §4).

The guards are `async def` although they never wait: Litestar runs a plain `def` guard in a worker
thread, a thread hop on every request for what is a dictionary lookup."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler

from app.services.sessions import CurrentSession, SignedInAccount


def current_session(connection: ASGIConnection) -> CurrentSession | None:
    return connection.scope.get("state", {}).get("session")


def current_account(connection: ASGIConnection) -> SignedInAccount | None:
    session = current_session(connection)
    return session.account if session else None


async def requires_sign_in(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
        return
    if current_account(connection) is None:
        raise NotAuthorizedException()


async def requires_guardian(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    account = current_account(connection)
    if account is None:
        raise NotAuthorizedException()
    if account.role != "guardian":
        raise NotFoundException()


STAFF_ROLES = ("school-staff", "district-admin")


async def requires_staff(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """The console: school staff and district admins. Anyone else is told there is nothing here."""
    account = current_account(connection)
    if account is None:
        raise NotAuthorizedException()
    if account.role not in STAFF_ROLES:
        raise NotFoundException()


async def requires_district_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    account = current_account(connection)
    if account is None:
        raise NotAuthorizedException()
    if account.role != "district-admin":
        raise NotFoundException()
