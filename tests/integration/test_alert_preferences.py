"""Email choices on the account page (issue 12 item 1): saved with a plain form and with htmx, checked
whole, each change audited; and the district's alert preferences in the staff console."""

from __future__ import annotations

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import error_messages, page_text

FORM = {"absence_alerts": "on", "digest": "on", "digest_day": "monday", "digest_missing_work": "on",
        "grade_threshold": "c", "quiet_start": "21:00", "quiet_end": "7:00"}


async def test_a_guardian_sees_the_defaults_and_saves_choices(district, portal):
    from app.services.alert_preferences import choices_of
    from app.tables import AuditEvent

    account = await make_account(district.guardian("sam"), "sampark")
    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    page = await portal.get("/account")
    assert 'name="absence_alerts" value="on" checked' in page.text and 'name="digest" value="on" checked' in page.text
    assert "day (Friday)" in page.text
    saved = await portal.post("/account/alerts", FORM)
    assert saved.status_code == 303 and saved.headers["location"] == "/account?notice=alerts-saved"
    choices = await choices_of(account)
    assert (choices.digest_day, choices.grade_threshold, choices.digest_grades, choices.quiet_start) == (
        0, "C", False, "21:00")
    again = await portal.get("/account?notice=alerts-saved")
    assert "Your email choices were saved." in page_text(again.text)
    assert '<option value="monday" selected>' in again.text and 'value="21:00"' in again.text
    audit = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "alerts.preferences-changed")
    assert len(audit) == 1 and "digest_day: None -> 0" in audit[0]["detail"]


async def test_the_districts_day_is_written_as_the_language_writes_it_in_a_sentence(district, portal):
    """Spanish read "El día del distrito (Viernes)": a weekday inside a sentence is lower-case there (a parent
    tester's find); alone in the list it stays capitalised."""
    from app.tables import UserAccount

    account = await make_account(district.guardian("sam"), "sampark")
    await UserAccount.update({UserAccount.language: "es"}).where(UserAccount.id == account)
    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    page = await portal.get("/account")
    assert "El día del distrito (viernes)" in page.text and '<option value="friday">Viernes</option>' in page.text


async def test_bad_choices_are_explained_and_nothing_is_saved(district, portal):
    from app.services.alert_preferences import choices_of
    from app.rules.alerts import GuardianChoices

    account = await make_account(district.guardian("sam"), "sampark")
    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    for htmx in (False, True):
        bad = await portal.post("/account/alerts", {**FORM, "digest_grades": "on", "grade_threshold": "excellent",
                                                    "quiet_start": "9pm", "digest_day": "<script>"}, htmx=htmx)
        assert bad.status_code == 422
        assert error_messages(bad.text) == ["Choose a day from the list",
                                            "Enter a letter grade such as C, or a percentage such as 70%",
                                            "Enter a time such as 21:00"]
        assert 'value="excellent"' in bad.text  # what was typed comes back
        assert ("<html" in bad.text) is not htmx
    assert await choices_of(account) == GuardianChoices()


async def test_htmx_saves_and_follows_to_the_account_page(district, portal):
    await make_account(district.guardian("sam"), "sampark")
    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    saved = await portal.post("/account/alerts", FORM, htmx=True, follow=True)
    assert saved.status_code == 200 and "Your email choices were saved." in saved.text and "<html" not in saved.text


async def test_the_district_sets_alert_preferences_in_the_console(district, portal):
    from dataclasses import asdict

    from app.rules.preferences import display_value
    from app.services.preferences import load_preferences
    from tests.integration.test_staff_console import as_staff, staff_account

    await staff_account("admin", "district-admin", None)
    await as_staff(portal, "admin")
    typed = {name: display_value(value) for name, value in asdict(await load_preferences()).items()}
    assert (typed["chronic_absence_percent"], typed["digest_day"], typed["absence_alerts_offered"]) == (
        "10", "friday", "on")
    bad = await portal.post("/staff/preferences", {**typed, "chronic_absence_percent": "80", "digest_hour": "24"})
    assert error_messages(bad.text) == ["Use a whole number from 0 to 23", "Use a whole number from 1 to 50"] or \
        sorted(error_messages(bad.text)) == sorted(["Use a whole number from 1 to 50",
                                                    "Use a whole number from 0 to 23"])
    saved = await portal.post("/staff/preferences", {**typed, "chronic_absence_percent": "15", "digest_day": "monday",
                                                     "absence_alerts_offered": "off"})
    assert saved.status_code == 303
    prefs = await load_preferences()
    assert (prefs.chronic_absence_percent, prefs.digest_day, prefs.absence_alerts_offered) == (15, "monday", False)


async def test_the_help_phone_shows_as_parents_read_it_and_saves_back_the_same(district, portal):
    """A retester's find: the form showed "+15125550100;ext=4", the way it is kept."""
    import re
    from dataclasses import asdict

    from app.rules.preferences import display_value
    from app.services.preferences import load_preferences
    from tests.integration.test_staff_console import as_staff, staff_account

    await staff_account("admin", "district-admin", None)
    await as_staff(portal, "admin")
    typed = {name: display_value(value) for name, value in asdict(await load_preferences()).items()}
    saved = await portal.post("/staff/preferences", {**typed, "help_phone": "(512) 555-0100 ext. 4"})
    assert saved.status_code == 303
    assert (await load_preferences()).help_phone == "+15125550100;ext=4"
    shown = re.search(r'name="help_phone"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="help_phone"',
                      (await portal.get("/staff/preferences")).text)
    assert shown and (shown.group(1) or shown.group(2)) == "(512) 555-0100 ext. 4"
    again = await portal.post("/staff/preferences", {**typed, "help_phone": shown.group(1) or shown.group(2)})
    assert again.status_code == 303 and (await load_preferences()).help_phone == "+15125550100;ext=4"
