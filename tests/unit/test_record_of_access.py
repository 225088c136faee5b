"""Issue 13 item 7: "Who has viewed these records" shows one row a visit, not one a page view, and leaves no
view out (app/rules/record_of_access.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.rules.record_of_access import View, visits

NINE = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)
LUIS, STAFF = 7, 9


def view(id_: int, minutes: float, actor: int | None, what: str) -> View:
    return View(id_, NINE + timedelta(minutes=minutes), actor, f"person {actor}", "guardian", what, False)


def newest_first(*views: View) -> list[View]:
    return sorted(views, key=lambda v: v.id, reverse=True)


def test_one_persons_pages_close_together_are_one_visit_with_its_pages_in_the_order_seen():
    found = visits(newest_first(view(1, 0, LUIS, "summary"), view(2, 1, LUIS, "grades"),
                                view(3, 2, LUIS, "summary"), view(4, 9, LUIS, "attendance")))
    assert len(found) == 1
    [visit] = found
    assert (visit.first, visit.last) == (NINE, NINE + timedelta(minutes=9))
    assert visit.pages == ("summary", "grades", "attendance") and visit.views == 4 and visit.oldest == 1


def test_more_than_thirty_minutes_apart_is_another_visit():
    found = visits(newest_first(view(1, 0, LUIS, "grades"), view(2, 30, LUIS, "grades"),
                                view(3, 60.5, LUIS, "grades")))
    assert [(v.views, v.oldest) for v in found] == [(1, 3), (2, 1)]


def test_someone_else_in_between_keeps_the_order_things_happened_in():
    found = visits(newest_first(view(1, 0, LUIS, "grades"), view(2, 1, STAFF, "attendance"),
                                view(3, 2, LUIS, "grades")))
    assert [(v.who, v.views) for v in found] == [("person 7", 1), ("person 9", 1), ("person 7", 1)]


def test_every_view_is_in_exactly_one_visit():
    views = newest_first(*(view(i, i * 7, (LUIS, STAFF, None)[i % 3 if i % 5 else 0], "grades") for i in range(40)))
    assert sum(v.views for v in visits(views)) == 40


def test_views_the_log_names_nobody_for_are_never_merged():
    found = visits(newest_first(view(1, 0, None, "grades"), view(2, 1, None, "grades")))
    assert [v.views for v in found] == [1, 1]


def test_no_views_no_visits():
    assert visits([]) == []
