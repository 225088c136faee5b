"""The rule for a value the portal changed and the SIS still sends (app/rules/sis_sync.py, issue 10 item 4)."""

from datetime import datetime, timezone

from app.rules.sis_sync import (
    CAUGHT_UP,
    NO_CHANGE,
    NOTHING_SENT,
    PORTAL_KEPT,
    SIS_NEWER,
    PortalChange,
    reconcile,
)

CONFIRMED = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.utc)
CHANGE = PortalChange(value="new@example.org", previous="old@example.org", changed_at=CONFIRMED)


def test_without_a_portal_change_the_sis_value_is_taken():
    decided = reconcile(None, "sis@example.org")
    assert (decided.value, decided.settles, decided.reason) == ("sis@example.org", False, NO_CHANGE)


def test_the_old_sis_value_does_not_undo_the_parents_change():
    decided = reconcile(CHANGE, "old@example.org")
    assert (decided.value, decided.settles, decided.reason) == ("new@example.org", False, PORTAL_KEPT)
    # an older dateLastModified changes nothing
    decided = reconcile(CHANGE, "old@example.org", datetime(2026, 8, 1, tzinfo=timezone.utc))
    assert decided.reason == PORTAL_KEPT


def test_the_sis_catching_up_settles_the_change():
    decided = reconcile(CHANGE, "new@example.org")
    assert (decided.value, decided.settles, decided.reason) == ("new@example.org", True, CAUGHT_UP)


def test_a_third_value_wins():
    decided = reconcile(CHANGE, "third@example.org")
    assert (decided.value, decided.settles, decided.reason) == ("third@example.org", True, SIS_NEWER)


def test_a_newer_sis_modification_wins_even_with_the_old_value():
    decided = reconcile(CHANGE, "old@example.org", datetime(2026, 9, 2))  # naive: read as UTC
    assert (decided.value, decided.settles, decided.reason) == ("old@example.org", True, SIS_NEWER)


def test_nothing_sent_leaves_what_is_on_file():
    for change in (None, CHANGE):
        decided = reconcile(change, None)
        assert (decided.value, decided.settles, decided.reason) == (None, False, NOTHING_SENT)


def test_a_removed_phone_stays_removed_until_the_sis_removes_it_too():
    removed = PortalChange(value="", previous="+14045550100", changed_at=CONFIRMED)
    assert reconcile(removed, "+14045550100").value == ""
    assert reconcile(removed, "").reason == CAUGHT_UP
