from piccolo.conf.apps import AppConfig

from app.paths import MIGRATIONS_DIR
from app.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="homeroom",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
