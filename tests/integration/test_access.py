"""Portal access per guardian–student link (issue 11 item 1; FERPA 34 CFR 99.4).

Rosa Rivera has two children: Ana (Maple Street) and Benito (Oak Ridge). Access is switched off for Rosa and
Ana only. Every parent route, every page of hers and every email that reaches her is walked: nothing of Ana
shows (not her name, not her id), Benito is untouched, and Luis (Ana's other parent) still sees Ana. The
dates count without a job; an import never switches on what staff switched off; the console is scoped to
the student's school; the CLI and the district CSV set the same thing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path

import pytest

from tests.integration import leaks
from tests.integration.district import OTHER_PASSWORD, PASSWORD, issue_key, make_account
from tests.integration.portal import page_text
from tests.integration.test_staff_console import as_staff, events, staff_account, words


@pytest.fixture
async def school_year(district):
    from app.demo_year import fill_school_year
    from app.tables import Household, HouseholdMember

    await fill_school_year(seed=11)
    household = Household(name="Rivera", address_line1="12 Elm Street", city="Atlanta", state="GA",
                          postal_code="30303")
    await household.save()
    for person in (district.guardian("rosa"), district.students["ana"], district.students["ben"]):
        await HouseholdMember(household=household.id, person=person.id).save()
    return {"rosa": await make_account(district.guardian("rosa"), "rosa"),
            "luis": await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)}


async def block(district, guardian="rosa", student="ana", **kwargs):
    from app.services.access import block_access

    change = await block_access(f"gua-{guardian}", f"stu-{student}", kwargs.pop("reason", "court-order"),
                                kwargs.pop("reference", "2026-CV-0113"), **kwargs)
    assert not change.errors, change.errors
    return change


def parent_get_routes(app) -> list[str]:
    """Every GET page a signed-in guardian can open (not the console, not the dev mailbox, not public)."""
    paths = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" not in handler.http_methods or handler.opt.get("public"):
                continue
            if route.path.startswith(("/staff", "/dev", "/static")) or route.path in ("/logout",):
                continue
            paths.append(route.path)
    return sorted(set(paths))


def _fill(path: str, ids: dict[str, str]) -> str:
    known = {"kind": "attendance", **ids}  # a correction's kind: one that exists for every student
    return re.sub(r"{(\w+):\w+}", lambda m: known.get(m.group(1), "1"), path)


async def test_every_parent_route_hides_the_blocked_child_and_keeps_the_other(portal, district, school_year):
    from app.tables import SectionEnrollment

    ana, ben = district.students["ana"], district.students["ben"]
    await block(district)
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    ana_section = (await SectionEnrollment.select(SectionEnrollment.section.public_id.as_alias("p")).where(
        (SectionEnrollment.person == ana.id) & (SectionEnrollment.role == "student")).first())["p"]
    ben_section = (await SectionEnrollment.select(SectionEnrollment.section.public_id.as_alias("p")).where(
        (SectionEnrollment.person == ben.id) & (SectionEnrollment.role == "student")).first())["p"]
    routes = parent_get_routes(portal.app)
    assert "/home" in routes and "/students/{student_id:str}/grades" in routes and "/household" in routes
    walked = 0
    for path in routes:
        if "{student_id" in path:
            kind = {"kind": "attendance"}  # a correction request's kind of record
            missing = _fill(path, {"student_id": str(uuid.uuid4()), "section_id": ana_section, **kind})
            blocked = _fill(path, {"student_id": str(ana.public_id), "section_id": ana_section, **kind})
            allowed = _fill(path, {"student_id": str(ben.public_id), "section_id": ben_section, **kind})
            for htmx in (False, True):
                gone, hidden = await portal.get(missing, htmx=htmx), await portal.get(blocked, htmx=htmx)
                assert hidden.status_code == 404, path
                assert (hidden.status_code, hidden.text) == (gone.status_code, gone.text), path
                assert (await portal.get(allowed, htmx=htmx)).status_code == 200, path
        elif "{" not in path:
            page = await portal.get(path, follow=True)
            assert page.status_code in (200, 204), path  # 204: /session/alive, the idle warning's keep-alive
            text = page_text(page.text)
            assert not re.search(r"\bAna\b", text), f"{path} names the blocked child"
            assert str(ana.public_id) not in page.text, f"{path} carries the blocked child's id"
            if path == "/home":
                assert "Benito" in text
        walked += 1
    assert walked >= 8
    # The other parent is untouched.
    await portal.log_out()
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    assert (await portal.get(f"/students/{ana.public_id}/grades")).status_code == 200
    assert "Ana" in page_text((await portal.get("/home")).text)


async def test_the_household_page_leaves_the_blocked_child_out(portal, district, school_year):
    await block(district)
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    text = page_text((await portal.get("/household")).text)
    assert "Benito" in text and "Ana" not in text


async def test_the_open_session_loses_the_child_on_the_next_request(portal, district, school_year):
    ana = district.students["ana"]
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    assert (await portal.get(f"/students/{ana.public_id}/attendance")).status_code == 200
    await block(district)
    assert (await portal.get(f"/students/{ana.public_id}/attendance")).status_code == 404
    assert "Ana" not in page_text((await portal.get("/home")).text)


async def test_dates_count_without_a_job(portal, district, school_year, clock):
    from app.services.access import may_see, unblock_access

    rosa, ana = district.guardian("rosa").id, district.students["ana"].id
    # 10 March 2026 in New York; a restriction from tomorrow is not in force yet.
    await block(district, starts_on=date(2026, 3, 11), ends_on=date(2026, 3, 12))
    assert await may_see(rosa, ana)
    clock.advance(days=1)
    assert not await may_see(rosa, ana)
    clock.advance(days=1)
    assert not await may_see(rosa, ana)  # the last day is included
    clock.advance(days=1)
    assert await may_see(rosa, ana)  # it ended
    await unblock_access("gua-rosa", "stu-ana")
    # The district's day, not UTC's: 11 March 01:00 UTC is still 10 March in New York.
    clock.set(clock.moment.replace(year=2026, month=3, day=11, hour=1))
    await block(district, reason="other", reference="", starts_on=date(2026, 3, 11))
    assert await may_see(rosa, ana)
    clock.advance(hours=5)
    assert not await may_see(rosa, ana)


async def test_an_import_never_switches_on_what_staff_switched_off(district, school_year):
    from app.services.access import may_see, unblock_access

    rosa, ana = district.guardian("rosa").id, district.students["ana"].id
    await block(district, source="staff")
    await block(district, source="import", reference="SIS")
    lifted = await unblock_access("gua-rosa", "stu-ana", source="import")
    assert lifted.done == "unblocked" and lifted.still_restricted
    assert not await may_see(rosa, ana)
    assert (await unblock_access("gua-rosa", "stu-ana", source="import")).done == "nothing-to-lift"
    assert (await unblock_access("gua-rosa", "stu-ana", source="staff")).done == "unblocked"
    assert await may_see(rosa, ana)


async def test_block_checks_what_it_is_given_and_audits_every_change(district, school_year):
    from app.services.access import block_access, unblock_access

    bad = await block_access("gua-nobody", "stu-ana", "court-order")
    assert [e.field for e in bad.errors] == ["guardian"]
    bad = await block_access("gua-rosa", "stu-ana", "because", "", "2026-13-01", "")
    assert {e.field for e in bad.errors} == {"reason", "starts_on"}
    bad = await block_access("gua-rosa", "stu-ana", "other", "", "2026-05-01", "2026-04-01")
    assert [e.field for e in bad.errors] == ["ends_on"]
    bad = await block_access("gua-rosa", "gua-luis", "other")  # a guardian is not a student
    assert [e.field for e in bad.errors] == ["student"]
    assert await events("access.blocked") == []
    assert (await block(district)).done == "blocked"
    assert (await block(district)).done == "unchanged"
    assert (await block(district, ends_on="2026-06-30")).done == "changed"
    await unblock_access("gua-rosa", "stu-ana")
    audited = [(e["action"], e["person"]) for e in await events("access.blocked") + await events("access.changed")
               + await events("access.unblocked")]
    ana = district.students["ana"].id
    assert audited == [("access.blocked", ana), ("access.changed", ana), ("access.unblocked", ana)]


async def test_no_key_for_a_guardian_whose_only_child_is_blocked_and_no_redeeming_an_old_one(
        portal, district, school_year):
    from app.services.activation_keys import KeyRefused, issue_key_for

    key = await issue_key(district.guardian("sam"))
    await block(district, guardian="sam", student="cleo")
    with pytest.raises(KeyRefused):
        await issue_key_for("gua-sam")
    answer = await portal.post("/activate", {"activation_key": key})
    assert answer.status_code == 422 and "replaced by a newer one" in page_text(answer.text)


@pytest.mark.parametrize("blocked", [False, True])
async def test_no_key_request_auto_issue_through_a_blocked_link(portal, ana_on_file, deliver, blocked):
    from tests.integration.test_key_request import details, key_requests

    if blocked:
        for guardian in ("rosa", "luis"):
            await block(ana_on_file, guardian=guardian)
    await portal.post("/request-key", details())
    mail = await deliver()  # the mail worker decides the request (key_requests.decide_online_request)
    [request] = await key_requests()
    for message in mail:
        leaks.remember_key(re.search(r"[234679CDFHJKMNPR]{4}(?:-[234679CDFHJKMNPR]{4}){7}",
                                     message.message.as_string()).group(0))
    assert request["status"] == ("pending" if blocked else "auto-issued")
    assert len(mail) == (0 if blocked else 1)


async def test_staff_of_the_students_school_and_district_admins_manage_access(portal, district, school_year):
    ana, ben, rosa = district.students["ana"], district.students["ben"], district.guardian("rosa")
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await staff_account("OakOffice", "school-staff", "sch-oak")
    await staff_account("DistrictAdmin", "district-admin", None)
    ana_link = f"/staff/students/{ana.public_id}/access/{rosa.public_id}"
    ben_link = f"/staff/students/{ben.public_id}/access/{rosa.public_id}"

    await as_staff(portal, "OakOffice")  # Benito's school, not Ana's
    assert (await portal.get(ana_link)).status_code == 404
    assert (await portal.post(ana_link + "/block", {"reason": "court-order"})).status_code == 404
    assert (await portal.get(ben_link)).status_code == 200
    assert (await portal.get(f"/staff/students/{ana.public_id}/access/{uuid.uuid4()}")).status_code == 404
    await portal.log_out()

    await as_staff(portal, "MapleOffice")
    student_page = await portal.get(f"/staff/students/{ana.public_id}")
    assert ana_link in student_page.text
    wrong = await portal.post(ana_link + "/block", {"reason": "", "reference": "x", "starts_on": "2026-02-30"})
    assert wrong.status_code == 422 and "Choose a reason" in page_text(wrong.text)
    assert await events("access.blocked") == []
    done = await portal.post(ana_link + "/block", {"reason": "court-order", "reference": "2026-CV-0113",
                                                   "starts_on": "", "ends_on": "2026-12-31"})
    assert done.status_code == 303
    page = page_text((await portal.get(done.headers["location"])).text)
    assert "switched off" in page and "Court order" in page and "2026-CV-0113" in page and "in force" in page
    [event] = await events("access.blocked")
    assert event["person"] == ana.id and event["actor"] is not None and "reason=court-order" in event["detail"]
    assert "off" in page_text((await portal.get(f"/staff/students/{ana.public_id}")).text)
    await portal.log_out()

    await as_staff(portal, "DistrictAdmin")
    htmx = await portal.post(ana_link + "/unblock", {}, htmx=True)
    assert htmx.status_code in (200, 303)
    assert len(await events("access.unblocked")) == 1
    page = words((await portal.get(ana_link)).text)
    assert "Portal access today on" in page and "lifted" in page


def homeroom(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


async def test_the_command_line_blocks_lists_and_unblocks(district, tmp_path):
    from app.services.access import may_see

    rosa, ana = district.guardian("rosa").id, district.students["ana"].id
    done = homeroom("access", "block", "--guardian", "gua-rosa", "--student", "stu-ana", "--reason", "court-order",
                    "--reference", "=HYPERLINK(1)", "--until", "2026-12-31")
    assert done.returncode == 0, done.stderr
    assert not await may_see(rosa, ana)
    listed = homeroom("access", "list", "--student", "stu-ana")
    assert listed.returncode == 0
    lines = listed.stdout.strip().splitlines()
    assert lines[0].startswith('"guardian","guardian_name","student"')  # every cell quoted (app/csv_files.py)
    assert "gua-rosa" in lines[1] and "court-order" in lines[1] and "in-force" in lines[1]
    assert "'=HYPERLINK(1)" in lines[1]  # the one CSV writer neutralises formulas
    bad = homeroom("access", "block", "--guardian", "gua-rosa", "--student", "stu-nobody", "--reason", "other")
    assert bad.returncode == 2 and "no student with sourcedId" in bad.stderr
    assert homeroom("access", "unblock", "--guardian", "gua-rosa", "--student", "stu-ana").returncode == 0
    assert await may_see(rosa, ana)
    assert len(homeroom("access", "list").stdout.strip().splitlines()) == 1  # the header


async def test_the_district_csv_sets_import_restrictions_all_or_nothing(district, tmp_path):
    from app.services.access import may_see, restrictions

    rosa, luis, ana = district.guardian("rosa").id, district.guardian("luis").id, district.students["ana"].id
    bad = tmp_path / "bad.csv"
    bad.write_text("guardian,student,reason,reference,from,until\n"
                   "gua-rosa,stu-ana,court-order,CV-1,,\n"
                   "gua-nobody,stu-ana,court-order,,,\n"
                   "gua-luis,stu-ana,whim,,2026-01-01,2025-01-01\n", encoding="utf-8")
    run = homeroom("import", "restrictions", str(bad))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "line 3, column guardian" in run.stderr and "line 4, column reason" in run.stderr
    assert "line 4, column until" in run.stderr
    assert await restrictions() == [] and await may_see(rosa, ana)

    good = tmp_path / "good.csv"
    good.write_text("\ufeffguardian,student,reason,reference,from,until\n"
                    "gua-rosa,stu-ana,court-order,CV-1,,\n"
                    "gua-luis,stu-ana,custody-agreement,,2026-04-01,2026-06-30\n", encoding="utf-8")
    run = homeroom("import", "restrictions", str(good))
    assert run.returncode == 0, run.stderr
    assert "access restrictions: 2" in run.stdout
    assert not await may_see(rosa, ana) and await may_see(luis, ana)  # Luis's starts in April
    assert {r["source"] for r in await restrictions()} == {"import"}
    again = homeroom("import", "restrictions", str(good))
    assert again.returncode == 0 and "Nothing changed" in again.stdout


async def test_the_district_csv_reports_every_error_where_it_is_with_the_shared_date_message(district, tmp_path):
    """Dates are told as every import tells them (app/importers/dates.py), not in the staff form's words; a
    student's own request for a student who cannot be shown to be 18 is reported with the other errors, not
    only once they are fixed."""
    from app.services.access import restrictions

    path = tmp_path / "restrictions.csv"
    path.write_text("guardian,student,reason,reference,from,until\n"
                    "gua-rosa,stu-ana,court-order,,2026-13-01,\n"
                    "gua-luis,stu-ana,court-order,,,31/12/2026\n"
                    "gua-rosa,stu-ben,student-request,,2026-03-01,\n"
                    "gua-nobody,stu-ana,other,,,\n", encoding="utf-8")
    run = homeroom("import", "restrictions", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    errors = [line for line in run.stderr.splitlines() if "ERROR" in line]
    assert errors == [
        "homeroom: ERROR: restrictions.csv, line 2, column from: '2026-13-01' is not a date that exists: check the "
        "day and month",
        "homeroom: ERROR: restrictions.csv, line 3, column until: '31/12/2026' is not a date: write it as YYYY-MM-DD",
        "homeroom: ERROR: restrictions.csv, line 4, column reason: The student's own request is a reason only for a "
        "student who is 18 or older, and this student has no birth date on file. Choose another reason",
        "homeroom: ERROR: restrictions.csv, line 5, column guardian: no guardian has this sourcedId",
    ], run.stderr
    assert "Enter a date like" not in run.stderr
    assert await restrictions() == []


async def test_the_18th_birthday_in_the_district_time_zone_when_parents_lose_access(portal, district, school_year,
                                                                                   clock):
    from datetime import datetime, timezone

    from app.services.preferences import set_preference
    from app.tables import Person

    ana = district.students["ana"]
    await Person.update({Person.birth_date: date(2008, 3, 11)}).where(Person.id == ana.id)
    ana_grades = f"/students/{ana.public_id}/grades"

    async def at(moment: datetime) -> None:  # sign in afresh at that moment (sessions end when idle)
        clock.set(moment)
        await portal.log_out()
        assert (await portal.log_in("rosa", PASSWORD)).status_code == 303

    # The default: parents keep access when a student turns 18.
    await at(datetime(2026, 3, 11, 15, 0, tzinfo=timezone.utc))
    assert (await portal.get(ana_grades)).status_code == 200
    assert "turned 18" not in page_text((await portal.get("/home")).text)

    await set_preference("parents_after_18", "end")
    await at(datetime(2026, 3, 11, 3, 0, tzinfo=timezone.utc))  # 23:00 on the 10th in New York: still 17
    assert (await portal.get(ana_grades)).status_code == 200
    await at(datetime(2026, 3, 11, 5, 0, tzinfo=timezone.utc))  # 01:00 on the 11th: 18 today
    assert (await portal.get(ana_grades)).status_code == 404
    home = page_text((await portal.get("/home")).text)
    assert "Ana Rivera turned 18 on" in home and "FERPA" in home and "Benito" in home
    # A reader built without the cutoff (as the alert and digest jobs build theirs) follows the same rule.
    from app.services.records import Reader, linked_student

    job = Reader(account_id=school_year["rosa"], guardian_id=district.guardian("rosa").id, today=date(2026, 3, 11))
    assert await linked_student(job, str(ana.public_id)) is None
    assert await linked_student(job, str(district.students["ben"].public_id)) is not None
    # A child whose access is off for another reason is not named in the notice.
    await block(district)
    assert "turned 18" not in page_text((await portal.get("/home")).text)


async def test_a_student_born_on_29_february_turns_18_on_1_march_in_a_common_year():
    from app.rules.access import adult_cutoff, eighteenth_birthday

    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 3, 1)
    assert adult_cutoff(date(2026, 2, 28), "end") < date(2008, 2, 29) <= adult_cutoff(date(2026, 3, 1), "end")
    assert adult_cutoff(date(2026, 3, 1), "keep") == date(1, 1, 1)


async def test_a_students_own_request_is_refused_for_a_minor_on_the_first_day_in_the_district_time_zone(
        portal, district, clock):
    """"Student's request (18 or older)" (FERPA 99.5) is refused for a student under 18 on the restriction's
    first day, counted in the district's time zone; and for a student with no birth date on file. The same
    answer from the console's form, `homeroom access block` and the district CSV."""
    from datetime import datetime, timezone

    from app.services.access import block_access, may_see
    from app.tables import Person

    ana, rosa = district.students["ana"], district.guardian("rosa")
    no_birth_date = await block_access("gua-rosa", "stu-ana", "student-request")
    assert [e.field for e in no_birth_date.errors] == ["reason"]
    assert "no birth date on file" in no_birth_date.errors[0].message
    await Person.update({Person.birth_date: date(2008, 3, 11)}).where(Person.id == ana.id)
    clock.set(datetime(2026, 3, 11, 3, 0, tzinfo=timezone.utc))  # 23:00 on 10 March in New York: still 17
    minor = await block_access("gua-rosa", "stu-ana", "student-request")
    assert [e.field for e in minor.errors] == ["reason"] and minor.errors[0].params == {
        "day": "2026-03-10", "birthday": "2026-03-11"}
    later = await block_access("gua-rosa", "stu-ana", "student-request", "", "2026-03-11")
    assert later.done == "blocked"  # from her birthday on: her own request
    from app.services.access import unblock_access

    await unblock_access("gua-rosa", "stu-ana")

    # The command line says so and changes nothing (it runs on the real clock: the first day is given).
    cli = homeroom("access", "block", "--guardian", "gua-rosa", "--student", "stu-ana", "--reason", "student-request",
                   "--from", "2026-03-10")
    # Exit 1: the command was right, the student's data says no (README: exit codes).
    assert cli.returncode == 1 and "reason: The student is under 18 on 2026-03-10 (18 on 2026-03-11)" in cli.stderr
    assert await may_see(rosa.id, ana.id)
    # The district CSV too, all or nothing.
    csv_file = Path(tempfile.mkdtemp()) / "restrictions.csv"
    csv_file.write_text("guardian,student,reason,reference,from,until\n"
                        "gua-luis,stu-ben,court-order,,,\n"
                        "gua-rosa,stu-ana,student-request,,2026-03-01,\n", encoding="utf-8")
    run = homeroom("import", "restrictions", str(csv_file))
    assert run.returncode == 1 and "line 3, column reason" in run.stderr and "under 18 on 2026-03-01" in run.stderr
    assert await may_see(district.guardian("luis").id, district.students["ben"].id)  # nothing was written

    # The console's form.
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    link = f"/staff/students/{ana.public_id}/access/{rosa.public_id}"
    for htmx in (False, True):
        refused = await portal.post(link + "/block", {"reason": "student-request", "reference": "",
                                                      "starts_on": "", "ends_on": ""}, htmx=htmx)
        assert refused.status_code == 422
        assert "The student is under 18 on" in page_text(refused.text)
    assert await may_see(rosa.id, ana.id) and len(await events("access.blocked")) == 1  # only the one above
    clock.set(datetime(2026, 3, 11, 5, 0, tzinfo=timezone.utc))  # 01:00 on 11 March in New York: 18 today
    await as_staff(portal, "MapleOffice")
    done = await portal.post(link + "/block", {"reason": "student-request", "reference": "", "starts_on": "",
                                               "ends_on": ""})
    assert done.status_code == 303 and not await may_see(rosa.id, ana.id)


