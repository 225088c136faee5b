"""Whose X-Forwarded-For is believed and which Host headers are answered are the district's list, never "*" nor
a word uvicorn or Litestar would read as something else (an IT lead's find, issue 15): one line, exit 3."""

from __future__ import annotations

import pytest

from app.settings import SettingsError, load_settings, postgres_location, serving_summary

SETTINGS = {"HOMEROOM_ENV": "demo", "HOMEROOM_SECRET_KEY": "k" * 40, "HOMEROOM_SSN_PEPPER": "p" * 40}


def test_trusted_proxies_are_addresses_or_networks():
    settings = load_settings({**SETTINGS, "HOMEROOM_TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.7 ,2001:db8::1,"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.0.2.7", "2001:db8::1")
    assert load_settings(SETTINGS).trusted_proxies == ("127.0.0.1",)
    summary = serving_summary(settings, host="127.0.0.1", port=8000, workers=1)[0]
    assert summary.endswith("X-Forwarded-For believed from 10.0.0.0/8, 192.0.2.7, 2001:db8::1")


@pytest.mark.parametrize("value", ["*", "10.0.0.0/8,foo", "192.0.2.300", "proxy.example.org"])
def test_anything_else_is_refused_by_name(value):
    with pytest.raises(SettingsError, match="HOMEROOM_TRUSTED_PROXIES takes IP addresses or networks"):
        load_settings({**SETTINGS, "HOMEROOM_TRUSTED_PROXIES": value})


def test_every_host_is_not_a_host():
    with pytest.raises(SettingsError, match="HOMEROOM_ALLOWED_HOSTS must name the portal's hosts"):
        load_settings({**SETTINGS, "HOMEROOM_ALLOWED_HOSTS": "parents.example.org, *"})
    assert "parents.example.org" in load_settings({**SETTINGS, "HOMEROOM_ALLOWED_HOSTS": "parents.example.org"}).allowed_hosts


@pytest.mark.parametrize(("url", "said"), [
    ("postgresql://homeroom:secret@db.example.org:6432/portal", "PostgreSQL database portal at db.example.org:6432;"),
    ("postgresql://homeroom@/portal?host=/var/run/postgresql",
     "PostgreSQL database portal through the Unix socket in /var/run/postgresql;"),
    ("postgresql:///portal", "PostgreSQL database portal through the Unix socket in the usual folder;"),
    # As asyncpg reads it (an attacker's finds): ?host= only when the URL names no host, the last one, and a host
    # that is no folder is TCP; a line break in the URL never starts a second log line.
    ("postgresql://u@/portal?host=127.0.0.1", "PostgreSQL database portal at 127.0.0.1:5432;"),
    ("postgresql://u@localhost/portal?host=/nowhere", "PostgreSQL database portal at localhost:5432;"),
    ("postgresql://u@/portal?host=/nowhere&host=/var/run/postgresql",
     "PostgreSQL database portal through the Unix socket in /var/run/postgresql;"),
    ("postgresql://u@127.0.0.1/portal?host=/x%0A2026-12-01 INFO forged", "PostgreSQL database portal at 127.0.0.1:5432;"),
    ("postgresql://u@/portal?host=/x%0A2026-12-01 INFO forged",
     "PostgreSQL database portal through the Unix socket in /x 2026-12-01 INFO forged;"),
])
def test_the_start_up_line_says_how_postgresql_is_reached_and_never_the_password(url, said):
    summary = serving_summary(load_settings({**SETTINGS, "DATABASE_URL": url}), host="127.0.0.1", port=8000,
                              workers=1)[0]
    assert said in summary and "secret" not in summary


@pytest.mark.parametrize("url", ["postgresql://homeroom:Tr0ub4dor/3@db.example.org:5432/district",
                                 "postgresql://homeroom:Tr0ub?4dor3@db.example.org:5432/district",
                                 "postgresql://homeroom:Tr0ub#4dor3@db.example.org:5432/district",
                                 # an IT lead's find: "@" gave "Name or service not known" (exit 4)
                                 "postgresql://homeroom:Tr0ub@4dor3@db.example.org:5432/district"])
def test_a_url_whose_password_is_not_percent_encoded_is_refused_without_quoting_it(url):
    """The driver's own error quoted a piece of the password on every command (an attacker's find)."""
    with pytest.raises(SettingsError) as refused:
        load_settings({**SETTINGS, "DATABASE_URL": url})
    assert "percent-encoded" in str(refused.value) and "Tr0ub" not in str(refused.value)
    encoded = load_settings({**SETTINGS, "DATABASE_URL": "postgresql://homeroom:Tr0ub%2F4dor@db.example.org/district"})
    assert encoded.uses_postgres


def test_pghost_is_read_as_asyncpg_reads_it():
    settings = load_settings({**SETTINGS, "DATABASE_URL": "postgresql://u@/portal"})
    assert postgres_location(settings.database_url, "127.0.0.1") == "database portal at 127.0.0.1:5432"
    assert postgres_location(settings.database_url, "/run/pg") == "database portal through the Unix socket in /run/pg"
