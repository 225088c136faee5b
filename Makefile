# Two commands a newcomer needs (README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: lint messages demo test test-sqlite test-postgres test-browser install install-test system-deps postgres bench clean

$(BIN)/homeroom: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(BIN)/homeroom

install: $(BIN)/homeroom

## Run the demo district: embedded SQLite, demo data, dev mailbox, on http://127.0.0.1:8000
demo: install
	$(BIN)/homeroom demo
	$(BIN)/homeroom serve

## Run every test suite: rules, integration on SQLite and on PostgreSQL, browser walk in Chromium.
## The three suites share nothing (each has its own database, mail server and ports), so they run side by side;
## each suite's output is printed whole when it ends.
test: install system-deps postgres lint
	$(MAKE) -j3 --output-sync=target test-sqlite test-postgres test-browser

## Pyflakes' checks (undefined names, unused imports and variables, redefinitions): seconds, before the suites.
lint:
	$(BIN)/ruff check --select F app tests bench

# Each integration pass runs in 3 worker processes (pytest-xdist), a test file to a worker (its module-scoped
# fixtures stay shared): most of a test's time is spent waiting (on the database's commits, subprocesses, mail
# servers, timers), so three at a time fill the two cores that one at a time left half idle. Each worker has
# its own SQLite file or PostgreSQL database (test_gw0, test_gw1, test_gw2) and SMTP port (tests/conftest.py).
XDIST := -n 3 --dist loadfile

test-sqlite:
	$(BIN)/pytest tests/unit tests/integration -q -p no:cacheprovider $(XDIST)

test-postgres:
	DATABASE_URL=$(PG_URL) $(BIN)/pytest tests/integration -q -p no:cacheprovider $(XDIST)

test-browser:
	$(BIN)/pytest tests/browser -q -p no:cacheprovider

# Debian's Chromium headless shell for the browser suite (never `playwright install`: it downloads a browser).
# The headless shell is the browser Playwright itself runs headless; the full `chromium` in headless mode made
# the whole browser suite cost 896 s of CPU instead of 402 s (tests/browser/conftest.py falls back to it).
system-deps:
	@command -v chromium-headless-shell >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; }

# Start the machine's PostgreSQL if it is installed but stopped.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

bench: install
	$(BIN)/python -m bench.records --reuse

clean:
	rm -rf $(VENV) homeroom.sqlite3* .homeroom-secrets

# Translations: extract every marked string, then update each language's catalog (app/locale/<lang>/...).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _said -k _counted:1,2 --no-location -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --no-fuzzy-matching
