"""Ed-Fi import benchmark (issue 10): a district-sized Ed-Fi set (ODS/API v7 JSON, one file per resource) on top
of the OneRoster district of bench/import_bench.py, imported through the real `homeroom import edfi --folder`
on SQLite and PostgreSQL; prints rows/s and the import process's peak memory (max RSS) for the first import and
for a second run of the same files (which must change nothing).

    .venv/bin/python -m bench.edfi_import                     # 100,000 students (the issue's district)
    .venv/bin/python -m bench.edfi_import --students 10000    # a tenth of it
    .venv/bin/python -m bench.edfi_import --engines sqlite
    .venv/bin/python -m bench.edfi_import --folder bench/.data/edfi-100000 --write-only   # write the files once
    .venv/bin/python -m bench.edfi_import --folder bench/.data/edfi-100000 --engines postgres  # then import them

Per 100,000 students: 100,000 students, 40,000 sections, 400 grading periods, 150,000 contacts (every
student has one, half have a second; addresses, two phones, an email and a language each), 150,000
student-contact associations, 1,400,000 grades (7 sections x 2 grading periods a student), 9,000,000 school
attendance events (90 school days) and 1,000,000 section attendance events (10 days x 1 class): 10 M events.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import import_bench
from bench.import_bench import FAMILY, GIVEN, ROOT, prepare_database, timed_cli, write_district

# Its own database (the OneRoster bench may run at the same time); BENCH_EDFI_DATABASE keeps people's runs apart.
import_bench.PG_DATABASE = os.environ.get("BENCH_EDFI_DATABASE", "homeroom_edfi_bench")

D = "uri://ed-fi.org/"
LANGUAGES = ["eng"] * 6 + ["spa"] * 3 + ["vie"]
CATEGORIES = (["In Attendance"] * 92 + ["Excused Absence"] * 3 + ["Unexcused Absence"] * 2 + ["Tardy"] * 3)


class ArrayWriter:
    """Writes one JSON array document by document (never the whole array in memory)."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("w", encoding="utf-8")
        self.handle.write("[")
        self.count = 0

    def add(self, document: dict) -> None:
        self.handle.write((",\n" if self.count else "\n") + json.dumps(document, separators=(",", ":")))
        self.count += 1

    def close(self) -> int:
        self.handle.write("\n]\n")
        self.handle.close()
        return self.count


