"""The demo district behind `homeroom demo` (docs/design.md §6, §9): fake schools, students and guardians,
the same for the same seed, written to an empty database and ready to try.

Generation is two steps. `plan_district` decides everything in memory from the seed (no database, no
clock beyond the school year); the `insert_*` functions write one table group each, in chunks, inside one
transaction. A larger district is the same plan with more families; a school year (sections,
attendance, grades) is another table group written after the people.

The fake SSNs start with 9 (area numbers 900-999 are never issued as SSNs); only their keyed digests
are stored, never the digits, and nothing here prints them.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Sequence

from app import clock
from app.database import transaction
from app.rules.names import person_name_key
from app.rules.preferences import DistrictPreferences
from app.rules.ssn import ssn_digest
from app.rules.usernames import username_key
from app.services import audit
from app.services.access import access_day
from app.services.eligibility import eligible_links, portal_students_of
from app.services.key_reach import key_within_reach
from app.services.password_hashing import hashing
from app.services.preferences import load_preferences, set_preference
from app.settings import Settings, get_settings
from app.tables import AcademicSession, GuardianLink, Person, School, SchoolEnrollment, UserAccount

DISTRICT_NAME = "Homeroom Demo District"
# Passes the password rules (and Strong Password): not common, no username, no word of the district's name.
DEMO_PASSWORD = "Maple-kite-47"
SHARED_EMAIL = "lopez.family@example.org"
DEMO_USERNAMES = ("demoparent", "joselopez")
# Staff for trying the console: (username, role, the school a school-staff account works for).
DEMO_STAFF = (("office", "school-staff", "org-lakeview-middle"), ("districtadmin", "district-admin", None))
# Staff need a second factor (issue 14). DEMO ONLY: the demo's staff get these published authenticator
# secrets and recovery codes, printed by `homeroom demo`, so a newcomer can get in. Never in a real district.
DEMO_TOTP_SECRETS = {"office": "DEMQOFFICEXHQMEROQMXNQTXREALXXX2", "districtadmin": "DEMQADMINXXHQMEROQMXNQTXREALXXX3"}
DEMO_RECOVERY_CODES = tuple(f"DEMQ{n}-{n}{n}{n}{n}{n}" for n in range(2, 10)) + ("DEMQA-AAAAA", "DEMQB-BBBBB")
CHUNK = 1000  # rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters
GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")


@dataclass(frozen=True)
class DemoSchool:
    source_id: str
    name: str
    grades: tuple[str, ...]


SCHOOLS = (
    DemoSchool("org-maple-grove-elementary", "Maple Grove Elementary School", GRADES[0:6]),
    DemoSchool("org-riverside-elementary", "Riverside Elementary School", GRADES[0:6]),
    DemoSchool("org-lakeview-middle", "Lakeview Middle School", GRADES[6:9]),
    DemoSchool("org-summit-high", "Summit High School", GRADES[9:13]),
)
ELEMENTARY, MIDDLE, HIGH = SCHOOLS[0:2], SCHOOLS[2], SCHOOLS[3]

FEMALE_NAMES = (
    "Maria", "Ana", "Sofía", "Emma", "Olivia", "Ava", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
    "Emily", "Elizabeth", "Camila", "Aaliyah", "Chloé", "Zoë", "Priya", "Aisha", "Fatima", "Mei", "Yuki", "Hana",
    "Grace", "Lucía", "Valentina", "Gabriela", "Naomi", "Leah", "Hannah", "Sarah", "Rebecca", "Rachel", "Jasmine",
    "Keisha", "Tamika", "Nia", "Imani", "Ayesha", "Linh", "Thu", "Mariana", "Daniela", "Ximena", "Renée", "Claire",
    "Nora", "Ruby", "Alice", "Ingrid", "Freya", "Anjali", "Deepa", "Salma", "Leila", "Noor", "Esther", "Miriam",
)
MALE_NAMES = (
    "José", "Juan", "Luis", "Carlos", "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas",
    "Henry", "Mateo", "Santiago", "Diego", "Daniel", "Michael", "David", "Samuel", "Joseph", "Andrew", "Marcus",
    "Jamal", "DeShawn", "Malik", "Darnell", "Andre", "Wei", "Hiroshi", "Kenji", "Minh", "Tuan", "Raj", "Arjun",
    "Vikram", "Omar", "Yusuf", "Ahmed", "Tariq", "Ibrahim", "Kwame", "Kofi", "Emeka", "Tomás", "Rafael", "Pablo",
    "Gabriel", "Isaac", "Aaron", "Ethan", "Owen", "Caleb", "Nathan", "Leo", "Felix", "Hugo", "Anton", "Björn",
)
FAMILY_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Kim", "Patel", "Shah", "Chen", "Wang",
    "Li", "Zhang", "Tran", "Pham", "Le", "Okafor", "Mensah", "Diallo", "Haddad", "Khan", "Ali", "Hussain",
    "Cohen", "Murphy", "O'Brien", "Sullivan", "Kowalski", "Novak", "Schmidt", "Müller", "Rossi", "Bianchi",
    "Silva", "Santos", "Oliveira", "Muñoz", "Peña", "Castillo", "Vargas", "Morales", "Ortiz", "Gutierrez",
    "Tanaka", "Yamamoto", "Sato", "Park", "Choi", "Singh", "Kumar", "Gupta", "Washington", "Jefferson", "Brooks",
)


def demo_ssn(seed: int, number: int) -> str:
    """The fake SSN of the demo's `number`-th student: 9 digits starting with 9, distinct for every number
    (multiplying by an odd number not divisible by 5 permutes the 10**8 endings)."""
    return str(900_000_000 + (number * 48_271 + seed * 2_654_435_761) % 100_000_000)


def current_school_year() -> int:
    """The school year under way, named by the year it ends in as OneRoster does (it starts in August)."""
    today = clock.now().date()
    return today.year + 1 if today.month >= 8 else today.year


def _email_local_part(text: str) -> str:
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_only.lower() if c.isalnum())


# ---- The plan: everything decided from the seed, before the database is touched ----

@dataclass(frozen=True)
class PlannedStudent:
    source_id: str
    student_number: str
    given_name: str
    family_name: str
    birth_date: date
    ssn_hash: str | None
    ssn_last4_hash: str | None


@dataclass(frozen=True)
class PlannedGuardian:
    source_id: str
    given_name: str
    family_name: str
    email: str | None


@dataclass(frozen=True)
class PlannedEnrollment:
    student: str  # sourcedIds, resolved to row ids when written
    school: str
    grade: str
    status: str = "active"


@dataclass(frozen=True)
class PlannedLink:
    guardian: str
    student: str
    relationship: str
    is_guardian: bool = True
    portal_access: bool = True


@dataclass(frozen=True)
class PlannedAccount:
    username: str
    guardian: str


@dataclass
class DistrictPlan:
    seed: int
    school_year: int  # named by the year it ends in, as OneRoster does
    schools: Sequence[DemoSchool] = SCHOOLS
    students: list[PlannedStudent] = field(default_factory=list)
    guardians: list[PlannedGuardian] = field(default_factory=list)
    enrollments: list[PlannedEnrollment] = field(default_factory=list)
    links: list[PlannedLink] = field(default_factory=list)
    accounts: list[PlannedAccount] = field(default_factory=list)


class DistrictPlanner:
    """Adds families to a plan; every random choice comes from one generator seeded with the seed."""

    def __init__(self, seed: int, school_year: int, pepper: str) -> None:
        self.plan = DistrictPlan(seed=seed, school_year=school_year)
        self.rng = random.Random(seed)
        self.pepper = pepper
        self._emails_taken: set[str] = {SHARED_EMAIL}

    def given_name(self, female: bool | None = None) -> str:
        if female is None:
            female = self.rng.random() < 0.5
        return self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)

    def family_name(self) -> str:
        return self.rng.choice(FAMILY_NAMES)

    def email_for(self, given_name: str, family_name: str) -> str:
        domain = self.rng.choice(("example.org", "example.com"))
        local = f"{_email_local_part(given_name)}.{_email_local_part(family_name)}"
        address, n = f"{local}@{domain}", 1
        while address in self._emails_taken:
            n += 1
            address = f"{local}{n}@{domain}"
        self._emails_taken.add(address)
        return address

    def add_student(self, family_name: str, grade: str, *, school: DemoSchool, status: str = "active",
                    also_at: DemoSchool | None = None) -> str:
        number = len(self.plan.students) + 1
        # Five on 1 September of the year they started kindergarten: born in the twelve months before.
        kindergarten_started = self.plan.school_year - 1 - GRADES.index(grade)
        born = date(kindergarten_started - 6, 9, 2) + timedelta(days=self.rng.randrange(365))
        ssn = demo_ssn(self.plan.seed, number) if self.rng.random() < 0.9 else None
        student = PlannedStudent(
            source_id=f"student-{number:06d}",
            student_number=f"S{100_000 + number}",
            given_name=self.given_name(),
            family_name=family_name,
            birth_date=born,
            ssn_hash=ssn_digest(self.pepper, ssn) if ssn else None,
            ssn_last4_hash=ssn_digest(self.pepper, ssn[-4:]) if ssn else None,
        )
        self.plan.students.append(student)
        self.plan.enrollments.append(PlannedEnrollment(student.source_id, school.source_id, grade, status))
        if also_at is not None:
            self.plan.enrollments.append(PlannedEnrollment(student.source_id, also_at.source_id, grade, status))
        return student.source_id

    def add_guardian(self, given_name: str, family_name: str, *, email: str | None | bool = True) -> str:
        if email is True:
            email = self.email_for(given_name, family_name)
        guardian = PlannedGuardian(f"guardian-{len(self.plan.guardians) + 1:06d}", given_name, family_name,
                                   email or None)
        self.plan.guardians.append(guardian)
        return guardian.source_id

    def link(self, guardian: str, students: Iterable[str], relationship: str, *, is_guardian: bool = True,
             portal_access: bool = True) -> None:
        self.plan.links.extend(PlannedLink(guardian, student, relationship, is_guardian, portal_access)
                               for student in students)

    def school_for(self, grade: str, elementary: DemoSchool) -> DemoSchool:
        if grade in elementary.grades:
            return elementary
        return MIDDLE if grade in MIDDLE.grades else HIGH


def plan_showcase_families(planner: DistrictPlanner) -> None:
    """The families the printed instructions and the tests rely on; every seed has them."""
    p = planner
    # Two children at two schools and no account yet: the first guardian offered a key.
    family = p.family_name()
    children = [p.add_student(family, "03", school=ELEMENTARY[0]), p.add_student(family, "07", school=MIDDLE)]
    p.link(p.add_guardian(p.given_name(female=True), family), children, "mother")
    p.link(p.add_guardian(p.given_name(female=False), family), children, "father")

    # The Lopez family: three children at three schools, one of them also taking classes at the high
    # school, and two ready-made accounts sharing one email (Forgot Your Username? lists both).
    children = [
        p.add_student("Lopez", "02", school=ELEMENTARY[1]),
        p.add_student("Lopez", "08", school=MIDDLE, also_at=HIGH),
        p.add_student("Lopez", "11", school=HIGH),
    ]
    for username, given_name, relationship in (("demoparent", "Maria", "mother"), ("joselopez", "José", "father")):
        guardian = p.add_guardian(given_name, "Lopez", email=SHARED_EMAIL)
        p.link(guardian, children, relationship)
        p.plan.accounts.append(PlannedAccount(username, guardian))
    grandparent = p.add_guardian(p.given_name(female=True), "Lopez", email=False)
    p.link(grandparent, children, "emergency contact", is_guardian=False, portal_access=False)

    # A withdrawn student: the guardian cannot be given a key.
    family = p.family_name()
    child = p.add_student(family, "09", school=HIGH, status="inactive")
    p.link(p.add_guardian(p.given_name(), family), [child], "guardian")

    # A guardian whose portal access the school turned off, beside one who has it.
    family = p.family_name()
    children = [p.add_student(family, "KG", school=ELEMENTARY[0]), p.add_student(family, "04", school=ELEMENTARY[0])]
    p.link(p.add_guardian(p.given_name(female=True), family), children, "mother")
    p.link(p.add_guardian(p.given_name(female=False), family), children, "father", portal_access=False)


# A random family's children at the district's schools at the same time, by weight: 1.6 on average (a
# family's children are spread over more years than thirteen grades hold at once). With 1.65 parents
# or kin carers and 0.77 emergency contacts a family, a district has 1.5 guardians (persons of kind
# guardian, contacts included) per student: 150,000 for 100,000 students, as issue 3 asks.
CHILDREN_AT_ONCE = {1: 55, 2: 32, 3: 10, 4: 3}
EMERGENCY_CONTACTS = (35, 53, 12)  # weights of a family giving none, one or two


def plan_random_family(planner: DistrictPlanner, children_wanted: int) -> None:
    p, rng = planner, planner.rng
    family = p.family_name()
    elementary = rng.choice(ELEMENTARY)  # siblings go to their neighbourhood's school
    grades = sorted(rng.sample(GRADES, children_wanted), key=GRADES.index)
    children = []
    for grade in grades:
        school = p.school_for(grade, elementary)
        also_at = HIGH if grade == "08" and rng.random() < 0.2 else None
        status = "inactive" if rng.random() < 0.04 else "active"
        children.append(p.add_student(family, grade, school=school, status=status, also_at=also_at))

    def email() -> bool:
        return rng.random() < 0.92

    roll = rng.random()
    if roll < 0.1:  # kinship care
        relationship, female = rng.choice((("grandmother", True), ("grandfather", False), ("aunt", True),
                                           ("guardian", None)))
        p.link(p.add_guardian(p.given_name(female), family, email=email()), children, relationship)
    else:
        first_is_mother = rng.random() < 0.6
        p.link(p.add_guardian(p.given_name(female=first_is_mother), family, email=email()), children,
               "mother" if first_is_mother else "father")
        if roll < 0.75:
            step = rng.random() < 0.12
            second_family = p.family_name() if step else family
            relationship = ("stepfather" if first_is_mother else "stepmother") if step else (
                "father" if first_is_mother else "mother")
            p.link(p.add_guardian(p.given_name(female=not first_is_mother), second_family, email=email()),
                   children, relationship, portal_access=rng.random() >= 0.05)
    # Most districts ask every family for an emergency contact besides the parents, someone who can pick
    # the children up (a grandparent or aunt, often with the family's name, or a neighbour or friend);
    # some families give two, a third give none.
    for _ in range(rng.choices((0, 1, 2), weights=EMERGENCY_CONTACTS)[0]):
        relative = rng.random() < 0.4
        contact = p.add_guardian(p.given_name(), family if relative else p.family_name(), email=email())
        p.link(contact, children, "emergency contact", is_guardian=False, portal_access=False)


def plan_district(*, students: int, seed: int, school_year: int, pepper: str) -> DistrictPlan:
    planner = DistrictPlanner(seed, school_year, pepper)
    plan_showcase_families(planner)
    while (left := students - len(planner.plan.students)) > 0:
        wanted = planner.rng.choices(tuple(CHILDREN_AT_ONCE), weights=tuple(CHILDREN_AT_ONCE.values()))[0]
        plan_random_family(planner, min(wanted, left))
    return planner.plan


# ---- Writing the plan, one table group at a time ----

async def _insert(table, rows: list) -> None:
    for start in range(0, len(rows), CHUNK):
        await table.insert(*rows[start:start + CHUNK])


async def insert_schools(plan: DistrictPlan) -> dict[str, int]:
    await _insert(School, [School(source_id=s.source_id, name=s.name) for s in plan.schools])
    return {r["source_id"]: r["id"] for r in await School.select(School.id, School.source_id)}


async def insert_people(plan: DistrictPlan) -> dict[str, int]:
    await _insert(Person, [
        Person(source_id=s.source_id, kind="student", given_name=s.given_name, family_name=s.family_name,
               name_key=person_name_key(s.given_name, s.family_name), student_number=s.student_number,
               birth_date=s.birth_date, ssn_hash=s.ssn_hash, ssn_last4_hash=s.ssn_last4_hash)
        for s in plan.students
    ])
    await _insert(Person, [
        Person(source_id=g.source_id, kind="guardian", given_name=g.given_name, family_name=g.family_name,
               name_key=person_name_key(g.given_name, g.family_name), email=g.email)
        for g in plan.guardians
    ])
    return {r["source_id"]: r["id"] for r in await Person.select(Person.id, Person.source_id)}


async def insert_school_enrollments(plan: DistrictPlan, school_ids: dict[str, int],
                                    person_ids: dict[str, int]) -> None:
    await _insert(SchoolEnrollment, [
        SchoolEnrollment(student=person_ids[e.student], school=school_ids[e.school], grade=e.grade, status=e.status)
        for e in plan.enrollments
    ])


async def insert_guardian_links(plan: DistrictPlan, person_ids: dict[str, int]) -> None:
    await _insert(GuardianLink, [
        GuardianLink(guardian=person_ids[l.guardian], student=person_ids[l.student], relationship=l.relationship,
                     is_guardian=l.is_guardian, portal_access=l.portal_access)
        for l in plan.links
    ])


async def hash_demo_passwords(plan: DistrictPlan) -> list[str]:
    """One argon2 hash per ready-made account, parents then staff (each with its own salt), before the
    write transaction."""
    return [await hashing().hash(DEMO_PASSWORD) for _ in range(len(plan.accounts) + len(DEMO_STAFF))]


async def give_demo_second_factor(account_id: int, secret: str) -> None:
    """DEMO ONLY: a published secret and published recovery codes (see DEMO_TOTP_SECRETS)."""
    from app.rules.second_factor import normalise_recovery_code
    from app.services.sealing import seal
    from app.services.second_factor import recovery_digest
    from app.tables import RecoveryCode, TotpFactor

    now = clock.now()
    await TotpFactor.insert(TotpFactor(account=account_id, secret_sealed=seal(secret), created_at=now,
                                       confirmed_at=now, last_step=0))
    await RecoveryCode.insert(*(RecoveryCode(account=account_id, created_at=now, code_digest=recovery_digest(
        account_id, normalise_recovery_code(code))) for code in DEMO_RECOVERY_CODES))


async def insert_demo_accounts(plan: DistrictPlan, person_ids: dict[str, int], school_ids: dict[str, int],
                               password_hashes: list[str]) -> None:
    parent_hashes, staff_hashes = password_hashes[:len(plan.accounts)], password_hashes[len(plan.accounts):]
    for (username, role, school), password_hash in zip(DEMO_STAFF, staff_hashes, strict=True):
        rows = await UserAccount.insert(UserAccount(
            username=username, username_key=username_key(username), password_hash=password_hash, role=role,
            school=school_ids[school] if school else None,
        )).returning(UserAccount.id)
        await audit.record("account.created", account=rows[0]["id"], detail="demo district staff")
        await give_demo_second_factor(rows[0]["id"], DEMO_TOTP_SECRETS[username])
    for account, password_hash in zip(plan.accounts, parent_hashes, strict=True):
        rows = await UserAccount.insert(UserAccount(
            username=account.username, username_key=username_key(account.username), password_hash=password_hash,
            person=person_ids[account.guardian], role="guardian",
        )).returning(UserAccount.id)
        await audit.record("account.created", account=rows[0]["id"], person=person_ids[account.guardian],
                           detail="demo district")


async def set_demo_preferences() -> None:
    """Store only the preferences the demo wants different from the defaults (today: none)."""
    wanted = {"district_name": DISTRICT_NAME}
    defaults = DistrictPreferences()
    for name, value in wanted.items():
        if getattr(defaults, name) != value:
            await set_preference(name, value)


# ---- What the command reports ----

@dataclass(frozen=True)
class KeyCandidate:
    """An eligible guardian without an account, to try `homeroom keys issue` with."""

    source_id: str
    name: str
    children: int
    schools: int


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False: the database already had people, and nothing was added
    district_name: str
    schools: int
    students: int
    guardians: int
    accounts: int
    key_candidates: tuple[KeyCandidate, ...]
    usernames: tuple[str, ...]  # ready-made accounts, all with DEMO_PASSWORD
    shared_email: str | None  # an address on file for several of them
    key_request: KeyRequestExample | None = None


@dataclass(frozen=True)
class KeyRequestExample:
    """What a parent of the first showcase family would type in the online key request. The SSN is the
    demo's own fake one (9xx), printed by the command only: never stored, logged or shown by the portal."""

    student_number: str
    birth_date: str
    fake_ssn: str
    email_on_file: str


