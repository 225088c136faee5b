"""The record of access a parent reads (FERPA §99.32(c), issue 13 item 7): one row a visit, not one a page.

A guardian opening home, then grades, then attendance makes three view events of each child, so the other
parent's ordinary visits filled "Who has viewed these records" and pushed a staff member's view out of sight (a
tester's find). The events stay one a page view in the audit log; the page shows them as visits: one person's
views that follow each other with no more than `VISIT_GAP` between them (the portal's idle limit: a session
idle longer has ended), with the pages seen and how many views. Nothing is left out: every view is in one visit.
Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

VISIT_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class View:
    id: int  # the audit event's: ids run in the order things happened (the log is append-only)
    at: datetime
    actor: int | None  # the account; None when the log names none (a view recorded by the system)
    who: str  # the name shown
    role: str  # guardian, school-staff, district-admin
    what: str  # the page: summary, schedule, attendance, grades
    mine: bool  # by the account reading the record


@dataclass(frozen=True)
class Visit:
    first: datetime
    last: datetime
    who: str
    role: str
    mine: bool
    pages: tuple[str, ...]  # each page seen, in the order first seen
    views: int
    oldest: int  # the id of its first view


def visits(views: list[View], gap: timedelta = VISIT_GAP) -> list[Visit]:
    """`views` newest first (as the log is read) as visits, newest first: runs of views by one actor with at most
    `gap` between one and the next. A view by anyone else in between starts a new visit, so the list still reads
    in the order things happened; a view whose actor is not known is a visit of its own."""
    runs: list[list[View]] = []
    for view in views:
        run = runs[-1] if runs else None
        if run and view.actor is not None and run[-1].actor == view.actor and run[-1].at - view.at <= gap:
            run.append(view)
        else:
            runs.append([view])
    return [_visit(run[::-1]) for run in runs]


def _visit(run: list[View]) -> Visit:
    """One run of views, oldest first, as a visit."""
    first = run[0]
    return Visit(first.at, run[-1].at, first.who, first.role, first.mine,
                 tuple(dict.fromkeys(view.what for view in run)), len(run), first.id)
