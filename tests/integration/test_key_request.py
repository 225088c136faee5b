"""Need an activation key? Request one (docs/design.md §4.7; docs/security.md A1-A4, I1-I5): one reply for every
outcome, the same work on every path, keys only to an address on file, and throttles held in the database."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest

from tests.integration import leaks
from tests.integration.conftest import app_for_tests
from tests.integration.district import SHARED_EMAIL, SSN, make_account
from tests.integration.portal import error_messages, page_text, running_portal

BIRTH_DATE = date(2017, 4, 27)
KEY_PATTERN = re.compile(r"\b[234679CDFHJKMNPR]{4}(?:-[234679CDFHJKMNPR]{4}){7}\b")
SSN_PATTERN = re.compile(r"\b\d{3}-?\d{2}-?\d{4}\b")
REPLY = ("If the details match our records, the activation key will be emailed to the address the school has on "
         "file, or school staff will contact you.")


async def decide_key_requests() -> None:
    """The mail worker's half of the online requests waiting (key_requests.decide_online_request), run ahead of
    the sender: a key is issued where everything matched, and its email waits in the outbox."""
    from app.database import transaction
    from app.services.key_requests import decide_online_request
    from app.tables import KeyRequest

    for row in await KeyRequest.select(KeyRequest.id).where(KeyRequest.status == "pending"):
        async with transaction():
            await decide_online_request({"request": row["id"], "ip": ""})


def details(**changes) -> dict[str, str]:
    form = {"requester_name": "Rosa Rivera", "relationship": "mother", "email": SHARED_EMAIL,
            "phone": "404-555-0134", "student_number": "S-ana", "ssn": SSN, "birth_date": "04/27/2017"}
    form.update(changes)
    return form


async def key_requests() -> list[dict]:
    from app.tables import KeyRequest

    return await KeyRequest.select().order_by(KeyRequest.id)


def comparable(response) -> tuple:
    """Status, body and headers, leaving out the date and cookie values (docs/security.md A1)."""
    headers = sorted((name, "" if name in ("date", "set-cookie") else value)
                     for name, value in response.headers.multi_items())
    return response.status_code, response.content, headers


@pytest.fixture
def work(monkeypatch):
    """Counts the SSN digests and the lookups each request makes (count them, never time them)."""
    from app.services import key_requests

    calls = {"ssn_digest": 0, "find_student_by_number": 0, "guardians_on_file": 0}
    for name in calls:
        real = getattr(key_requests, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(key_requests, name, counted)

    def take() -> dict:
        taken = dict(calls)
        calls.update({name: 0 for name in calls})
        return taken

    return take


async def test_the_reply_is_identical_and_the_work_the_same_for_every_outcome(portal, ana_on_file, work, deliver):
    replies, work_done = {}, {}
    cases = [("unknown student number", details(student_number="S-nobody")),
             ("wrong SSN", details(ssn="987-65-4321")),
             ("match", details())]
    for name, form in cases:
        await portal.get("/request-key")
        replies[name] = comparable(await portal.post("/request-key", form))
        work_done[name] = work()
    sent = await deliver()
    assert [m.to for m in sent] == [SHARED_EMAIL]
    key = KEY_PATTERN.search(sent[0].text).group(0)
    leaks.remember_key(key)

    rosa, luis = ana_on_file.guardian("rosa"), ana_on_file.guardian("luis")
    await make_account(rosa, "RosaRivera")
    await make_account(luis, "LuisRivera")
    replies["already activated"] = comparable(await portal.post("/request-key", details()))
    work_done["already activated"] = work()

    first = replies["match"]
    assert first[0] == 303
    assert all(reply == first for reply in replies.values()), replies
    assert all(done == {"ssn_digest": 1, "find_student_by_number": 1, "guardians_on_file": 1}
               for done in work_done.values()), work_done
    page = await portal.get("/request-key/sent")
    assert REPLY in " ".join(page.text.split())
    assert key not in page.text
    statuses = [r["status"] for r in await key_requests()]
    assert statuses == ["pending", "pending", "auto-issued", "pending"]
    assert await deliver() == []  # an activated guardian gets no second key


async def test_what_matched_is_recorded_as_yes_or_no_and_never_the_ssn(portal, ana_on_file):
    await portal.post("/request-key", details(ssn="987-65-4321", email="someone@example.net"))
    row = (await key_requests())[0]
    assert (row["matched_student_number"], row["matched_ssn"], row["matched_birth_date"],
            row["matched_email_on_file"]) == (True, False, True, False)
    assert row["student"] == ana_on_file.students["ana"].id
    assert not any("ssn" == column or "ssn_" in column and column not in ("matched_ssn", "ssn_withheld")
                   for column in row)
    assert row["ssn_withheld"] is False
    from app.tables import AuditEvent

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.detail)
    assert [e["action"] for e in events] == ["key-request.received"]
    assert not any(SSN_PATTERN.search(str(value)) for r in [row, *events] for value in r.values())


@pytest.mark.parametrize("typed", [
    [("email", "attacker@evil.example")],
    [("email", "attacker@evil.example"), ("email", SHARED_EMAIL)],
    [("email", SHARED_EMAIL), ("email", "attacker@evil.example")],
    [("email[]", "attacker@evil.example"), ("email", SHARED_EMAIL.upper())],
    [("email", SHARED_EMAIL), ("email[]", "attacker@evil.example"), ("to", "attacker@evil.example")],
])
async def test_a_key_goes_only_to_the_address_on_file_never_to_one_typed(portal, ana_on_file, deliver, typed):
    form = [(name, value) for name, value in details().items() if name != "email"] + typed
    response = await portal.post("/request-key", form)
    assert response.status_code == 303
    sent = await deliver()
    assert len(sent) <= 1
    for mail in sent:
        assert mail.envelope_to == (SHARED_EMAIL,)
        assert KEY_PATTERN.search(mail.text)
    first_email = next(value for name, value in typed if name == "email")
    assert bool(sent) == (first_email.lower() == SHARED_EMAIL)


async def test_last_four_digits_mode_compares_the_last_four(portal, ana_on_file, deliver):
    from app.services.preferences import set_preference

    await set_preference("ssn_mode", "last4")
    form_page = await portal.get("/request-key")
    assert "Last 4 digits" in form_page.text
    wrong = await portal.post("/request-key", details(ssn=SSN))  # nine digits where four are asked for
    assert wrong.status_code == 422
    await portal.post("/request-key", details(ssn=SSN[-4:]))
    assert [m.to for m in await deliver()] == [SHARED_EMAIL]


async def test_with_auto_issue_off_a_full_match_waits_for_staff(portal, ana_on_file, deliver):
    from app.services.preferences import set_preference

    await set_preference("auto_issue_on_match", "off")
    await portal.post("/request-key", details())
    assert await deliver() == []
    assert [r["status"] for r in await key_requests()] == ["pending"]


async def test_a_form_with_mistakes_shows_the_ssn_back_in_that_reply_only(portal, ana_on_file):
    # Issue 13 item 3: the SSN is kept with everything else typed when another field has an error, in the
    # reply to that request only (no-store), as a password-type field; never stored, never on a later page.
    response = await portal.post("/request-key", details(email="not an address", birth_date="31/31/2017"))
    assert response.status_code == 422
    assert response.headers["cache-control"] == "no-store"
    ssn_input = re.search(r'<input id="ssn"[^>]*>', response.text).group(0)
    assert f'value="{SSN}"' in ssn_input and 'type="password"' in ssn_input
    assert 'inputmode="numeric"' in ssn_input and "data-private" in ssn_input
    assert 'value="Rosa Rivera"' in response.text  # the rest comes back so it need not be typed again
    assert await key_requests() == []
    again = await portal.get("/request-key")
    assert SSN not in again.text and SSN.replace("-", "") not in again.text


async def test_a_wrongly_typed_ssn_is_not_shown_back(portal, ana_on_file):
    response = await portal.post("/request-key", details(ssn="12-345", email="not an address"))
    ssn_input = re.search(r'<input id="ssn"[^>]*>', response.text).group(0)
    assert "value=" not in ssn_input


@pytest.mark.parametrize("form", [
    {}, {"ssn": "x" * 5000}, {"birth_date": "\x00\x01"}, {"phone": "☎☎☎"}, {"student_number": "S-ana' OR 1=1"},
])
async def test_bad_input_gets_a_clear_message_never_a_500(portal, ana_on_file, form):
    response = await portal.post("/request-key", details(**form) if form else {})
    assert response.status_code in (303, 422)


async def test_the_throttle_per_student_number_holds_across_two_app_instances(ana_on_file, mailbox, deliver):
    """Past the number's limit even the right details issue no key: the request is recorded for staff only, with
    the reason, and the reply is the usual one. (It was refused outright, so one client spending a number's five
    tries with made-up details locked the family out of the online request for the day: an attacker's find.)"""
    from app.services.key_requests import PAST_LIMIT, REQUESTS_PER_STUDENT_NUMBER

    async with running_portal(app_for_tests()) as one, running_portal(app_for_tests()) as two:
        replies = []
        for attempt in range(REQUESTS_PER_STUDENT_NUMBER):
            client = one if attempt % 2 else two
            replies.append(comparable(await client.post("/request-key", details(ssn="987-65-4321"))))
        over = [comparable(await one.post("/request-key", details())),
                comparable(await two.post("/request-key", details()))]
    assert all(reply == replies[0] for reply in replies + over)
    assert dict(replies[0][2])["location"] == "/request-key/sent"
    rows = await key_requests()
    assert len(rows) == REQUESTS_PER_STUDENT_NUMBER + 2
    assert [r["decision_reason"] for r in rows[-2:]] == [PAST_LIMIT, PAST_LIMIT]
    assert all(r["matched_ssn"] and r["status"] == "pending" for r in rows[-2:])  # staff see what matched
    assert await deliver() == []


async def test_staff_see_why_a_request_past_the_limit_waits_for_them(portal, ana_on_file, deliver):
    from app.services.key_requests import REQUESTS_PER_STUDENT_NUMBER

    for _ in range(REQUESTS_PER_STUDENT_NUMBER):
        await portal.post("/request-key", details(ssn="987-65-4321"))
    await portal.post("/request-key", details())
    assert await deliver() == []
    from tests.integration.test_staff_console import as_staff, staff_account

    await staff_account("DistrictOffice", "district-admin", None)
    await as_staff(portal, "DistrictOffice")
    page = await portal.get(f"/staff/key-requests/{(await key_requests())[-1]['public_id']}")
    assert ("The portal left this request to staff: past the day's limit of online requests for this student number"
            in page_text(page.text))


async def test_the_limit_reply_is_the_same_for_a_student_number_that_does_not_exist(portal, ana_on_file):
    from app.services.key_requests import REQUESTS_PER_STUDENT_NUMBER

    over = []
    for number in ("S-ana", "S-nobody"):
        for _ in range(REQUESTS_PER_STUDENT_NUMBER):
            await portal.post("/request-key", details(student_number=number))
        over.append(comparable(await portal.post("/request-key", details(student_number=number))))
    assert over[0] == over[1] and dict(over[0][2])["location"] == "/request-key/sent"


async def test_a_student_number_typed_in_small_letters_is_found_and_its_spellings_share_one_count(portal,
                                                                                                  ana_on_file):
    """A parent types "s100028" for S100028 from a report card (a tester's find: not found); and since both cases
    find the student, the per-number throttle counts them together (each spelling is not 5 more tries)."""
    from app.services.key_requests import REQUESTS_PER_STUDENT_NUMBER
    from app.tables import Person

    ana = ana_on_file.students["ana"].id
    await Person.update({Person.student_number: "S100028"}).where(Person.id == ana)  # as SISs write them
    await portal.post("/request-key", details(student_number="s100028", email="someone@example.net"))
    row = (await key_requests())[0]
    assert row["matched_student_number"] and row["student"] == ana
    for n in range(1, REQUESTS_PER_STUDENT_NUMBER):
        await portal.post("/request-key", details(student_number=("S100028", "s100028")[n % 2]))
    await portal.post("/request-key", details(student_number="s100028"))
    assert [bool(r["decision_reason"]) for r in await key_requests()] == [False] * REQUESTS_PER_STUDENT_NUMBER + [True]


async def test_the_throttle_per_client_counts_every_student_number(portal, ana_on_file):
    from app.services.key_requests import REQUESTS_PER_CLIENT

    for number in range(REQUESTS_PER_CLIENT + 2):
        await portal.post("/request-key", details(student_number=f"X{number}"))
    assert len(await key_requests()) == REQUESTS_PER_CLIENT


async def test_the_throttle_window_ends(portal, ana_on_file, clock, deliver):
    from app.services.key_requests import REQUESTS_PER_STUDENT_NUMBER

    for _ in range(REQUESTS_PER_STUDENT_NUMBER + 1):
        await portal.post("/request-key", details(ssn="987-65-4321"))
    clock.advance(days=1, seconds=1)
    await portal.post("/request-key", details())
    assert [m.to for m in await deliver()] == [SHARED_EMAIL]


@pytest.mark.postgres_only
async def test_concurrent_requests_on_two_app_instances_stop_at_the_limit(ana_on_file, mailbox):
    from app.services.key_requests import REQUESTS_PER_STUDENT_NUMBER

    async with running_portal(app_for_tests()) as one, running_portal(app_for_tests()) as two:
        await one.csrf_token()
        await two.csrf_token()
        replies = await asyncio.gather(*[
            (one if n % 2 else two).post("/request-key", details(ssn="987-65-4321")) for n in range(12)])
    assert {r.status_code for r in replies} == {303}
    rows = await key_requests()
    assert len(rows) == 12 and sum(not r["decision_reason"] for r in rows) == REQUESTS_PER_STUDENT_NUMBER


async def test_the_login_and_activation_pages_link_to_the_request(portal):
    for page in ("/", "/activate"):
        response = await portal.get(page)
        assert 'href="/request-key"' in response.text
        assert "Request one" in response.text


async def test_the_htmx_reply_is_the_same_redirect(portal, ana_on_file):
    plain = comparable(await portal.post("/request-key", details(student_number="S-nobody")))
    enhanced = await portal.post("/request-key", details(student_number="S-other"), htmx=True)
    assert enhanced.status_code == plain[0] == 303
    assert enhanced.headers["location"] == "/request-key/sent"
    fragment = await portal.get("/request-key/sent", htmx=True)
    assert "<html" not in fragment.text and REPLY in " ".join(fragment.text.split())


# Issue 13 item 3: no SSN, or the family will not give it: the request goes to the staff queue.
@pytest.mark.parametrize("ssn", ["", SSN])  # left empty as asked, or typed and then withheld anyway
async def test_a_request_without_the_ssn_goes_to_staff_with_the_same_reply_and_work(portal, ana_on_file, work,
                                                                                    deliver, ssn):
    await portal.get("/request-key")
    no_one = comparable(await portal.post("/request-key", {**details(ssn=ssn, student_number="S-nobody"),
                                                           "no_ssn": "yes"}))
    work()
    await deliver()
    withheld = comparable(await portal.post("/request-key", {**details(ssn=ssn), "no_ssn": "yes"}))
    assert withheld == no_one  # the same reply whether anything matched: it depends only on what was typed
    assert work() == {"ssn_digest": 1, "find_student_by_number": 1, "guardians_on_file": 1}
    assert await deliver() == []  # never issued without the SSN: staff decide
    row = (await key_requests())[-1]
    assert row["status"] == "pending" and row["ssn_withheld"] is True and row["matched_ssn"] is False
    assert (row["matched_student_number"], row["matched_birth_date"], row["matched_email_on_file"]) == \
        (True, True, True)  # the other facts are checked for staff
    # The reply says the request waits for staff, and that a number typed before the box was ticked was not
    # sent (a parent tester's find: it was dropped without a word).
    page = " ".join(page_text((await portal.get(withheld[2] and dict(withheld[2])["location"])).text).split())
    assert "so school staff will check your other details and contact you" in page
    assert ("the number you typed was not used and is not kept" in page) is bool(ssn)
    assert "If the details match our records" not in page


async def test_without_the_choice_an_empty_ssn_is_still_an_error(portal, ana_on_file):
    response = await portal.post("/request-key", details(ssn=""))
    assert response.status_code == 422
    assert "Enter the student's Social Security number" in " ".join(error_messages(response.text))
    ticked = await portal.post("/request-key", {**details(ssn="", email="bad"), "no_ssn": "yes"})
    assert ticked.status_code == 422
    assert not any("Social Security" in m for m in error_messages(ticked.text))
    assert re.search(r'<input type="checkbox" id="no-ssn" name="no_ssn" value="yes" checked', ticked.text)
    assert "was not used" not in ticked.text
    # A number typed and then withheld is not shown back, and the form says why (it was cleared without a word).
    typed_then_ticked = await portal.post("/request-key", {**details(email="bad"), "no_ssn": "yes"})
    assert typed_then_ticked.status_code == 422 and SSN not in typed_then_ticked.text
    assert "so the number you typed was not used and is not kept" in page_text(typed_then_ticked.text)


async def test_the_form_offers_the_choice_in_english_and_spanish(portal, district):
    english = page_text((await portal.get("/request-key")).text)
    assert "The student has no Social Security number, or I prefer not to give it" in english
    spanish = page_text((await portal.get("/request-key", headers={"Accept-Language": "es"})).text)
    assert "El estudiante no tiene número de Seguro Social, o prefiero no darlo" in spanish


async def _request_from(ip: str, **changes) -> bool:
    from app import clock
    from app.rules.key_requests import check_key_request
    from app.services.key_requests import request_key_online

    typed, errors = check_key_request(details(**changes), ssn_mode="full", today=clock.now().date())
    assert not errors, errors
    return await request_key_online(typed, ip=ip, language="en")


async def test_a_client_over_its_limit_spends_no_student_numbers_tries(ana_on_file):
    """A request the per-client limit refuses is not counted against the student number: one address past its
    limit could otherwise spend every number's tries and lock the district out (an attacker's find)."""
    from app.services.key_requests import REQUESTS_PER_CLIENT, REQUESTS_PER_STUDENT_NUMBER

    for n in range(REQUESTS_PER_CLIENT):
        assert await _request_from("198.51.100.9", student_number=f"X{n}")
    for _ in range(REQUESTS_PER_STUDENT_NUMBER + 1):
        assert not await _request_from("198.51.100.9")  # over the client's limit: refused, not counted
    assert await _request_from("203.0.113.50")  # another family, the same student number: taken


@pytest.mark.parametrize("addresses", [
    [f"2001:db8:1:2::{n:x}" for n in range(1, 26)],  # one /64: one household's devices
    ["198.51.100.7", "::ffff:198.51.100.7"] * 13,  # one IPv4 address, written two ways
])
async def test_the_per_client_limit_counts_an_ipv6_64_and_a_mapped_address_as_one(ana_on_file, addresses):
    from app.services.key_requests import REQUESTS_PER_CLIENT

    taken = [await _request_from(ip, student_number=f"Y{n}") for n, ip in enumerate(addresses[:REQUESTS_PER_CLIENT + 3])]
    assert taken == [True] * REQUESTS_PER_CLIENT + [False] * 3


async def test_the_key_is_issued_by_the_mail_worker_not_in_the_reply(portal, ana_on_file, deliver, monkeypatch):
    """Issuing the key while answering made a request whose every detail matched measurably slower than one that
    did not (11.4 against 8.1 ms: the reply's time confirmed a guessed SSN, an attacker's find). The reply only
    records the request; the mail worker issues the key."""
    from app.services import key_requests as service

    issued = []
    real = service.issue_key

    async def issue_key(*args, **kwargs):
        issued.append(args[0].id)
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "issue_key", issue_key)
    await portal.post("/request-key", details())
    assert issued == [] and (await key_requests())[-1]["status"] == "pending"
    mail = await deliver()
    leaks.remember_key(KEY_PATTERN.search(mail[0].text).group(0))
    assert issued == [ana_on_file.guardian("rosa").id] and [m.to for m in mail] == [SHARED_EMAIL]
    assert (await key_requests())[-1]["status"] == "auto-issued"