async def key_request_example(seed: int) -> KeyRequestExample | None:
    """The showcase family's middle-school child (at the demo office's school), if this database was made
    with `seed` and that child has an SSN on file."""
    child = await Person.select(Person.student_number, Person.birth_date, Person.ssn_hash, Person.id).where(
        Person.source_id == "student-000002").first()
    if child is None or child["ssn_hash"] != ssn_digest(get_settings().ssn_pepper, demo_ssn(seed, 2)):
        return None
    guardian = await GuardianLink.select(GuardianLink.guardian.email.as_alias("email")).where(
        (GuardianLink.student == child["id"]) & GuardianLink.guardian.email.is_not_null()
    ).order_by(GuardianLink.id).first()
    if guardian is None:
        return None
    ssn = demo_ssn(seed, 2)
    return KeyRequestExample(child["student_number"], child["birth_date"].isoformat(),
                             f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}", guardian["email"])


async def fill_demo_district(*, students: int = 60, seed: int = 2026, attendance_events: int = 0) -> DemoSummary:
    """Fill an empty database with the demo district for `seed`; with people already there, add nothing.
    The showcase families come first, so a very small `students` still gets all of them (8 students).
    `attendance_events`: at least this many, last school year's daily attendance making up what this
    year's so far does not (app/demo_year.py)."""
    from app.demo_year import fill_school_year, spanish_words  # the year reads the people committed below
    from app.services.sis_words import replace_translations

    if await Person.exists():
        if not await AcademicSession.exists():  # an earlier run stopped between the people and the year
            await fill_school_year(seed=seed, attendance_events=attendance_events)
        return await summarise_district(created=False, seed=seed)
    plan = plan_district(students=students, seed=seed, school_year=current_school_year(),
                         pepper=get_settings().ssn_pepper)
    password_hashes = await hash_demo_passwords(plan)
    async with transaction():
        if await Person.exists():  # another `homeroom demo` got there first
            return await summarise_district(created=False, seed=seed)
        school_ids = await insert_schools(plan)
        person_ids = await insert_people(plan)
        await insert_school_enrollments(plan, school_ids, person_ids)
        await insert_guardian_links(plan, person_ids)
        await insert_demo_accounts(plan, person_ids, school_ids, password_hashes)
        await set_demo_preferences()
        await replace_translations(spanish_words())
    await fill_school_year(seed=seed, attendance_events=attendance_events)
    return await summarise_district(created=True, seed=seed)


