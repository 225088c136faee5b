"""A guardian's view of one student's records (docs/design.md §4.8): schedule, attendance and grades by term, a
section's assignments, and who has viewed the records (FERPA §99.32(c)).

URLs carry the student's and the section's public ids. A student or section the guardian may not see
answers the same 404 as one that does not exist: the service returns None for both.
"""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.exceptions import NotFoundException

from app import clock
from app.rules.access import adult_cutoff
from app.rules.district_day import district_day
from app.services import records
from app.web.guards import current_account, requires_guardian
from app.web.record_lines import assignment_rows
from app.web.rendering import client_ip, district_preferences, render
from app.rules.numbers import whole_number


async def reader_of(request: Request) -> records.Reader:
    """The signed-in guardian, and today in the district's time zone (from the preferences the page's
    layout reads too: one read per request)."""
    account = current_account(request)
    prefs = await district_preferences(request)
    today = district_day(clock.now(), prefs.time_zone)
    return records.Reader(account_id=account.id, guardian_id=account.person_id or 0, today=today,
                          ip=client_ip(request), adult_cutoff=adult_cutoff(today, prefs.parents_after_18))


async def _show(request: Request, template: str, page, tab: str, **context) -> Response:
    if page is None:
        raise NotFoundException()
    return await render(request, template, {"page": page, "tab": tab, **context})


class RecordsController(Controller):
    path = "/students/{student_id:str}"
    guards = [requires_guardian]

    @get("/schedule")
    async def schedule(self, request: Request, student_id: FromPath[str], term: FromQuery[str] = "") -> Response:
        page = await records.schedule(await reader_of(request), student_id, term)
        return await _show(request, "records/schedule.html", page, "schedule")

    @get("/attendance")
    async def attendance(self, request: Request, student_id: FromPath[str], term: FromQuery[str] = "") -> Response:
        reader = await reader_of(request)
        page = await records.attendance(reader, student_id, term)
        if page is None:
            raise NotFoundException()
        # An unexcused day the parent can still explain online gets its own link (the district's window).
        prefs = await district_preferences(request)
        return await render(request, "records/attendance.html", {
            "page": page, "tab": "attendance",
            "report_since": reader.today - timedelta(days=prefs.absence_report_days_back)})

    @get("/grades")
    async def grades(self, request: Request, student_id: FromPath[str], term: FromQuery[str] = "") -> Response:
        page = await records.grades(await reader_of(request), student_id, term)
        return await _show(request, "records/grades.html", page, "grades")

    @get("/grades/{section_id:str}")
    async def section_grades(self, request: Request, student_id: FromPath[str], section_id: FromPath[str],
                             term: FromQuery[str] = "") -> Response:
        page = await records.section_grades(await reader_of(request), student_id, section_id, term)
        return await _show(request, "records/section.html", page, "grades",
                           rows=assignment_rows(page.assignments) if page else ([], []))

    @get("/viewed")
    async def access_log(self, request: Request, student_id: FromPath[str], before: FromQuery[str] = "",
                         mine: FromQuery[str] = "") -> Response:
        cursor = whole_number(before) if len(before) < 19 else None  # anything else: the first page
        page = await records.access_log(await reader_of(request), student_id, before=cursor,
                                        include_mine=mine == "shown")
        return await _show(request, "records/viewed.html", page, "viewed")
