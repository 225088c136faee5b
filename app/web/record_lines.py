"""Lines of the records pages that repeat them, written here rather than in their templates (issue 13, speed):
home's lines for each child, and a section page's rows of assignments.

Home repeats the same few sentences for every child, every class, every day of attendance and every score
(~120 of them for a parent of three), and a section page a row for each of its assignments (~40). Written by a
template, each sentence or cell cost Jinja a context call, a gettext call, a Markup and an escaping `%`; written
here, a line is one f-string over markupsafe's `escape`. The words and their escaping are the templates' own:
each message is translated in the current language (`app.i18n`), made Markup and filled with `%` (which escapes
what is filled in), as Jinja's newstyle gettext does, and every value from the records (course, title, school)
is escaped. The pages are byte for byte what the templates wrote (checked when this moved, in English and
Spanish); tests/unit/test_record_lines.py keeps each line equal to what the template's old expressions write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from babel.lists import format_list
from markupsafe import Markup, escape

from app import i18n
from app.services.home import StudentToday
from app.services.records import Assignment
from app.rules.bidi import isolated
from app.services.sis_words import sis_word
from app.templating import ATTENDANCE_WORDS, number, translated_message


_SAYS_ROOM = re.compile(r"\s*(room|rm\.?|salón|salon|aula)(\s|\d|$)", re.IGNORECASE)


def _said(message: str, **values) -> Markup:
    """A message in the current language, filled like the template's `_()`: `Markup(text) % values`, which
    escapes what is filled in (here each value is escaped first, which gives the same text: markupsafe's C
    `escape` is several times cheaper than Markup's own `%`)."""
    if not values:
        return translated_message(i18n.current_language(), True, message)  # the templates' own, kept per language
    return Markup(i18n.gettext(message) % {name: _text(value) for name, value in values.items()})


def _text(value) -> Markup:
    """A value from the SIS written inline, escaped and kept in its own direction (the templates' `isolated`
    filter, which their `_()` applies to its variables)."""
    return escape(isolated(value))


def _period(period: str) -> Markup:
    return _said("Period %(period)s", period=period)


def _counted(singular: str, plural: str, count: int) -> Markup:
    return Markup(i18n.ngettext(singular, plural, count) % {"num": count})


def _attendance_word(category: str) -> Markup:
    word = ATTENDANCE_WORDS.get(category)
    return _text(category) if word is None else _said(word)  # the SIS's own word is text, not a message


@dataclass(frozen=True)
class Need:
    """One thing in a child's summary that needs the family's attention: a link, its words, and whether it
    is emphasised (missing or late work, absences) or not (tardies)."""
    href: str
    words: Markup
    attention: bool = True


@dataclass(frozen=True)
class ChildLines:
    today: StudentToday
    base: str  # /students/<public id>
    schools: Markup  # "Riverside Elementary School, 2nd grade; ..."
    needs: list[Need]
    classes: list[Markup]
    attendance: list[Markup]
    grades: list[Markup]


def child_lines(today: StudentToday) -> ChildLines:
    """Everything home says about one child, in the current language."""
    base = f"/students/{today.student.public_id}"
    term = f"?term={quote(today.term, safe='/')}" if today.term else ""  # Jinja's urlencode
    # Schools with the same grade share it: "Lakeview Middle School and Summit High School, 8th grade" (a child
    # taking a class at the high school read as in 8th grade twice: a retester's find).
    by_grade: dict[str, list[str]] = {}
    for e in today.enrollments:
        by_grade.setdefault(i18n.grade_in_words(e["grade"]) or "", []).append(str(_text(e["school_name"])))
    schools = []
    for grade, names in by_grade.items():
        together = names[0] if len(names) == 1 else format_list(names, locale=i18n.current_language())  # "A y B"
        schools.append(f"{together}, {_text(grade)}" if grade else together)
    needs = []
    if today.missing:
        needs.append(Need(f"{base}/grades{term}", _counted(
            "%(num)d missing assignment", "%(num)d missing assignments", today.missing)))
    if today.late:
        needs.append(Need(f"{base}/grades{term}", _counted(
            "%(num)d assignment turned in late", "%(num)d assignments turned in late", today.late)))
    if absences := today.absences:
        needs.append(Need(f"{base}/attendance", _counted(
            "Absent %(num)d day in the last 14 days", "Absent %(num)d days in the last 14 days", absences)))
    if missed := today.missed_classes:
        needs.append(Need(f"{base}/attendance", _counted(
            "Missed a class on %(num)d day in the last 14 days", "Missed a class on %(num)d days in the last 14 days",
            missed)))
    if tardies := today.tardies:
        needs.append(Need(f"{base}/attendance", _counted(
            "Tardy or left early %(num)d day in the last 14 days", "Tardy or left early %(num)d days in the last 14 days",
            tardies), attention=False))
    # No message is said inside an f-string: pybabel (make messages) does not read them there.
    homeroom = _said("Homeroom")
    classes = []
    for c in today.classes:
        period = homeroom if c.periods == "HR" else _period(c.periods)
        if not c.room.strip():
            classes.append(Markup(f"{period}: {_text(c.course)}"))
            continue
        # A room the SIS already calls one ("Room 12", "Rm 12") is said as sent, not "room Room 12".
        room = _text(c.room) if _SAYS_ROOM.match(c.room) else _said("room %(room)s", room=c.room)
        classes.append(Markup(f"{period}: {_text(c.course)}, {room}"))
    attendance = []
    for d in today.attendance:
        parts = []
        if d.category:
            said = _attendance_word(d.category)
            parts.append(f"{said} ({_text(sis_word('absence-reason', d.reason))})" if d.reason else said)
        # The classes noted otherwise than the day (a class skipped on a day present); as the day, it says them.
        if others := [p for p in d.periods if p["category"] != d.category]:
            parts.append(", ".join(f"{_period(p['period'])} {_attendance_word(p['category'])}" for p in others))
        if d.closed:
            parts.append(_said("not counted (not a school day: %(what)s)", what=d.closed))
        attendance.append(Markup(f"{escape(i18n.format_day(d.day))}: {'; '.join(parts)}"))
    grades = []
    missing, late = _said("Missing"), _said("Late")
    for r in today.grades:
        if r["exempt"]:
            said = _said("Exempt")
        elif r["missing"]:
            said = f'<strong class="flag">{missing}</strong>'
        else:
            said = _said("%(score)s out of %(possible)s", score=number(r["score"]), possible=number(r["points_possible"]))
            if r["late"]:
                said = f'{said} <strong class="flag">{late}</strong>'
        grades.append(Markup(f"{_text(r['course'])}, {_text(r['title'])}: {said}"))
    return ChildLines(today, base, Markup("; ".join(schools)), needs, classes, attendance, grades)


def assignment_rows(assignments: list[Assignment]) -> tuple[list[Markup], list[Markup]]:
    """A section page's table rows, in the current language: the graded work's (title, due, score, out of) and
    the work not graded yet's (title, due, out of), each list in the order given."""
    due, score, out_of = _said("Due"), _said("Score"), _said("Out of")
    exempt, turned_in_late = _said("Exempt"), _said("Turned in late")
    missing = Markup('<strong class="flag">%s</strong>') % _said("Missing")
    late = f' <strong class="flag">{turned_in_late}</strong>'
    graded, coming = [], []
    for a in assignments:
        day = escape(i18n.format_day(a.due)) if a.due else ""
        possible = escape(number(a.points_possible))
        if not a.graded:
            coming.append(Markup(f'<tr><th scope="row">{escape(a.title)}</th><td data-label="{due}">{day}</td>'
                                 f'<td data-label="{out_of}">{possible}</td></tr>'))
            continue
        if a.exempt:
            said = exempt
        elif a.missing:
            said = missing if a.score is None else f"{missing} {escape(number(a.score))}"
        else:
            said = escape(number(a.score))
        if a.late and not a.exempt:
            said = f"{said}{late}"
        graded.append(Markup(f'<tr><th scope="row">{escape(a.title)}</th><td data-label="{due}">{day}</td>'
                             f'<td data-label="{score}">{said}</td><td data-label="{out_of}">{possible}</td></tr>'))
    return graded, coming
