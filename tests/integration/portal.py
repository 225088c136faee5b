"""A browser without a browser: an httpx client on the whole ASGI app (middleware, CSRF, sessions), with
the few habits a real browser has (it sends the CSRF cookie's value back in the form).

`AsyncTestClient` runs the app in a thread with its own event loop; the tests also use the database
directly (factories, assertions, concurrent service calls) and PostgreSQL's connection pool belongs to
one loop, so the app runs in the test's loop here, through httpx's ASGI transport and the app's lifespan.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from typing import AsyncIterator

import httpx

from tests.integration import leaks

BASE_URL = "http://portal.test"
SESSION_COOKIE = "homeroom_session"
CSRF_COOKIE = "homeroom_csrftoken"

FormData = Mapping[str, str] | Sequence[tuple[str, str]]


class Portal:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @property
    def app(self):
        return self.client._transport.app  # noqa: SLF001 (the app under test)

    # --- cookies -----------------------------------------------------------------------------------
    def cookie(self, name: str) -> str | None:
        for cookie in self.client.cookies.jar:
            if cookie.name == name:
                return cookie.value
        return None

    @property
    def session_cookie(self) -> str | None:
        return self.cookie(SESSION_COOKIE)

    def set_session_cookie(self, value: str) -> None:
        self.forget_cookie(SESSION_COOKIE)
        self.client.cookies.set(SESSION_COOKIE, value, domain="portal.test", path="/")

    def forget_cookie(self, name: str) -> None:
        for cookie in list(self.client.cookies.jar):
            if cookie.name == name:
                self.client.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)

    # --- requests ----------------------------------------------------------------------------------
    async def get(self, url: str, *, htmx: bool = False, headers: Mapping[str, str] | None = None,
                  follow: bool = False) -> httpx.Response:
        response = await self.client.get(url, headers=_headers(htmx, headers), follow_redirects=follow)
        leaks.scan_response(response)
        return response

    async def csrf_token(self) -> str:
        """The CSRF cookie's value (a page is fetched first when the browser has none yet)."""
        if not self.cookie(CSRF_COOKIE):
            await self.get("/forgot-password")
        token = self.cookie(CSRF_COOKIE)
        assert token, "the portal set no CSRF cookie on a page"
        return token

    async def post(self, url: str, data: FormData | None = None, *, htmx: bool = False, csrf: bool = True,
                   headers: Mapping[str, str] | None = None, follow: bool = False) -> httpx.Response:
        fields = list(data.items()) if isinstance(data, Mapping) else list(data or [])
        if csrf:
            fields.append(("_csrf_token", await self.csrf_token()))
        response = await self.client.post(url, data=_multi(fields), headers=_headers(htmx, headers),
                                          follow_redirects=follow)
        leaks.scan_response(response)
        return response

    # --- flows -------------------------------------------------------------------------------------
    async def log_in(self, username: str, password: str, *, second_step: bool = True, **kwargs) -> httpx.Response:
        """Log in; an account with a second factor (issue 14) also answers the code page, as its owner would
        (second_step=False stops at the password, for tests of the second step itself)."""
        response = await self.post("/", {"username": username, "password": password}, **kwargs)
        if not second_step:
            return response
        from tests.second_factor import pass_second_step

        signed_in, again = await pass_second_step(self, response)
        if again:  # the account had to enrol: it has an app now
            return await self.log_in(username, password, **kwargs)
        return signed_in

    async def log_out(self) -> httpx.Response:
        return await self.post("/logout")


def _headers(htmx: bool, extra: Mapping[str, str] | None) -> dict[str, str]:
    headers = dict(extra or {})
    if htmx:
        headers["HX-Request"] = "true"
    return headers


def _multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """httpx takes repeated form fields as lists."""
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        grouped.setdefault(name, []).append(value)
    return grouped


def error_messages(html: str) -> list[str]:
    """The error summary's messages, as the parent reads them."""
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    if not summary:
        return []
    return [_text(m) for m in re.findall(r"<li><a [^>]*>(.*?)</a></li>", summary.group(0), re.S)]


def _text(fragment: str) -> str:
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def page_text(html: str) -> str:
    return _text(html)


@asynccontextmanager
async def running_portal(app) -> AsyncIterator[Portal]:
    """The app's lifespan (engine, sender) runs in a task of its own: anyio wants a cancel scope left
    by the task that entered it, and pytest-asyncio tears fixtures down in another task."""
    started, stopping = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stopping.wait()

    task = asyncio.create_task(lifespan())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # start-up failed: raise its error
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield Portal(client)
    finally:
        stopping.set()
        await task