def school_days(n: int) -> list[str]:
    days, day = [], date(2025, 9, 2)
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def write_edfi_district(folder: Path, scale: float, seed: int = 7) -> dict[str, int]:
    """The Ed-Fi set matching bench.import_bench.write_district(scale): same schools, students, guardians
    (contactUniqueId = the OneRoster guardian's sourcedId) and classes."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    schools = max(2, int(100 * scale))
    students = int(100_000 * scale)
    sections = max(20, int(40_000 * scale))
    per_school = max(1, sections // schools)
    counts: dict[str, int] = {}

    out = ArrayWriter(folder / "students.json")
    for s in range(students):
        out.add({"id": f"{s:032x}", "studentUniqueId": f"S{s:07d}", "firstName": rng.choice(GIVEN),
                 "lastSurname": rng.choice(FAMILY), "birthDate": "2014-05-02"})
    counts["students"] = out.close()

    out = ArrayWriter(folder / "sections.json")
    for n in range(sections):
        out.add({"sectionIdentifier": f"cls-{n}", "courseOfferingReference": {
            "localCourseCode": f"C{n % 10}", "schoolId": f"sch-{n % schools}", "schoolYear": 2026,
            "sessionName": "2025-2026"}})
    counts["sections"] = out.close()

    periods = [("First Nine Weeks", 1, "2025-08-01", "2025-10-15"), ("Second Nine Weeks", 2, "2025-10-16",
                                                                     "2025-12-31")]
    out = ArrayWriter(folder / "gradingPeriods.json")
    for school in range(schools):
        for name, sequence, begin, end in periods + [("Third Nine Weeks", 3, "2026-01-05", "2026-03-20"),
                                                     ("Fourth Nine Weeks", 4, "2026-03-21", "2026-06-30")]:
            out.add({"gradingPeriodDescriptor": f"{D}GradingPeriodDescriptor#{name}", "periodSequence": sequence,
                     "schoolReference": {"schoolId": f"sch-{school}"}, "schoolYearTypeReference": {"schoolYear": 2026},
                     "beginDate": begin, "endDate": end})
    counts["gradingPeriods"] = out.close()

    contacts = ArrayWriter(folder / "contacts.json")
    links = ArrayWriter(folder / "studentContactAssociations.json")
    guardian = 0
    for s in range(students):
        agents = [guardian] + ([guardian + 1] if s % 2 == 0 else [])
        guardian += len(agents)
        street = f"{s % 9000 + 1} {rng.choice(FAMILY)} Street"
        for n, g in enumerate(agents):
            contacts.add({
                "id": f"{g:032x}", "contactUniqueId": f"gua-{g}", "firstName": rng.choice(GIVEN),
                "lastSurname": rng.choice(FAMILY),
                "addresses": [{"addressTypeDescriptor": f"{D}AddressTypeDescriptor#Home", "streetNumberName": street,
                               "city": "Maple", "stateAbbreviationDescriptor": f"{D}StateAbbreviationDescriptor#GA",
                               "postalCode": f"30{s % 1000:03d}", "periods": []}],
                "telephones": [{"telephoneNumberTypeDescriptor": f"{D}TelephoneNumberTypeDescriptor#Mobile",
                                "telephoneNumber": f"404-55{g % 10}-{g % 10000:04d}", "orderOfPriority": 1},
                               {"telephoneNumberTypeDescriptor": f"{D}TelephoneNumberTypeDescriptor#Home",
                                "telephoneNumber": f"678-55{s % 10}-{s % 10000:04d}", "orderOfPriority": 2}],
                "electronicMails": [{"electronicMailAddress": f"gua-{g}@family.example",
                                     "electronicMailTypeDescriptor": f"{D}ElectronicMailTypeDescriptor#Home/Personal",
                                     "primaryEmailAddressIndicator": True}],
                "languages": [{"languageDescriptor": f"{D}LanguageDescriptor#{rng.choice(LANGUAGES)}",
                               "uses": [{"languageUseDescriptor": f"{D}LanguageUseDescriptor#Home language"}]}],
                "_etag": "1", "_lastModifiedDate": "2026-03-02T14:12:36Z"})
            links.add({"contactReference": {"contactUniqueId": f"gua-{g}"},
                       "studentReference": {"studentUniqueId": f"S{s:07d}"},
                       "relationDescriptor": f"{D}RelationDescriptor#{'Mother' if n == 0 else 'Father'}",
                       "primaryContactStatus": n == 0, "livesWith": True, "legalGuardian": True,
                       "emergencyContactStatus": True, "contactPriority": n + 1})
    counts["contacts"] = contacts.close()
    counts["studentContactAssociations"] = links.close()

    def sections_of(s: int) -> list[int]:
        school = s % schools
        return [school + schools * ((s // schools * 10 + k) % per_school) for k in range(10)]

    out = ArrayWriter(folder / "grades.json")
    letters = [("A", 95), ("B", 85), ("C", 75), ("B+", 88), ("A-", 91)]
    for name, sequence, _, _ in periods:
        for s in range(students):
            school = f"sch-{s % schools}"
            for n in sections_of(s)[:7]:
                letter, numeric = rng.choice(letters)
                out.add({"gradeTypeDescriptor": f"{D}GradeTypeDescriptor#Grading Period", "letterGradeEarned": letter,
                         "numericGradeEarned": numeric,
                         "gradingPeriodReference": {"schoolId": school, "schoolYear": 2026, "periodSequence": sequence,
                                                    "gradingPeriodDescriptor": f"{D}GradingPeriodDescriptor#{name}"},
                         "studentSectionAssociationReference": {
                             "beginDate": "2025-08-20", "localCourseCode": f"C{n % 10}", "schoolId": school,
                             "schoolYear": 2026, "sectionIdentifier": f"cls-{n}", "sessionName": "2025-2026",
                             "studentUniqueId": f"S{s:07d}"}})
    counts["grades"] = out.close()

    days = school_days(100)
    out = ArrayWriter(folder / "studentSchoolAttendanceEvents.json")
    for day in days[:90]:
        for s in range(students):
            school = f"sch-{s % schools}"
            out.add({"attendanceEventCategoryDescriptor": f"{D}AttendanceEventCategoryDescriptor#"
                                                          f"{rng.choice(CATEGORIES)}",
                     "eventDate": day, "schoolReference": {"schoolId": school},
                     "sessionReference": {"schoolId": school, "schoolYear": 2026, "sessionName": "2025-2026"},
                     "studentReference": {"studentUniqueId": f"S{s:07d}"}})
    counts["studentSchoolAttendanceEvents"] = out.close()

    out = ArrayWriter(folder / "studentSectionAttendanceEvents.json")
    for day in days[90:]:
        for s in range(students):
            n = sections_of(s)[0]
            out.add({"attendanceEventCategoryDescriptor": f"{D}AttendanceEventCategoryDescriptor#"
                                                          f"{rng.choice(CATEGORIES)}",
                     "eventDate": day, "sectionReference": {
                         "localCourseCode": f"C{n % 10}", "schoolId": f"sch-{s % schools}", "schoolYear": 2026,
                         "sectionIdentifier": f"cls-{n}", "sessionName": "2025-2026"},
                     "studentReference": {"studentUniqueId": f"S{s:07d}"},
                     "classPeriods": [{"classPeriodReference": {"classPeriodName": str(n % 8 + 1),
                                                                "schoolId": f"sch-{s % schools}"}}]})
    counts["studentSectionAttendanceEvents"] = out.close()
    return counts


PEAK = ("import resource, sys; from app.cli import main; code = main(sys.argv[1:]); "
        "use = resource.getrusage(resource.RUSAGE_SELF); "
        "print(f'MAXRSS {use.ru_maxrss} {use.ru_utime + use.ru_stime}', file=sys.stderr); sys.exit(code)")


def measured_cli(url: str, *args: str) -> tuple[float, float, float]:
    """Seconds, peak memory (MiB, max RSS) and CPU seconds (user + system) of one `homeroom` command in its
    own process. The CPU time of the import process is steadier than wall time on a shared machine (the
    database server's own CPU is not in it)."""
    env = {**os.environ, "DATABASE_URL": url, "HOMEROOM_ENV": "test", "HOMEROOM_SECRET_KEY": "b" * 40,
           "HOMEROOM_SSN_PEPPER": "p" * 40}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"{' '.join(args)} failed with exit code {result.returncode}")
    _, peak, cpu = next(line.split() for line in result.stderr.splitlines() if line.startswith("MAXRSS"))
    summary = [line for line in result.stdout.splitlines() if "Ed-Fi import" in line]
    if summary:
        print("   ", summary[-1][:300])
    return seconds, int(peak) / 1024, float(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--folder", type=Path, help="write the sets here once (kept) and reuse them on later runs")
    parser.add_argument("--write-only", action="store_true", help="write the sets, import nothing")
    parser.add_argument("--once", action="store_true", help="the first import only (not the same files again)")
    args = parser.parse_args()
    scale = args.students / 100_000

    folder = args.folder.resolve() if args.folder else Path(tempfile.mkdtemp(prefix="homeroom-edfi-bench-"))
    done = folder / "counts.json"  # written last: a folder without it was interrupted and is written again
    try:
        if done.exists():
            counts = json.loads(done.read_text())
            print(f"reusing the OneRoster and Ed-Fi sets in {folder}")
        else:
            started = time.monotonic()
            for leftover in (folder / "roster", folder / "edfi"):
                shutil.rmtree(leftover, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            write_district(folder, scale, attendance=False)  # the Ed-Fi set brings the attendance
            counts = write_edfi_district(folder / "edfi", scale)
            done.write_text(json.dumps(counts))
            print(f"wrote the OneRoster and Ed-Fi sets in {time.monotonic() - started:.0f} s to {folder}")
        size = sum(p.stat().st_size for p in (folder / "edfi").iterdir()) / 2**20
        rows = sum(counts.values())
        print(f"Ed-Fi: {size:,.0f} MiB: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()), flush=True)
        for engine in ([] if args.write_only else args.engines.split(",")):
            for old in folder.glob("bench.sqlite3*") if engine == "sqlite" else ():
                old.unlink()  # a kept folder: every run starts from an empty database
            url = prepare_database(engine, folder)
            timed_cli(url, "migrate")
            roster = timed_cli(url, "import", "oneroster", str(folder / "roster"))
            print(f"{engine:8} OneRoster set first (not measured here): {roster:.0f} s")
            with open("/proc/loadavg") as handle:
                load = handle.read().split()[0]
            for label in ("first import",) if args.once else ("first import", "same files again"):
                seconds, peak, cpu = measured_cli(url, "import", "edfi", "--folder", str(folder / "edfi"))
                print(f"{engine:8} Ed-Fi {rows:>11,} documents, {label:16}: {seconds:7.1f} s wall "
                      f"({rows / seconds:>8,.0f} rows/s), {cpu:7.1f} s CPU in the import process "
                      f"({rows / cpu:>8,.0f} rows per CPU-second), peak memory {peak:,.0f} MiB (load average "
                      f"{load} before)")
            sys.stdout.flush()
    finally:
        if args.keep or args.folder:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
