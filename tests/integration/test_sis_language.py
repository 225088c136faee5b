"""A guardian's language from the SIS (issue 10 item 5): a OneRoster producer's language column sets
Person.language, and a key emailed before the guardian has an account is written in it."""

from __future__ import annotations

from tests.integration import leaks
from tests.integration.district import SSN
from tests.integration.roster_files import DEMOGRAPHICS, full_set_12, write_set
from tests.integration.test_import_oneroster import person, run_import
from tests.integration.test_key_request import KEY_PATTERN


def with_languages(users_language: dict[str, str], demographics_language: dict[str, str]):
    files = full_set_12()
    users = [list(row) for row in files["users"]]
    users[0].append("metadata.language")
    for row in users[1:]:
        row.append(users_language.get(row[0], ""))
    demographics = [[*DEMOGRAPHICS[0], "metadata.primaryLanguage"]]
    demographics += [[*row, demographics_language.get(row[0], "")] for row in DEMOGRAPHICS[1:]]
    demographics.append(["gua-tom", "", "", "1980-01-01", "", demographics_language.get("gua-tom", "")])
    files["users"], files["demographics"] = users, demographics
    return files


async def test_the_language_column_of_users_or_demographics_sets_person_language(clean_database, tmp_path):
    files = with_languages({"par-rosa": "spa", "rel-gran": "Klingon"}, {"gua-tom": "es-MX"})
    report = await run_import(write_set(tmp_path / "set", files))
    assert not report.has_errors, report.lines()
    assert (await person("par-rosa")).language == "es"
    assert (await person("gua-tom")).language == "es"
    assert (await person("rel-gran")).language is None
    assert any("users.csv, line 5, column language: 'Klingon' is not a language Homeroom recognises" in line
               for line in report.lines()), report.lines()
    assert not any("metadata.language" in line for line in report.lines())
    again = await run_import(write_set(tmp_path / "set", files))
    assert not any(again.counts.values()), again.counts
    # A later file without the column keeps the language on file.
    plain = full_set_12()
    assert not (await run_import(write_set(tmp_path / "plain", plain))).has_errors
    assert (await person("par-rosa")).language == "es"


async def test_a_spanish_speaking_guardians_key_email_arrives_in_spanish(portal, deliver, tmp_path):
    from app.rules.ssn import normalise_ssn, ssn_digest
    from app.settings import get_settings
    from app.tables import Person

    leaks.remember(SSN, leaks.SSN)
    files = with_languages({"par-rosa": "Spanish"}, {})
    assert not (await run_import(write_set(tmp_path / "set", files))).has_errors
    await Person.update({Person.ssn_hash: ssn_digest(get_settings().ssn_pepper, normalise_ssn(SSN))}).where(
        Person.source_id == "stu-ana")

    form = {"requester_name": "Rosa Rivera", "relationship": "mother", "email": "rosa.rivera@example.org",
            "phone": "404-802-1000", "student_number": "1001", "ssn": SSN, "birth_date": "05/02/2014"}
    response = await portal.post("/request-key", form)  # an English page
    assert response.status_code == 303
    [mail] = await deliver()
    assert mail.to == "rosa.rivera@example.org"
    assert KEY_PATTERN.search(mail.text)
    leaks.remember(KEY_PATTERN.search(mail.text).group(0), leaks.KEY)
    assert "Su clave de activación" in mail.subject, mail.subject