async def suggest_key_candidates(limit: int = 3) -> tuple[KeyCandidate, ...]:
    """Eligible guardians without accounts whose letter key could be redeemed (none within reach of a guardian
    whose access is off, app/services/key_reach.py), one with children at several schools first."""
    with_accounts = UserAccount.select(UserAccount.person).where(UserAccount.person.is_not_null())
    rows = await Person.select(Person.id, Person.source_id, Person.given_name, Person.family_name).where(
        Person.id.is_in(eligible_links(await access_day())) & Person.id.not_in(with_accounts)
    ).order_by(Person.source_id).limit(20)
    candidates, families_seen = [], set()
    for row in rows:
        students = await portal_students_of(row["id"])
        family = frozenset(s["student_id"] for s in students)
        if family in families_seen:  # one parent per family is enough to show
            continue
        if await key_within_reach(row["id"], "letter"):
            continue
        families_seen.add(family)
        schools = {e["school_name"] for s in students for e in s["enrollments"]}
        candidates.append(KeyCandidate(row["source_id"], f"{row['given_name']} {row['family_name']}",
                                       len(students), len(schools)))
    several_schools = [c for c in candidates if c.schools > 1][:1]
    return tuple(several_schools + [c for c in candidates if c not in several_schools])[:limit]


async def summarise_district(*, created: bool, seed: int) -> DemoSummary:
    accounts = await UserAccount.select(UserAccount.username, UserAccount.person.email.as_alias("email")).where(
        UserAccount.username_key.is_in(list(DEMO_USERNAMES))
    ).order_by(UserAccount.username_key)
    emails = [a["email"] for a in accounts if a["email"]]
    shared = sorted({e for e in emails if emails.count(e) > 1})
    return DemoSummary(
        created=created,
        district_name=(await load_preferences()).district_name,
        schools=await School.count(),
        students=await Person.count().where(Person.kind == "student"),
        guardians=await Person.count().where(Person.kind == "guardian"),
        accounts=await UserAccount.count().where(UserAccount.role == "guardian"),
        key_candidates=await suggest_key_candidates(),
        usernames=tuple(a["username"] for a in accounts),
        shared_email=shared[0] if shared else None,
        key_request=await key_request_example(seed),
    )


