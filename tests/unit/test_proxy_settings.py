"""Whose X-Forwarded-For is believed and which Host headers are answered are the district's list, never "*" nor
a word uvicorn or Litestar would read as something else (an IT lead's find, issue 15): one line, exit 3."""

from __future__ import annotations

import pytest

from app.settings import SettingsError, load_settings, serving_summary

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
    ("postgresql:///portal", "PostgreSQL database portal through the Unix socket in the default folder;"),
])
def test_the_start_up_line_says_how_postgresql_is_reached_and_never_the_password(url, said):
    summary = serving_summary(load_settings({**SETTINGS, "DATABASE_URL": url}), host="127.0.0.1", port=8000,
                              workers=1)[0]
    assert said in summary and "secret" not in summary
