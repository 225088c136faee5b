"""`homeroom import edfi (--folder DIR | --url URL --key K --secret S)`: Ed-Fi ODS/API v7 (Data Standard 5.x)
resources into Homeroom, next to what OneRoster brought: contacts (addresses, phones, email, language) and
their links to students (households, lives-with), grading-period grades, school and section attendance, and
the schools' calendars (calendarDates: which days are not school days, app/rules/school_days.py).

All or nothing, like the OneRoster import: everything is read and checked inside one transaction and written
in batches as it is read; after the first ERROR nothing more is written, the rest is still checked (every
problem is reported, located by file or page, array index and field path) and the transaction is rolled back.
Running the same set twice changes nothing.

Matching (the README has the table):
- student: `studentUniqueId` = a Homeroom student's student number (OneRoster `identifier`), else a
  student's sourcedId. The student number wins when both would match different students.
- contact: `contactUniqueId` = a guardian's sourcedId; else a new guardian is made with that sourcedId.
- section: `sectionIdentifier` = a class's sourcedId, else the one class (of that school, when schoolId
  matches) whose classCode it is.
- school: `schoolId` = a school's sourcedId.
- grading period: the academic session of that school year with the same begin and end dates, else the one
  whose title is the descriptor's value (`First Six Weeks`), else a new grading period is made.
Anything that refers to a student, section or school Homeroom does not have is skipped with a WARNING that
says which field; a document that does not follow the Ed-Fi model (a missing required field, a wrong JSON
type, a date that is not a date, an attendance category Homeroom cannot read) is an ERROR.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from app.database import transaction
from app.importers.attendance import category_of, event_source_id
from app.importers.dates import BadDate, read_moment
from app.importers.edfi_fields import MISSING, Fields, descriptor_value
from app.importers.edfi_source import RESOURCES, Page, ResourceUnavailable, SourceFailed
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.importers.sis_phones import write_sis_phones
from app.importers.table_writes import ID_CHUNK, TableWriter, new_public_id
from app.rules.addresses import tidy_address
from app.rules.mass_removal import Removal, refusal, too_many
from app.rules.emails import normalise_email
from app.rules.languages import sis_language_code
from app.rules.names import person_name_key
from app.rules.phones import check_phone, import_warning
from app.rules.school_days import KINDS, kind_of_edfi_events
from app.services.access import remember_restricted_addresses
from app.services.sis_sync import PortalChanges, address_value

HOUSEHOLD_PREFIX = "edfi-household-"
CONTACT_CHUNK = 2_000
SIS_PHONE_KINDS = ("mobile", "home", "work")  # one SIS number of each (app/importers/sis_phones.py)
PHONE_KINDS = {"mobile": "mobile", "cell": "mobile", "cellular": "mobile", "home": "home", "work": "work",
               "business": "work"}
SKIPPED_PHONE_KINDS = ("fax", "pager")
ADDRESS_ORDER = ("home", "physical", "mailing")  # which of a contact's addresses is the household's
PARENT_RELATIONS = {"mother", "father", "parent", "stepmother", "stepfather", "step mother", "step father",
                    "foster mother", "foster father", "foster parent", "adoptive mother", "adoptive father"}
GUARDIAN_RELATIONS = {"guardian", "legal guardian", "court appointed guardian"}


@dataclass
class Directory:
    """What Homeroom already holds that Ed-Fi references are matched against."""

    people: dict[str, tuple[int, str]]  # sourcedId -> (id, kind)
    numbers: dict[str, tuple[int, str]]  # student number -> (id, sourcedId)
    schools: dict[str, int]
    sections: dict[str, tuple[int, int]]  # sourcedId -> (id, school id)
    class_codes: dict[str, list[tuple[int, int, str]]]  # classCode -> [(id, school id, sourcedId)]
    sessions: list[tuple]  # (id, source_id, title, kind, start, end, school_year)
    periods: dict[int, str] = field(default_factory=dict)  # section id -> its first period (OneRoster periods)
    school_identifiers: dict[str, list[int]] = field(default_factory=dict)  # orgs.csv identifier -> school ids
    guardian_identifiers: dict[str, list[str]] = field(default_factory=dict)  # users.csv identifier -> sourcedIds

    @classmethod
    async def load(cls, writer: TableWriter) -> Directory:
        people, numbers = {}, {}
        for source_id, person_id, kind, number in await writer.fetch(
                "SELECT source_id, id, kind, student_number FROM person"):
            people[source_id] = (person_id, kind)
            if number and kind == "student":
                numbers[number] = (person_id, source_id)
        sections, codes, periods = {}, {}, {}
        for source_id, section_id, school, code, section_periods in await writer.fetch(
                "SELECT source_id, id, school, class_code, periods FROM section"):
            sections[source_id] = (section_id, school)
            periods[section_id] = (section_periods or "").split(",")[0].strip()[:16] or (code or source_id)[:16]
            if code:
                codes.setdefault(code, []).append((section_id, school, source_id))
        sessions = [tuple(r) for r in await writer.fetch(
            "SELECT id, source_id, title, kind, start_date, end_date, school_year FROM academic_session")]
        school_identifiers, guardian_identifiers = {}, {}
        for identifier, school_id in await writer.fetch("SELECT identifier, id FROM school WHERE identifier <> ''"):
            school_identifiers.setdefault(identifier, []).append(school_id)
        for identifier, source_id in await writer.fetch(
                "SELECT identifier, source_id FROM person WHERE kind = 'guardian' AND identifier <> ''"):
            guardian_identifiers.setdefault(identifier, []).append(source_id)
        return cls(people, numbers, await writer.key_map("school"), sections, codes, sessions, periods,
                   school_identifiers, guardian_identifiers)

    def school(self, school_id: str) -> int | str:
        """A school's id for an Ed-Fi schoolId: the school with that sourcedId, else the one school whose
        OneRoster identifier it is; or the reason there is none."""
        found = self.schools.get(school_id)
        if found is not None:
            return found
        candidates = self.school_identifiers.get(school_id, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return "matches the identifier of several schools in Homeroom, so it is not known which; skipped"
        return "is not a school in Homeroom (no school has it as sourcedId or identifier); skipped"

    def contact(self, unique_id: str) -> str | None:
        """The sourcedId an Ed-Fi contactUniqueId stands for: itself when a person has it as sourcedId, else the
        one guardian whose OneRoster identifier it is; "" when several guardians have that identifier; None
        when nobody does (a new guardian is made with it as sourcedId)."""
        if unique_id in self.people:
            return unique_id
        candidates = self.guardian_identifiers.get(unique_id, [])
        if len(candidates) == 1:
            return candidates[0]
        return "" if candidates else None

    def student(self, unique_id: str) -> tuple[int, str] | None:
        """(person id, sourcedId): the student number first, then the sourcedId."""
        found = self.numbers.get(unique_id)
        if found:
            return found
        person = self.people.get(unique_id)
        if person and person[1] == "student":
            return person[0], unique_id
        return None

    def section(self, identifier: str, school_id: int | None) -> tuple[int, str] | str:
        """(section id, sourcedId), or the reason there is none."""
        found = self.sections.get(identifier)
        if found:
            return found[0], identifier
        candidates = self.class_codes.get(identifier, [])
        if school_id is not None:
            candidates = [c for c in candidates if c[1] == school_id]
        if len(candidates) == 1:
            return candidates[0][0], candidates[0][2]
        if candidates:
            return "matches the classCode of several classes in Homeroom, so it is not known which; skipped"
        return "is not a class in Homeroom (no class has it as sourcedId or classCode); skipped"


@dataclass
class ContactFacts:
    """What the households step needs about a contact once the contacts are written."""

    person_id: int
    unique_id: str
    family_name: str
    # the household address; None: the contact sent addresses but none usable; False: sent no addresses field
    address: tuple[str, str, str, str, str] | None | bool
    modified: datetime | None  # the contact's _lastModifiedDate


@dataclass
class EdfiRun:
    writer: TableWriter
    report: ImportReport
    progress: Progress
    directory: Directory
    grading_periods: dict[tuple, int] = field(default_factory=dict)  # (school, year, name, seq) -> session id
    contacts: dict[str, ContactFacts] = field(default_factory=dict)  # contactUniqueId -> facts
    seen_contacts: set[str] = field(default_factory=set)
    lives_with: list[tuple[int, int]] = field(default_factory=list)  # (contact person id, student id)
    portal_changes: PortalChanges = field(default_factory=lambda: PortalChanges([]))
    removals: list[Removal] = field(default_factory=list)  # what the run takes away (app/rules/mass_removal.py)

    def count(self, label: str, n: int) -> None:
        self.report.counts[label] = self.report.counts.get(label, 0) + n

    def school_of(self, fields: Fields, path: str) -> int | None | bool:
        """The school id for an Ed-Fi schoolId; None when the field is absent; False when it names no school."""
        school = fields.text(path, required=False, identifier=True)
        if not school:
            return None
        found = self.directory.school(school)
        if isinstance(found, str):
            fields.warning(path, found)
            return False
        return found

    def student_of(self, fields: Fields, path: str) -> tuple[int, str] | None:
        unique_id = fields.text(path)
        if not unique_id:
            return None
        found = self.directory.student(unique_id)
        if found is None:
            fields.warning(path, "is not a student in Homeroom (no student has it as student number or "
                                 "sourcedId); skipped")
        return found

    # ------------------------------------------------------------------------------------------- resources

    async def students(self, pages: AsyncIterator[Page], stage) -> None:
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            unique_id = fields.text("studentUniqueId")
            if unique_id and self.directory.student(unique_id) is None:
                fields.warning("studentUniqueId", f"'{unique_id}' is not a student in Homeroom (no student number "
                                                  f"or sourcedId); their grades, attendance and contacts are skipped")

    async def sections(self, pages: AsyncIterator[Page], stage) -> None:
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            identifier = fields.text("sectionIdentifier")
            school = self.school_of(fields, "courseOfferingReference.schoolId")
            if identifier and school is not False:
                found = self.directory.section(identifier, school)
                if isinstance(found, str):
                    fields.warning("sectionIdentifier", f"'{identifier}' {found}")

    async def gradingPeriods(self, pages: AsyncIterator[Page], stage) -> None:  # noqa: N802 (the resource's name)
        """Each school's grading period is matched to a OneRoster academic session (sessions are district-wide
        there); one that matches none is made once for every school that has the same dates and name."""
        created: dict[str, tuple] = {}
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            name = descriptor_value(fields.text("gradingPeriodDescriptor"))
            sequence = fields.number("periodSequence")
            school = fields.text("schoolReference.schoolId", identifier=True)
            year = fields.number("schoolYearTypeReference.schoolYear")
            begin, end = fields.day("beginDate"), fields.day("endDate")
            if sequence is None and fields.ok:
                fields.error("periodSequence", "is missing")
            if year is None and fields.ok:
                fields.error("schoolYearTypeReference.schoolYear", "is missing")
            if not fields.ok:
                continue
            if begin > end:
                fields.error("endDate", "is before beginDate")
                continue
            key = (school, int(year), name.lower(), int(sequence))
            session = self._matching_session(int(year), name, begin, end)
            if session is None:
                source_id = f"edfi-gp-{int(year)}-{begin}-{end}-{name}"[:255]
                created[source_id] = (source_id, name[:255], "gradingPeriod", begin, end,
                                      self._containing_session(int(year), begin, end), int(year), "active", "edfi")
                self.directory.sessions.append((source_id, source_id, name, "gradingPeriod", begin, end, int(year)))
                session = source_id
                fields.warning("gradingPeriodDescriptor",
                               f"no academic session of {int(year)} has these dates or the title '{name}'; "
                               f"Homeroom made a grading period for it")
            self.grading_periods[key] = session
        if created and not self.report.has_errors:
            self.count("grading periods", await self.writer.upsert(
                "academic_session", ("source_id", "title", "kind", "start_date", "end_date", "parent", "school_year",
                                     "status", "source"), list(created.values()),
                insert_only=("source",)))  # Ed-Fi's, until OneRoster lists it (app/importers/oneroster_plan.py)
            made = await self.writer.key_map("academic_session")
            self.grading_periods = {key: made[value] if isinstance(value, str) else value
                                    for key, value in self.grading_periods.items()}
            self.directory.sessions = [(made[s[1]], *s[1:]) if isinstance(s[0], str) else s
                                       for s in self.directory.sessions]

    def _matching_session(self, year: int, name: str, begin: date, end: date) -> int | None:
        same_year = [s for s in self.directory.sessions if s[6] == year]
        by_dates = [s for s in same_year if s[4] == begin and s[5] == end]
        by_dates.sort(key=lambda s: s[3] != "gradingPeriod")
        if by_dates:
            return by_dates[0][0]
        by_title = [s for s in same_year if s[2].strip().lower() == name.lower()]
        return by_title[0][0] if by_title else None

    def _containing_session(self, year: int, begin: date, end: date) -> int | None:
        around = [s for s in self.directory.sessions if s[6] == year and s[4] and s[4] <= begin and end <= s[5]]
        around.sort(key=lambda s: s[5] - s[4])
        return around[0][0] if around else None

    def _grading_period(self, fields: Fields) -> int | None:
        name = descriptor_value(fields.text("gradingPeriodReference.gradingPeriodDescriptor"))
        sequence = fields.number("gradingPeriodReference.periodSequence")
        school = fields.text("gradingPeriodReference.schoolId", identifier=True)
        year = fields.number("gradingPeriodReference.schoolYear")
        if not fields.ok or sequence is None or year is None:
            if fields.ok:
                fields.error("gradingPeriodReference", "needs gradingPeriodDescriptor, periodSequence, schoolId and "
                                                       "schoolYear")
            return None
        found = self.grading_periods.get((school, int(year), name.lower(), int(sequence)))
        if found is None:
            found = self._matching_session(int(year), name, date.min, date.min)
            if found is None:
                fields.warning("gradingPeriodReference", "is not in gradingPeriods.json and no academic session "
                                                         "of that school year has its title; the grade is skipped")
        return found

    # ---- the school calendar

    async def calendarDates(self, pages: AsyncIterator[Page], stage) -> None:  # noqa: N802 (the resource's name)
        """One entry per school and date (app/rules/school_days.py reads them): a school with several calendars
        (by grade level, by track) has a school day when any of its calendars says students attend that day.
        Held per school and date while the documents stream (a school year is a few hundred dates a school),
        written once at the end."""
        days: dict[tuple[int, date], tuple] = {}
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            school_sid = fields.text("calendarReference.schoolId", identifier=True)
            fields.text("calendarReference.calendarCode", identifier=True)
            fields.number("calendarReference.schoolYear")
            day = fields.day("date")
            events = [descriptor_value(fields.text("calendarEventDescriptor", within=item, prefix=path))
                      for path, item in fields.items("calendarEvents")]
            if fields.ok and not events:
                fields.error("calendarEvents", "is missing or empty: a calendar date needs at least one event")
            if not fields.ok:
                continue
            school = self.directory.schools.get(school_sid)
            if school is None:
                fields.warning("calendarReference.schoolId", "is not a school in Homeroom (no school has it as "
                                                             "sourcedId); skipped")
                continue
            kind = kind_of_edfi_events(events)
            if kind is None:
                fields.warning("calendarEvents", f"'{', '.join(events)[:80]}' is not one of Ed-Fi's calendar events "
                                                 f"that say whether students attend (Instructional day, Make-up day, "
                                                 f"Holiday, Non-instructional day, Teacher only day, Weather day, "
                                                 f"...); the date is counted as the weekday or weekend it is")
                continue
            held = days.get((school, day))
            if held is None or (KINDS[kind][0] and not held[3]):
                days[(school, day)] = (f"edfi:{school_sid}:{day.isoformat()}"[:255], school, day, KINDS[kind][0],
                                       kind, "")
        if not self.report.has_errors:
            self.count("calendar days", await self.writer.upsert(
                "calendar_date", ("source_id", "school", "day", "school_day", "kind", "description"),
                list(days.values()), touched="updated_at"))

    # ---- contacts

    async def contacts_resource(self, pages: AsyncIterator[Page], stage) -> None:
        chunk: list[tuple] = []
        async for page in pages:
            stage.advance(1)
            parsed = self._contact(Fields(self.report, page.where, page.index, page.document))
            if parsed is not None:
                chunk.append(parsed)
            if len(chunk) >= CONTACT_CHUNK:
                await self._write_contacts(chunk)
                chunk = []
        await self._write_contacts(chunk)

    def _contact(self, fields: Fields) -> tuple | None:
        unique_id = fields.text("contactUniqueId")
        given = fields.text("firstName", longest=255)
        family = fields.text("lastSurname", longest=255)
        matched = self.directory.contact(unique_id) if unique_id else None
        existing = self.directory.people.get(matched) if matched else None
        if existing and existing[1] != "guardian":
            fields.error("contactUniqueId", f"'{unique_id}' is the sourcedId of a {existing[1]} in Homeroom, not "
                                            f"of a parent or guardian")
        email = self._email(fields)
        phones = self._phones(fields) if fields.has("telephones") else None
        address = self._address(fields) if fields.has("addresses") else False
        language = self._language(fields)
        modified = self._modified(fields)
        if not fields.ok:
            return None
        if matched == "":
            fields.warning("contactUniqueId", f"'{unique_id}' is no guardian's sourcedId and the OneRoster "
                                              f"identifier of several guardians in Homeroom, so it is not known "
                                              f"which; this contact is skipped")
            return None
        if unique_id in self.seen_contacts:
            fields.warning("contactUniqueId", f"'{unique_id}' is given twice; the later document wins")
        self.seen_contacts.add(unique_id)
        # Written under the sourcedId it matched (a guardian's identifier), else as a new guardian's sourcedId.
        return matched or unique_id, given, family, email, language, phones, address, modified

    @staticmethod
    def _modified(fields: Fields) -> datetime | None:
        """`_lastModifiedDate` (the ODS/API's, 7 decimals and a Z), for the portal-change rule; None if absent.
        It is metadata that only informs, so one that cannot be read is ignored with a WARNING, never an error."""
        text = fields.raw("_lastModifiedDate")
        if text is MISSING or text is None:
            return None
        try:
            if not isinstance(text, str):
                raise BadDate("is not a date-time (a string YYYY-MM-DDThh:mm:ssZ)")
            return read_moment(text)
        except BadDate as bad:
            shown = f"'{text[:40]}' " if isinstance(text, str) else ""
            fields.warning("_lastModifiedDate", f"{shown}{bad}; it is ignored (it only tells which of the SIS's "
                                                f"value and a parent's confirmed change is newer)")
            return None

    def _email(self, fields: Fields) -> str:
        mails = []
        for path, item in fields.items("electronicMails"):
            address = fields.text("electronicMailAddress", within=item, prefix=path, longest=320)
            primary = fields.flag("primaryEmailAddressIndicator", within=item, prefix=path)
            kind = descriptor_value(fields.text("electronicMailTypeDescriptor", within=item, prefix=path,
                                                required=False)).lower()
            if address:
                mails.append((not primary, "home" not in kind and "personal" not in kind, path, address))
        for _, _, path, address in sorted(mails, key=lambda m: m[:2]):
            normal = normalise_email(address)
            if normal:
                return normal
            fields.warning(path + "electronicMailAddress", "is not an email address; it is not used")
        return ""

    def _phones(self, fields: Fields) -> dict[str, str]:
        """The SIS's number of each kind (mobile, home, work): the first by orderOfPriority; "" for a kind the
        contact has no number of (the SIS's own row of that kind is then removed)."""
        found = []
        for n, (path, item) in enumerate(fields.items("telephones")):
            number = fields.text("telephoneNumber", within=item, prefix=path, longest=40)
            kind_text = descriptor_value(fields.text("telephoneNumberTypeDescriptor", within=item, prefix=path))
            priority = fields.number("orderOfPriority", within=item)
            if not number or not kind_text:
                continue
            kind = kind_text.lower()
            if kind in SKIPPED_PHONE_KINDS:
                continue
            mapped = PHONE_KINDS.get(kind)
            if mapped is None:
                mapped = "home"
                fields.warning(path + "telephoneNumberTypeDescriptor",
                               "is not Home, Mobile or Work; Homeroom keeps the number as a home phone")
            check = check_phone(number)
            if check.e164 is None:
                fields.warning(path + "telephoneNumber", import_warning(check))
                continue
            found.append((priority if priority is not None else 1e9, n, mapped, check.e164))
        phones = {kind: "" for kind in SIS_PHONE_KINDS}
        for _, n, kind, number in sorted(found):
            if phones[kind] and phones[kind] != number:
                fields.warning(f"telephones[{n}]", f"is a second {kind} number; Homeroom keeps one number of each "
                                                   f"kind from the SIS (the first by orderOfPriority)")
            elif not phones[kind]:
                phones[kind] = number
        return phones

    def _address(self, fields: Fields) -> tuple | None:
        ranked = []
        for n, (path, item) in enumerate(fields.items("addresses")):
            kind = descriptor_value(fields.text("addressTypeDescriptor", within=item, prefix=path)).lower()
            rank = ADDRESS_ORDER.index(kind) if kind in ADDRESS_ORDER else len(ADDRESS_ORDER)
            ranked.append((rank, n, path, item))
        for _, _, path, item in sorted(ranked, key=lambda r: r[:2]):
            line1 = fields.text("streetNumberName", within=item, prefix=path, longest=150)
            line2 = " ".join(filter(None, (
                fields.text("apartmentRoomSuiteNumber", within=item, prefix=path, required=False, longest=50),
                fields.text("buildingSiteNumber", within=item, prefix=path, required=False, longest=20))))
            city = fields.text("city", within=item, prefix=path, longest=30)
            state = descriptor_value(fields.text("stateAbbreviationDescriptor", within=item, prefix=path))
            postal = fields.text("postalCode", within=item, prefix=path, longest=17)
            if not fields.ok:
                return None
            tidy = tidy_address(line1, line2, city, state, postal)
            return tidy.line1, tidy.line2, tidy.city, tidy.state[:40], tidy.postal_code[:20]
        return None

    def _language(self, fields: Fields) -> str:
        ranked = []
        for n, (path, item) in enumerate(fields.items("languages")):
            text = fields.text("languageDescriptor", within=item, prefix=path)
            uses = " ".join(descriptor_value(fields.text("languageUseDescriptor", within=use, prefix=use_path,
                                                         required=False)).lower()
                            for use_path, use in [(f"{path}uses[{k}].", u) for k, u in
                                                  enumerate(item.get("uses") or []) if isinstance(u, dict)])
            rank = 0 if "home" in uses else 1 if ("dominant" in uses or "native" in uses) else 2
            ranked.append((rank, n, path, text))
        for _, _, path, text in sorted(ranked, key=lambda r: r[:2]):
            if not text:
                continue
            code = sis_language_code(text)
            if code:
                return code
            fields.warning(path + "languageDescriptor", f"Homeroom does not know the language '{text[:60]}'; "
                                                        f"it is left unset")
            return ""
        return ""

    async def _write_contacts(self, chunk: list[tuple]) -> None:
        if not chunk or self.report.has_errors:
            for unique_id, _, family, *_ in chunk:  # only the names: nothing more is written
                self.contacts[unique_id] = ContactFacts(0, unique_id, family, False, None)
            return
        latest = {row[0]: row for row in chunk}
        changes = self.portal_changes
        people = []
        for uid, given, family, email, language, _, _, modified in latest.values():
            # A parent's confirmed email holds until the SIS sends it (or a newer one): app/rules/sis_sync.py.
            kept = changes.decide("email", email or None, person=uid, sis_modified=modified).value
            people.append((uid, new_public_id(), "guardian", given, family, person_name_key(given, family), kept or "",
                           language, "active", "edfi"))
        # A contact Homeroom lacks is Ed-Fi's (source "edfi"); one OneRoster brought stays OneRoster's.
        self.count("contacts (people)", await self.writer.upsert(
            "person", ("source_id", "public_id", "kind", "given_name", "family_name", "name_key", "email", "language",
                       "status", "source"),
            people, insert_only=("public_id", "kind", "given_name", "family_name", "name_key", "status", "source"),
            keep_when_empty=("email", "language")))
        new = [uid for uid in latest if uid not in self.directory.people]
        for start in range(0, len(new), ID_CHUNK):
            part = new[start:start + ID_CHUNK]
            for source_id, person_id in await self.writer.fetch(
                    f"SELECT source_id, id FROM person WHERE source_id IN ({','.join('?' * len(part))})", *part):
                self.directory.people[source_id] = (person_id, "guardian")
        phones: dict[int, dict[str, str | None]] = {}
        for uid, _, family, _, _, contact_phones, address, modified in latest.values():
            person_id = self.directory.people[uid][0]
            if address is not False or uid not in self.contacts:
                self.contacts[uid] = ContactFacts(person_id, uid, family, address, modified)
            if contact_phones is not None:
                phones[person_id] = {kind: changes.decide(f"phone:{kind}", number, person=uid,
                                                          sis_modified=modified).value
                                     for kind, number in contact_phones.items()}
        self.count("phones", await write_sis_phones(self.writer, phones, source="edfi"))

    # ---- student-contact associations

    async def studentContactAssociations(self, pages: AsyncIterator[Page], stage) -> None:  # noqa: N802
        """A link Homeroom lacks is made (relationship from relationDescriptor, is_guardian from legalGuardian);
        on every link, primaryContactStatus and livesWith are kept as sent (absent: left as they are)."""
        existing: dict[tuple[int, int], list[tuple[int, bool | None, bool | None]]] = {}
        for row_id, guardian, student, primary, lives in await self.writer.fetch(
                "SELECT id, guardian, student, primary_contact, lives_with FROM guardian_link"):
            existing.setdefault((guardian, student), []).append(
                (row_id, None if primary is None else bool(primary), None if lives is None else bool(lives)))
        new_links: dict[tuple[int, int], tuple[str, bool]] = {}
        flags: dict[tuple[int, int], tuple[bool | None, bool | None]] = {}
        restricted_pairs: dict[tuple[str, str], tuple[str, int, str]] = {}  # (contact, student) -> where, text
        unrestricted_pairs: dict[tuple[str, str], tuple[int, int]] = {}  # -> (guardian id, student id)
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            contact_id = fields.text("contactReference.contactUniqueId")
            student = self.student_of(fields, "studentReference.studentUniqueId")
            relation = descriptor_value(fields.text("relationDescriptor", required=False)).lower()
            legal = fields.flag("legalGuardian")
            lives_with = fields.flag("livesWith")
            primary = fields.flag("primaryContactStatus")
            fields.flag("emergencyContactStatus")
            fields.number("contactPriority")
            restriction = fields.text("contactRestrictions", required=False, longest=250)
            if not fields.ok or student is None:
                continue
            matched = self.directory.contact(contact_id)
            person = self.directory.people.get(matched) if matched else None
            if person is None or person[1] != "guardian":
                fields.warning("contactReference.contactUniqueId",
                               "is not a contact in contacts.json or a guardian in Homeroom (no guardian has it as "
                               "sourcedId or as their one OneRoster identifier); skipped")
                continue
            contact_id = matched
            pair = (person[0], student[0])
            flags[pair] = (primary, lives_with)
            if pair not in existing and pair not in new_links:
                relationship = "parent" if relation in PARENT_RELATIONS else \
                    "guardian" if relation in GUARDIAN_RELATIONS or not relation else "relative"
                is_guardian = legal if legal is not None else relationship != "relative"
                new_links[pair] = (relationship, is_guardian)
            if lives_with:
                self.lives_with.append(pair)
            if restriction:
                restricted_pairs[(contact_id, student[1])] = (page.where, page.index, restriction)
                unrestricted_pairs.pop((contact_id, student[1]), None)
            elif (contact_id, student[1]) not in restricted_pairs:
                unrestricted_pairs[(contact_id, student[1])] = pair
        changed = []
        for pair, (primary, lives) in flags.items():
            for row_id, had_primary, had_lives in existing.get(pair, []):
                now = (had_primary if primary is None else primary, had_lives if lives is None else lives)
                if now != (had_primary, had_lives):
                    changed.append((*now, row_id))
        if not self.report.has_errors:
            await self.writer.execute_many(
                "INSERT INTO guardian_link (guardian, student, relationship, is_guardian, portal_access, "
                "primary_contact, lives_with, source) VALUES (?, ?, ?, ?, ?, ?, ?, 'edfi')",
                [(g, s, r, i, True, *flags[(g, s)]) for (g, s), (r, i) in new_links.items()])
            await self.writer.execute_many("UPDATE guardian_link SET primary_contact = ?, lives_with = ? WHERE id = ?",
                                           changed)
        self.count("guardian links", len(new_links) + len(changed))
        self.report.added["guardian links"] = len(new_links)
        if not self.report.has_errors:
            await self._write_restrictions(restricted_pairs, unrestricted_pairs)

    async def _write_restrictions(self, restricted: dict, unrestricted: dict) -> None:
        """`contactRestrictions` switch portal access off for that guardian and student through issue 11's
        access service (source "edfi"; the reason is court-order or custody-agreement when the text says so,
        else other; the text is the reference). A link the SIS sends without restrictions lifts only what an
        import turned off (Ed-Fi's own: never what staff or the district's restrictions CSV did)."""
        from app.services.access import block_access, unblock_access

        from app.services.key_reach import office_lines

        blocked = lifted = 0
        revoked = []
        for (contact_id, student_sid), (where, index, text) in restricted.items():
            lower = text.lower()
            reason = "court-order" if "court" in lower else "custody-agreement" if "custody" in lower else "other"
            change = await block_access(contact_id, student_sid, reason, text[:255], source="edfi")
            if change.errors:
                self.report.error(where, index, "contactRestrictions", "could not be written: " + "; ".join(
                    str(e.message) % (e.params or {}) for e in change.errors))
            blocked += change.done in ("blocked", "changed")
            revoked += change.revoked
        for line in office_lines(revoked):  # keys and reset links the blocked guardians could have picked up
            self.report.note(("a real run: " if self.report.dry_run else "") + line)
        open_ones = {(g, s) for g, s in await self.writer.fetch(
            "SELECT guardian, student FROM access_restriction WHERE source = 'edfi' AND lifted_at IS NULL")}
        for (contact_id, student_sid), pair in unrestricted.items():
            if pair in open_ones:
                lifted += (await unblock_access(contact_id, student_sid, source="edfi")).done == "unblocked"
        self.count("access restrictions", blocked)
        self.count("access restrictions lifted", lifted)
        self.removals.append(Removal("contact restrictions (lifted)", lifted, len(open_ones)))

    # ---- households

    async def write_households(self) -> None:
        """Contacts at the same address (after tidying) are one household, named after its first contact by
        contactUniqueId, whose id also keys it (so a family that moves keeps its household, its yearly
        verification and its change requests). A student joins the households of the contacts they live with."""
        if self.report.has_errors or not self.contacts:
            return
        groups: dict[tuple, list[ContactFacts]] = {}
        for facts in self.contacts.values():
            if facts.address:
                groups.setdefault(facts.address, []).append(facts)
        rows, household_of = [], {}
        for address, members in groups.items():
            first = min(members, key=lambda f: f.unique_id)
            source_id = (HOUSEHOLD_PREFIX + first.unique_id)[:255]
            for facts in members:
                household_of[facts.person_id] = source_id
            # An address change staff approved holds until the SIS sends it (or a newer one): sis_sync rule.
            modified = max((f.modified for f in members if f.modified), default=None)
            sent = address_value(*address)
            if self.portal_changes.decide("address", sent, household=source_id, sis_modified=modified).value != sent:
                continue  # the household keeps the address on file
            rows.append((source_id, f"{first.family_name} household"[:255], *address))
        self.count("households", await self.writer.upsert(
            "household", ("source_id", "name", "address_line1", "address_line2", "city", "state", "postal_code"),
            rows))
        households = {sid: hid for sid, hid in await self.writer.fetch(
            "SELECT source_id, id FROM household WHERE source_id LIKE ?", HOUSEHOLD_PREFIX + "%")}
        wanted: set[tuple[int, int]] = set()
        for person_id, source_id in household_of.items():
            wanted.add((households[source_id], person_id))
        in_scope = {f.person_id for f in self.contacts.values() if f.address is not False}
        for contact_person, student in self.lives_with:
            if contact_person in household_of:
                wanted.add((households[household_of[contact_person]], student))
                in_scope.add(student)
        existing = {}
        for row_id, household, person in await self.writer.fetch(
                "SELECT m.id, m.household, m.person FROM household_member m JOIN household h ON h.id = m.household "
                "WHERE h.source_id LIKE ?", HOUSEHOLD_PREFIX + "%"):
            existing[(household, person)] = row_id
        stale = [row_id for (household, person), row_id in existing.items()
                 if person in in_scope and (household, person) not in wanted]
        new = sorted(wanted - set(existing))
        await self.writer.delete_ids("household_member", stale)
        await self.writer.execute_many("INSERT INTO household_member (household, person) VALUES (?, ?)", new)
        self.count("household members", len(new))
        self.report.added["household members"] = len(new)
        self.count("household members removed", len(stale))
        self.removals.append(Removal("household memberships", len(stale), len(existing)))

    # ---- grades

    async def grades(self, pages: AsyncIterator[Page], stage) -> None:
        self.count("term grades", await self.writer.upsert(
            "term_grade", ("source_id", "student", "section", "term", "grade", "percent", "comment"),
            self._while_no_errors(self._grade_rows(pages, stage)), touched="updated_at"))

    async def _grade_rows(self, pages: AsyncIterator[Page], stage):
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            kind = descriptor_value(fields.text("gradeTypeDescriptor"))
            reference = "studentSectionAssociationReference."
            student = self.student_of(fields, reference + "studentUniqueId")
            identifier = fields.text(reference + "sectionIdentifier")
            school = self.school_of(fields, reference + "schoolId")
            term = self._grading_period(fields)
            letter = fields.text("letterGradeEarned", required=False, longest=16)
            numeric = fields.number("numericGradeEarned")
            comment = fields.text("diagnosticStatement", required=False, longest=1024)
            if not fields.ok or student is None or term is None or school is False:
                continue
            if kind.lower() != "grading period":
                fields.warning("gradeTypeDescriptor", "only grading-period grades are shown in Homeroom; "
                                                      "this grade is skipped")
                continue
            if not letter and numeric is None:
                fields.warning("letterGradeEarned", "the grade has neither a letter nor a numeric grade; skipped")
                continue
            section = self.directory.section(identifier, school)
            if isinstance(section, str):
                fields.warning(reference + "sectionIdentifier", section)
                continue
            key = "\x1f".join((student[1], section[1], str(term)))
            source_id = "edfi-grade-" + hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
            yield source_id, student[0], section[0], term, letter, numeric, comment

    # ---- attendance

    async def studentSchoolAttendanceEvents(self, pages: AsyncIterator[Page], stage) -> None:  # noqa: N802
        await self._write_events(pages, stage, section_events=False)

    async def studentSectionAttendanceEvents(self, pages: AsyncIterator[Page], stage) -> None:  # noqa: N802
        await self._write_events(pages, stage, section_events=True)

    async def _write_events(self, pages, stage, *, section_events: bool) -> None:
        self.count("attendance events", await self.writer.upsert(
            "attendance_event",
            ("source_id", "student", "school", "event_date", "section", "period", "category", "reason"),
            self._while_no_errors(self._event_rows(pages, stage, section_events)), touched="updated_at"))

    async def _event_rows(self, pages: AsyncIterator[Page], stage, section_events: bool):
        categories: dict[str, str | None] = {}
        schools: dict[str, int | str] = {}
        for_school = "sectionReference.schoolId" if section_events else "schoolReference.schoolId"
        async for page in pages:
            stage.advance(1)
            fields = Fields(self.report, page.where, page.index, page.document)
            student = self.student_of(fields, "studentReference.studentUniqueId")
            school_sid = fields.text(for_school, identifier=True)
            day = fields.day("eventDate")
            typed = fields.text("attendanceEventCategoryDescriptor")
            reason = fields.text("attendanceEventReason", required=False, longest=255)
            category = categories.get(typed, False)
            if category is False:
                category = categories[typed] = category_of(typed) if typed else None
            if typed and category is None:
                fields.error("attendanceEventCategoryDescriptor",
                             f"'{descriptor_value(typed)[:60]}' is not one of Ed-Fi's In Attendance, Tardy, Excused "
                             f"Absence, Unexcused Absence, Early departure")
            section_sid, section_id, period = "", None, ""
            if section_events:
                identifier = fields.text("sectionReference.sectionIdentifier")
                for path, item in fields.items("classPeriods")[:1]:
                    period = fields.text("classPeriodReference.classPeriodName", within=item, prefix=path,
                                         longest=60)[:16]
            if not fields.ok or student is None:
                continue
            school_id = schools.get(school_sid)
            if school_id is None:
                school_id = schools[school_sid] = self.directory.school(school_sid)
            if isinstance(school_id, str):
                fields.warning(for_school, school_id)
                continue
            if section_events:
                found = self.directory.section(identifier, school_id)
                if isinstance(found, str):
                    fields.warning("sectionReference.sectionIdentifier", found)
                    continue
                section_id, section_sid = found
                # A class-period event needs a period (an empty one is a whole-day event): without
                # classPeriods, the class's own first period (OneRoster periods), else its code.
                period = period or self.directory.periods.get(section_id, "")
            yield (event_source_id(student[1], school_sid, day, section_sid, period, category), student[0],
                   school_id, day, section_id, period, category, reason)

    async def _while_no_errors(self, rows):
        async for row in rows:
            if not self.report.has_errors:
                yield row


async def import_edfi(source, *, progress: Progress | None = None, dry_run: bool = False,
                      allow_mass_removal: bool = False) -> ImportReport:
    """`source`: an edfi_source.FolderSource or ApiSource (closed here). An Ed-Fi run never makes people,
    classes or links inactive; what it can take away is household memberships (a contact sent with addresses
    but none usable, a student no longer living with them) and restrictions an earlier import set. More of
    those than app/rules/mass_removal.py allows is refused unless `allow_mass_removal`. `dry_run`: written,
    counted and rolled back."""
    progress = progress or Progress()
    progress.dry_run = dry_run
    report = ImportReport(ImportReport.RECORDS)
    report.dry_run = dry_run
    for name in getattr(source, "unknown", []):
        report.warning(name, None, "", "is not one of the Ed-Fi resources Homeroom reads; skipped")
    try:
        async with transaction():
            writer = TableWriter()
            # Issue 11: the addresses of guardians whose access to a child is off stay theirs for the
            # shared-mailbox rule when this run replaces them (app/services/mail_access.py).
            await remember_restricted_addresses(None, "import")
            run = EdfiRun(writer, report, progress, await Directory.load(writer),
                          portal_changes=await PortalChanges.load())
            for resource in RESOURCES:
                if not source.has(resource):
                    continue
                handler: Callable = run.contacts_resource if resource == "contacts" else getattr(run, resource)
                with progress.stage(f"reading {resource}", getattr(source, "totals", {}).get(resource)) as stage:
                    try:
                        await handler(source.documents(resource), stage)
                    except ResourceUnavailable as skipped:
                        report.warning(skipped.where, None, "", skipped.message)
                    except SourceFailed as failed:
                        report.error(failed.where, None, "", failed.message)
                        if failed.where in ("token", "discovery"):
                            break
            await run.write_households()
            if report.has_errors:
                raise ImportAborted
            if too_many(run.removals):
                if dry_run:
                    report.note("a real run would be refused: " + refusal("this import", run.removals))
                elif not allow_mass_removal:
                    report.error("", None, "", refusal("this import", run.removals))
                    raise ImportAborted
            run.count("portal changes the SIS has now loaded", await run.portal_changes.settle())
            if dry_run:
                raise ImportAborted
    except ImportAborted:
        return report
    finally:
        await source.close()
    # Committed: today's unexcused absences become alerts (issue 12; a re-import adds nothing).
    from app.services.absence_alerts import after_attendance_import

    await after_attendance_import()
    return report

