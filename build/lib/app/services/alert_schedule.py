"""The clock behind alerts and digests (issue 12): every minute, absence alerts whose wait is over are
sent and digests that waited for quiet hours go out; from the district's digest hour each day, the
guardians whose digest day it is (their own, or the district's) get their digest queued, once a day per
process. Runs in every `homeroom serve` worker (each step is idempotent: two workers write nothing twice)
and can be replaced by cron with `homeroom digests queue` and `homeroom alerts send-due`."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app import clock
from app.rules.district_day import district_day
from app.services.absence_alerts import send_due_alerts
from app.services.digests import queue_digests, send_due_digests
from app.services.preferences import load_preferences

log = logging.getLogger("homeroom.schedule")


class Schedule:
    def __init__(self) -> None:
        self.digests_queued_on: date | None = None

    async def tick(self, now: datetime | None = None) -> dict:
        """One round: what was done (for tests and logs)."""
        now = now or clock.now()
        prefs = await load_preferences()
        done = {"alerts": await send_due_alerts(), "deferred_digests": await send_due_digests(), "digests": None}
        local = now.astimezone(ZoneInfo(prefs.time_zone))
        today = district_day(now, prefs.time_zone)
        if local.hour >= prefs.digest_hour and self.digests_queued_on != today:
            run = await queue_digests(only_day=today.weekday())
            self.digests_queued_on = today
            done["digests"] = run
            log.info("weekly digests for %s: %s queued, %s with nothing to say", run.week_of, run.queued, run.nothing)
        return done


async def run_schedule(stop: asyncio.Event, *, every_seconds: float = 60.0) -> None:
    schedule = Schedule()
    while not stop.is_set():
        try:
            await schedule.tick()
        except Exception:  # the database may be restarting; try again next minute
            log.exception("alert schedule round failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        except asyncio.TimeoutError:
            pass
