"""A guardian's view of their students' records (docs/design.md §4.8, issue 3 parts 3, 4 and 7): the schedule,
attendance and grades of two children at two schools, by term, with and without htmx; another family's
ids answer exactly like missing ones on every route that takes an id; every view is audited; and the
parent can read who viewed the records (FERPA §99.32(c)).

The school year comes from the demo generator (app/demo_year.py) over the factory district; the clock is
the suite's: Tuesday 10 March 2026, in the third quarter of the 2025–2026 school year."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.integration.district import OTHER_PASSWORD, PASSWORD, make_account
from tests.integration.portal import page_text


@pytest.fixture
async def school_year(district):
    from app.demo_year import fill_school_year
    from app.tables import ContactPhone

    await fill_school_year(seed=11)
    await ContactPhone(person=district.guardian("sam").id, kind="mobile", number="+14705550123").save()
    accounts = {
        "rosa": await make_account(district.guardian("rosa"), "rosa"),
        "luis": await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD),
        "sam": await make_account(district.guardian("sam"), "sampark"),
    }
    return accounts


@pytest.fixture
async def rosa(portal, school_year):
    response = await portal.log_in("rosa", PASSWORD)
    assert response.status_code == 303
    return portal


def student_url(district, key: str, page: str) -> str:
    return f"/students/{district.students[key].public_id}/{page}"


async def sections_of(student) -> list[dict]:
    from app.tables import SectionEnrollment

    return await SectionEnrollment.select(
        SectionEnrollment.section.public_id.as_alias("public_id"), SectionEnrollment.section.id.as_alias("id"),
        SectionEnrollment.section.course.title.as_alias("course"), SectionEnrollment.section.room.as_alias("room"),
    ).where((SectionEnrollment.person == student.id) & (SectionEnrollment.role == "student"))


async def terms() -> dict[str, dict]:
    from app.tables import AcademicSession

    rows = await AcademicSession.select().where(AcademicSession.kind == "gradingPeriod")
    return {r["title"]: r for r in rows}


def table_rows(html: str, caption_starts: str) -> list[list[str]]:
    """The body rows of the table with this caption, as the text of their cells."""
    table = re.search(r"<table>\s*<caption[^>]*>" + re.escape(caption_starts) + r".*?</table>", html, re.S)
    assert table, f"no table captioned {caption_starts!r}"
    body = table.group(0).split("<tbody>")[1]
    return [[page_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


# ---- What a parent reads ----

async def test_guardian_reads_schedule_of_two_children_at_two_schools_for_each_term(rosa, district):
    quarters = await terms()
    ben_sections = await sections_of(district.students["ben"])
    for quarter in ("Quarter 1", "Quarter 2", "Quarter 3", "Quarter 4"):
        response = await rosa.get(student_url(district, "ben", "schedule") + f"?term={quarters[quarter]['source_id']}")
        assert response.status_code == 200
        rows = table_rows(response.text, f"Classes in {quarter}")
        assert [row[0] for row in rows] == [str(n) for n in range(1, 8)], rows  # seven periods, in order
        assert all(teacher and room for _, _, _, teacher, room in rows)
    fall = page_text((await rosa.get(student_url(district, "ben", "schedule") + "?term=demo-2026-q1")).text)
    spring = page_text((await rosa.get(student_url(district, "ben", "schedule") + "?term=demo-2026-q3")).text)
    semester_courses = {s["course"] for s in ben_sections} - {c for c in {s["course"] for s in ben_sections}
                                                               if c in fall and c in spring}
    assert len(semester_courses) == 2  # one course in the fall, another in the spring, same period
    assert sum(c in fall for c in semester_courses) == 1 and sum(c in spring for c in semester_courses) == 1

    ana = await rosa.get(student_url(district, "ana", "schedule"))
    rows = table_rows(ana.text, "Classes in Quarter 3")  # today's term by default
    assert len(rows) == 1 and rows[0][:3] == ["Homeroom", "Grade 3 Homeroom", "Grade 3 Homeroom A"]
    assert "Maple Street Elementary" in page_text(ana.text)
    assert "Oak Ridge Middle" in page_text((await rosa.get(student_url(district, "ben", "grades"))).text)


async def test_attendance_totals_per_category_match_the_events_of_the_term(rosa, district):
    from app.tables import AttendanceEvent

    quarters = await terms()
    for key in ("ana", "ben"):
        student = district.students[key]
        for quarter in ("Quarter 1", "Quarter 3"):
            q = quarters[quarter]
            events = await AttendanceEvent.select(AttendanceEvent.category, AttendanceEvent.period).where(
                (AttendanceEvent.student == student.id) & (AttendanceEvent.event_date >= q["start_date"])
                & (AttendanceEvent.event_date <= q["end_date"]))
            html = (await rosa.get(student_url(district, key, "attendance") + f"?term={q['source_id']}")).text
            rows = table_rows(html, f"Totals in {quarter}")
            words = {"present": "Present", "tardy": "Tardy", "excused-absence": "Excused absence",
                     "unexcused-absence": "Unexcused absence", "early-departure": "Early departure"}
            for category, word in words.items():
                days = sum(1 for e in events if e["category"] == category and not e["period"])
                periods = sum(1 for e in events if e["category"] == category and e["period"])
                total = f"{days} day" + ("" if days == 1 else "s")
                if periods and category != "present":  # class periods only where some were noted
                    total += "; " + (f"late to {periods} class" + ("" if periods == 1 else "es")
                                     if category == "tardy" else
                                     f"{periods} class period" + ("" if periods == 1 else "s") + " missed")
                assert [word, total] in rows, (word, total, rows)
            assert not any("class period" in total for word, total in rows if word == "Present")
            school_days = sum(1 for e in events if not e["period"])
            assert f"({school_days} school days recorded)" in page_text(html)
            if any(e["category"] != "present" for e in events):  # the days listed, in words, with reasons
                days = table_rows(html, "Days with an absence")
                assert days and all(any(w in " ".join(day) for w in words.values()) for day in days)
                # The day's own event under "The school day": "Whole day: Early departure" read as a contradiction
                # (a tester's find).
                assert ">The school day</th>" in html and "Whole day" not in html


async def test_grades_show_term_grades_and_a_sections_assignments_with_flags_in_words(rosa, district):
    from app.tables import LineItem, Result, TermGrade

    ben = district.students["ben"]
    quarters = await terms()
    q1 = quarters["Quarter 1"]
    grades = await TermGrade.select(TermGrade.grade, TermGrade.percent, TermGrade.section.course.title.as_alias(
        "course"), TermGrade.section.public_id.as_alias("section")).where(
        (TermGrade.student == ben.id) & (TermGrade.term == q1["id"]))
    assert len(grades) == 7
    html = (await rosa.get(student_url(district, "ben", "grades") + f"?term={q1['source_id']}")).text
    rows = table_rows(html, "Term grades in Quarter 1")
    for grade in grades:
        assert any(row[0].startswith(grade["course"]) and row[1] == f"{grade['grade']} ({grade['percent']:g}%)"
                   for row in rows), (grade, rows)

    flagged = await Result.select(Result.line_item.section.public_id.as_alias("section"),
                                  Result.line_item.title.as_alias("title")).where(
        (Result.student == ben.id) & (Result.line_item.grading_period == q1["id"])
        & ((Result.missing == True) | (Result.late == True) | (Result.exempt == True))).first()  # noqa: E712
    section = flagged["section"] if flagged else grades[0]["section"]
    response = await rosa.get(student_url(district, "ben", f"grades/{section}") + f"?term={q1['source_id']}")
    assert response.status_code == 200
    rows = table_rows(response.text, "Graded work in Quarter 1")  # Quarter 1 is over: all of it graded
    items = await LineItem.count().where((LineItem.section.public_id == section)
                                         & (LineItem.grading_period == q1["id"]))
    assert len(rows) == items > 0
    assert all(due and score and out_of for _, due, score, out_of in rows)
    assert "Flags" not in response.text  # the column that was empty for most rows is gone
    if flagged:  # missing, late and exempt in words, inside the score
        row = next(r for r in rows if r[0] == flagged["title"])
        assert re.search(r"Missing|Turned in late|Exempt", row[2]), row
    future = await rosa.get(student_url(district, "ben", f"grades/{section}") + "?term=demo-2026-q4")
    assert table_rows(future.text, "Not graded yet in Quarter 4, soonest due date first")  # due after today
    now = (await rosa.get(student_url(district, "ben", f"grades/{section}"))).text  # today's term: both kinds
    if "Graded work in" in now and "Not graded yet in" in now:
        assert now.index("Graded work in") < now.index("Not graded yet in")  # graded work before future work


async def test_term_switching_works_as_a_plain_form_and_as_an_htmx_fragment(rosa, district):
    import gzip

    url = student_url(district, "ben", "grades")
    plain = await rosa.get(url)
    form = re.search(r'<form class="term" method="get" action="([^"]+)"[^>]*>(.*?)</form>', plain.text, re.S)
    assert form and form.group(1) == url
    assert 'name="term"' in form.group(2) and "<button>Show</button>" in form.group(2)
    assert re.search(r'<option value="demo-2026-q3" selected>', form.group(2))

    fragment = await rosa.get(url + "?term=demo-2026-q2", htmx=True)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Term grades in Quarter 2" in fragment.text
    assert fragment.headers["HX-Push-Url"] == url + "?term=demo-2026-q2"
    assert "HX-Request" in fragment.headers["Vary"] and fragment.headers["Cache-Control"] == "no-store"
    assert len(gzip.compress(fragment.content)) <= 3 * 1024  # docs/quality.md §3: a fragment within 3 KB

    unknown = await rosa.get(url + "?term=no-such-term")
    assert "Term grades in Quarter 3" in unknown.text  # today's term, as when nothing is chosen


async def test_home_shows_every_student_with_todays_classes_and_recent_changes(rosa, district):
    from app.tables import Result

    html = page_text((await rosa.get("/home")).text)
    assert "Ana Rivera" in html and "Benito Rivera" in html
    assert html.count("Today's classes") == 2
    assert "Period 1:" in html and "Homeroom: Grade 3 Homeroom" in html  # a Tuesday in term time
    assert html.count("Attendance, last 14 days") == 2 and html.count("New grades, last 14 days") == 2
    recent = await Result.select(Result.line_item.title.as_alias("title")).where(
        Result.student == district.students["ben"].id).order_by(Result.updated_at, ascending=False).first()
    assert recent["title"] in html



async def test_home_shows_no_work_the_sis_deleted_nor_work_not_graded_yet(rosa, district):
    """A tester's find (issue 13): home kept a deleted assignment's and a deleted class's scores (and their
    missing work in its count) after the grades pages had dropped them, and showed a result with no score as
    " out of 20"."""
    from app import clock
    from app.tables import LineItem, Result, Section

    student = district.students["ben"].id
    scores = await Result.select(Result.id, Result.line_item, Result.line_item.title.as_alias("title"),
                                 Result.line_item.section.as_alias("section")).where(
        Result.student == student).order_by(Result.updated_at, ascending=False).limit(3)
    deleted_item, in_deleted_class, not_graded = scores
    titles = ("Work the SIS deleted", "Work of a deleted class", "Work not graded yet")
    for row, title in zip(scores, titles):
        await LineItem.update({LineItem.title: title}).where(LineItem.id == row["line_item"])
    now = clock.now()
    await Result.update({Result.updated_at: now, Result.score: 9.5, Result.missing: False}).where(
        Result.id.is_in([deleted_item["id"], in_deleted_class["id"]]))
    before = page_text((await rosa.get("/home")).text)
    assert titles[0] in before and titles[1] in before
    await Result.update({Result.updated_at: now, Result.score: None, Result.missing: False, Result.exempt: False}).where(
        Result.id == not_graded["id"])
    await LineItem.update({LineItem.status: "tobedeleted"}).where(LineItem.id == deleted_item["line_item"])
    await Section.update({Section.status: "tobedeleted"}).where(Section.id == in_deleted_class["section"])
    html = page_text((await rosa.get("/home")).text)
    assert not any(title in html for title in titles), html


async def test_right_to_left_sis_text_stays_in_its_own_direction_on_every_records_page(rosa, district):
    """A tester's find (issue 13): a course or school named with a right-to-left override and no end to it
    turned the rest of the line around; escaped, but not isolated. Each is wrapped in U+2068 ... U+2069."""
    from app.tables import Course, Person, School

    ben = district.students["ben"]
    course = (await sections_of(ben))[0]
    override = "\u202eMath 3"
    await Course.update({Course.title: override}).where(Course.title == course["course"])
    await School.update({School.name: "\u202eOak"}).where(School.id.is_in(
        School.select(School.id).where(School.name != "")))
    await Person.update({Person.family_name: "ריברה"}).where(Person.id == ben.id)
    for page in ("/home", student_url(district, "ben", "schedule"), student_url(district, "ben", "grades"),
                 student_url(district, "ben", "attendance"),
                 student_url(district, "ben", f"grades/{course['public_id']}")):
        html = (await rosa.get(page)).text
        assert "\u202e" in html, page
        # Every override is inside an isolate, or starts an element of its own (a table cell, a heading).
        assert all(html[at - 1] in "\u2068>" for at in (m.start() for m in re.finditer("\u202e", html))), page
        assert "\u2068\u202e" in html, page
        if page != "/home":  # there the name is a heading of its own; here it is in the title and a line
            assert html.count("\u2068Benito ריברה\u2069") == 2, page


# ---- Privacy: another family's ids are missing ids ----

def routes_taking_ids(app) -> list[tuple[str, str]]:
    """Every route with an id in its path (a parameter named `..._id`), by method."""
    return sorted((method, route.path) for route in app.routes if re.search(r"{\w+_id:", route.path)
                  for method in route.methods - {"HEAD", "OPTIONS"})


async def test_every_route_taking_an_id_answers_another_familys_ids_exactly_like_missing_ones(rosa, district):
    from app.tables import ContactPhone

    cleo_sections = await sections_of(district.students["cleo"])
    sam_phone = await ContactPhone.select(ContactPhone.id).where(
        ContactPhone.person == district.guardian("sam").id).first()
    ana = str(district.students["ana"].public_id)
    # Rosa's family is Ana and Benito; the Parks' ids are real rows she may not see.
    other_family = {"student_id": str(district.students["cleo"].public_id),
                    "section_id": cleo_sections[0]["public_id"], "phone_id": str(sam_phone["id"]),
                    "int": "1", "uuid": str(district.students["cleo"].public_id)}
    missing = {"student_id": str(uuid.uuid4()), "section_id": str(uuid.uuid4()), "phone_id": "987654321",
               "int": "987654321", "uuid": str(uuid.uuid4())}
    own = {**other_family, "student_id": ana}

    routes = routes_taking_ids(rosa.app)
    assert {("GET", "/students/{student_id:str}/grades"), ("GET", "/students/{student_id:str}/grades/{section_id:str}"),
            ("GET", "/students/{student_id:str}/viewed"), ("GET", "/household/phones/{phone_id:int}")} <= set(routes)

    def url(path: str, ids: dict[str, str]) -> str:
        def value(match: re.Match) -> str:
            name, kind = match.groups()
            if name in ids:
                return ids[name]
            if name.endswith("_id"):  # staff pages' ids: a guardian is told they do not exist either way
                return ids["int" if kind == "int" else "uuid"]
            return "x"  # not an id (a decision, a token): the same in both requests
        return re.sub(r"{(\w+):(\w+)}", value, path)

    for method, path in routes:
        cases = [other_family, missing]
        if "{section_id" in path:  # her own student with another family's section
            cases = [{**own, "section_id": other_family["section_id"]}, {**own, "section_id": missing["section_id"]}]
        answers = []
        for ids in cases:
            for htmx in (False, True):
                if method == "GET":
                    response = await rosa.get(url(path, ids), htmx=htmx)
                else:
                    response = await rosa.post(url(path, ids), {}, htmx=htmx)
                answers.append((htmx, response.status_code, response.text))
        assert answers[:2] == answers[2:], f"{method} {path}: another family's id answers differently"
        assert all(status == 404 for _, status, _ in answers), (method, path, [a[1] for a in answers])
    ana_section = (await sections_of(district.students["ana"]))[0]["public_id"]
    assert (await rosa.get(f"/students/{ana}/grades/{ana_section}")).status_code == 200
    assert (await rosa.get("/students/not-a-uuid/grades")).status_code == 404


async def test_guardian_link_without_portal_access_hides_the_student(rosa, district):
    from app.tables import GuardianLink

    url = student_url(district, "ana", "grades")
    assert (await rosa.get(url)).status_code == 200
    await GuardianLink.update({GuardianLink.portal_access: False}).where(
        (GuardianLink.guardian == district.guardian("rosa").id) & (GuardianLink.student == district.students["ana"].id))
    assert (await rosa.get(url)).status_code == 404
    assert "Ana Rivera" not in page_text((await rosa.get("/home")).text)


# ---- Every view is recorded, and the parent can read the record ----

async def viewed(student) -> list[dict]:
    from app.tables import AuditEvent

    return await AuditEvent.select(AuditEvent.actor, AuditEvent.detail, AuditEvent.ip).where(
        (AuditEvent.person == student.id) & (AuditEvent.action == "records.viewed")).order_by(AuditEvent.id)


async def test_each_view_of_a_students_records_writes_an_audit_event(rosa, district, school_year):
    ben = district.students["ben"]
    section = (await sections_of(ben))[0]["public_id"]
    for page, detail in (("schedule", "schedule"), ("attendance", "attendance"), ("grades", "grades"),
                         (f"grades/{section}", "grades")):
        before = len(await viewed(ben))
        assert (await rosa.get(student_url(district, "ben", page))).status_code == 200
        events = await viewed(ben)
        assert len(events) == before + 1
        assert events[-1]["actor"] == school_year["rosa"] and events[-1]["detail"] == detail
    before = {key: len(await viewed(district.students[key])) for key in ("ana", "ben", "cleo")}
    await rosa.get("/home")
    assert [e["detail"] for e in (await viewed(ben))[before["ben"]:]] == ["summary"]
    assert len(await viewed(district.students["ana"])) == before["ana"] + 1
    await rosa.get(student_url(district, "cleo", "grades"))  # not hers: nothing shown, nothing recorded
    assert len(await viewed(district.students["cleo"])) == before["cleo"]


async def test_parent_sees_who_viewed_their_childs_records(portal, school_year, district):
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    await portal.get(student_url(district, "ana", "attendance"))
    await portal.log_out()
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    await portal.get(student_url(district, "ana", "grades"))
    response = await portal.get(student_url(district, "ana", "viewed"))
    rows = table_rows(response.text, "The latest")  # views by others only, unless she asks (issue 13 item 7)
    assert rows[0][1:] == ["Luis Rivera, parent or guardian", "Attendance"]
    assert not any(row[1] == "You" or row[1].startswith("Rosa") for row in rows)
    response = await portal.get(student_url(district, "ana", "viewed?mine=shown"))
    rows = table_rows(response.text, "The latest")
    assert rows[0][1:] == ["You", "Grades"]
    assert rows[1][1:] == ["Luis Rivera, parent or guardian", "Attendance"]
    assert all(row[0].startswith("Tue, Mar 10") for row in rows[:2])
