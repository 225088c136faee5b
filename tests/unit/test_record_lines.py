"""Home's lines for each child (app.web.record_lines.py, issue 13, speed) say exactly what home/index.html said
when it wrote them itself: the template's old expressions are kept here as the reference and rendered with
the portal's Jinja environment, for awkward records (markup in the SIS's text, a term id with a space, every
kind of score and attendance day), in every language."""

from __future__ import annotations

from datetime import date

import pytest

from app import i18n
from app.services.home import StudentToday
from app.services.records import Assignment, AttendanceDay, Section, Student
from app.templating import jinja_environment
from app.web.record_lines import assignment_rows, child_lines

# home/index.html before the lines moved to Python (commit 933fe26), one child.
REFERENCE = """\
{% set base = "/students/" ~ today.student.public_id %}
{% set term = "?term=" ~ (today.term|urlencode) if today.term else "" %}
{% for e in today.enrollments %}{{ e.school_name|isolated }}{% set grade = grade_in_words(e.grade) %}{% if grade %}, {{ grade|isolated }}{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}
|{% if today.missing %}<li class="attention"><a href="{{ base }}/grades{{ term }}">{{ ngettext("%(num)d missing assignment", "%(num)d missing assignments", today.missing) }}</a></li>{% endif %}
{% if today.late %}<li class="attention"><a href="{{ base }}/grades{{ term }}">{{ ngettext("%(num)d assignment turned in late", "%(num)d assignments turned in late", today.late) }}</a></li>{% endif %}
{% if today.absences %}<li class="attention"><a href="{{ base }}/attendance">{{ ngettext("Absent %(num)d day in the last 14 days", "Absent %(num)d days in the last 14 days", today.absences) }}</a></li>{% endif %}
{% if today.missed_classes %}<li class="attention"><a href="{{ base }}/attendance">{{ ngettext("Missed a class on %(num)d day in the last 14 days", "Missed a class on %(num)d days in the last 14 days", today.missed_classes) }}</a></li>{% endif %}
{% if today.tardies %}<li><a href="{{ base }}/attendance">{{ ngettext("Tardy or left early %(num)d day in the last 14 days", "Tardy or left early %(num)d days in the last 14 days", today.tardies) }}</a></li>{% endif %}
|{% for c in today.classes %}<li>{{ _("Homeroom") if c.periods == "HR" else _("Period %(period)s", period=c.periods) }}: {{ c.course|isolated }}{% if c.room.strip() %}, {% if c.room is says_room %}{{ c.room|isolated }}{% else %}{{ _("room %(room)s", room=c.room) }}{% endif %}{% endif %}</li>{% endfor %}
|{% for d in today.attendance %}<li>{{ format_day(d.day) }}: {% set others = d.periods|rejectattr("category", "equalto", d.category)|list %}{% if d.category %}{{ attendance_word(d.category) }}{% if d.reason %} ({{ sis_word("absence-reason", d.reason)|isolated }}){% endif %}{% if others or d.closed %}; {% endif %}{% endif %}{% for p in others %}{{ _("Period %(period)s", period=p.period) }} {{ attendance_word(p.category) }}{% if not loop.last %}, {% endif %}{% endfor %}{% if others and d.closed %}; {% endif %}{% if d.closed %}{{ _("not counted (not a school day: %(what)s)", what=d.closed) }}{% endif %}</li>{% endfor %}
|{% for r in today.grades %}<li>{{ r.course|isolated }}, {{ r.title|isolated }}: {% if r.exempt %}{{ _("Exempt") }}{% elif r.missing %}<strong class="flag">{{ _("Missing") }}</strong>{% else %}{{ _("%(score)s out of %(possible)s", score=r.score|number, possible=r.points_possible|number) }}{% if r.late %} <strong class="flag">{{ _("Late") }}</strong>{% endif %}{% endif %}</li>{% endfor %}
"""

# What the template writes now from the lines (home/index.html), the same pieces in the same order.
FROM_LINES = """\
{{ child.schools }}|{% for need in child.needs %}<li{% if need.attention %} class="attention"{% endif %}><a href="{{ need.href }}">{{ need.words }}</a></li>{% endfor %}
|{% for line in child.classes %}<li>{{ line }}</li>{% endfor %}
|{% for line in child.attendance %}<li>{{ line }}</li>{% endfor %}
|{% for line in child.grades %}<li>{{ line }}</li>{% endfor %}
"""

