"""District preferences and the audit log: for district admins only (docs/design.md §5)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from app.rules.errors import N_, FieldError
from app.rules.preferences import PARSERS, display_value
from app.services.preferences import load_preferences
from app.services.audit_log import AuditFilter, audit_log
from app.services.district_preferences import change_preferences
from app.services.staff_household_queue import export_household_changes
from app.templating import phone_for_reading
from app.web.forms import read_form
from app.web.guards import current_account, requires_district_admin
from app.web.rendering import client_ip, redirect_after_post, render

SAVED = N_("The district preferences were saved.")


# A date a search can use: 9999-12-31 or 0001-01-01 overflowed the day arithmetic into a 500 (issue 9).
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def _typed_date(text: str, name: str, errors: list[FieldError]) -> date | None:
    if not text.strip():
        return None
    try:
        typed = date.fromisoformat(text.strip())
    except ValueError:
        typed = None
    if typed is None or not EARLIEST_DATE <= typed <= LATEST_DATE:
        errors.append(FieldError(name, N_("Enter a date like 2026-09-01")))
        return None
    return typed


class DistrictController(Controller):
    path = "/staff"
    guards = [requires_district_admin]

    @get("/preferences")
    async def preferences(self, request: Request, notice: FromQuery[str] = "") -> Response:
        current = {name: display_value(value) for name, value in asdict(await load_preferences()).items()}
        # As parents read it, "(512) 555-0100 ext. 4", not as it is kept ("+15125550100;ext=4": a retester's find);
        # saved again, it reads back the same.
        current["help_phone"] = phone_for_reading(current["help_phone"])
        return await render(request, "staff/preferences.html", {
            "typed": current, "notice": SAVED if notice == "saved" else None})

    @post("/preferences")
    async def save_preferences(self, request: Request) -> Response:
        form = await read_form(request, *PARSERS)
        errors = form.errors or await change_preferences(current_account(request), form.values,
                                                          ip=client_ip(request))
        if errors:
            return await render(request, "staff/preferences.html", {"typed": form.values}, errors=errors)
        return redirect_after_post(request, "/staff/preferences?notice=saved")

    @get("/exports/household-changes.csv")
    async def household_changes_csv(self, request: Request) -> Response:
        csv_text = await export_household_changes(current_account(request), ip=client_ip(request))
        return Response(content=csv_text, media_type="text/csv",  # Litestar adds "; charset=utf-8" (once)
                        headers={"Content-Disposition": 'attachment; filename="household-changes.csv"'})

    @get("/audit")
    async def audit(self, request: Request, person: FromQuery[str] = "", student: FromQuery[str] = "",
                    action: FromQuery[str] = "", since: FromQuery[str] = "", until: FromQuery[str] = "",
                    page: FromQuery[int] = 1) -> Response:
        errors: list[FieldError] = []
        typed = {"person": person[:200], "student": student[:64], "action": action[:60], "since": since[:10],
                 "until": until[:10]}
        wanted = AuditFilter(person=typed["person"], student=typed["student"], action=typed["action"],
                             since=_typed_date(since, "since", errors), until=_typed_date(until, "until", errors),
                             page=min(max(page, 1), 100000))
        for problem in errors:  # a date field cannot hold what is not a date: it comes back empty
            typed[problem.field] = ""
        found = await audit_log(wanted)
        query = {k: v for k, v in typed.items() if v}
        return await render(request, "staff/audit.html", {
            "typed": typed, "found": found,
            "newer": f"?{urlencode({**query, 'page': found.page - 1})}" if found.page > 1 else None,
            "older": f"?{urlencode({**query, 'page': found.page + 1})}" if found.has_more else None,
        }, errors=errors)
