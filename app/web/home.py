"""The signed-in home: the guardian's students by name (their records come with docs/design.md §4.8)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery

from app.rules.errors import N_
from app.services.access import came_of_age
from app.services.home import home_page
from app.services.records import access_day_of
from app.web.record_lines import child_lines
from app.web.guards import current_account, requires_guardian
from app.web.records import reader_of
from app.web.rendering import render

NOTICES = {"welcome": N_("Your account is ready. Welcome!")}


class HomeController(Controller):
    guards = [requires_guardian]

    @get("/home")
    async def home(self, request: Request, notice: FromQuery[str] = "") -> Response:
        account = current_account(request)
        reader = await reader_of(request)
        home = await home_page(reader) if account.person_id else None
        return await render(request, "home/index.html", {
            "children": [child_lines(today) for today in home.students] if home else [], "notice": NOTICES.get(notice),
            # No statement unless the district ends parents' access at 18 (app/services/access.py).
            "came_of_age": await came_of_age(reader.guardian_id, await access_day_of(reader)),
            "verification_due": home.verification_due if home else None,
            "shared_address": home.shared_address if home else False})
