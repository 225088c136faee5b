"""`homeroom import translations FILE`: the district's words for SIS values a parent reads inside sentences
(issue 13 item 10): term names and absence reasons, per language. See app/services/sis_words.py.

The file's columns, the values allowed and an example are FORMAT below (`homeroom import translations --help`
prints it).

A row replaces the text of the same kind, value and language; rows not in the file stay. All or nothing:
any ERROR and nothing is changed.
"""

from __future__ import annotations

from pathlib import Path

from app.database import transaction
from app.i18n import available_languages
from app.rules.languages import sis_language_code
from app.importers.csv_reading import ColumnsExpected, FileFormat, read_rows, single_file
from app.importers.problems import ImportReport
from app.importers.progress import Progress
from app.services.sis_words import KINDS, _key, replace_translations

COLUMNS = ColumnsExpected(
    known=("kind", "sis_value", "language", "text"),
    required=("kind", "sis_value", "language", "text"),
    aliases=(("sis value", "sis_value"), ("value", "sis_value"), ("lang", "language"), ("translation", "text")))
LONGEST = 200
FORMAT = FileFormat(COLUMNS, {
    "kind": f"one of {', '.join(KINDS)} (term: a term's name; absence-reason: an absence reason)",
    "sis_value": f"exactly what the SIS sends (case and spaces aside), at most {LONGEST} characters",
    "language": f"a language the portal offers: {', '.join(available_languages())}",
    "text": f"what the parent reads, at most {LONGEST} characters",
}, ("kind,sis_value,language,text", "term,Q1,es,Primer trimestre", "term,Fall Semester,es,Semestre de otoño",
    "absence-reason,Excused Illness,es,Enfermedad (justificada)",
    "absence-reason,Excused Illness,en,Illness (excused)"), rows="one word per line")


async def import_translations(path: Path, *, progress: Progress | None = None) -> ImportReport:
    progress = progress or Progress()
    report = ImportReport()
    found = single_file(Path(path))
    languages = available_languages()
    rows, seen = [], {}
    with progress.stage(f"checking {found.name}") as stage:
        for row in read_rows(found, COLUMNS, report):
            stage.advance(1)
            kind, value = (row.get("kind") or "").strip().lower(), (row.get("sis_value") or "").strip()
            typed_language = (row.get("language") or "").strip()
            # As the OneRoster and Ed-Fi imports read a language: "es-MX", "spa", "Spanish" are Spanish.
            language = sis_language_code(typed_language) or typed_language.lower()
            text = " ".join((row.get("text") or "").split())
            problems = []
            if kind not in KINDS:
                problems.append(("kind", f"must be one of {', '.join(KINDS)}"))
            if not value:
                problems.append(("sis_value", "is empty"))
            elif len(value) > LONGEST:
                problems.append(("sis_value", f"is longer than {LONGEST} characters"))
            if language not in languages:
                problems.append(("language", f"'{typed_language[:40]}' is not a language the portal offers: use one "
                                             f"of {', '.join(languages)} (es-MX and Spanish are read as es)"))
            if not text:
                problems.append(("text", "is empty"))
            elif len(text) > LONGEST:
                problems.append(("text", f"is longer than {LONGEST} characters"))
            which = (kind, _key(value), language)
            if not problems and which in seen:
                problems.append(("sis_value", f"this kind, value and language are already on line {seen[which]}"))
            for column, message in problems:
                report.error(found.name, row.line, column, message)
            if not problems:
                seen[which] = row.line
                rows.append((kind, value, language, text))
    if report.has_errors:
        return report
    async with transaction():
        counts = await replace_translations(rows)
    report.counts["translations added"] = counts["added"]
    report.counts["translations changed"] = counts["changed"]
    return report
