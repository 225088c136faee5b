"""What an outside attacker found leaking around issue 11 (per-guardian access), and what walking the rest of
its surface found: each test fails on the code before its fix.

The factory district: Rosa and Luis Rivera share one email address and have Ana (Maple Street Elementary)
and Benito (Oak Ridge Middle); Rosa's access to Ana is switched off (a court order) and her access to Benito
stays on. Nothing about Ana — her name, her school, a key or a link that opens her records — may reach Rosa:
not by a page, an email, a mailbox she reads (now or before she changed her address), or a letter posted to a
home she is listed at.

Clock: Tuesday 10 March 2026, 10:00 in the district (America/New_York)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.integration import leaks
from tests.integration.district import OTHER_PASSWORD, PASSWORD, SHARED_EMAIL, issue_key, make_account
from tests.integration.portal import error_messages, page_text
from tests.integration.test_absence_alerts import TODAY, import_events, send_due
from tests.integration.test_access import block, school_year  # noqa: F401  (a fixture)
from tests.integration.test_csv_exports import homeroom
from tests.integration.test_staff_console import as_staff, events, staff_account, words

BOTH_ABSENT = [["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""],
               ["stu-ben", "sch-oak", TODAY, "", "", "Unexcused Absence", ""]]
ANA_ALERT, BEN_ALERT = "Ana was marked absent on Tue, Mar 10", "Benito was marked absent on Tue, Mar 10"
KEY = re.compile(r"[234679CDFHJKMNPR]{4}(?:-[234679CDFHJKMNPR]{4}){7}")
SHARED_NOTICE = ("Your email address is also on file for another person who may not receive email about one of "
                 "your children")


def names_ana(text: str) -> bool:
    return bool(re.search(r"\bAna\b|Maple Street", text))


async def set_email(district, guardian: str, email: str) -> None:
    from app.tables import Person

    await Person.update({Person.email: email}).where(Person.id == district.guardian(guardian).id)


async def outbox(status: str) -> list[dict]:
    from app.tables import OutboxEmail

    return await OutboxEmail.select(OutboxEmail.kind, OutboxEmail.to_address).where(
        OutboxEmail.status == status).order_by(OutboxEmail.id)


# --- 1. The answer to a household correction named the school of a child the parent may not see ----------

async def test_the_answer_to_a_household_correction_names_no_school(portal, district, school_year,  # noqa: F811
                                                                    deliver):
    """Rosa asks to correct her household address while she may see both children: the request goes to
    Maple Street (Ana's school, her first child's). A court order about Ana arrives; staff answer. Rosa is
    told the answer (it is about her own household), in words that name no school and no child."""
    await set_email(district, "luis", "luis.rivera@example.net")
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    form = await portal.get("/household/corrections")
    record = re.search(r'<option value="(\d+)"', form.text).group(1)
    sent = await portal.post("/household/corrections", {"record": record, "message": "We moved to 40 Oak Lane."})
    assert sent.status_code == 303
    await portal.log_out()
    await block(district)
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    from app.tables import CorrectionRequest

    [request] = await CorrectionRequest.select(CorrectionRequest.public_id, CorrectionRequest.school)
    assert request["school"] == district.schools["sch-maple"].id  # the school answering is Ana's
    done = await portal.post(f"/staff/corrections/{request['public_id']}/answer",
                             {"outcome": "not-changed", "reason": "The county record still shows 12 Elm Street."})
    assert done.headers["location"] == "/staff/corrections?notice=emailed"
    [mail] = await deliver()
    assert mail.to == SHARED_EMAIL and "The record: Household address: " in mail.text
    assert "The county record still shows 12 Elm Street." in mail.text
    for text in (mail.subject, mail.text, mail.html):
        assert not names_ana(text), text
    assert "has answered your request to correct your household information" in mail.text


# --- 2. A blocked parent changed his address, and so turned the shared-mailbox rule off --------------------

MAILBOXES = {
    # Rosa's address when access is switched off, and the other parent's (one mailbox Rosa reads).
    "the same address": (SHARED_EMAIL, SHARED_EMAIL),
    "a plus tag": ("rivera.family@example.org", "rivera.family+school@example.org"),
    "capitals": ("rivera.family@example.org", "Rivera.Family@Example.org"),
    "gmail dots": ("rivera.family@gmail.com", "riverafamily@googlemail.com"),
}


async def change_email(portal, deliver, address: str) -> None:
    """The signed-in parent changes her address and opens the confirmation link."""
    response = await portal.post("/household/email", {"email": address, "current_password": PASSWORD})
    assert response.status_code == 303, response.text
    [confirm] = [m for m in await deliver() if m.to == address]
    link = re.search(r"http://portal\.test(/email/confirm/\S+)", confirm.text).group(1)
    leaks.remember(link.rsplit("/", 1)[1], leaks.TOKEN)
    assert (await portal.get(link)).status_code == 303
    assert (await portal.post("/email/confirm")).status_code == 303


@pytest.mark.parametrize("rosas, luiss", MAILBOXES.values(), ids=MAILBOXES.keys())
async def test_a_blocked_parent_who_changes_her_address_still_gets_no_mail_about_the_child(
        portal, district, deliver, clock, tmp_path, rosas, luiss):
    await set_email(district, "rosa", rosas)
    await set_email(district, "luis", luiss)
    await make_account(district.guardian("rosa"), "rosa")
    await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    await block(district)
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    await change_email(portal, deliver, "rosa.new@example.net")  # she still reads the old mailbox
    await portal.log_out()

    await import_events(tmp_path, BOTH_ABSENT)
    clock.advance(minutes=16)
    await send_due()
    received = await deliver()
    assert sorted((m.to.lower(), m.subject) for m in received) == sorted([
        ("rosa.new@example.net", BEN_ALERT), (luiss.lower(), BEN_ALERT)])  # Luis is told of Benito only
    assert not any(names_ana(m.text + m.subject) for m in received)
    assert [r["kind"] for r in await outbox("cancelled")] == ["absence-alert"]
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    assert SHARED_NOTICE in page_text((await portal.get("/home")).text)  # he is told to add his own address
    await portal.log_out()

    # Once the restriction is lifted, the remembered address no longer holds mail back.
    from app.services.access import unblock_access

    assert (await unblock_access("gua-rosa", "stu-ana")).done == "unblocked"
    clock.advance(days=1)
    await import_events(tmp_path, [["stu-ana", "sch-maple", "2026-03-11", "", "", "Unexcused Absence", ""]],
                        "wednesday.csv")
    clock.advance(minutes=16)
    await send_due()
    assert sorted(m.to.lower() for m in await deliver()) == sorted(["rosa.new@example.net", luiss.lower()])


async def test_an_address_the_sis_replaces_while_access_is_off_is_remembered(database, tmp_path):
    """The same through imports: while Rosa's access to Ana is off, the SIS sends her a new address, then
    another. Every address she had on file since the block still holds mail about Ana back."""
    from app.rules.emails import mailbox_key
    from app.services.access import block_access
    from app.services.mail_access import off_mailboxes
    from tests.integration.roster_files import PEOPLE, full_set_11, users_11, write_set
    from tests.integration.test_import_oneroster import person, run_import

    def rosa_at(address: str) -> dict:
        moved = [p if p[0] != "par-rosa" else (*p[:6], address, *p[7:]) for p in PEOPLE]
        return {**full_set_11(), "users": users_11(moved)}

    assert not (await run_import(write_set(tmp_path / "a", full_set_11()))).has_errors
    assert not (await block_access("par-rosa", "stu-ana", "court-order")).errors
    for n, address in enumerate(("rosa.second@example.net", "rosa.third@example.net")):
        assert not (await run_import(write_set(tmp_path / f"b{n}", rosa_at(address)))).has_errors
    ana, ben = (await person("stu-ana")).id, (await person("stu-ben")).id
    assert (await person("par-rosa")).email == "rosa.third@example.net"
    off = await off_mailboxes([ana, ben])
    assert off[ana] >= {mailbox_key(a) for a in ("rosa.rivera@example.org", "rosa.second@example.net",
                                                  "rosa.third@example.net")}
    assert ben not in off  # her access to Ben is on: nothing is held back from his mail


async def test_the_console_names_who_shares_a_variant_of_the_address(portal, district, maple):
    rosa, ana = district.guardian("rosa"), district.students["ana"]
    await set_email(district, "rosa", "rivera.family@gmail.com")
    await set_email(district, "luis", "Rivera.Family+kids@googlemail.com")
    await as_staff(portal, "MapleOffice")
    page = words((await portal.get(f"/staff/students/{ana.public_id}/access/{rosa.public_id}")).text)
    assert "This email address is shared." in page
    assert "Rosa Rivera's email address is also on file for Luis Rivera" in page


# --- 3. Key letters, the key slip, and keys by email: a key opens every child its guardian may see ---------

@pytest.fixture
async def together(district):
    """Rosa and Luis are listed at one home, 12 Elm Street (and share one email address)."""
    from app.tables import Household, HouseholdMember

    home = Household(source_id="hh-rivera", name="Rivera", address_line1="12 Elm Street", city="Atlanta",
                     state="GA", postal_code="30303")
    await home.save()
    for key in ("rosa", "luis"):
        await HouseholdMember(household=home.id, person=district.guardian(key).id).save()
    return home


@pytest.fixture
async def one_home(district, together):
    """Rosa and Luis are listed at one home, 12 Elm Street; Rosa may not see Ana."""
    await block(district)
    return together


def letter_pages(html: str) -> dict[str, str]:
    for key in KEY.findall(html):
        leaks.remember_key(key)
    return {re.search(r"(Rosa|Luis|Sam) (Rivera|Park)", page).group(0): page
            for _, page in re.findall(r'<article class="slip" lang="(\w+)">(.*?)</article>', html, re.S)}


async def test_no_key_letter_goes_to_a_home_where_a_guardian_blocked_from_the_child_is_listed(
        district, one_home, tmp_path):
    """Luis may see Ana, but his letter would be posted to the home Rosa is listed at: whoever opens it can
    make Luis's account with its key and see Ana. He is left out (and the operator told why); Rosa's own
    letter names only Benito and his school."""
    from app.services.key_letters import CSV_HEADER, csv_rows, key_letters

    run = await key_letters(dry_run=True)
    letters = {l.source_id: l for l in run.letters}
    assert set(letters) == {"gua-rosa", "gua-sam"}
    assert letters["gua-rosa"].children == ("Benito Rivera (Oak Ridge Middle)",)
    assert letters["gua-rosa"].schools == ("Oak Ridge Middle",)
    assert [(g.source_id, g.why) for g in run.left_out] == [("gua-luis", "shared-home")]
    rows = {row[0]: dict(zip(CSV_HEADER, row)) for row in csv_rows(run.letters)}
    assert not names_ana(" ".join(rows["gua-rosa"].values()))

    for args in ((), ("--school", "sch-maple")):  # Ana's school: Rosa's letter is not "on Ana's account"
        target = tmp_path / f"letters{len(args)}.html"
        printed = homeroom("keys", "letters", "--reissue", *args, "--format", "html", "--output", str(target))
        assert printed.returncode == 0, printed.stderr
        pages = letter_pages(target.read_text(encoding="utf-8"))
        assert "Luis Rivera" not in pages and not names_ana(pages.get("Rosa Rivera", ""))
        assert ("Rosa Rivera" in pages) == (args == ())
        assert b"1 guardian(s) left out" in printed.stderr and b"Luis Rivera (gua-luis)" in printed.stderr
        assert b"give them a key at the office" in printed.stderr
    csv_file = tmp_path / "letters.csv"
    assert homeroom("keys", "letters", "--reissue", "--output", str(csv_file)).returncode == 0
    text = csv_file.read_text(encoding="utf-8-sig")
    for key in KEY.findall(text):
        leaks.remember_key(key)
    by_guardian = {row[0]: ",".join(row) for row in csv.reader(io.StringIO(text, newline=""))}
    del by_guardian["guardian_sourcedId"]
    assert set(by_guardian) == {"gua-rosa", "gua-sam"} and not names_ana(by_guardian["gua-rosa"])


async def test_a_letter_to_a_home_of_ones_own_goes_only_once_the_mailbox_is_ones_own_too(district, one_home):
    """Luis moves to a home of his own, but Rosa still reads his email (a district may merge the letters into
    email, and a key there is refused at redemption): he is left out, and the run says why. Once his address is
    his own, his letter goes to his home and names Ana, with his own address for the merge."""
    from app.services.key_letters import CSV_HEADER, csv_rows, key_letters
    from app.tables import Household, HouseholdMember

    await HouseholdMember.delete().where(HouseholdMember.person == district.guardian("luis").id)
    own = Household(source_id="hh-luis", name="Rivera", address_line1="3 Pine Road", city="Atlanta", state="GA",
                    postal_code="30305")
    await own.save()
    await HouseholdMember(household=own.id, person=district.guardian("luis").id).save()
    run = await key_letters(dry_run=True)
    assert [(g.source_id, g.why) for g in run.left_out] == [("gua-luis", "shared-mailbox")]
    assert "gua-luis" not in {l.source_id for l in run.letters}

    await set_email(district, "luis", "luis.rivera@example.net")
    run = await key_letters(dry_run=True)
    rows = {row[0]: dict(zip(CSV_HEADER, row)) for row in csv_rows(run.letters)}
    assert rows["gua-luis"]["address_line1"] == "3 Pine Road" and "Ana Rivera" in rows["gua-luis"]["children"]
    assert rows["gua-luis"]["email"] == "luis.rivera@example.net"
    assert rows["gua-rosa"]["email"] == SHARED_EMAIL  # her own address: nothing of Ana is in her letter
    assert run.left_out == []


async def test_the_key_slip_of_each_parent_names_only_the_children_they_may_see(portal, district, one_home, maple):
    """At Maple Street (Ana's school) staff hand Rosa a key in person: her slip names only Benito."""
    await as_staff(portal, "MapleOffice")
    for guardian, sees_ana in (("rosa", False), ("luis", True)):
        person = district.guardian(guardian)
        issued = await portal.post(f"/staff/guardians/{person.public_id}/key",
                                   {"photo_id_type": "passport", "id_checked": "yes"})
        slip = (await portal.get(issued.headers["location"])).text
        leaks.remember_key(KEY.search(slip).group(0))
        article = re.search(r'<article class="slip" lang="\w+">(.*?)</article>', slip, re.S).group(1)
        assert names_ana(article) == sees_ana and "Benito Rivera (Oak Ridge Middle)" in article


LUIS_VARIANT = "rivera.family+dad@example.org"


async def luis_at_a_variant(district) -> None:
    """Luis's address on file is a plus-tagged variant of the one Rosa has: one mailbox, which Rosa reads."""
    await set_email(district, "luis", LUIS_VARIANT)


@pytest.fixture
async def ben_on_file(ana_on_file):
    """Benito's birth date and SSN digest on file too, so a key can be asked for through him."""
    from app.tables import Person

    ana = await Person.select(Person.birth_date, Person.ssn_hash, Person.ssn_last4_hash).where(
        Person.id == ana_on_file.students["ana"].id).first()
    await Person.update({Person.birth_date: ana["birth_date"], Person.ssn_hash: ana["ssn_hash"],
                         Person.ssn_last4_hash: ana["ssn_last4_hash"]}).where(
        Person.id == ana_on_file.students["ben"].id)
    return ana_on_file


async def test_no_key_asked_for_through_the_other_child_goes_to_a_mailbox_the_blocked_parent_reads(
        portal, ben_on_file, deliver):
    """Luis asks for a key through Benito, at a variant of the address Rosa has on file (one mailbox): the key
    would open Ana's records to Rosa. It is left for staff, who are not offered that address (Rosa's own is
    offered: her account would show Benito only)."""
    from tests.integration.test_key_request import details, key_requests

    await luis_at_a_variant(ben_on_file)
    await block(ben_on_file)
    await portal.post("/request-key", details(requester_name="Luis Rivera", relationship="father",
                                              student_number="S-ben", email=LUIS_VARIANT))
    assert await deliver() == []  # the mail worker decides the request (key_requests.decide_online_request)
    [request] = await key_requests()
    assert request["status"] == "pending" and "access is off" in request["decision_reason"]
    await staff_account("OakOffice", "school-staff", "sch-oak")
    await as_staff(portal, "OakOffice")
    page = await portal.get(f"/staff/key-requests/{request['public_id']}")
    assert "Left out: Luis Rivera." in words(page.text)
    assert page.text.count('name="guardian"') == 1  # Rosa, whose account would show Benito only


async def test_a_key_waiting_in_the_outbox_is_not_sent_once_the_mailbox_reaches_a_blocked_parent(
        portal, ben_on_file, deliver):
    from tests.integration.test_key_request import details, key_requests

    await luis_at_a_variant(ben_on_file)
    await portal.post("/request-key", details(requester_name="Luis Rivera", relationship="father",
                                              student_number="S-ben", email=LUIS_VARIANT))
    from tests.integration.test_key_request import decide_key_requests

    await decide_key_requests()  # the mail worker's half, ahead of the sender: the key is issued, its email waits
    [request] = await key_requests()
    assert request["status"] == "auto-issued" and request["guardian"] == ben_on_file.guardian("luis").id
    await block(ben_on_file)  # Rosa, who reads the mailbox, may no longer see Ana; Luis's key would open her
    assert await deliver() == []
    assert [r["kind"] for r in await outbox("cancelled")] == ["activation-key"]


async def test_no_reset_link_goes_to_a_mailbox_a_blocked_parent_reads(portal, district, deliver):
    """A reset link for Luis (who may see Ana), at the address he shares with Rosa, would let Rosa into his
    account. It is not sent; Rosa's own reset link is (her account does not show Ana)."""
    await make_account(district.guardian("rosa"), "rosa")
    await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    await block(district)
    for username in ("luis", "rosa"):
        await portal.post("/forgot-password", {"identifier": username})
    mail = await deliver()
    mail += await deliver()
    for message in mail:
        for token in re.findall(r"http://portal\.test/reset/(\S+)", message.text):
            leaks.remember(token, leaks.TOKEN)
    assert [m.to for m in mail] == [SHARED_EMAIL] and "rosa" in mail[0].text and "luis" not in mail[0].text
    assert [r["kind"] for r in await outbox("cancelled")] == ["password-reset"]


# --- Walking the rest of the surface ------------------------------------------------------------------------

@pytest.fixture
async def two_homes(district, school_year):  # noqa: F811
    """The SIS lists Rosa at two homes: Ana's, where Ana lives with her (livesWith) and with Luis, and her own
    with Benito. Her access to Ana is off: the home she is shown, asked to confirm, sent letters at and asked
    about in a correction is her own, never Ana's."""
    from app.tables import GuardianLink, Household, HouseholdMember

    await HouseholdMember.delete().where(HouseholdMember.id > 0)
    anas = Household(source_id="hh-ana", name="Rivera", address_line1="9 Lake Drive", city="Decatur", state="GA",
                     postal_code="30030")
    own = Household(source_id="hh-rosa", name="Rivera", address_line1="12 Elm Street", city="Atlanta", state="GA",
                    postal_code="30303")
    for home, people in ((anas, ("rosa", "luis", "ana")), (own, ("rosa", "ben"))):
        await home.save()
        for key in people:
            person = district.guardians.get(key) or district.students[key]
            await HouseholdMember(household=home.id, person=person.id).save()
    await GuardianLink.update({GuardianLink.lives_with: True}).where(
        (GuardianLink.guardian == district.guardian("rosa").id) & (GuardianLink.student == district.students["ana"].id))
    await block(district)


async def test_a_blocked_parent_is_shown_her_own_home_not_the_childs(portal, district, two_homes):
    from app.services.household import home_household_of
    from app.tables import Household

    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    household = page_text((await portal.get("/household")).text)
    assert "12 Elm Street" in household and "9 Lake Drive" not in household
    form = page_text((await portal.get("/household/corrections")).text)
    assert "12 Elm Street" in form and "9 Lake Drive" not in form
    # Key letters are posted to the same home (app/services/key_letters.py reads home_household_of).
    own = await Household.select(Household.id).where(Household.source_id == "hh-rosa").first()
    assert await home_household_of(district.guardian("rosa").id) == own["id"]
    # Luis, who may see Ana, is still shown the home he shares with her.
    anas = await Household.select(Household.id).where(Household.source_id == "hh-ana").first()
    assert await home_household_of(district.guardian("luis").id) == anas["id"]


async def test_confirming_the_home_shown_ends_the_home_pages_nudge(portal, district, two_homes):
    """Home asked Rosa to confirm the first household she was listed in (Ana's), while the household page showed
    and confirmed her own: the nudge never went. Both now mean the home she is shown."""
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    nudge = "Check your household information for the"
    assert nudge in page_text((await portal.get("/home")).text)
    assert (await portal.post("/household/verify")).status_code == 303
    assert nudge not in page_text((await portal.get("/home")).text)


async def test_every_parent_form_about_a_student_answers_the_blocked_child_like_a_missing_one(
        portal, district, school_year):  # noqa: F811
    """The GET routes are walked in test_access.py; here every POST that takes a student: the blocked child
    answers the same 404 as one that does not exist, and nothing is stored."""
    import uuid

    from app.tables import AbsenceReport, CorrectionRequest
    from tests.integration.test_access import _fill

    await block(district)
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    posts = sorted({route.path for route in portal.app.routes for handler in getattr(route, "route_handlers", [])
                    if "POST" in handler.http_methods and "{student_id" in route.path})
    assert len(posts) >= 2, posts
    form = {"record": "1", "message": "This is wrong.", "first_day": "2026-03-10", "last_day": "2026-03-10",
            "whole_day": "yes", "periods": "", "reason": "illness", "note": ""}
    for path in posts:
        missing = await portal.post(_fill(path, {"student_id": str(uuid.uuid4())}), form)
        hidden = await portal.post(_fill(path, {"student_id": str(district.students["ana"].public_id)}), form)
        assert hidden.status_code == 404, path
        assert (hidden.status_code, hidden.text) == (missing.status_code, missing.text), path
    assert await AbsenceReport.select() == [] and await CorrectionRequest.select() == []


async def test_the_upgrade_remembers_the_addresses_of_guardians_whose_access_is_off_now(district):
    """Restrictions made before restricted_address existed: the migration remembers what is on file today for
    every guardian with an open restriction or a link without portal access, and no one else."""
    import importlib.util
    from pathlib import Path

    from app.tables import AccessRestriction, RestrictedAddress

    await AccessRestriction(guardian=district.guardian("rosa").id, student=district.students["ana"].id,
                            reason="court-order").save()  # as an older version left it: nothing remembered
    assert await RestrictedAddress.select() == []
    path = next((Path(__file__).parents[2] / "piccolo_migrations").glob("homeroom_2026_11_30t15_00_01_*_rights.py"))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for step in (await migration.forwards()).raw:
        await step()
    remembered = {(r["guardian"], r["email"]) for r in await RestrictedAddress.select()}
    assert remembered == {(district.guardian("rosa").id, SHARED_EMAIL),  # the court order
                          (district.guardian("noportal").id, "nora.park@example.org")}  # the SIS's flag


# === The second attack (main at da2704a) ======================================================================
# Finding 1: a key (or a reset link) delivered before the block still opened the child to the blocked parent.

OFFICE = "contact the school office"


def remember_letters(run) -> dict[str, str]:
    for letter in run.letters:
        leaks.remember_key(letter.key)
    return {letter.source_id: letter.key for letter in run.letters}


def as_the_command_line_sees_it(clock) -> None:
    """The commands run in a process of their own, on the real clock: the test's clock joins them."""
    from datetime import datetime, timezone

    clock.set(datetime.now(timezone.utc))


async def unused_keys(district, guardian: str) -> int:
    from app.tables import ActivationKey

    return await ActivationKey.count().where(
        (ActivationKey.guardian == district.guardian(guardian).id) & ActivationKey.used_at.is_null()
        & ActivationKey.revoked_at.is_null())


async def test_a_letter_key_issued_before_the_block_stops_working_and_the_office_is_told(portal, district, together,
                                                                                         clock):
    """Rosa and Luis get their letters at 12 Elm Street; then a court order keeps Rosa from Ana. Luis's key, in
    the envelope Rosa can open, would make his account and show her Ana. `homeroom access block` revokes it and
    names Luis for the office; the key is refused, without a reason; Rosa's own key (Benito only) still works."""
    from app.services.key_letters import key_letters

    as_the_command_line_sees_it(clock)
    keys = remember_letters(await key_letters())
    assert set(keys) == {"gua-rosa", "gua-luis", "gua-sam"}
    blocked = homeroom("access", "block", "--guardian", "gua-rosa", "--student", "stu-ana", "--reason", "court-order")
    assert blocked.returncode == 0, blocked.stderr
    assert b"1 guardian(s) lost their unused activation key" in blocked.stderr
    assert b"give them a key at the office (photo ID): Luis Rivera (gua-luis)" in blocked.stderr
    assert b"Rosa Rivera" not in blocked.stderr and b"Sam Park" not in blocked.stderr
    [revoked] = await events("key.revoked")
    assert revoked["person"] == district.guardian("luis").id and "why=home+mailbox" in revoked["detail"]
    assert await unused_keys(district, "luis") == 0 and await unused_keys(district, "rosa") == 1

    answer = await portal.post("/activate", {"activation_key": keys["gua-luis"]})
    assert answer.status_code == 422
    [message] = error_messages(answer.text)
    assert OFFICE in message and "access" not in message and "Ana" not in message
    assert (await portal.post("/activate", {"activation_key": keys["gua-rosa"]})).status_code == 303

    again = homeroom("keys", "letters", "--dry-run")
    assert b"2 guardian(s) skipped because they already have an unused key" in again.stderr  # Rosa's and Sam's
    assert b"1 guardian(s) left out" in again.stderr and b"Luis Rivera (gua-luis)" in again.stderr


async def test_a_key_the_block_did_not_revoke_is_refused_at_both_steps_and_listed_apart(portal, district, together,
                                                                                        clock):
    """Access switched off by a route that revokes nothing (here a restriction as an older version recorded it;
    the SIS's flags are another): Luis's letter key is still unused. Redeeming it is refused at step 1 and, for a
    parent who got past step 1 before, at step 2; `keys letters --dry-run` names him apart from the guardians who
    "already have an unused key"."""
    from app.tables import AccessRestriction, UserAccount

    as_the_command_line_sees_it(clock)
    key = await issue_key(district.guardian("luis"))
    assert (await portal.post("/activate", {"activation_key": key})).status_code == 303  # step 1, before the order
    await AccessRestriction(guardian=district.guardian("rosa").id, student=district.students["ana"].id,
                            reason="court-order").save()
    leaks.remember(OTHER_PASSWORD, leaks.PASSWORD)
    step2 = await portal.post("/activate/account", {"username": "luis", "password": OTHER_PASSWORD,
                                                    "verify_password": OTHER_PASSWORD})
    assert step2.status_code == 303 and step2.headers["location"] == "/activate?notice=key-refused"
    assert OFFICE in page_text((await portal.get(step2.headers["location"])).text)
    assert await UserAccount.count() == 0 and await unused_keys(district, "luis") == 1  # nothing was spent
    answer = await portal.post("/activate", {"activation_key": key})
    assert answer.status_code == 422 and OFFICE in error_messages(answer.text)[0]
    assert [e["detail"] for e in await events("key.redeem-failed")] == ["office", "office"]

    dry = homeroom("keys", "letters", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert b"0 guardian(s) skipped because they already have an unused key" in dry.stderr
    assert b"1 guardian(s) hold an unused key that will be refused" in dry.stderr
    assert b"give them a key at the office (photo ID): Luis Rivera (gua-luis)" in dry.stderr
    assert b"2 letter(s) would be issued" in dry.stderr  # Rosa (Benito) and Sam
    one = homeroom("keys", "issue", "--guardian", "gua-luis")  # nor one key for a sealed letter
    assert one.returncode == 1 and b"give them a key at the office" in one.stderr and not KEY.search(one.stdout.decode())


async def test_a_restriction_that_starts_later_already_keeps_keys_from_the_home(district, together):
    """The attacker's second route: a court order from 1 December. Until then Rosa still sees Ana, but an account
    Luis's key makes now would still open Ana then: the key is revoked at once, and no letter of his goes to
    12 Elm Street, even with --reissue."""
    from app.services.access import may_see
    from app.services.key_letters import key_letters

    remember_letters(await key_letters())
    change = await block(district, starts_on="2026-12-01")
    assert [(r.source_id, r.keys) for r in change.revoked] == [("gua-luis", 1)]
    assert await may_see(district.guardian("rosa").id, district.students["ana"].id)  # not in force yet
    assert await unused_keys(district, "luis") == 0
    run = await key_letters(dry_run=True, reissue=True)
    assert [(g.source_id, g.why) for g in run.left_out] == [("gua-luis", "shared-home")]
    assert {l.source_id for l in run.letters} == {"gua-rosa", "gua-sam"}


async def test_the_console_names_whose_keys_the_block_revoked_and_a_key_handed_over_at_the_office_works(
        portal, district, together, maple):
    """Staff switch Rosa's access to Ana off: the page names Luis, whose letter key stopped working, once. At the
    office Luis gets a key by hand after a photo-ID check: that one works (only the envelope could be Rosa's)."""
    ana, rosa, luis = district.students["ana"], district.guardian("rosa"), district.guardian("luis")
    letter = await issue_key(luis)
    await as_staff(portal, "MapleOffice")
    link = f"/staff/students/{ana.public_id}/access/{rosa.public_id}"
    done = await portal.post(link + "/block", {"reason": "court-order", "reference": "2026-CV-0113",
                                               "starts_on": "", "ends_on": ""})
    assert done.status_code == 303
    page = words((await portal.get(done.headers["location"])).text)
    assert "The unused activation keys of Luis Rivera no longer work" in page
    assert "Give them a key at the office (photo ID)." in page
    assert "Luis Rivera no longer work" not in words((await portal.get(done.headers["location"])).text)  # once

    issued = await portal.post(f"/staff/guardians/{luis.public_id}/key", {"photo_id_type": "passport",
                                                                           "id_checked": "yes"})
    by_hand = leaks.remember_key(KEY.search((await portal.get(issued.headers["location"])).text).group(0))
    await portal.log_out()
    assert OFFICE in error_messages((await portal.post("/activate", {"activation_key": letter})).text)[0]
    assert (await portal.post("/activate", {"activation_key": by_hand})).status_code == 303


async def test_the_district_csv_block_cancels_a_reset_link_in_the_shared_mailbox(portal, district, deliver, tmp_path,
                                                                                   clock):
    """Luis asked for a reset link shortly before the court order came in the district's restrictions CSV; the
    link sits in the mailbox Rosa reads and would give her his account. The import cancels it and says so."""
    as_the_command_line_sees_it(clock)
    await make_account(district.guardian("rosa"), "rosa")
    await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    await portal.post("/forgot-password", {"identifier": "luis"})
    [mail] = await deliver()
    token = re.search(r"http://portal\.test/reset/(\S+)", mail.text).group(1)
    leaks.remember(token, leaks.TOKEN)
    orders = tmp_path / "restrictions.csv"
    orders.write_text("guardian,student,reason\ngua-rosa,stu-ana,court-order\n", encoding="utf-8")
    run = homeroom("import", "restrictions", str(orders))
    assert run.returncode == 0, run.stderr
    assert b"NOTE: 1 guardian(s) lost a password reset link" in run.stderr
    assert b"Luis Rivera (gua-luis)" in run.stderr
    assert [e["person"] for e in await events("password-reset.cancelled")] == [district.guardian("luis").id]
    opened = await portal.get(f"/reset/{token}")
    assert (await portal.get(opened.headers["location"])).status_code == 410


async def test_an_edfi_restriction_revokes_the_key_a_co_parent_holds_and_notes_it(clean_database, tmp_path):
    """The same through Ed-Fi `contactRestrictions`: Tom may no longer see Ben; Rosa, Ben's mother, reads the
    address Tom has on file, and holds an unused key sent by email. It is revoked, and the run notes her name."""
    from app.database import transaction
    from app.services.activation_keys import issue_key as issue
    from app.tables import ActivationKey, Person
    from tests.integration.edfi_files import ASSOCIATIONS, write_edfi
    from tests.integration.test_import_edfi import roster, run

    await roster(tmp_path)
    rosa = await Person.objects().where(Person.source_id == "par-rosa").first()
    await Person.update({Person.email: rosa.email}).where(Person.source_id == "gua-tom")
    async with transaction():
        leaks.remember_key((await issue(rosa, how="email")).key)
    restricted = [ASSOCIATIONS[2] | {"contactRestrictions": "Court order 2026-114: no contact"}, ASSOCIATIONS[1]]
    report = await run(write_edfi(tmp_path / "one", {"studentContactAssociations": restricted}))
    assert not report.has_errors, report.lines()
    assert any("give them a key at the office (photo ID): Rosa Rivera (par-rosa)" in note for note in report.notes)
    assert await ActivationKey.count().where(ActivationKey.revoked_at.is_null()) == 0


# Finding 2: notices about the protected parent's account went to the mailbox the blocked parent reads.

async def test_no_notice_about_an_account_goes_to_a_mailbox_a_parent_blocked_from_its_child_reads(
        portal, district, deliver):
    """Luis (who may see Ana) shares a mailbox with Rosa, whose access to Ana is off; his home page tells him to
    use an address of his own. The notice of that change told the shared mailbox the new address; his phone
    changes told it the number's last digits. Now no notice about his account goes there (phone, email, password,
    sign-in, username reminders and the lock); his confirmation link goes to his new address. Rosa's own notices
    still reach her there: her account shows Benito only."""
    from app.database import transaction
    from app.services.second_factor import notify

    await make_account(district.guardian("rosa"), "rosa")
    luis = await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    await block(district)
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    assert (await portal.post("/household/phones/new", {"kind": "mobile", "number": "404-555-0188",
                                                        "current_password": OTHER_PASSWORD})).status_code == 303
    assert (await portal.post("/household/email", {"email": "luis.private@example.net",
                                                   "current_password": OTHER_PASSWORD})).status_code == 303
    leaks.remember(PASSWORD + "!", leaks.PASSWORD)
    assert (await portal.post("/account/password", {"current_password": OTHER_PASSWORD, "password": PASSWORD + "!",
                                                    "verify_password": PASSWORD + "!"})).status_code == 303
    async with transaction():
        await notify(luis, "added")
    await portal.log_out()
    await portal.post("/forgot-username", {"email": SHARED_EMAIL})
    mail = await deliver()
    [confirm] = mail
    assert confirm.to == "luis.private@example.net" and "Confirm" in confirm.subject
    leaks.remember(re.search(r"/email/confirm/(\S+)", confirm.text).group(1), leaks.TOKEN)
    assert sorted(r["kind"] for r in await outbox("cancelled")) == [
        "email-change-requested", "password-changed", "phone-changed", "sign-in-changed", "username-reminder"]

    for _ in range(5):  # over the day's limit: the accounts on the address lock, and the notice of it is not sent
        await portal.post("/forgot-username", {"email": SHARED_EMAIL})
    assert await deliver() == []
    assert [r["kind"] for r in await outbox("cancelled")].count("username-locked") == 1


async def test_the_blocked_parents_own_account_notices_still_reach_the_shared_mailbox(portal, district, deliver):
    await make_account(district.guardian("rosa"), "rosa")
    await block(district)
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    assert (await portal.post("/household/phones/new", {"kind": "mobile", "number": "404-555-0177",
                                                        "current_password": PASSWORD})).status_code == 303
    [notice] = await deliver()
    assert notice.to == SHARED_EMAIL and "ending in 0177" in notice.text


# Finding 3: the household a blocked parent was shown, and the change request he could read and replace.

async def homes(district, *listed: tuple[str, str, tuple[str, ...]]) -> dict[str, int]:
    """Households by their first line, with their members, in the order given (the SIS's order)."""
    from app.tables import Household, HouseholdMember

    await HouseholdMember.delete().where(HouseholdMember.id > 0)
    made = {}
    for line1, city, people in listed:
        home = Household(source_id=f"hh-{line1}", name="Rivera", address_line1=line1, city=city, state="GA",
                         postal_code="30030")
        await home.save()
        for key in people:
            person = district.guardians.get(key) or district.students[key]
            await HouseholdMember(household=home.id, person=person.id).save()
        made[line1] = home.id
    return made


async def test_a_blocked_parent_listed_only_at_the_childs_home_is_shown_no_address(
        portal, district, school_year):  # noqa: F811
    """The SIS lists both parents in Ana's household, 9 Lake Drive, and Benito in none: it is Ana's home, not one
    Rosa may be shown, asked to confirm, offered a correction of or sent a letter at."""
    from app.services.household import home_household_of
    from app.services.key_reach import home_of

    made = await homes(district, ("9 Lake Drive", "Decatur", ("rosa", "luis", "ana")))
    await block(district)
    assert await home_household_of(district.guardian("rosa").id) is None
    assert await home_household_of(district.guardian("luis").id) == made["9 Lake Drive"]
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    page = page_text((await portal.get("/household")).text)
    assert "We have no household address on file for you" in page and "Lake Drive" not in page
    assert "Check your household information" not in page_text((await portal.get("/home")).text)
    assert (await portal.get("/household/address")).status_code == 404
    assert "Lake Drive" not in (await portal.get("/household/corrections")).text
    assert await home_of(district.guardian("rosa").id) is None  # where her key letter would be posted: nowhere


async def test_a_blocked_parent_at_two_homes_is_shown_his_own_not_the_childs(
        portal, district, school_year):  # noqa: F811
    """The attack's setup: Rosa is listed at Ana's home (first) and at a newer home of her own with no child in it;
    Benito is in neither. She is shown her own."""
    await homes(district, ("9 Lake Drive", "Decatur", ("rosa", "luis", "ana")),
                ("77 Bachelor Way", "Atlanta", ("rosa",)))
    await block(district)
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    page = page_text((await portal.get("/household")).text)
    assert "77 Bachelor Way" in page and "Lake Drive" not in page


async def test_only_the_parent_who_asked_sees_the_new_address_and_a_blocked_member_cannot_replace_it(
        portal, district, school_year):  # noqa: F811
    """Rosa lives with Benito at 9 Lake Drive, where Ana lives too; her access to Ana is off. Luis asks to move the
    household to 1 Safe House Rd. Rosa sees that a change waits, not where to, and cannot send one of her own
    (which replaced his); Luis sees what he asked for."""
    from app.tables import HouseholdChangeRequest

    await homes(district, ("9 Lake Drive", "Decatur", ("rosa", "luis", "ana", "ben")))
    await block(district)
    safe = {"address_line1": "1 Safe House Rd", "address_line2": "", "city": "Decatur", "state": "GA",
            "postal_code": "30030"}
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    assert (await portal.post("/household/address", safe)).status_code == 303
    assert "you asked to change the address to 1 Safe House Rd" in page_text((await portal.get("/household")).text)
    await portal.log_out()

    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    household = await portal.get("/household")
    page = page_text(household.text)
    assert "A change to this address is waiting for the school office." in page
    assert "Safe House" not in household.text and 'href="/household/address"' not in household.text
    assert "To change this address, call the school office" in page
    form = await portal.get("/household/address")
    assert form.status_code == 200 and 'action="/household/address"' not in form.text
    assert "To change this address, call the school office" in page_text(form.text)
    mine = await portal.post("/household/address", {**safe, "address_line1": "99 Rosa Street"})
    assert mine.status_code == 422
    assert error_messages(mine.text) == ["The school office makes changes to this address. Please call them"]
    rows = await HouseholdChangeRequest.select(HouseholdChangeRequest.address_line1, HouseholdChangeRequest.status)
    assert rows == [{"address_line1": "1 Safe House Rd", "status": "pending"}]


# Finding 4: staff of a school the student has left.

async def test_staff_of_a_school_the_student_has_left_cannot_open_her_or_lift_her_restriction(portal, district,
                                                                                             maple):
    """Ana moves from Maple Street to Oak Ridge (her Maple enrollment is inactive now). A court order about Rosa is
    on file. Maple's office no longer opens Ana, her guardians through her, or her access page, and cannot lift
    the order; Oak Ridge's office can open it."""
    from app.services.access import may_see
    from app.tables import SchoolEnrollment

    ana, rosa = district.students["ana"], district.guardian("rosa")
    await SchoolEnrollment.update({SchoolEnrollment.status: "inactive"}).where(SchoolEnrollment.student == ana.id)
    await SchoolEnrollment(student=ana.id, school=district.schools["sch-oak"].id, grade="3").save()
    await block(district)
    await staff_account("OakOffice", "school-staff", "sch-oak")
    link = f"/staff/students/{ana.public_id}/access/{rosa.public_id}"

    await as_staff(portal, "MapleOffice")
    assert (await portal.get(f"/staff/students/{ana.public_id}")).status_code == 404
    assert (await portal.get(link)).status_code == 404
    assert (await portal.post(link + "/unblock", {})).status_code == 404
    assert (await portal.get(f"/staff/guardians/{rosa.public_id}")).status_code == 404
    assert "Ana Rivera" not in (await portal.get("/staff?q=Rivera")).text
    assert not await may_see(rosa.id, ana.id) and await events("access.unblocked") == []
    await portal.log_out()

    await as_staff(portal, "OakOffice")
    assert (await portal.get(link)).status_code == 200
