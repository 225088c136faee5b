"""The signed-in home: the guardian's students by name (their records come with DESIGN §4.8)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery

from app.rules.errors import N_
from app.services.household import household_verification_due
from app.services.records import students_today
from app.web.guards import current_account, requires_guardian
from app.web.records import reader_of
from app.web.rendering import render

NOTICES = {"welcome": N_("Your account is ready. Welcome!")}


class HomeController(Controller):
    guards = [requires_guardian]

    @get("/home")
    async def home(self, request: Request, notice: FromQuery[str] = "") -> Response:
        account = current_account(request)
        students = await students_today(await reader_of(request)) if account.person_id else []
        return await render(request, "home/index.html", {"students": students, "notice": NOTICES.get(notice),
                                                         "verification_due": await household_verification_due(account)})
