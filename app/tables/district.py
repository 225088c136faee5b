from piccolo.columns import Varchar
from piccolo.table import Table


class DistrictSetting(Table, tablename="district_setting"):
    """A district preference (docs/design.md §5) that differs from its default; see app/rules/preferences.py."""

    name = Varchar(length=60, unique=True)
    value = Varchar(length=255)
