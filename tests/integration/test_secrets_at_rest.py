"""No secret at rest (issue 9 item 4): after every flow that emails, before the mail goes and after, and
while an in-person key waits for its slip, no table holds a raw activation key, reset or confirmation
token, link, password or SSN in any text column.

The scan reads every table of app.tables.ALL_TABLES, every column, and looks for every secret the test
has seen (typed into a form, or received by the SMTP server). What the database held *before* delivery
is kept as a snapshot and scanned again once the emails have shown the keys and links, so a secret that
waited in plaintext and was dropped at delivery is caught too.
"""

from __future__ import annotations

import re

import pyotp

from tests.integration import leaks
from tests.integration.district import PASSWORD, SHARED_EMAIL, SSN, make_account
from tests.integration.portal import error_messages
from tests.integration.test_key_request import KEY_PATTERN, decide_key_requests, details
from tests.integration.test_key_slip import every_table_as_text
from tests.integration.test_second_factor import enrol_from_account_page
from tests.integration.test_staff_accounts import temporary_password
from tests.integration.test_staff_console import STAFF_PASSWORD, as_staff

NEW_PASSWORD = "Amber falcon 63"
RESET_PASSWORD = "Velvet canyon 18"
TYPED_BY_MISTAKE = "Mañana-río 2026!"  # a password typed into the username box
TOKEN_IN_LINK = re.compile(r"http://portal\.test/(?:reset|email/confirm)/(\S+)")


class Secrets:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def add(self, value: str, kind: str) -> None:
        self.values[value] = kind
        if kind == "activation key":
            self.values[value.replace("-", "")] = kind

    def learn_from(self, mails) -> None:
        for mail in mails:
            for key in KEY_PATTERN.findall(mail.text):
                self.add(key, "activation key")
                leaks.remember_key(key)
            for link in re.findall(r"http://portal\.test/(?:reset|email/confirm)/\S+", mail.text):
                self.add(link, "link")
                self.add(TOKEN_IN_LINK.match(link).group(1), "token")
                leaks.remember(TOKEN_IN_LINK.match(link).group(1), leaks.TOKEN)


async def every_text_value() -> list[tuple[str, str, str]]:
    """(table, column, value) for every string in every row of every table."""
    from app.tables import ALL_TABLES

    found = []
    for table in ALL_TABLES:
        for row in await table.select():
            for column, value in row.items():
                if isinstance(value, (bytes, bytearray)):
                    value = value.decode("latin-1")
                if isinstance(value, str) and value:
                    found.append((table._meta.tablename, column, value))
    return found


def secrets_in(values: list[tuple[str, str, str]], secrets: Secrets, when: str) -> list[str]:
    return [f"{kind} in {table}.{column} ({when})"
            for table, column, value in values
            for secret, kind in secrets.values.items() if secret in value]


async def test_no_table_holds_a_key_token_link_password_or_ssn_before_or_after_the_mail_goes(
        portal, second_portal, ana_on_file, maple, deliver):
    from app.tables import OutboxEmail

    secrets = Secrets()
    for value, kind in ((PASSWORD, "password"), (NEW_PASSWORD, "password"), (RESET_PASSWORD, "password"),
                        (TYPED_BY_MISTAKE, "password"), (SSN, "SSN"), (SSN.replace("-", ""), "SSN")):
        secrets.add(value, kind)
        leaks.remember(value, leaks.SSN if kind == "SSN" else leaks.PASSWORD)
    for value in (NEW_PASSWORD, RESET_PASSWORD, TYPED_BY_MISTAKE):
        leaks.remember(value, leaks.PASSWORD)

    # Every flow that emails, before any mail goes.
    await portal.post("/request-key", details())  # everything matches: a key is issued and emailed
    await portal.post("/request-key", details(student_number="S-ana", email="rosa.new@example.net"))  # staff
    await decide_key_requests()  # the mail worker's half: the matching request's key issued, its email waiting
    await as_staff(second_portal, "MapleOffice")
    queue = await second_portal.get("/staff/key-requests")
    [link] = re.findall(r'href="(/staff/key-requests/[0-9a-f-]{36})"', queue.text)
    luis = ana_on_file.guardian("luis")
    approved = await second_portal.post(f"{link}/approve", {"guardian": str(luis.public_id)})
    assert approved.status_code == 303, error_messages(approved.text)
    await second_portal.post("/request-key", details(ssn="987-65-4321", email="x@example.net"))
    queue = await second_portal.get("/staff/key-requests")
    [link] = re.findall(r'href="(/staff/key-requests/[0-9a-f-]{36})"', queue.text)
    assert (await second_portal.post(f"{link}/deny", {"reason": "SSN did not match"})).status_code == 303
    # An in-person key waits in the staff member's session until the slip is shown (not an email, the
    # same rule): snapshot while it waits, learn it from the slip.
    sam = ana_on_file.guardian("sam")
    issued = await second_portal.post(f"/staff/guardians/{sam.public_id}/key",
                                      {"photo_id_type": "passport", "id_checked": "yes"})
    assert issued.status_code == 303, error_messages(issued.text)
    while_the_slip_waits = await every_text_value()
    slip = await second_portal.get(issued.headers["location"])
    secrets.add(leaks.remember_key(KEY_PATTERN.search(slip.text).group(0)), "activation key")
    await second_portal.log_out()

    await make_account(ana_on_file.guardian("sam"), "SamPark")
    await portal.post("/forgot-password", {"identifier": "SamPark"})
    await portal.post("/forgot-password", {"identifier": TYPED_BY_MISTAKE})
    await portal.post("/forgot-username", {"email": "sam.park@example.org"})
    assert (await second_portal.log_in("SamPark", PASSWORD)).status_code == 303
    changed = await second_portal.post("/household/email", {"email": "sam.new@example.org",
                                                             "current_password": PASSWORD})
    assert changed.status_code in (303, 422)  # Sam may have no household: the email change is what counts
    before = await every_text_value()
    assert await OutboxEmail.count() >= 6

    # The mail goes; what it carried is now known to the test.
    mails = await deliver()
    secrets.learn_from(mails)
    kinds_sent = {m.subject for m in mails}
    assert any(KEY_PATTERN.search(m.text) for m in mails), kinds_sent
    assert sum(1 for m in mails if KEY_PATTERN.search(m.text)) == 2, kinds_sent  # auto-issued and approved
    assert any("/reset/" in m.text for m in mails), kinds_sent
    assert any("/email/confirm/" in m.text for m in mails), kinds_sent
    assert any("SamPark" in m.text and "username" in m.subject.lower() for m in mails), kinds_sent

    # The links are used: the reset completes (a "password changed" email follows), the address is confirmed.
    reset = next(TOKEN_IN_LINK.search(m.text).group(0) for m in mails if "/reset/" in m.text)
    await portal.get(reset.removeprefix("http://portal.test"))
    done = await portal.post("/reset", {"password": RESET_PASSWORD, "verify_password": RESET_PASSWORD})
    assert done.status_code == 303, error_messages(done.text)
    confirm = next(TOKEN_IN_LINK.search(m.text).group(0) for m in mails if "/email/confirm/" in m.text)
    assert (await portal.get(confirm.removeprefix("http://portal.test"))).status_code == 303
    assert (await portal.post("/email/confirm")).status_code == 303
    assert (await portal.log_in("SamPark", RESET_PASSWORD)).status_code == 303
    assert (await portal.post("/account/password", {
        "current_password": RESET_PASSWORD, "password": NEW_PASSWORD, "verify_password": NEW_PASSWORD,
    })).status_code == 303
    secrets.learn_from(await deliver())

    found = (secrets_in(while_the_slip_waits, secrets, "before the slip was shown")
             + secrets_in(before, secrets, "before delivery")
             + secrets_in(await every_text_value(), secrets, "after delivery"))
    assert not found, "secrets at rest:\n" + "\n".join(sorted(set(found)))
    # What stays of each message is its record.
    rows = await OutboxEmail.select(OutboxEmail.kind, OutboxEmail.status, OutboxEmail.payload)
    assert rows and all(r["payload"] is None and r["status"] in ("sent", "done") for r in rows), rows
    assert SHARED_EMAIL in {r["to_address"] for r in await OutboxEmail.select(OutboxEmail.to_address)}