MARKUP = '<b>"Tom & Jerry\'s"</b>'


def score(course=MARKUP, title="Quiz <1>", score=18.5, possible=20, missing=0, late=0, exempt=0) -> dict:
    return {"course": course, "title": title, "score": score, "points_possible": possible, "missing": missing,
            "late": late, "exempt": exempt}


def today(**changes) -> StudentToday:
    values = dict(
        student=Student(1, "156788de-e4b8-4053-8532-3930e8189b46", "Ava", "Lopez", (MARKUP,), "02"),
        enrollments=[{"school_name": MARKUP, "grade": "02"}, {"school_name": "Summit & Co", "grade": "PK"},
                     {"school_name": "Nowhere", "grade": ""}],
        school_day=True,
        classes=[Section(1, "s1", "t", MARKUP, "HR", "1<2", "x"), Section(2, "s2", "t", "Math", "3", "B 110", "x"),
                 # the SIS's own "Room", no room, and a room named like one ("Roomy") that is not
                 Section(3, "s3", "t", "Art", "4", "Room 12", "x"), Section(4, "s4", "t", "PE", "5", " ", "x"),
                 Section(5, "s5", "t", "Band", "6", "rm. 4", "x"), Section(6, "s6", "t", "Lab", "7", "Roomy", "x")],
        attendance=[AttendanceDay(date(2026, 11, 30), "excused-absence", "<Illness & flu>", []),
                    AttendanceDay(date(2026, 11, 27), "tardy", "", []),
                    AttendanceDay(date(2026, 11, 26), "", "", [
                        {"period": "1", "category": "unexcused-absence"}, {"period": "<2>", "category": "tardy"}]),
                    AttendanceDay(date(2025, 5, 2), "early-departure", "", []),
                    AttendanceDay(date(2026, 11, 25), "odd-category<", "", []),
                    AttendanceDay(date(2026, 11, 24), "unexcused-absence", "", [], "a holiday"),
                    AttendanceDay(date(2026, 11, 23), "tardy", "", [], "Snow <day> & ice"),
                    AttendanceDay(date(2026, 11, 20), "present", "", [  # a class skipped on a day present
                        {"period": "2", "category": "unexcused-absence"}]),
                    AttendanceDay(date(2026, 11, 19), "unexcused-absence", "", [
                        {"period": "1", "category": "unexcused-absence"}, {"period": "2", "category": "tardy"}]),
                    AttendanceDay(date(2026, 11, 21), "", "", [{"period": "3", "category": "tardy"}], "a weekend day")],
        grades=[score(), score(missing=1), score(late=1, score=None), score(exempt=1, missing=1),
                score(score=7, possible=10.5, late=1)],
        missing=3, late=1, term="demo 2027/q2&x")
    values.update(changes)
    return StudentToday(**values)


