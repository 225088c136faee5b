"""Which value wins when the SIS and the portal disagree (issue 10 item 4). Pure.

A change a parent confirmed in the portal (an email, a phone) or staff approved (an address) is newer than
what the SIS holds, until the SIS has loaded it. So, for one field of one person or household:

- no portal change waiting: the SIS value is taken;
- the SIS sends nothing for the field (an empty cell, a column it does not send): what is on file stays;
- the SIS sends the portal's value: the SIS has caught up, and the portal change is settled;
- the SIS says its value changed after the portal change (OneRoster `dateLastModified`, Ed-Fi
  `_lastModifiedDate`): the SIS value is newer and wins, and the portal change is settled;
- the SIS sends the value it had before the portal change: the SIS has not loaded the change yet, so the
  portal's value stays (and the change stays waiting);
- the SIS sends any other value: a third value, entered in the SIS after the parent's change, wins.

Values are compared as given: the caller normalises them first (emails lower-cased, phones in E.164,
addresses tidied). An empty string is a value ("no phone of this kind"); None is "the SIS says nothing".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

NO_CHANGE = "sis"  # no portal change waiting: the SIS value is taken
CAUGHT_UP = "sis-caught-up"
SIS_NEWER = "sis-newer"
PORTAL_KEPT = "portal-kept"
NOTHING_SENT = "nothing-sent"


@dataclass(frozen=True)
class PortalChange:
    """A change made in the portal that the SIS has not yet been seen to load."""

    value: str  # the value the portal has now ("" when the parent removed it)
    previous: str  # the value on file before the change (what the SIS had)
    changed_at: datetime  # when it was confirmed or approved


@dataclass(frozen=True)
class Reconciled:
    value: str | None  # what to keep on file; None: leave what is stored as it is
    settles: bool  # the portal change is done with (the SIS caught up, or has a newer value)
    reason: str  # one of the constants above, for reports and tests


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def reconcile(change: PortalChange | None, sis_value: str | None,
              sis_modified: datetime | None = None) -> Reconciled:
    """The value to keep for one field, given the waiting portal change (if any) and what the SIS sent."""
    if sis_value is None:
        return Reconciled(None, False, NOTHING_SENT)
    if change is None:
        return Reconciled(sis_value, False, NO_CHANGE)
    if sis_value == change.value:
        return Reconciled(sis_value, True, CAUGHT_UP)
    if sis_modified is not None and _aware(sis_modified) > _aware(change.changed_at):
        return Reconciled(sis_value, True, SIS_NEWER)
    if sis_value == change.previous:
        return Reconciled(change.value, False, PORTAL_KEPT)
    return Reconciled(sis_value, True, SIS_NEWER)
