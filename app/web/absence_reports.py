"""Report an absence (issue 12 item 5), for a guardian: the form (from the attendance page and the alert
email), the reports made, and the staff queue's counterpart lives in app/web/staff/absence_reports.py.
A student the guardian may not see answers 404, as on the records pages."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.rules.alerts import REASON_NAMES, REASONS
from app.rules.errors import N_
from app.rules.typed_days import parse_typed_day
from app.services import records
from app.services.absence_reports import report_window, reports_of, submit_report, suggested_day
from app.web.forms import read_form
from app.web.guards import requires_guardian
from app.web.rendering import redirect_after_post, render
from app.web.records import reader_of

FIELDS = ("first_day", "last_day", "whole_day", "periods", "reason", "note")
SENT = N_("Thank you. Your report was sent to the attendance office; we emailed you a copy.")


class AbsenceReportsController(Controller):
    path = "/students/{student_id:str}/absence-reports"
    guards = [requires_guardian]

    @get("/")
    async def reports(self, request: Request, student_id: FromPath[str], notice: FromQuery[str] = "") -> Response:
        found = await reports_of(await reader_of(request), student_id)
        if found is None:
            raise NotFoundException()
        student, rows, others = found
        return await render(request, "absence_reports/list.html", {
            "student": student, "reports": rows, "others": others, "reason_names": REASON_NAMES,
            "notice": SENT if notice == "sent" else None})

    @get("/new")
    async def form(self, request: Request, student_id: FromPath[str], day: FromQuery[str] = "") -> Response:
        reader = await reader_of(request)
        student = await records.linked_student(reader, student_id)
        if student is None:
            raise NotFoundException()
        try:
            first = date.fromisoformat(day[:10]).isoformat() if day else ""
        except ValueError:
            first = ""
        first = first or (await suggested_day(student.id, reader.today)).isoformat()
        return await _form(request, reader, student, {"first_day": first, "last_day": "", "whole_day": "yes",
                                                      "periods": "", "reason": "", "note": ""})

    # The form posts to its own page (so a parent whose session ended comes back to it after signing in: errors.py
    # page_to_come_back_to); "/" as well, for a form sent from a page loaded before that.
    @post(["/", "/new"])
    async def submit(self, request: Request, student_id: FromPath[str]) -> Response:
        reader = await reader_of(request)
        form = await read_form(request, *FIELDS)
        result = await submit_report(reader, student_id, form.values)
        if result is None:
            raise NotFoundException()
        if form.errors or result.errors:
            student = await records.linked_student(reader, student_id)
            return await _form(request, reader, student, form.values, errors=form.errors + result.errors)
        return redirect_after_post(request, f"/students/{student_id}/absence-reports?notice=sent")


async def _form(request: Request, reader: records.Reader, student: records.Student, typed: dict,
                errors=None) -> Response:
    window = await report_window(reader.today)
    # A day typed as 03/12/2026 (a text box) goes back in the form the date box takes, or the browser would drop it.
    typed = {**typed, **{name: day.isoformat() for name in ("first_day", "last_day")
                         if (day := parse_typed_day(typed.get(name, "").strip())) is not None}}
    return await render(request, "absence_reports/form.html", {
        "student": student, "typed": typed, "window": window,
        "reasons": [(r, REASON_NAMES[r]) for r in REASONS]}, errors=errors)
