"""Piccolo's conventional root file: the engine comes from DATABASE_URL (see app/database.py)."""

from piccolo.conf.apps import AppRegistry

from app.database import build_engine
from app.settings import get_settings

DB = build_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["app.piccolo_app"])
