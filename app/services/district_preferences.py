"""District admins changing the district preferences (docs/design.md §5), every change audited."""

from __future__ import annotations

from app.database import transaction
from app.rules.errors import FieldError
from app.rules.preferences import PARSERS, display_value, parse_preference, preference_errors
from app.services import audit
from app.services.preferences import load_preferences, set_preference
from app.services.sessions import SignedInAccount


async def change_preferences(staff: SignedInAccount, typed: dict[str, str], *, ip: str) -> list[FieldError]:
    """Check every preference; save them only if all are valid, auditing each one that changed."""
    errors = preference_errors(PARSERS, typed)
    if errors:
        return errors
    current = await load_preferences()
    async with transaction():
        for name in PARSERS:
            old = display_value(getattr(current, name))
            new = display_value(parse_preference(name, typed[name]))
            if new != old:
                await set_preference(name, typed[name])
                await audit.record("preference.changed", actor=staff.id, ip=ip, detail=f"{name}: {old} -> {new}")
    return []
