from __future__ import annotations

from app.database import fetch
from app.rules.preferences import DistrictPreferences, parse_preference, preferences_from_rows, display_value
from app.tables import DistrictSetting


async def load_preferences() -> DistrictPreferences:
    # Every public page reads these: written out, not built by the query builder per request (issue 13).
    rows = await fetch("SELECT name, value FROM district_setting")
    return preferences_from_rows({r["name"]: r["value"] for r in rows})


async def set_preference(name: str, text: str) -> str:
    """Store a preference after checking it; returns the value as stored. Raises PreferenceError."""
    value = display_value(parse_preference(name, text))
    updated = await DistrictSetting.update({DistrictSetting.value: value}).where(DistrictSetting.name == name).returning(
        DistrictSetting.id
    )
    if not updated:
        await DistrictSetting.insert(DistrictSetting(name=name, value=value))
    return value
