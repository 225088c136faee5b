"""Walks over every route (docs/quality.md §4): CSRF on every state change, deny by default, and the headers
every HTML response carries. Plus the fragments htmx gets at the same URLs."""

from __future__ import annotations

import dataclasses
import re
import uuid

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import SESSION_COOKIE, running_portal

# Public by decision, one by one: adding a public route means adding it here, in review.
PUBLIC = {
    ("GET", "/"), ("POST", "/"), ("POST", "/logout"),
    ("GET", "/activate"), ("POST", "/activate"), ("GET", "/activate/account"), ("POST", "/activate/account"),
    ("GET", "/forgot-password"), ("POST", "/forgot-password"), ("GET", "/forgot-password/sent"),
    ("GET", "/reset/{token:str}"), ("GET", "/reset"), ("POST", "/reset"),
    ("GET", "/forgot-username"), ("POST", "/forgot-username"), ("GET", "/forgot-username/sent"),
    ("GET", "/forgot-username/limit"), ("GET", "/login"),  # /login: the log-in page under its own name
    ("GET", "/static/{file_path:path}"), ("HEAD", "/static/{file_path:path}"),
    # Issue 3: the link in an email-change confirmation opens whoever is signed in.
    ("GET", "/email/confirm"), ("POST", "/email/confirm"), ("GET", "/email/confirmed"),
    ("GET", "/email/confirm/{token:str}"),
    # docs/design.md §4.7: asking for an activation key online is for people without an account.
    ("GET", "/request-key"), ("POST", "/request-key"), ("GET", "/request-key/sent"),
    ("GET", "/request-key/limit"),  # issue 9: the honest "limit reached" page
    # Issue 13 item 8: people type /login; it leads to the login page.
    ("GET", "/login"),
    # docs/design.md §4.1: the language switcher is for people who are not signed in.
    ("POST", "/language"),
    ("GET", "/language"),  # the switch's address reloaded: a redirect back to its page, nothing read
    # The second step of signing in (issue 14): the account waits in the session, not signed in yet.
    ("GET", "/sign-in/code"),
    ("POST", "/sign-in/code"),
    ("GET", "/sign-in/enrol"),
    ("POST", "/sign-in/enrol"),
    ("GET", "/sign-in/passkey"),
    ("POST", "/sign-in/passkey/options"),
    ("POST", "/sign-in/passkey/verify"),
    # Issue 12 item 4: the unsubscribe link in alerts and digests works without signing in (confirm on GET).
    ("GET", "/unsubscribe/{token:str}"), ("POST", "/unsubscribe/{token:str}"),
    # Issue 15: load balancers' probes.
    ("GET", "/healthz"), ("GET", "/readyz"),
}
# RFC 8058 one-click unsubscribe: the mail client POSTs with no cookie and no CSRF token; the signed token in
# the URL is the credential (a forged one is a 404, tests/integration/test_absence_alerts.py).
CSRF_EXEMPT = {("POST", "/unsubscribe/{token:str}")}
SAFE = {"GET", "HEAD", "OPTIONS"}


def handlers(app):
    """(method, path, handler) for every route the app serves, Litestar's automatic OPTIONS aside."""
    for route in app.routes:
        for method, handler in getattr(route, "route_handler_map", {}).items():
            handler = handler[0] if isinstance(handler, tuple) else handler
            if method != "OPTIONS":
                yield method, route.path, handler


def concrete(path: str) -> str:
    """A path with its parameters filled in."""
    def value(match: re.Match) -> str:
        kind = match.group(2)
        return {"int": "1", "uuid": str(uuid.uuid4()), "path": "css/site.css"}.get(kind, "x")

    return re.sub(r"\{(\w+):(\w+)\}", value, path)


@pytest.fixture
async def sam(district) -> int:
    return await make_account(district.guardian("sam"), "SamPark")


async def test_every_route_is_public_by_the_list_or_needs_a_signed_in_account(portal):
    from app.web.guards import requires_sign_in

    assert requires_sign_in in portal.app.guards
    routes = list(handlers(portal.app))
    assert len(routes) > len(PUBLIC) // 2
    public = {(method, path) for method, path, handler in routes if handler.opt.get("public")}
    assert public <= PUBLIC, f"public but not on the list: {public - PUBLIC}"
    served = {(method, path) for method, path, _ in routes}
    assert PUBLIC & served <= public, f"listed but guarded: {(PUBLIC & served) - public}"


async def test_a_signed_out_visitor_is_sent_to_log_in_from_every_private_route(portal):
    private = [(method, path) for method, path, handler in handlers(portal.app) if not handler.opt.get("public")]
    assert ("GET", "/home") in private
    for method, path in private:
        url = concrete(path)
        if method in SAFE:
            response = await portal.get(url)
        else:
            response = await portal.post(url, {})
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/"), (method, path)
        assert response.headers["location"].split("?")[0] == "/", (method, path)


