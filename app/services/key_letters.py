"""Key letters a district can really mail (issue 11 item 4): `homeroom keys letters`.

- By default a key goes only to an eligible guardian without an account **and without an unused key**
  (not used, not revoked, not expired): running it twice, or once per school for a family at two schools,
  issues nothing new and kills no letter already printed. `reissue=True` replaces unused keys.
- `dry_run=True` says who would get a letter and issues nothing.
- Who gets a letter: every eligible guardian, each at their own household's address (the one they live in
  with a child when the SIS lists them at several: `home_household_of`). Primary contact and lives-with
  (Ed-Fi) do not narrow it: a parent who does not live with the child has the same right to the portal
  (FERPA), and a contact who is not a legal guardian is already not eligible.
- A letter carries what a mail merge needs: the guardian's name and mailing address (their household's),
  their children whom they may see (app/services/access.py) with their schools, the language to write in,
  the key, and the day it last works in the district's time zone. A child whose access is off is on no
  letter; a guardian who may see no enrolled child gets none.
- A key opens every child its guardian may see, to whoever opens the envelope (issue 11). So no letter is
  made for a guardian within reach of a guardian whose access to one of those children is off, or is set to be
  (listed at their home, or reading their email, which a district may merge the letters into:
  app/services/key_reach.py): they are left out, and the run says who, to be given a key at the office. Nor
  is a guardian whose unused key would be refused for that reason counted among those who "already have an
  unused key": the run names them too.
- A guardian with neither a mailing address (their household's) nor an email address gets no letter: the run
  names them (an IT lead's find: keys were issued into letters with blank address columns). One with an email
  and no address gets one, for an email merge; the run counts them.
- `school_source_id` that is no school is an error, not an empty file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

from app import clock
from app.database import transaction
from app.letters import guardian_language
from app.rules.district_day import district_day
from app.services.access import access_day
from app.services.activation_keys import KeyRefused, issue_key
from app.services.eligibility import eligible_links, portal_students_of
from app.services.key_reach import home_of, key_within_reach, reach
from app.services.preferences import load_preferences
from app.tables import ActivationKey, GuardianLink, Person, School, SchoolEnrollment, UserAccount


class LettersRefused(ValueError):
    """The run cannot start (an unknown school); the message says why."""


@dataclass(frozen=True)
class Letter:
    source_id: str
    given_name: str
    family_name: str
    email: str
    address: tuple[str, ...]  # mailing lines (street, second line, "City, ST 00000"); () when none on file
    children: tuple[str, ...]  # "Ana Rivera (Maple Street Elementary)"
    schools: tuple[str, ...]
    language: str
    key: str  # "" on a dry run
    expires_on: date | None  # the district day the key last works; None on a dry run
    replaces_unused_key: bool

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class LeftOut:
    """A guardian who gets no letter though eligible, and why (app/services/key_reach.py): a guardian whose access
    to one of their children is off (or set to be) is listed at their home ("shared-home") or reads their email
    ("shared-mailbox"); or they hold an unused key that will be refused for that reason ("unusable-key": without
    --reissue it is not replaced, and with it they would be left out)."""

    source_id: str
    name: str
    why: str  # "shared-home", "shared-mailbox", "unusable-key" or "no-address"


@dataclass
class LetterRun:
    letters: list[Letter] = field(default_factory=list)
    skipped_with_unused_key: int = 0
    dry_run: bool = False
    left_out: list[LeftOut] = field(default_factory=list)


CSV_HEADER = ["guardian_sourcedId", "given_name", "family_name", "address_line1", "address_line2", "city_state_zip",
              "language", "children", "schools", "activation_key", "expires_on", "email"]


def csv_rows(letters: list[Letter]) -> list[list[str]]:
    return [[l.source_id, l.given_name, l.family_name, *(list(l.address) or ["", "", ""]), l.language,
             "; ".join(l.children), "; ".join(l.schools), l.key, l.expires_on.isoformat() if l.expires_on else "",
             l.email] for l in letters]


def _children(students: list[dict]) -> tuple[str, ...]:
    """"Ana Rivera (Maple Street Elementary)" for each child the guardian may see."""
    return tuple(f"{s['given_name']} {s['family_name']} (" + ", ".join(e["school_name"] for e in s["enrollments"])
                 + ")" for s in students)


def _mailing_lines(home: dict | None) -> tuple[str, ...]:
    """(line 1, line 2, "City, ST ZIP"), each possibly empty, or () without a household address: the CSV's three
    columns keep their places; the printed letter leaves out an empty line."""
    if home is None or not home["address_line1"]:
        return ()
    last = " ".join(p for p in (f"{home['city']}," if home["city"] else "", home["state"], home["postal_code"]) if p)
    return home["address_line1"], home["address_line2"] or "", last.strip(" ,")


async def _unused_keys(guardian_ids: list[int]) -> dict[int, str]:
    """The guardians among these with an unused key (not used, revoked or expired), and how it was issued."""
    if not guardian_ids:
        return {}
    rows = await ActivationKey.select(ActivationKey.guardian, ActivationKey.issued_how).where(
        ActivationKey.guardian.is_in(guardian_ids) & ActivationKey.used_at.is_null()
        & ActivationKey.revoked_at.is_null() & (ActivationKey.expires_at > clock.now()))
    return {r["guardian"]: r["issued_how"] for r in rows}


async def key_letters(school_source_id: str | None = None, *, reissue: bool = False,
                      dry_run: bool = False) -> LetterRun:
    day = await access_day()
    prefs = await load_preferences()
    query = Person.select(Person.id, Person.source_id, Person.given_name, Person.family_name, Person.email,
                          Person.language).where(
        Person.id.is_in(eligible_links(day))
        & Person.id.not_in(UserAccount.select(UserAccount.person).where(UserAccount.person.is_not_null())))
    if school_source_id is not None:
        school = await School.select(School.id).where(School.source_id == school_source_id).first()
        if school is None:
            raise LettersRefused(f"no school with sourcedId {school_source_id!r}")
        at_school = SchoolEnrollment.select(SchoolEnrollment.student).where(
            (SchoolEnrollment.school == school["id"]) & (SchoolEnrollment.status == "active"))
        query = query.where(Person.id.is_in(eligible_links(day).where(GuardianLink.student.is_in(at_school))))
    guardians = await query.order_by(Person.family_name).order_by(Person.given_name).order_by(Person.id)
    holders = await _unused_keys([g["id"] for g in guardians])
    run = LetterRun(dry_run=dry_run)
    for guardian in guardians:
        name = f"{guardian['given_name']} {guardian['family_name']}"
        has_unused = guardian["id"] in holders
        if has_unused and not reissue:
            if await key_within_reach(guardian["id"], holders[guardian["id"]], day):
                run.left_out.append(LeftOut(guardian["source_id"], name, "unusable-key"))
            else:
                run.skipped_with_unused_key += 1
            continue
        home = await home_of(guardian["id"])
        within = await reach(guardian["id"], day, home=home)
        if within:
            run.left_out.append(LeftOut(guardian["source_id"], name, "shared-home" if within.home else "shared-mailbox"))
            continue
        email = guardian["email"] or ""
        if not _mailing_lines(home) and not email:  # nowhere to send it: no key printed for nobody to read
            run.left_out.append(LeftOut(guardian["source_id"], name, "no-address"))
            continue
        students = await portal_students_of(guardian["id"], day)
        children = _children(students)
        schools = tuple(sorted({e["school_name"] for s in students for e in s["enrollments"]}))
        key, expires_on = "", None
        if not dry_run:
            person = await Person.objects().where(Person.id == guardian["id"]).first()
            try:
                async with transaction():  # one guardian at a time: a failure leaves the others' keys issued
                    issued = await issue_key(person, how="letter")
            except KeyRefused:  # an account was made meanwhile
                continue
            key, expires_on = issued.key, district_day(issued.expires_at, prefs.time_zone)
        run.letters.append(Letter(
            guardian["source_id"], guardian["given_name"], guardian["family_name"], email, _mailing_lines(home),
            children, schools,
            guardian_language(None, guardian["language"]), key, expires_on, has_unused))
    return run


async def key_slip_words(guardian_public_id, name: str, key: str, expires_at, prefs, language: str | None = None
                         ) -> Markup:
    """The in-person slip: the letter's words (without an address), in `language` when the portal has it (the
    clerk's choice at the counter: a Spanish-speaking parent got an English slip whenever the SIS had no language
    for them, a tester's find), else in the guardian's language."""
    from app.i18n import available_languages
    from app.letters import SlipWords, render_key_slip
    from app.settings import get_settings

    guardian = await Person.select(Person.id, Person.language).where(Person.public_id == guardian_public_id).first()
    students = await portal_students_of(guardian["id"]) if guardian else []
    if language not in available_languages():
        language = guardian_language(None, guardian["language"] if guardian else None)
    return render_key_slip(SlipWords(name, key, district_day(expires_at, prefs.time_zone), language,
                                     _children(students)),
                           prefs, get_settings().public_url)
