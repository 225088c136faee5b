"""Staff accounts over their life (issue 14): district admins list, create (school from a list), disable,
re-enable and reset them, every action audited; disabling ends the sessions at once; staff change their own
password and see their own sign-ins; the same from the command line, and the schools' sourcedIds."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys


from tests.conftest import PROJECT_ROOT
from tests.integration import leaks
from tests.integration.portal import error_messages, page_text
from tests.integration.test_staff_console import STAFF_PASSWORD, as_staff


async def events(action: str) -> list[dict]:
    from app.tables import AuditEvent

    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)


def temporary_password(html: str) -> str:
    password = re.search(r'Temporary password \(shown only now\): <code class="secret wrap">([^<]+)</code>', html)
    assert password, "no temporary password on the page"
    return leaks.remember(password.group(1), leaks.PASSWORD)


async def test_an_admin_creates_school_staff_with_the_school_chosen_from_a_list(portal, second_portal, admin,
                                                                               clock):
    from app.tables import UserAccount

    await as_staff(portal, "DistrictAdmin")
    form = await portal.get("/staff/accounts/new")
    assert '<option value="sch-maple">Maple Street Elementary</option>' in form.text

    missing = await portal.post("/staff/accounts/new", {"username": "NewDesk", "role": "school-staff",
                                                         "school": "", "email": ""})
    assert missing.status_code == 422 and error_messages(missing.text) == ["Choose the school this person works for"]
    made = await portal.post("/staff/accounts/new", {"username": "NewDesk", "role": "school-staff",
                                                      "school": "sch-maple", "email": "desk@maple.example.org"})
    assert made.status_code == 303
    page = await portal.get(made.headers["location"])
    password = temporary_password(page.text)
    assert password not in (await portal.get(made.headers["location"])).text  # shown once
    created = await UserAccount.objects().where(UserAccount.username == "NewDesk").first()
    assert created.role == "school-staff" and created.school is not None
    assert [(e["actor"], e["account"]) for e in await events("staff.created")][-1] == (admin, created.id)

    listing = await portal.get("/staff/accounts")
    assert "NewDesk" in listing.text and "Maple Street Elementary" in listing.text
    taken = await portal.post("/staff/accounts/new", {"username": "newdesk", "role": "district-admin",
                                                       "school": "", "email": ""})
    assert "That username is taken" in error_messages(taken.text)[0]

    # The new person signs in with the temporary password and sets up an app first.
    assert (await second_portal.log_in("NewDesk", password, second_step=False)).headers["location"] == "/sign-in/enrol"


async def test_disable_ends_the_sessions_at_once_enable_and_reset_are_audited(portal, second_portal, admin, maple,
                                                                            clock, deliver):
    from app.tables import TotpFactor

    from tests.integration.test_account import ANDROID_CHROME

    second_portal.client.headers["user-agent"] = ANDROID_CHROME
    await as_staff(second_portal, "MapleOffice")
    await as_staff(portal, "DistrictAdmin")
    assert (await second_portal.get("/staff")).status_code == 200

    disabled = await portal.post(f"/staff/accounts/{maple}", {"action": "disable"})
    assert disabled.headers["location"] == f"/staff/accounts/{maple}?notice=disabled"
    assert (await second_portal.get("/staff")).status_code == 303  # signed out at once
    assert (await second_portal.log_in("MapleOffice", STAFF_PASSWORD)).status_code == 422
    await portal.post(f"/staff/accounts/{maple}", {"action": "enable"})
    clock.advance(seconds=60)
    await as_staff(second_portal, "MapleOffice")

    reset = await portal.post(f"/staff/accounts/{maple}", {"action": "reset"})
    assert reset.headers["location"] == f"/staff/accounts/{maple}?notice=reset"
    password = temporary_password((await portal.get(reset.headers["location"])).text)
    assert (await second_portal.get("/staff")).status_code == 303
    assert await TotpFactor.count().where(TotpFactor.account == maple) == 0
    assert (await second_portal.log_in("MapleOffice", STAFF_PASSWORD)).status_code == 422
    assert (await second_portal.log_in("MapleOffice", password, second_step=False)).headers["location"] == "/sign-in/enrol"

    for action in ("staff.disabled", "staff.enabled", "staff.reset", "second-factor.reset"):
        [event] = await events(action)
        assert event["actor"] == admin and event["account"] == maple, action
    detail = await portal.get(f"/staff/accounts/{maple}")
    assert "Logged in" in detail.text and "login.succeeded" not in detail.text
    # The device in words, as the parent's account page says it (issue 13 item 6), never the raw user agent.
    assert "Chrome on Android" in detail.text and ANDROID_CHROME not in detail.text


async def test_an_admin_cannot_disable_or_reset_their_own_account(portal, admin):
    await as_staff(portal, "DistrictAdmin")
    page = await portal.get(f"/staff/accounts/{admin}")
    assert "Disable the account" not in page.text
    refused = await portal.post(f"/staff/accounts/{admin}", {"action": "disable"})
    assert refused.status_code == 422 and "cannot disable or reset your own" in error_messages(refused.text)[0]


async def test_only_district_admins_manage_staff_and_only_staff_accounts(portal, district, admin, maple):
    from tests.integration.district import make_account

    sam = await make_account(district.guardian("sam"), "SamPark")
    await as_staff(portal, "MapleOffice")
    for url in ("/staff/accounts", "/staff/accounts/new", f"/staff/accounts/{admin}"):
        assert (await portal.get(url)).status_code == 404
    assert (await portal.post(f"/staff/accounts/{admin}", {"action": "disable"})).status_code == 404
    await portal.log_out()
    await as_staff(portal, "DistrictAdmin")
    assert (await portal.get(f"/staff/accounts/{sam}")).status_code == 404  # a parent is not a staff account
    assert (await portal.post(f"/staff/accounts/{sam}", {"action": "disable"})).status_code == 404
    assert (await portal.post(f"/staff/accounts/{maple}", {"action": "delete"})).status_code == 404
    assert (await portal.get("/staff/accounts/999999")).status_code == 404


async def test_staff_change_their_own_password_and_see_their_sign_ins(portal, second_portal, maple, clock):
    await as_staff(portal, "MapleOffice")
    account = await portal.get("/account")
    assert account.status_code == 200 and "Logged in with an app code" in page_text(account.text)
    new = "Brass lantern 907"
    leaks.remember(new, leaks.PASSWORD)
    changed = await portal.post("/account/password", {"current_password": STAFF_PASSWORD, "password": new,
                                                       "verify_password": new})
    assert changed.headers["location"] == "/account?notice=password-changed"
    response = await second_portal.log_in("MapleOffice", new, second_step=False)
    assert response.headers["location"] == "/sign-in/code"


def homeroom(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=PROJECT_ROOT, input=stdin,
                          capture_output=True, text=True, env={**os.environ}, timeout=120)


async def test_the_cli_lists_schools_and_staff_and_disables_enables_and_resets(portal, admin, maple):
    from app.tables import TotpFactor, UserAccount

    schools = list(csv.reader(io.StringIO(homeroom("schools", "list").stdout)))
    assert schools[0] == ["sourcedId", "name", "status"] and ["sch-maple", "Maple Street Elementary", "active"] in schools

    listed = list(csv.DictReader(io.StringIO(homeroom("staff", "list").stdout)))
    assert [(r["username"], r["role"], r["school"], r["state"], r["second_factor"]) for r in listed] == [
        ("DistrictAdmin", "district-admin", "", "active", "yes"), ("MapleOffice", "school-staff", "sch-maple",
                                                                    "active", "yes")]
    assert homeroom("staff", "disable", "--username", "mapleoffice").returncode == 0
    assert (await UserAccount.objects().where(UserAccount.id == maple).first()).disabled
    assert homeroom("staff", "enable", "--username", "MapleOffice").returncode == 0
    assert not (await UserAccount.objects().where(UserAccount.id == maple).first()).disabled
    reset = homeroom("staff", "reset", "--username", "MapleOffice")
    assert reset.returncode == 0 and "Temporary password: " in reset.stdout
    leaks.remember(reset.stdout.split("Temporary password: ")[1].strip(), leaks.PASSWORD)
    assert await TotpFactor.count().where(TotpFactor.account == maple) == 0
    assert homeroom("staff", "disable", "--username", "nobody").returncode == 2
    assert [e["actor"] for e in await events("staff.disabled")] == [None]