CHILDREN = {
    "everything": today(),
    "nothing": today(enrollments=[{"school_name": "A", "grade": None}], classes=[], attendance=[], grades=[],
                     missing=0, late=0, term=""),
    "one of each": today(missing=1, late=1, attendance=[AttendanceDay(date(2026, 11, 30), "unexcused-absence", "", [])]),
    # Right-to-left text and an override with no end (a tester's find): each value kept in its own direction.
    "right to left": today(
        enrollments=[{"school_name": "\u202eRiverside", "grade": "02"}, {"school_name": "מרכז", "grade": "KG"}],
        classes=[Section(1, "s1", "t", "\u202eMath 2", "2", "12", "x"), Section(2, "s2", "t", "علوم", "3", "B", "x")],
        attendance=[AttendanceDay(date(2026, 11, 30), "excused-absence", "مرض", []),
                    AttendanceDay(date(2026, 11, 29), "\u202eodd", "", [])],
        grades=[score(course="עברית", title="\u202eQuiz 1")]),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("case", sorted(CHILDREN))
def test_the_lines_say_what_the_template_said(language, case):
    from app.web.record_lines import _SAYS_ROOM

    env = jinja_environment().overlay()
    env.tests["says_room"] = lambda room: bool(_SAYS_ROOM.match(room))
    child = CHILDREN[case]
    with i18n.using_language(language):
        expected = env.from_string(REFERENCE).render(today=child)
        assert env.from_string(FROM_LINES).render(child=child_lines(child)) == expected
    if case == "everything":
        assert "&lt;b&gt;&#34;Tom &amp; Jerry&#39;s&#34;&lt;/b&gt;" in expected  # the SIS's text escaped
        assert "?term=demo%202027/q2%26x" in expected
        assert expected.count('<strong class="flag">') == 3
        assert "odd-category&lt;" in expected  # a category the portal has no word for is the SIS's text
    if case == "right to left":
        for value in ("\u202eRiverside", "מרכז", "\u202eMath 2", "علوم", "مرض", "\u202eodd", "עברית", "\u202eQuiz 1"):
            assert f"\u2068{value}\u2069" in expected, value
        assert "\u2068" not in env.from_string(REFERENCE).render(today=CHILDREN["everything"])


# records/section.html's rows before they moved to Python (commit 933fe26).
SECTION_REFERENCE = """\
{% set due, score, out_of = _("Due"), _("Score"), _("Out of") %}
{% set exempt, missing, turned_in_late = _("Exempt"), _("Missing"), _("Turned in late") %}
{% for a in assignments|selectattr("graded") %}
<tr><th scope="row">{{ a.title }}</th><td data-label="{{ due }}">{{ format_day(a.due) if a.due else "" }}</td><td data-label="{{ score }}">{% if a.exempt %}{{ exempt }}{% elif a.missing %}<strong class="flag">{{ missing }}</strong>{% if a.score is not none %} {{ a.score|number }}{% endif %}{% else %}{{ a.score|number }}{% endif %}{% if a.late and not a.exempt %} <strong class="flag">{{ turned_in_late }}</strong>{% endif %}</td><td data-label="{{ out_of }}">{{ a.points_possible|number }}</td></tr>
{% endfor %}
|
{% for a in assignments|rejectattr("graded") %}
<tr><th scope="row">{{ a.title }}</th><td data-label="{{ due }}">{{ format_day(a.due) if a.due else "" }}</td><td data-label="{{ out_of }}">{{ a.points_possible|number }}</td></tr>
{% endfor %}
"""
SECTION_FROM_ROWS = """\
{% set graded, coming = rows %}
{% for row in graded %}
{{ row }}
{% endfor %}
|
{% for row in coming %}
{{ row }}
{% endfor %}
"""


def assignment(title=MARKUP, due=date(2026, 11, 20), possible=20.0, score=18.5, graded=True, missing=False,
               late=False, exempt=False) -> Assignment:
    return Assignment(title, "Quiz", due, possible, score, graded, missing, late, exempt, "")


ASSIGNMENTS = [assignment(), assignment(due=None, possible=None), assignment(missing=True, score=None),
               assignment(missing=True, score=0), assignment(late=True, score=7), assignment(exempt=True, late=True),
               assignment(missing=True, late=True, score=None), assignment(due=date(2025, 5, 1), score=100.25),
               assignment(graded=False, score=None), assignment(graded=False, score=None, due=None, possible=None),
               assignment(title="Essay %(num)s {{ 7*7 }}", graded=False, score=None, possible=12.5)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_section_rows_are_what_the_template_wrote(language):
    env = jinja_environment()
    with i18n.using_language(language):
        expected = env.from_string(SECTION_REFERENCE).render(assignments=ASSIGNMENTS)
        assert env.from_string(SECTION_FROM_ROWS).render(rows=assignment_rows(ASSIGNMENTS)) == expected
    assert expected.count("<tr>") == len(ASSIGNMENTS)
    assert "&lt;b&gt;&#34;Tom &amp; Jerry&#39;s&#34;&lt;/b&gt;" in expected and "{{ 7*7 }}" in expected


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Lakeview Middle School and Summit &amp; High, 8th grade; Nowhere"),
    ("es", "Lakeview Middle School y Summit &amp; High, 8.º grado; Nowhere"),
])
def test_schools_with_the_same_grade_share_it(language, expected):
    """A retester's find: a child taking a class at the high school read "..., 8th grade; ..., 8th grade"."""
    i18n.set_language(language)
    try:
        lines = child_lines(today(enrollments=[{"school_name": "Lakeview Middle School", "grade": "08"},
                                               {"school_name": "Summit & High", "grade": "08"},
                                               {"school_name": "Nowhere", "grade": ""}]))
        assert str(lines.schools) == expected
    finally:
        i18n.set_language("en")
