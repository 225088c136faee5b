"""Where the portal's own files are: templates, static files, migrations and catalogs (issue 15 item 1).

They are resolved from the package, never from the working directory, so `homeroom` works from any folder.
`app/_assets/` holds links to the checkout's top-level `templates/`, `static/` and `piccolo_migrations/`; a
built wheel carries copies of the files behind them in the same place. Data (the database, `.env`, the demo's
secrets file) belongs to the working directory, never to the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "_assets"

TEMPLATES_DIR = ASSETS_DIR / "templates"
STATIC_DIR = ASSETS_DIR / "static"
MIGRATIONS_DIR = ASSETS_DIR / "piccolo_migrations"
LOCALE_DIR = PACKAGE_DIR / "locale"
