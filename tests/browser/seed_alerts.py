"""Issue 12's part of the browser suite's data: an absence report waiting in the attendance office's queue,
the token of an unsubscribe link for the existing account (the walk's {unsubscribe}), and a weekend day
within the report window ({weekend_day}), two school days to report ({report_day}) and the day of the report
waiting ({reported_day})."""

from __future__ import annotations


async def seed_alerts(maria_username: str) -> dict[str, str]:
    from datetime import timedelta

    from app import clock
    from app.rules.alerts import unsubscribe_token
    from app.settings import get_settings
    from app.tables import AbsenceReport, Person, SchoolEnrollment, UserAccount
    from tests.browser.seed_access import SHARED_MAILBOX_USERNAME

    ana = await Person.objects().where(Person.source_id == "stu-1").first()
    school = await SchoolEnrollment.select(SchoolEnrollment.school).where(SchoolEnrollment.student == ana.id).first()
    maria = await UserAccount.select(UserAccount.id, UserAccount.person).where(
        UserAccount.username == maria_username).first()
    today = clock.now().date()
    # On the last weekday before today: the walk reports it again ({reported_day}) and is told it was.
    reported = next(today - timedelta(days=n) for n in range(1, 8) if (today - timedelta(days=n)).weekday() < 5)
    await AbsenceReport(student=ana.id, school=school["school"], guardian=maria["person"], account=maria["id"],
                        first_day=reported, last_day=reported, whole_day=True,
                        reason="medical", note="Dentist at 9", created_at=clock.now()).save()
    # Another of Ana's guardians reported the weekday before (the list shows it apart: days and state only).
    other = await UserAccount.select(UserAccount.id, UserAccount.person).where(
        UserAccount.username == SHARED_MAILBOX_USERNAME).first()
    before = next(reported - timedelta(days=n) for n in range(1, 8) if (reported - timedelta(days=n)).weekday() < 5)
    await AbsenceReport(student=ana.id, school=school["school"], guardian=other["person"], account=other["id"],
                        first_day=before, last_day=before, whole_day=True, reason="illness", status="recorded",
                        created_at=clock.now()).save()
    token = unsubscribe_token(get_settings().secret_key, maria["id"], "weekly-digest")
    # A Saturday the report form must refuse (the walk's {weekend_day}): the next one, within the window.
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    # The days the walk's "report an absence, sent" reports, one with scripts and one without ({report_day}): the
    # same absence twice is refused. The next two weekdays.
    ahead = [today + timedelta(days=n) for n in range(1, 8)]
    report_days = [day.isoformat() for day in ahead if day.weekday() < 5][:2]
    return {"unsubscribe": token, "weekend_day": saturday.isoformat(), "report_days": report_days,
            "reported_day": reported.isoformat()}