@pytest.mark.parametrize("who", ["signed out", "signed in"])
async def test_every_state_change_without_a_csrf_token_is_refused(portal, sam, who):
    from app.tables import WebSession

    if who == "signed in":
        await portal.log_in("SamPark", PASSWORD)
    unsafe = [(method, path) for method, path, _ in handlers(portal.app)
              if method not in SAFE and (method, path) not in CSRF_EXEMPT]
    assert ("POST", "/") in unsafe and ("POST", "/logout") in unsafe
    sessions_before = await WebSession.count()
    await portal.csrf_token()  # the browser has a CSRF cookie; the attacker's form has no token
    for method, path in unsafe:
        url = concrete(path)
        for data in ({}, {"_csrf_token": "forged"}, {"_csrf_token": ""}):
            response = await portal.client.request(method, url, data=data or None)
            assert response.status_code == 403, (method, path, data, response.status_code)
            assert "<title>" in response.text
    # Without any CSRF cookie, a token copied from elsewhere does not help either.
    token = await portal.csrf_token()
    portal.forget_cookie("homeroom_csrftoken")
    response = await portal.client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 403
    assert await WebSession.count() == sessions_before


async def test_html_responses_carry_the_security_headers(portal, sam):
    pages = [await portal.get("/"), await portal.get("/activate"), await portal.get("/no-such-page"),
             await portal.post("/", {"username": "x", "password": "y"}),
             await portal.client.post("/", data={}),  # 403: no CSRF token
             await portal.get("/", headers={"Host": "evil.example"})]
    await portal.log_in("SamPark", PASSWORD)
    pages += [await portal.get("/home"), await portal.get("/home", htmx=True)]
    assert [p.status_code for p in pages] == [200, 200, 404, 422, 403, 400, 200, 200]
    for page in pages:
        where = f"{page.request.method} {page.request.url.path} ({page.status_code})"
        headers = page.headers
        csp = headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
        assert "frame-ancestors 'none'" in csp and "object-src" in csp or "default-src 'none'" in csp, where
        assert headers["x-content-type-options"] == "nosniff", where
        assert headers["referrer-policy"] == "no-referrer", where
        assert headers["x-frame-options"] == "DENY", where
        assert headers["cache-control"] == "no-store", where
        assert "hx-request" in headers["vary"].lower(), where
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), f"inline script on {where}"
        assert not re.search(r"\son[a-z]+=", page.text), f"inline event handler on {where}"


async def test_https_deployments_send_hsts_and_host_prefixed_secure_cookies(database, mailbox):
    from app import create_app
    from app.settings import get_settings

    settings = dataclasses.replace(get_settings(), public_url="https://portal.test", smtp_url=None)
    async with running_portal(create_app(settings)) as browser:
        browser.client.base_url = "https://portal.test"
        response = await browser.get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "secure" in response.headers["set-cookie"].lower()


async def test_cookies_are_http_only_and_same_site_lax(portal, sam):
    response = await portal.log_in("SamPark", PASSWORD)
    [session_cookie] = [c for c in response.headers.get_list("set-cookie")
                        if c.startswith(SESSION_COOKIE + "=") and not c.startswith(SESSION_COOKIE + '=""')]
    attributes = {part.strip().split("=")[0].lower() for part in session_cookie.split(";")}
    assert {"httponly", "path", "samesite"} <= attributes
    assert "samesite=lax" in session_cookie.lower()
    # The CSRF cookie bound to the new session comes with it (app/web/csrf.py).
    csrf = [c for c in response.headers.get_list("set-cookie") if c.startswith("homeroom_csrftoken=")]
    assert len(csrf) == 1 and "samesite=lax" in csrf[0].lower() and "httponly" in csrf[0].lower()


async def test_static_files_are_cached_forever_and_pages_never(portal):
    page = await portal.get("/")
    css = re.search(r'href="(/static/css/site\.css\?v=\w+)"', page.text).group(1)
    static = await portal.get(css)
    assert static.status_code == 200
    assert static.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/schema", "/schema/openapi.json", "/schema/swagger", "/docs"])
async def test_there_is_no_openapi_schema(portal, path):
    assert (await portal.get(path)).status_code == 404


@pytest.mark.parametrize("path", ["/", "/activate", "/forgot-password", "/forgot-password/sent", "/forgot-username",
                                  "/forgot-username/sent", "/forgot-username/limit", "/reset"])
async def test_htmx_gets_a_fragment_with_a_title_at_the_same_url(portal, path):
    whole = await portal.get(path)
    fragment = await portal.get(path, htmx=True)
    assert whole.status_code == fragment.status_code
    assert "<html" in whole.text
    assert "<html" not in fragment.text and "<body" not in fragment.text
    title = re.search(r"<title>(.*?)</title>", fragment.text, re.S)
    assert title and title.group(1).strip()
    assert title.group(1) == re.search(r"<title>(.*?)</title>", whole.text, re.S).group(1)
    assert "<h1>" in fragment.text
    assert fragment.headers["vary"].lower().count("hx-request") == 1


async def test_an_htmx_form_error_is_a_422_fragment_with_an_error_title(portal):
    response = await portal.post("/forgot-password", {"identifier": ""}, htmx=True)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert re.search(r"<title>Error: ", response.text)
    assert 'class="error-summary"' in response.text
