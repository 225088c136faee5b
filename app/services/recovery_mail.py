"""The mail worker's half of Forgot Your Password? and Forgot Your Username? (issue 9 item 3).

The reply to the form only records the request (app/services/recovery.py: one outbox row of a request
kind, what was typed sealed in it), so it does the same work whether or not an account or address is on
file. The mail worker runs these handlers, each inside the transaction that marks the request done: the
lookup, the per-account limit, the audit events and the emails (the reset link itself is minted when that
email is sent: app/services/outgoing_mail.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app import clock
from app.mail.outbox import enqueue_email
from app.i18n import LANGUAGES
from app.rules.emails import normalise_email
from app.rules.languages import language_for_guardian
from app.rules.usernames import is_well_formed, username_key
from app.services import audit, rate_limits
from app.services.eligibility import is_eligible_guardian
from app.services.preferences import load_preferences
from app.settings import get_settings
from app.tables import Person, UserAccount

PASSWORD_RESET_REQUEST = "password-reset-request"
USERNAME_REMINDER_REQUEST = "username-reminder-request"
USERNAME_LOCK_REQUEST = "username-lock-request"

RESET_EMAILS_PER_HOUR = 5  # per account: stops anyone from flooding a parent's inbox with reset links


async def accounts_for(identifier: str) -> list[dict]:
    """Active accounts matched by username or by the email on file, with that email."""
    columns = (UserAccount.id, UserAccount.username, UserAccount.language,
               UserAccount.person.email.as_alias("email"))
    if "@" in identifier:
        address = normalise_email(identifier)
        if address is None:
            return []
        where = UserAccount.person.email == address
    elif is_well_formed(identifier):
        where = UserAccount.username_key == username_key(identifier)
    else:
        return []
    rows = await UserAccount.select(*columns).where(where & (UserAccount.disabled == False))  # noqa: E712
    return [r for r in rows if r["email"]]


async def send_password_reset(payload: dict[str, Any]) -> None:
    prefs = await load_preferences()
    ip = payload.get("ip", "")
    for account in await accounts_for(payload["identifier"]):
        tally = await rate_limits.hit(f"password-reset:{account['id']}", clock.now() + timedelta(hours=1))
        if tally.count > RESET_EMAILS_PER_HOUR:
            await audit.record("password-reset.refused", account=account["id"], ip=ip, detail="hourly limit")
            continue
        await enqueue_email("password-reset", account["email"], {
            "account_id": account["id"], "portal_name": prefs.portal_name, "district_name": prefs.district_name,
            "username": account["username"], "help_phone": prefs.help_phone,
        }, language=account["language"])
        await audit.record("password-reset.requested", account=account["id"], ip=ip)


async def send_username_reminder(payload: dict[str, Any]) -> None:
    address = payload["address"]
    accounts = await UserAccount.select(UserAccount.id, UserAccount.username, UserAccount.language).where(
        (UserAccount.person.email == address) & (UserAccount.disabled == False)  # noqa: E712
    ).order_by(UserAccount.username)
    if not accounts:
        await _no_account_yet(address, payload)
        return
    prefs = await load_preferences()
    await enqueue_email(
        "username-reminder",
        address,
        {"portal_name": prefs.portal_name, "district_name": prefs.district_name,
         "usernames": [a["username"] for a in accounts], "login_url": f"{get_settings().public_url}/",
         "help_phone": prefs.help_phone},
        language=accounts[0]["language"],
    )
    for account in accounts:
        await audit.record("username-reminder.sent", account=account["id"], ip=payload.get("ip", ""))


async def _no_account_yet(address: str, payload: dict[str, Any]) -> None:
    """The address is on file for a guardian who may get an activation key but has no account yet: they are told
    so, and how to get a key (a parent tester's find: nothing was sent, and the new parent waited, checked the
    spam folder and asked again under the lock's warning). Nothing for an address on file for no one, nor for a
    contact who may not use the portal; the page's reply is the same in every case."""
    has_account = UserAccount.select(UserAccount.person).where(UserAccount.person.is_not_null())
    guardians = await Person.select(Person.id, Person.language).where(
        (Person.kind == "guardian") & (Person.email == address) & Person.id.not_in(has_account)
    ).order_by(Person.id)
    eligible = [g for g in guardians if await is_eligible_guardian(g["id"])]
    if not eligible:
        return
    guardian = eligible[0]
    prefs = await load_preferences()
    language = language_for_guardian(None, guardian["language"], LANGUAGES, fallback=payload.get("language", "en"))
    await enqueue_email("username-none", address, {
        "portal_name": prefs.portal_name, "district_name": prefs.district_name, "help_phone": prefs.help_phone,
        "request_url": f"{get_settings().public_url}/request-key",
    }, language=language)
    await audit.record("username-reminder.no-account", person=guardian["id"], ip=payload.get("ip", ""))


async def lock_after_too_many_reminders(payload: dict[str, Any]) -> None:
    """The request over the day's limit: the accounts on the address are locked until the next district
    day (`account` scope), or only the emails stop (`recovery-only`): docs/design.md §4.6."""
    until: datetime = payload["until"]
    lock_accounts = payload["lock_accounts"]
    ids = [r["id"] for r in await UserAccount.select(UserAccount.id).where(
        UserAccount.person.email == payload["address"])]
    if ids and lock_accounts:
        await UserAccount.update({UserAccount.locked_until: until}).where(UserAccount.id.is_in(ids))
        # The address's owner learns what happened and how to get help (issue 9): the lock is no mystery.
        prefs = await load_preferences()
        language = (await UserAccount.select(UserAccount.language).where(UserAccount.id == ids[0]).first())["language"]
        await enqueue_email("username-locked", payload["address"], {
            "portal_name": prefs.portal_name, "district_name": prefs.district_name, "help_phone": prefs.help_phone,
            "times": prefs.username_reminders_per_day, "until": until, "time_zone": prefs.time_zone,
            "reset_url": f"{get_settings().public_url}/forgot-password",
        }, language=language)
    for account_id in ids:
        await audit.record("username-reminder.locked" if lock_accounts else "username-reminder.stopped",
                           account=account_id, ip=payload.get("ip", ""))


REQUEST_HANDLERS = {
    PASSWORD_RESET_REQUEST: send_password_reset,
    USERNAME_REMINDER_REQUEST: send_username_reminder,
    USERNAME_LOCK_REQUEST: lock_after_too_many_reminders,
}
