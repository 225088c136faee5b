"""People and the relationships between them. Identifiers follow OneRoster `sourcedId` (docs/design.md §6)."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Text, Varchar
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from app.rules.grade_levels import GRADE_LENGTH


class School(Table, tablename="school"):
    source_id = Varchar(length=255, unique=True)
    name = Varchar(length=255)
    status = Varchar(length=20, default="active")
    identifier = Varchar(length=255, default="", index=True)  # OneRoster orgs.csv identifier (an Ed-Fi schoolId)


class Person(Table, tablename="person"):
    """A student, guardian or teacher, as the SIS knows them."""

    source_id = Varchar(length=255, unique=True)
    public_id = UUID(default=UUID4(), unique=True)  # what URLs carry: never sequential, never derived from the SSN
    kind = Varchar(length=20, index=True)  # student | guardian | teacher
    given_name = Varchar(length=255)
    family_name = Varchar(length=255)
    # The given and family name folded for staff searches (app/rules/names.py person_name_key: case, accents,
    # apostrophes, hyphens and spaces): written with the names by every writer of them. Not indexed: a search
    # matches anywhere in it (LIKE '%...%'), which no B-tree index serves.
    name_key = Text(default="")
    email = Varchar(length=320, null=True, default=None, index=True)  # on file, lower-cased
    student_number = Varchar(length=64, null=True, default=None, unique=True)
    birth_date = Date(null=True, default=None)
    # HMAC-SHA-256(pepper, 9 SSN digits), hex; never the SSN itself. Empty when the SIS sent none.
    ssn_hash = Varchar(length=64, null=True, default=None, secret=True)
    ssn_last4_hash = Varchar(length=64, null=True, default=None, secret=True)
    status = Varchar(length=20, default="active")
    # The language the SIS records for a guardian (ISO 639-1, lower-case, e.g. "es"); None when it sent none.
    # Used for letters and emails until the guardian has an account (app/rules/languages.py).
    language = Varchar(length=10, null=True, default=None)
    # OneRoster users.csv `identifier` as sent, any kind ("" none): an Ed-Fi contactUniqueId may be a guardian's.
    identifier = Varchar(length=255, default="", index=True)
    # Which import brought this person: "oneroster" (also the demo's and every row from before sources were
    # kept) or "edfi" (a contact no OneRoster user is). A OneRoster bulk file makes inactive only its own;
    # when OneRoster lists an Ed-Fi person it takes them over (README "Two sources").
    source = Varchar(length=20, default="oneroster")


class SchoolEnrollment(Table, tablename="school_enrollment"):
    student = ForeignKey(references=Person, index=True)
    school = ForeignKey(references=School, index=True)
    grade = Varchar(length=GRADE_LENGTH, default="")  # as the SIS sent it; shown by app/rules/grade_levels.py
    status = Varchar(length=20, default="active")  # active | inactive


class GuardianLink(Table, tablename="guardian_link"):
    """A guardian's relationship with a student. Portal access needs both flags."""

    guardian = ForeignKey(references=Person, index=True)
    student = ForeignKey(references=Person, index=True)
    relationship = Varchar(length=40, default="guardian")
    is_guardian = Boolean(default=True)
    portal_access = Boolean(default=True)
    # Ed-Fi studentContactAssociations primaryContactStatus and livesWith; None: no source has said.
    primary_contact = Boolean(null=True, default=None)
    lives_with = Boolean(null=True, default=None)
    # Which import made this link: "oneroster" (also the demo's and older rows) or "edfi"; as Person.source.
    source = Varchar(length=20, default="oneroster")