# A secret shown once waits in the session row between the POST that makes it and the page that shows it: a staff
# account's temporary password (new or reset) and second-factor recovery codes (replaced on the account page, or
# made at a first sign-in), like the in-person key. A copy of the database taken in between must not hold it in
# the clear: it is sealed (app/web/wizard_state.py `sealed`). An attacker's find: the three were plain JSON.

CODE = re.compile(r"<li><code>([A-Z0-9-]+)</code></li>")


def absent(secret: str, everything: str) -> bool:
    """Neither the secret nor its hyphen-free or lower-case forms are in `everything`."""
    compact = secret.replace("-", "")
    return not any(form in everything for form in {secret, compact, secret.lower(), compact.lower()})


async def test_a_new_or_reset_staff_accounts_temporary_password_waits_sealed(portal, admin, maple):
    await as_staff(portal, "DistrictAdmin")
    made = await portal.post("/staff/accounts/new", {"username": "NewDesk", "role": "school-staff",
                                                      "school": "sch-maple", "email": ""})
    assert made.status_code == 303
    waiting = await every_table_as_text()
    assert "staff_temporary_password" in waiting  # it does wait in the session
    password = temporary_password((await portal.get(made.headers["location"])).text)
    assert absent(password, waiting)

    reset = await portal.post(f"/staff/accounts/{maple}", {"action": "reset"})
    waiting = await every_table_as_text()
    password = temporary_password((await portal.get(reset.headers["location"])).text)
    assert absent(password, waiting)


async def test_recovery_codes_replaced_on_the_account_page_wait_sealed(portal, district):
    await make_account(district.guardian("sam"), "SamPark")
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303
    await enrol_from_account_page(portal)
    replaced = await portal.post("/account/second-factor", {"action": "recovery-codes",
                                                             "current_password": PASSWORD})
    assert replaced.headers["location"] == "/account/recovery-codes"
    waiting = await every_table_as_text()
    codes = CODE.findall((await portal.get("/account/recovery-codes")).text)
    assert len(codes) == 10 and all(absent(code, waiting) for code in codes)


async def test_recovery_codes_made_at_a_first_sign_in_wait_sealed(portal, district, clock):
    from app.services.staff_accounts import create_staff_account

    assert await create_staff_account("NewAdmin", STAFF_PASSWORD, "district-admin", None) == []
    assert (await portal.log_in("NewAdmin", STAFF_PASSWORD, second_step=False)).headers["location"] == "/sign-in/enrol"
    page = await portal.get("/sign-in/enrol")
    secret = re.search(r'<code class="secret wrap">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    done = await portal.post("/sign-in/enrol", {"code": pyotp.TOTP(secret).at(clock())})
    assert done.headers["location"] == "/account/recovery-codes"
    waiting = await every_table_as_text()
    codes = CODE.findall((await portal.get("/account/recovery-codes")).text)
    assert len(codes) == 10 and all(absent(code, waiting) for code in codes)
