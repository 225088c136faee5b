"""Ed-Fi documents for the import tests, written after the Data Standard 5 resource models as the ODS/API v7
serves them (`id`, `_etag`, `_lastModifiedDate`, descriptors as URIs, references by natural key), for the
Maple district of roster_files.py: Rosa Rivera (OneRoster par-rosa, Spanish-speaking) and Tom Rivera
(gua-tom) are known; Luis Ortega (contact 9001) is new; Ana (student number 1001) and Ben (1002); Oak's Math 6
(cls-math-1, classCode MA6-1) and Elm's Art (cls-art-2); Quarter 3 (gp-3) of 2025–2026.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

ED_FI = "uri://ed-fi.org/"


def d(kind: str, value: str) -> str:
    return f"{ED_FI}{kind}Descriptor#{value}"


def meta(document: dict) -> dict:
    """What the ODS/API adds to every document it returns."""
    return {"id": uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(document, sort_keys=True)).hex, **document,
            "_etag": "5250168731208835353", "_lastModifiedDate": "2026-03-02T14:12:36.0393213Z"}


def address(street: str, city: str, state: str, postal: str, kind: str = "Home", apartment: str = "") -> dict:
    found = {"addressTypeDescriptor": d("AddressType", kind), "stateAbbreviationDescriptor": d("StateAbbreviation",
             state), "city": city, "postalCode": postal, "streetNumberName": street, "nameOfCounty": "Williston",
             "periods": []}
    if apartment:
        found["apartmentRoomSuiteNumber"] = apartment
    return found


def phone(number: str, kind: str, priority: int | None = None) -> dict:
    found = {"telephoneNumberTypeDescriptor": d("TelephoneNumberType", kind), "telephoneNumber": number,
             "textMessageCapabilityIndicator": kind == "Mobile", "doNotPublishIndicator": False}
    if priority is not None:
        found["orderOfPriority"] = priority
    return found


def email(text: str, primary: bool = True, kind: str = "Home/Personal") -> dict:
    return {"electronicMailAddress": text, "electronicMailTypeDescriptor": d("ElectronicMailType", kind),
            "primaryEmailAddressIndicator": primary, "doNotPublishIndicator": False}


def language(code: str, use: str = "Home language") -> dict:
    return {"languageDescriptor": d("Language", code), "uses": [{"languageUseDescriptor": d("LanguageUse", use)}]}


def contact(unique_id: str, first: str, last: str, **extra) -> dict:
    return meta({"contactUniqueId": unique_id, "firstName": first, "lastSurname": last,
                 "sexDescriptor": d("Sex", "Female"), **extra})


ROSA_HOME = address("12 Elm Street", "Maple", "GA", "30301", apartment="4B")

CONTACTS = [
    contact("par-rosa", "Rosa", "Rivera", addresses=[address("PO Box 9", "Maple", "GA", "30302", kind="Mailing"),
                                                    ROSA_HOME],
            telephones=[phone("(404) 555-0101", "Mobile", 1), phone("404-555-0102", "Home", 2),
                        phone("404 555 0199", "Fax")],
            electronicMails=[email("rosa.work@example.org", False, "Work"), email("Rosa.Rivera@Example.ORG")],
            languages=[language("eng", "Other"), language("spa")]),
    contact("gua-tom", "Tom", "Rivera", addresses=[ROSA_HOME], telephones=[phone("+1 404 555 0111", "Work")],
            electronicMails=[], languages=[language("eng")]),
    contact("9001", "Luis", "Ortega", addresses=[address("7 Oak Road", "Maple", "GA", "303011234")],
            telephones=[phone("404-555-0133", "Mobile")], electronicMails=[email("luis@example.org")],
            languages=[language("spa")]),
]


def association(contact_id: str, student_number: str, relation: str, **flags) -> dict:
    return meta({"contactReference": {"contactUniqueId": contact_id, "link": {"rel": "Contact",
                                                                              "href": f"/ed-fi/contacts/{contact_id}"}},
                 "studentReference": {"studentUniqueId": student_number},
                 "relationDescriptor": d("Relation", relation), "emergencyContactStatus": True, **flags})


ASSOCIATIONS = [
    association("par-rosa", "1001", "Mother", primaryContactStatus=True, livesWith=True, legalGuardian=True,
                contactPriority=1),
    association("par-rosa", "1002", "Mother", primaryContactStatus=True, livesWith=True, legalGuardian=True),
    association("gua-tom", "1002", "Father", livesWith=True, legalGuardian=True),
    association("9001", "1001", "Uncle", primaryContactStatus=False, livesWith=False, legalGuardian=False,
                contactPriority=3),
]

STUDENTS = [meta({"studentUniqueId": "1001", "firstName": "Ana", "lastSurname": "Rivera",
                  "birthDate": "2014-05-02"}),
            meta({"studentUniqueId": "stu-ben", "firstName": "Ben", "lastSurname": "Rivera",
                  "birthDate": "2017-09-12"})]


def section_ref(identifier: str, school: str, code: str) -> dict:
    return {"localCourseCode": code, "schoolId": school, "schoolYear": 2026, "sectionIdentifier": identifier,
            "sessionName": "2025-2026 Spring Semester"}


SECTIONS = [meta({"sectionIdentifier": "cls-math-1", "courseOfferingReference": {
    "localCourseCode": "MA6", "schoolId": "sch-oak", "schoolYear": 2026, "sessionName": "2025-2026 Spring Semester"},
                  "sequenceOfCourse": 1, "availableCreditTypeDescriptor": d("CreditType", "Carnegie unit")}),
            meta({"sectionIdentifier": "ART-2", "courseOfferingReference": {
                "localCourseCode": "ART", "schoolId": "sch-elm", "schoolYear": 2026,
                "sessionName": "2025-2026 Spring Semester"}})]

GRADING_PERIODS = [meta({"gradingPeriodDescriptor": d("GradingPeriod", "Third Nine Weeks"), "periodSequence": 3,
                         "schoolReference": {"schoolId": "sch-oak"}, "schoolYearTypeReference": {"schoolYear": 2026},
                         "beginDate": "2026-01-05", "endDate": "2026-03-31", "totalInstructionalDays": 58}),
                   meta({"gradingPeriodDescriptor": d("GradingPeriod", "Quarter 3"), "periodSequence": 3,
                         "schoolReference": {"schoolId": "sch-elm"}, "schoolYearTypeReference": {"schoolYear": 2026},
                         "beginDate": "2026-01-06", "endDate": "2026-03-30"})]


def grade(student: str, section: str, school: str, code: str, period: str, letter: str | None,
          numeric: float | None, kind: str = "Grading Period") -> dict:
    found = {"gradeTypeDescriptor": d("GradeType", kind),
             "gradingPeriodReference": {"schoolId": school, "schoolYear": 2026, "gradingPeriodDescriptor":
                                        d("GradingPeriod", period), "periodSequence": 3},
             "studentSectionAssociationReference": {"beginDate": "2025-08-20", **section_ref(section, school, code),
                                                    "studentUniqueId": student}}
    if letter is not None:
        found["letterGradeEarned"] = letter
    if numeric is not None:
        found["numericGradeEarned"] = numeric
    return meta(found)


GRADES = [grade("1001", "cls-math-1", "sch-oak", "MA6", "Third Nine Weeks", "B+", 88.5),
          grade("1002", "ART-2", "sch-elm", "ART", "Quarter 3", "A", None),
          grade("1001", "cls-math-1", "sch-oak", "MA6", "Third Nine Weeks", "B", 86, kind="Semester")]


def school_event(student: str, school: str, day: str, category: str, reason: str = "") -> dict:
    found = {"attendanceEventCategoryDescriptor": d("AttendanceEventCategory", category), "eventDate": day,
             "schoolReference": {"schoolId": school},
             "sessionReference": {"schoolId": school, "schoolYear": 2026, "sessionName": "2025-2026 Spring Semester"},
             "studentReference": {"studentUniqueId": student}, "eventDuration": 1.0}
    if reason:
        found["attendanceEventReason"] = reason
    return meta(found)


def section_event(student: str, section: str, school: str, code: str, day: str, category: str,
                  period: str = "") -> dict:
    found = {"attendanceEventCategoryDescriptor": d("AttendanceEventCategory", category), "eventDate": day,
             "sectionReference": section_ref(section, school, code), "studentReference": {"studentUniqueId": student}}
    if period:
        found["classPeriods"] = [{"classPeriodReference": {"classPeriodName": period, "schoolId": school}}]
    return meta(found)


SCHOOL_EVENTS = [school_event("1001", "sch-oak", "2026-03-09", "Excused Absence", "Doctor appointment"),
                 school_event("stu-ben", "sch-elm", "2026-03-09", "In Attendance"),
                 school_event("1002", "sch-elm", "2026-03-06", "Tardy", "Bus late")]
SECTION_EVENTS = [section_event("1001", "cls-math-1", "sch-oak", "MA6", "2026-03-06", "Tardy", "1"),
                  section_event("1002", "ART-2", "sch-elm", "ART", "2026-03-05", "Unexcused Absence")]


def full_set() -> dict[str, list]:
    return {"students": STUDENTS, "sections": SECTIONS, "gradingPeriods": GRADING_PERIODS, "contacts": CONTACTS,
            "studentContactAssociations": ASSOCIATIONS, "grades": GRADES,
            "studentSchoolAttendanceEvents": SCHOOL_EVENTS, "studentSectionAttendanceEvents": SECTION_EVENTS}


def write_edfi(folder: Path, resources: dict[str, list], *, split: dict[str, int] | None = None) -> Path:
    """One file per resource (`contacts.json`), or `split` pages of one resource (`contacts-1.json`, ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, documents in resources.items():
        parts = (split or {}).get(name)
        if parts:
            size = -(-len(documents) // parts)
            for n in range(parts):
                (folder / f"{name}-{n + 1}.json").write_text(json.dumps(documents[n * size:(n + 1) * size]),
                                                             encoding="utf-8")
        else:
            (folder / f"{name}.json").write_text(json.dumps(documents, indent=1), encoding="utf-8")
    return folder