def describe_demo(summary: DemoSummary, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    url = settings.public_url
    lines = [
        (f"{summary.district_name} is ready" if summary.created
         else f"The database already holds a district ({summary.district_name}); nothing was added")
        + f": {summary.schools} schools, {summary.students} students, {summary.guardians} guardians, "
          f"{summary.accounts} parent accounts.",
        "",
        f"Open {url}",
    ]
    if summary.usernames:
        lines += ["", "Log in as a parent who already has an account:",
                  f"  Username {' or '.join(summary.usernames)}, password {DEMO_PASSWORD}"]
    lines += ["", "Try the school office console as " + " or ".join(
        f"{username} ({role.replace('-', ' ')})" for username, role, _ in DEMO_STAFF) + f", password {DEMO_PASSWORD}",
              "  Staff also enter a code from an authenticator app. DEMO ONLY, these secrets are published: add one "
              "to your app, or print the current code with"]
    for username, _, _ in DEMO_STAFF:
        lines.append(f"    .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRETS[username]}').now())\""
                     f"    # {username}")
    lines.append(f"  or use a demo recovery code (each works once per account): {', '.join(DEMO_RECOVERY_CODES[:4])}")
    if summary.key_candidates:
        lines += ["", "Or be a parent with a new activation key. Issue one here, then follow the activation key "
                      "link on the login page:"]
        for candidate in summary.key_candidates:
            children = f"{candidate.children} child{'ren' if candidate.children != 1 else ''}"
            schools = f"{candidate.schools} school{'s' if candidate.schools != 1 else ''}"
            lines.append(f"  .venv/bin/homeroom keys issue --guardian {candidate.source_id}"
                         f"    # {candidate.name}: {children} at {schools}")
    if summary.key_request:
        example = summary.key_request
        lines += ["", f"Or request a key online ({url}/request-key) as a parent of student {example.student_number}: "
                      f"birth date {example.birth_date}, SSN {example.fake_ssn} (a fake, demo-only number).",
                  f"  With the email on file, {example.email_on_file}, the key is emailed at once; with any other "
                  "email the request waits for the office to approve it."]
    lines.append("")
    if settings.delivers_by_smtp:
        lines.append("Emails the portal sends go out over SMTP (HOMEROOM_SMTP_URL).")
    else:
        lines.append(f"Emails the portal sends (reset links, usernames) land in the dev mailbox: {url}/dev/mailbox")
    if summary.shared_email:
        lines.append(f"Forgot Your Username? with {summary.shared_email} lists every username on that address.")
    lines += ["", "Keys go out by letter, by email on file, or in person with photo ID: never over the phone."]
    return "\n".join(lines)
