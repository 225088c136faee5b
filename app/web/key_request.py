"""Need an activation key? Request one (docs/design.md §4.7). The reply is the same whatever matched."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

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
        return await render(request, "key_request/form.html", {"typed": {name: "" for name in FIELDS},
                                                               "ssn_not_used": False})

    @post("/", opt={"public": True})
    async def submit_request(self, request: Request) -> Response:
        form = await read_form(request, *FIELDS)
        prefs = await district_preferences(request)
        details, errors = check_key_request(form.values, ssn_mode=prefs.ssn_mode, today=clock.now().date())
        # "No SSN" ticked with a number typed: the number is not used, and both the form and the reply say so (a
        # parent tester's and a retester's find: it was dropped without a word).
        withheld = "" if form["no_ssn"] != "yes" else "typed" if form["ssn"].strip() else "yes"
        if form.errors or errors:
            # What was typed comes back so it need not be typed again, the SSN too (issue 13 item 3): in this
            # reply only (no-store), never kept anywhere; an SSN that was itself wrong, or withheld, is not shown.
            typed = {name: form[name] for name in FIELDS}
            if any(e.field == "ssn" for e in errors) or withheld:
                typed["ssn"] = ""
            return await render(request, "key_request/form.html", {"typed": typed,
                                                                   "ssn_not_used": withheld == "typed"},
                                errors=form.errors + errors)
        recorded = await request_key_online(details, ip=client_ip(request), language=i18n.current_language())
        if not recorded:
            return redirect_after_post(request, "/request-key/limit")
        # The reply is the same whatever matched; what it adds depends only on what was typed.
        return redirect_after_post(request, f"/request-key/sent?ssn_withheld={withheld}" if withheld else
                                   "/request-key/sent")

    @get("/sent", opt={"public": True})
    async def request_sent(self, request: Request, ssn_withheld: FromQuery[str] = "") -> Response:
        return await render(request, "key_request/sent.html", {"ssn_withheld": ssn_withheld})

    @get("/limit", opt={"public": True})
    async def limit_reached(self, request: Request) -> Response:
        return await render(request, "key_request/limit.html")
