"""Import benchmark (issue 5): a district-sized OneRoster 1.1 set and attendance file, imported on SQLite
and PostgreSQL; prints rows/s for the first import and for a second run of the same files (which must
change nothing).

    .venv/bin/python -m bench.import_bench                 # 100,000 students (the issue's district)
    .venv/bin/python -m bench.import_bench --scale 0.1     # a tenth of it
    .venv/bin/python -m bench.import_bench --engines sqlite
    .venv/bin/python -m bench.import_bench --imports oneroster   # only the OneRoster import

At scale 1: 100 schools, 100,000 students, 150,000 guardians, 4,000 teachers, 40,000 classes, 1,040,000
class enrollments (ten classes per student plus a teacher per class) and 10,000,000 attendance events
(100 school days of a daily event per student). The files are written by a small deterministic writer
into a temporary folder; PostgreSQL uses a database `homeroom_import_bench` (dropped and re-created).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "homeroom_import_bench")  # parallel runs: one each
ROOT = Path(__file__).parent.parent

USERS = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds",
         "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
         "grades", "password"]
GIVEN = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jade", "Kai", "Lena", "Milo", "Nia"]
FAMILY = ["Rivera", "Park", "Moss", "Nguyen", "Okafor", "Smith", "Garcia", "Khan", "Cohen", "Silva", "Baker"]


def write_csv(path: Path, header: list[str], rows) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_district(folder: Path, scale: float, seed: int = 5, *, attendance: bool = True) -> dict[str, int]:
    """The OneRoster set in folder/roster and folder/attendance.csv; returns row counts per file."""
    rng = random.Random(seed)
    roster = folder / "roster"
    roster.mkdir(parents=True)
    schools = max(2, int(100 * scale))
    students = int(100_000 * scale)
    teachers = max(10, int(4_000 * scale))
    sections = max(20, int(40_000 * scale))
    days = 100
    counts: dict[str, int] = {}

    counts["orgs"] = write_csv(roster / "orgs.csv", ["sourcedId", "status", "dateLastModified", "name", "type",
                                                     "identifier", "parentSourcedId"],
                               [["dist", "", "", "Bench District", "district", "", ""]] +
                               [[f"sch-{s}", "", "", f"School {s}", "school", "", "dist"] for s in range(schools)])
    counts["academicSessions"] = write_csv(
        roster / "academicSessions.csv",
        ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId",
         "schoolYear"],
        [["yr", "", "", "2025-2026", "schoolYear", "2025-08-01", "2026-06-30", "", "2026"],
         ["s1", "", "", "Fall", "semester", "2025-08-01", "2025-12-31", "yr", "2026"],
         ["s2", "", "", "Spring", "semester", "2026-01-05", "2026-06-30", "yr", "2026"]])
    counts["courses"] = write_csv(
        roster / "courses.csv",
        ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
         "orgSourcedId", "subjects", "subjectCodes"],
        [[f"crs-{s}-{c}", "", "", "yr", f"Course {c}", f"C{c}", "", f"sch-{s}", "", ""]
         for s in range(schools) for c in range(10)])
    section_school = [n % schools for n in range(sections)]
    counts["classes"] = write_csv(
        roster / "classes.csv",
        ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType",
         "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"],
        ([f"cls-{n}", "", "", f"Class {n}", "", f"crs-{section_school[n]}-{n % 10}", f"K{n}", "scheduled",
          f"Room {n % 300}", f"sch-{section_school[n]}", "s1,s2", "", "", str(n % 8 + 1)] for n in range(sections)))

    def users():
        for t in range(teachers):
            yield [f"tch-{t}", "", "", "true", f"sch-{t % schools}", "teacher", "", "", rng.choice(GIVEN),
                   rng.choice(FAMILY), "", "", f"teacher{t}@bench.example", "", "", "", "", ""]
        guardian = 0
        for s in range(students):
            # 150,000 guardians for 100,000 students: every student has one, half have a second.
            agents = [f"gua-{guardian}"] + ([f"gua-{guardian + 1}"] if s % 2 == 0 else [])
            guardian += len(agents)
            yield [f"stu-{s}", "", "", "true", f"dist,sch-{s % schools}", "student", "", "", rng.choice(GIVEN),
                   rng.choice(FAMILY), "", f"S{s:07d}", "", "", "", ",".join(agents), f"{s % 12 + 1:02d}", ""]
            for g in agents:
                yield [g, "", "", "true", "dist", "parent", "", "", rng.choice(GIVEN), rng.choice(FAMILY), "", "",
                       f"{g}@family.example", "", "", f"stu-{s}", "", ""]

    counts["users"] = write_csv(roster / "users.csv", USERS, users())

    def enrollments():
        for n in range(sections):
            yield [f"enr-t-{n}", "", "", f"cls-{n}", f"sch-{section_school[n]}", f"tch-{n % teachers}", "teacher",
                   "true", "", ""]
        per_school = max(1, sections // schools)
        for s in range(students):
            school = s % schools
            for k in range(10):
                n = school + schools * ((s // schools * 10 + k) % per_school)
                yield [f"enr-{s}-{k}", "", "", f"cls-{n}", f"sch-{school}", f"stu-{s}", "student", "", "", ""]

    counts["enrollments"] = write_csv(roster / "enrollments.csv",
                                      ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                                       "userSourcedId", "role", "primary", "beginDate", "endDate"], enrollments())
    modes = {"academicSessions": "bulk", "classes": "bulk", "courses": "bulk", "enrollments": "bulk",
             "orgs": "bulk", "users": "bulk"}
    write_csv(roster / "manifest.csv", ["propertyName", "value"],
              [["manifest.version", "1.0"], ["oneroster.version", "1.1"]] +
              [[f"file.{name}", mode] for name, mode in modes.items()])

    school_days = []
    day = date(2025, 9, 2)
    while len(school_days) < days:
        if day.weekday() < 5:
            school_days.append(day.isoformat())
        day += timedelta(days=1)
    categories = ["present"] * 92 + ["excused-absence"] * 3 + ["unexcused-absence"] * 2 + ["tardy"] * 3

    def events():
        for when in school_days:
            for s in range(students):
                yield [f"stu-{s}", "", f"sch-{s % schools}", when, "", "", rng.choice(categories), ""]

    if not attendance:
        return counts
    counts["attendance"] = write_csv(folder / "attendance.csv",
                                     ["studentSourcedId", "studentNumber", "schoolSourcedId", "date",
                                      "sectionSourcedId", "period", "category", "reason"], events())
    return counts


def prepare_database(engine: str, folder: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder}/bench.sqlite3"
    import asyncpg

    async def recreate():
        connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            await connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            await connection.execute(f"CREATE DATABASE {PG_DATABASE}")
        finally:
            await connection.close()

    asyncio.run(recreate())
    return f"{PG_SERVER}/{PG_DATABASE}"


def timed_cli(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url, "HOMEROOM_ENV": "test", "HOMEROOM_SECRET_KEY": "b" * 40,
           "HOMEROOM_SSN_PEPPER": "p" * 40}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{' '.join(args)} failed with exit code {result.returncode}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--imports", default="oneroster,attendance", help="which imports to time")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="homeroom-import-bench-"))
    try:
        started = time.monotonic()
        imports = args.imports.split(",")
        counts = write_district(folder, args.scale, attendance="attendance" in imports)
        print(f"wrote the district in {time.monotonic() - started:.0f} s to {folder}: " +
              ", ".join(f"{name} {n:,}" for name, n in counts.items()))
        roster_rows = sum(n for name, n in counts.items() if name != "attendance")
        for engine in args.engines.split(","):
            url = prepare_database(engine, folder)
            timed_cli(url, "migrate")
            for label, command, rows in (("OneRoster", ["import", "oneroster", str(folder / "roster")], roster_rows),
                                         ("attendance", ["import", "attendance", str(folder / "attendance.csv")],
                                          counts.get("attendance", 0))):
                if label.lower() not in imports:
                    continue
                first = timed_cli(url, *command)
                again = timed_cli(url, *command)
                print(f"{engine:8} {label:10} {rows:>11,} rows: first import {first:7.1f} s "
                      f"({rows / first:>9,.0f} rows/s); same files again {again:7.1f} s ({rows / again:>9,.0f} rows/s)")
                sys.stdout.flush()
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