async def test_school_staff_see_only_their_own_schools_children_on_a_guardians_page(portal, district):
    """Rosa has Ana at Maple Street and Benito at Oak Ridge. Maple Street's office sees Ana on Rosa's page,
    not Benito, and is told plainly that children at other schools are not shown; Oak Ridge's the other way
    round; a district admin sees both."""
    rosa = district.guardian("rosa")
    page_of_rosa = f"/staff/guardians/{rosa.public_id}"
    not_shown = "Children at other schools are not shown."
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await staff_account("OakOffice", "school-staff", "sch-oak")
    await staff_account("DistrictAdmin", "district-admin", None)
    for staff, sees, does_not_see in (("MapleOffice", "Ana Rivera", "Benito"), ("OakOffice", "Benito Rivera", "Ana")):
        await as_staff(portal, staff)
        for htmx in (False, True):
            page = await portal.get(page_of_rosa, htmx=htmx)
            assert page.status_code == 200
            text = words(page.text)
            assert sees in text and not re.search(rf"\b{does_not_see}\b", text) and not_shown in text
            hidden = district.students["ben" if does_not_see == "Benito" else "ana"]
            assert str(hidden.public_id) not in page.text
        await portal.log_out()
    await as_staff(portal, "DistrictAdmin")
    text = words((await portal.get(page_of_rosa)).text)
    assert "Ana Rivera" in text and "Benito Rivera" in text and not_shown not in text
