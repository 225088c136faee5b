"""A new district's first run (issue 15 item 2): who the portal belongs to, before it serves anyone.

A production portal refuses to serve, and to send mail, until the district has set its name, the portal's
name, the help phone and the time zone, and has a district admin: otherwise every page and email would
carry the defaults (the demo district's name and a help number that is not theirs).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.database import fetch
from app.rules.errors import FieldError
from app.rules.preferences import preference_errors
from app.services.preferences import set_preference
from app.tables import DistrictSetting, UserAccount

# A database that a production portal (HOMEROOM_ENV=production) has used is marked as production's, and demo
# and test mode refuse it: HOMEROOM_ENV defaults to demo, so a command or server started without the district's
# environment file (a cron line, a restore tried by hand) would otherwise run in demo mode against the real
# district: SSN digests redone with the demo's pepper, reset links in a public dev mailbox (found by an IT lead
# trying the install, issue 15). A row of district_setting, which the preferences ignore.
PORTAL_MODE = "portal_mode"


class ProductionDatabase(Exception):
    """Demo or test mode was asked to use a database that a production portal has used."""


async def check_portal_mode(production: bool) -> None:
    """Production: mark the database as production's (once; concurrent first runs agree). Demo and test mode:
    raise ProductionDatabase when it is so marked."""
    rows = await fetch("SELECT value FROM district_setting WHERE name = {}", PORTAL_MODE)
    marked = any(row["value"] == "production" for row in rows)
    if production and not marked:
        await fetch("INSERT INTO district_setting (name, value) VALUES ({}, 'production') ON CONFLICT (name) DO NOTHING",
                    PORTAL_MODE)
    elif marked and not production:
        raise ProductionDatabase(
            "this database belongs to a production district (a portal with HOMEROOM_ENV=production has used it); "
            "demo and test mode never use it: set HOMEROOM_ENV=production (is the district's environment file "
            "loaded?)")


# What every page and email shows about the district, in the order `homeroom setup` asks for it.
DISTRICT_IDENTITY = ("district_name", "portal_name", "help_phone", "time_zone")


async def setup_missing() -> list[str]:
    """What the district has not set yet: names from DISTRICT_IDENTITY, and "district admin" when no district
    admin account exists. Empty when the portal may serve."""
    stored = {row["name"] for row in await DistrictSetting.select(DistrictSetting.name).where(
        DistrictSetting.name.is_in(list(DISTRICT_IDENTITY)))}
    missing = [name for name in DISTRICT_IDENTITY if name not in stored]
    if not await UserAccount.exists().where(UserAccount.role == "district-admin", UserAccount.disabled.eq(False)):
        missing.append("district admin")
    return missing


@dataclass(frozen=True)
class DistrictSetup:
    """What `homeroom setup` finds: the identity values stored, the district admins, what is still missing."""
    identity: dict[str, str]
    admins: list[str]
    missing: list[str]


async def current_setup() -> DistrictSetup:
    rows = await DistrictSetting.select(DistrictSetting.name, DistrictSetting.value).where(
        DistrictSetting.name.is_in(list(DISTRICT_IDENTITY)))
    admins = await UserAccount.select(UserAccount.username).where(
        UserAccount.role == "district-admin", UserAccount.disabled.eq(False)).order_by(UserAccount.username_key)
    return DistrictSetup({row["name"]: row["value"] for row in rows}, [a["username"] for a in admins],
                         await setup_missing())


def identity_errors(values: dict[str, str]) -> list[FieldError]:
    """Each typed identity value checked as the preferences page checks it, in DISTRICT_IDENTITY's order."""
    return preference_errors(DISTRICT_IDENTITY, values)


async def set_district_identity(values: dict[str, str]) -> None:
    """Store the four identity preferences (checked first with identity_errors)."""
    for name in DISTRICT_IDENTITY:
        await set_preference(name, values[name])
