"""Need an activation key? Request one (docs/design.md §4.7). The reply is the same whatever matched."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post

from app import clock, i18n
from app.rules.key_requests import check_key_request
from app.services.key_requests import request_key_online
from app.web.forms import read_form
from app.web.rendering import client_ip, district_preferences, redirect_after_post, render

FIELDS = ("requester_name", "relationship", "email", "phone", "student_number", "ssn", "no_ssn", "birth_date")


class KeyRequestController(Controller):
    path = "/request-key"

    @get("/", opt={"public": True})
    async def request_form(self, request: Request) -> Response:
        return await render(request, "key_request/form.html", {"typed": {name: "" for name in FIELDS}})

    @post("/", opt={"public": True})
    async def submit_request(self, request: Request) -> Response:
        form = await read_form(request, *FIELDS)
        prefs = await district_preferences(request)
        details, errors = check_key_request(form.values, ssn_mode=prefs.ssn_mode, today=clock.now().date())
        if form.errors or errors:
            # What was typed comes back so it need not be typed again, the SSN too (issue 13 item 3): in this
            # reply only (no-store), never kept anywhere; an SSN that was itself wrong is not shown back.
            typed = {name: form[name] for name in FIELDS}
            if any(e.field == "ssn" for e in errors) or typed["no_ssn"] == "yes":
                typed["ssn"] = ""
            return await render(request, "key_request/form.html", {"typed": typed}, errors=form.errors + errors)
        recorded = await request_key_online(details, ip=client_ip(request), language=i18n.current_language())
        return redirect_after_post(request, "/request-key/sent" if recorded else "/request-key/limit")

    @get("/sent", opt={"public": True})
    async def request_sent(self, request: Request) -> Response:
        return await render(request, "key_request/sent.html")

    @get("/limit", opt={"public": True})
    async def limit_reached(self, request: Request) -> Response:
        return await render(request, "key_request/limit.html")
