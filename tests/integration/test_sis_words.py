"""The district's words for SIS values a parent reads inside sentences (issue 13 item 10): term names and
absence reasons, per language, from `homeroom import translations FILE`; the SIS value when there is none."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.integration.portal import page_text
from tests.integration.test_records import rosa, school_year, student_url, terms  # noqa: F401


def homeroom(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120)


async def translations() -> set[tuple]:
    from app.tables import SisTranslation

    return {(r["kind"], r["sis_value"], r["language"], r["text"]) for r in await SisTranslation.select()}


async def test_the_import_takes_a_spreadsheets_csv_and_is_all_or_nothing(district, tmp_path):
    from app.tables import AuditEvent

    bad = tmp_path / "bad.csv"
    bad.write_text("kind,sis_value,language,text\n"
                   "term,Quarter 1,es,Primer trimestre\n"
                   "grade,A,es,Sobresaliente\n"
                   "term,Quarter 2,de,Zweites Quartal\n"
                   "absence-reason,Illness,es,\n"
                   "term, quarter 1 ,es,Otra vez\n", encoding="utf-8")
    run = homeroom("import", "translations", str(bad))
    assert run.returncode == 1, run.stdout + run.stderr
    for where in ("line 3, column kind", "line 4, column language: 'de' is not a language the portal offers",
                  "line 5, column text", "line 6, column sis_value"):
        assert where in run.stderr, run.stderr
    assert await translations() == set()

    good = tmp_path / "good.csv"  # a BOM, headers in another case, blank rows a spreadsheet leaves at the end
    good.write_text("\ufeffKind,SIS Value,Language,Text\r\n"
                    "term,Quarter 1,es,Primer trimestre\r\n"
                    "absence-reason,Illness,es-MX,Enfermedad\r\n"  # as OneRoster sends a language
                    "absence-reason,Dentist,Spanish,Dentista\r\n"
                    ",,,\r\n\r\n", encoding="utf-8")
    run = homeroom("import", "translations", str(good))
    assert run.returncode == 0, run.stderr
    assert "translations added: 3" in run.stdout
    assert await translations() == {("term", "Quarter 1", "es", "Primer trimestre"),
                                    ("absence-reason", "Illness", "es", "Enfermedad"),
                                    ("absence-reason", "Dentist", "es", "Dentista")}
    again = homeroom("import", "translations", str(good))
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    changed = tmp_path / "changed.csv"
    changed.write_text("kind,sis_value,language,text\nterm,quarter 1,es,1.er trimestre\n", encoding="utf-8")
    assert "translations changed: 1" in homeroom("import", "translations", str(changed)).stdout
    assert ("term", "Quarter 1", "es", "1.er trimestre") in await translations()
    audited = [e["detail"] for e in await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "command-line")]
    assert sum("homeroom import translations" in d for d in audited) == 4


async def test_a_spanish_parent_reads_the_districts_words_and_an_english_one_the_sis_value(rosa, district):  # noqa: F811
    from app.services import sis_words
    from app.tables import AttendanceEvent, UserAccount

    ana = district.students["ana"]
    quarter = (await terms())["Quarter 1"]
    event = await AttendanceEvent.select(AttendanceEvent.id).where(
        (AttendanceEvent.student == ana.id) & (AttendanceEvent.period == "")
        & (AttendanceEvent.event_date >= quarter["start_date"])
        & (AttendanceEvent.event_date <= quarter["end_date"])).first()
    await AttendanceEvent.update({AttendanceEvent.category: "excused-absence",
                                  AttendanceEvent.reason: "Excused Illness"}).where(AttendanceEvent.id == event["id"])
    await sis_words.replace_translations([("term", "Quarter 1", "es", "Primer trimestre"),
                                          ("absence-reason", "excused illness", "es", "Enfermedad (justificada)")])
    attendance = student_url(district, "ana", "attendance") + f"?term={quarter['source_id']}"
    english = page_text((await rosa.get(attendance)).text)
    assert "Totals in Quarter 1" in english and "Excused Illness" in english
    assert "Primer trimestre" not in english and "Enfermedad" not in english

    await UserAccount.update({UserAccount.language: "es"}).where(UserAccount.username == "rosa")
    spanish = page_text((await rosa.get(attendance)).text)
    assert "Primer trimestre" in spanish and "Enfermedad (justificada)" in spanish
    assert "Quarter 1" not in spanish and "Excused Illness" not in spanish
    grades = page_text((await rosa.get(student_url(district, "ana", "grades") + f"?term={quarter['source_id']}")).text)
    assert "Primer trimestre" in grades and "Quarter 2" in grades  # a term with no row reads as the SIS sent it


def test_a_lookup_touches_no_database_and_falls_back_to_the_sis_value():
    from app import i18n
    from app.services import sis_words

    sis_words.forget()
    assert sis_words.sis_word("term", "Q1", "es") == "Q1"
    sis_words._words[("term", "q1", "es")] = "Primer trimestre"
    try:
        with i18n.using_language("es"):
            assert sis_words.sis_word("term", " Q1") == "Primer trimestre"
            assert sis_words.sis_word("absence-reason", "Q1") == "Q1"  # kinds are kept apart
        assert sis_words.sis_word("term", "Q1") == "Q1"  # English has no row
        assert sis_words.sis_word("term", "") == "" and sis_words.sis_word("term", None) == ""
    finally:
        sis_words.forget()


@pytest.mark.parametrize("header", ["kind,language,text\n", "", "\n"])
async def test_a_file_without_the_columns_changes_nothing(district, tmp_path, header):
    path = tmp_path / "t.csv"
    path.write_text(header, encoding="utf-8")
    run = homeroom("import", "translations", str(path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert await translations() == set()
