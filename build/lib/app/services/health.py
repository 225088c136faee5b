"""Is this process ready to serve (issue 15 item 3)? For a load balancer's readiness probe.

Ready means: the database answers, every migration in the package has been applied, and the outbox is not
stuck (fewer than `OUTBOX_STUCK_LIMIT` messages have been due for over an hour: a relay that is down or
refusing). A weekly digest run queues many messages at once; they are due at once but not stuck, so they
do not count until an hour has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app import clock
from app.paths import MIGRATIONS_DIR
from app.tables import OutboxEmail

OUTBOX_STUCK_AFTER = timedelta(hours=1)
OUTBOX_STUCK_LIMIT = 1000


@dataclass(frozen=True)
class Readiness:
    database: bool
    migrations: bool
    outbox: bool

    @property
    def ready(self) -> bool:
        return self.database and self.migrations and self.outbox

    @property
    def failing(self) -> list[str]:
        """The names of the checks that failed, in a fixed order (nothing else is said)."""
        return [name for name in ("database", "migrations", "outbox") if not getattr(self, name)]


def migration_ids_in_package() -> set[str]:
    """The ID of every migration file shipped with this version (Piccolo's `ID = "..."` line)."""
    ids = set()
    for path in MIGRATIONS_DIR.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("ID = "):
                ids.add(line.split("=", 1)[1].strip().strip("\"'"))
                break
    return ids


async def readiness() -> Readiness:
    try:
        applied = {row["name"] for row in await OutboxEmail.raw("SELECT name FROM migration")}
        stuck = await OutboxEmail.count().where(
            OutboxEmail.sent_at.is_null(), OutboxEmail.next_attempt_at < clock.now() - OUTBOX_STUCK_AFTER)
    except Exception:  # noqa: BLE001 - any failure to read the database means "not ready"
        return Readiness(database=False, migrations=False, outbox=False)
    return Readiness(database=True, migrations=migration_ids_in_package() <= applied,
                     outbox=stuck < OUTBOX_STUCK_LIMIT)
