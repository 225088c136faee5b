from piccolo.columns import Varchar
from piccolo.table import Table


class DistrictSetting(Table, tablename="district_setting"):
    """A district preference (docs/design.md §5) that differs from its default; see app/rules/preferences.py."""

    name = Varchar(length=60, unique=True)
    value = Varchar(length=255)


class SisTranslation(Table, tablename="sis_translation"):
    """What a parent reads for a value that comes from the SIS (issue 13 item 10), in one language: a term's
    name ("Q1" -> "First quarter", "Primer trimestre") or an absence reason ("Excused Illness" ->
    "Enfermedad, justificada"). Filled by the district (`homeroom import translations FILE`); a value with no
    row is shown as the SIS sends it. See app/services/sis_words.py."""

    kind = Varchar(length=20)  # "term", "absence-reason" or "relationship" (app.services.sis_words.KINDS)
    sis_value = Varchar(length=200)
    language = Varchar(length=8)
    text = Varchar(length=200)
