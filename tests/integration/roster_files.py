"""OneRoster CSV sets written for the import tests: the Maple district in OneRoster 1.1 and 1.2.

Maple: a district org, Elm Elementary and Oak Middle; the 2025–2026 school year with its spring semester
and third grading period (which contains the suite's clock, 10 March 2026); Ana (Oak, grade 6) and Ben
(Elm, grade 3) Rivera; their mother Rosa (parent), their grandmother (relative, Ana only), Tom Rivera
(guardian, Ben only); Mr Lee who teaches math at Oak and art at Elm; an administrator who is skipped.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

USERS_11 = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
            "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
            "agentSourcedIds", "grades", "password"]
USERS_12 = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
            "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
            "password", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
            "primaryOrgSourcedId", "pronouns"]

ORGS = [["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
        ["dist-maple", "", "", "Maple School District", "district", "", ""],
        ["sch-elm", "", "", "Elm Elementary", "school", "", "dist-maple"],
        ["sch-oak", "", "", "Oak Middle School", "school", "", "dist-maple"]]
SESSIONS = [["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId",
             "schoolYear"],
            ["gp-3", "", "", "Quarter 3", "gradingPeriod", "2026-01-05", "2026-03-31", "sem-2", "2026"],
            ["sem-2", "", "", "Spring Semester", "semester", "2026-01-05", "2026-06-30", "yr-2026", "2026"],
            ["yr-2026", "", "", "2025-2026", "schoolYear", "2025-08-01", "2026-06-30", "", "2026"]]
COURSES = [["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
            "orgSourcedId", "subjects", "subjectCodes"],
           ["crs-math6", "", "", "yr-2026", "Math 6", "MA6", "06", "sch-oak", "", ""],
           ["crs-art", "", "", "yr-2026", "Art", "ART", "03", "sch-elm", "", ""]]
CLASSES = [["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
            "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"],
           ["cls-math-1", "", "", "Math 6 - Period 1", "06", "crs-math6", "MA6-1", "scheduled", "Room 101",
            "sch-oak", "gp-3,sem-2", "", "", "1"],
           ["cls-art-2", "", "", "Art - Period 2", "03", "crs-art", "ART-2", "scheduled", "Studio", "sch-elm",
            "gp-3", "", "", "2"]]
ENROLLMENTS = [["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
                "role", "primary", "beginDate", "endDate"],
               ["enr-1", "", "", "cls-math-1", "sch-oak", "tch-lee", "teacher", "true", "", ""],
               ["enr-2", "", "", "cls-math-1", "sch-oak", "stu-ana", "student", "false", "2025-08-20", ""],
               ["enr-3", "", "", "cls-art-2", "sch-elm", "stu-ben", "student", "", "", ""],
               ["enr-4", "", "", "cls-art-2", "sch-elm", "tch-lee", "teacher", "TRUE", "", ""]]
DEMOGRAPHICS = [["sourcedId", "status", "dateLastModified", "birthDate", "sex"],
                ["stu-ana", "", "", "2014-05-02", "female"],
                ["stu-ben", "", "", "2017-09-12", "male"]]
CATEGORIES = [["sourcedId", "status", "dateLastModified", "title"], ["cat-hw", "", "", "Homework"]]
LINE_ITEMS_11 = [["sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate",
                  "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId", "resultValueMin", "resultValueMax"],
                 ["li-1", "", "", "Fractions quiz", "", "2026-03-01", "2026-03-05", "cls-math-1", "cat-hw", "gp-3",
                  "0", "20"]]
RESULTS_11 = [["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus",
               "score", "scoreDate", "comment"],
              ["res-1", "", "", "li-1", "stu-ana", "fully graded", "18", "2026-03-06", "Nice work"]]

# (sourcedId, role, orgs, given, family, identifier, email, agents, grades)
PEOPLE = [
    ("stu-ana", "student", "dist-maple,sch-oak", "Ana", "Rivera", "1001", "", "par-rosa,rel-gran", "06"),
    ("stu-ben", "student", "sch-elm", "Ben", "Rivera", "1002", "", "par-rosa", "03"),
    ("par-rosa", "parent", "dist-maple", "Rosa", "Rivera", "", "Rosa.Rivera@Example.ORG", "stu-ana,stu-ben", ""),
    ("rel-gran", "relative", "dist-maple", "Gloria", "Rivera", "", "gloria@example.org", "", ""),
    ("gua-tom", "guardian", "dist-maple", "Tom", "Rivera", "", "tom@example.org", "stu-ben", ""),
    ("tch-lee", "teacher", "sch-oak,sch-elm", "Daniel", "Lee", "T-77", "LEE@school.example", "", ""),
    ("adm-kay", "administrator", "dist-maple", "Kay", "Stone", "", "kay@school.example", "", ""),
]


def users_11(people=PEOPLE, status: str = "") -> list[list[str]]:
    rows = [USERS_11]
    for sid, role, orgs, given, family, identifier, email, agents, grades in people:
        rows.append([sid, status, "", "true", orgs, role, sid, "", given, family, "", identifier, email, "", "",
                     agents, grades, ""])
    return rows


def users_12(people=PEOPLE) -> tuple[list[list[str]], list[list[str]]]:
    """users.csv and roles.csv (1.2: the role and org move to roles.csv)."""
    users, roles = [USERS_12], [["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
                                 "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"]]
    for sid, role, orgs, given, family, identifier, email, agents, grades in people:
        org_list = orgs.split(",")
        users.append([sid, "", "", "true", sid, "", given, family, "", identifier, email, "", "", agents, grades, "",
                      "", "", "", "", org_list[-1], ""])
        for n, org in enumerate(org_list):
            roles.append([f"role-{sid}-{n}", "", "", sid, "primary" if n == 0 else "secondary", role, "", "", org, ""])
    return users, roles


def manifest(version: str, modes: dict[str, str]) -> list[list[str]]:
    rows = [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", version]]
    names = ["academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
             "demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users"]
    if version == "1.2":
        names.append("roles")
    rows += [[f"file.{name}", modes.get(name, "absent")] for name in names]
    rows += [["source.systemName", "Tests"], ["source.systemCode", "tests"]]
    return rows


def full_set_11() -> dict[str, list[list[str]]]:
    files = {"orgs": ORGS, "academicSessions": SESSIONS, "courses": COURSES, "classes": CLASSES,
             "users": users_11(), "enrollments": ENROLLMENTS, "demographics": DEMOGRAPHICS,
             "categories": CATEGORIES, "lineItems": LINE_ITEMS_11, "results": RESULTS_11}
    return {"manifest": manifest("1.1", {name: "bulk" for name in files}), **files}


def full_set_12() -> dict[str, list[list[str]]]:
    users, roles = users_12()
    line_items = [[c if c != "gradingPeriodSourcedId" else "academicSessionSourcedId" for c in LINE_ITEMS_11[0]]
                  + ["schoolSourcedId"], LINE_ITEMS_11[1] + ["sch-oak"]]
    results = [RESULTS_11[0] + ["textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing"],
               RESULTS_11[1] + ["", "cls-math-1", "false", "false", "true", "false"]]
    files = {"orgs": ORGS, "academicSessions": SESSIONS, "courses": COURSES, "classes": CLASSES, "users": users,
             "roles": roles, "enrollments": ENROLLMENTS, "demographics": DEMOGRAPHICS, "categories": CATEGORIES,
             "lineItems": line_items, "results": results}
    return {"manifest": manifest("1.2", {name: "bulk" for name in files}), **files}


def write_set(folder: Path, files: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return folder


def zip_set(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return target


async def dump_tables() -> dict[str, list[dict]]:
    """Every row of every table an import writes, in id order: two dumps equal means nothing changed."""
    from app.tables import (
        AcademicSession,
        AttendanceEvent,
        Course,
        GuardianLink,
        LineItem,
        Person,
        Result,
        School,
        SchoolEnrollment,
        Section,
        SectionEnrollment,
        SectionTerm,
    )

    tables = [School, Person, SchoolEnrollment, GuardianLink, AcademicSession, Course, Section, SectionTerm,
              SectionEnrollment, LineItem, Result, AttendanceEvent]
    return {t._meta.tablename: await t.select().order_by(t.id) for t in tables}
