import pytest

from app.rules.preferences import DistrictPreferences, PreferenceError, parse_preference, preferences_from_rows


def test_defaults_follow_the_district_page():
    prefs = DistrictPreferences()
    assert prefs.password_min_length == 6 and prefs.strong_password is False
    assert prefs.username_reminders_per_day == 5 and prefs.username_lock_scope == "account"
    assert prefs.key_lifetime_days == 30


@pytest.mark.parametrize("name,text,value", [
    ("strong_password", "on", True),
    ("strong_password", "OFF", False),
    ("password_min_length", "12", 12),
    ("username_lock_scope", "recovery-only", "recovery-only"),
    ("ssn_mode", "last4", "last4"),
    ("time_zone", "America/Chicago", "America/Chicago"),
    ("help_phone", "(404) 802-1000", "+14048021000"),
    ("help_phone", "(512) 555-0100 ext. 4", "+15125550100;ext=4"),  # an IT lead's find: the extension was dropped
    ("help_phone", "512-555-0100 x204", "+15125550100;ext=204"),
    ("district_name", "  Springfield   Public Schools ", "Springfield Public Schools"),
])
def test_values_are_parsed(name, text, value):
    assert parse_preference(name, text) == value


@pytest.mark.parametrize("name,text", [
    ("password_min_length", "5"),
    ("password_min_length", "65"),
    ("password_min_length", "six"),
    ("strong_password", "maybe"),
    ("username_lock_scope", "everything"),
    ("time_zone", "Mars/Olympus"),
    ("help_phone", "12"),
    ("district_name", ""),
    ("no_such_preference", "1"),
])
def test_bad_values_are_refused_with_a_message(name, text):
    with pytest.raises(PreferenceError) as refused:
        parse_preference(name, text)
    assert str(refused.value)


def test_stored_rows_override_defaults_and_bad_rows_fall_back():
    prefs = preferences_from_rows({"strong_password": "on", "password_min_length": "nonsense", "unknown": "x"})
    assert prefs.strong_password is True and prefs.password_min_length == 6


def test_a_name_on_every_page_has_no_direction_override_nor_line_break():
    """An attacker's find (issue 13): `homeroom settings set district_name` took U+202E, which turned every page's
    header around."""
    from app.rules.preferences import parse_preference

    assert parse_preference("district_name", "Homeroom \u202eDemo\n District\x85") == "Homeroom Demo District"
    assert parse_preference("portal_name", "بوابة \u2067Campus") == "بوابة Campus"


def test_a_help_phone_with_an_extension_reads_and_links_with_it():
    from app.templating import phone_for_reading, phone_link

    assert phone_for_reading("+15125550100;ext=4") == "(512) 555-0100 ext. 4"
    assert str(phone_link("+15125550100;ext=4")) == '<a href="tel:+15125550100;ext=4">(512) 555-0100 ext. 4</a>'
