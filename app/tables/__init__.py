"""Piccolo tables, one module per area. `ALL_TABLES` is the order tables are created and dropped in."""

from app.tables.access import AccessRestriction, RestrictedAddress
from app.tables.accounts import ActivationKey, PasswordResetToken, RateCounter, UserAccount, WebSession
from app.tables.alerts import AbsenceAlert, AbsenceReport, AlertPreference, WeeklyDigest
from app.tables.audit import AuditEvent
from app.tables.corrections import CorrectionRequest
from app.tables.district import DistrictSetting, SisTranslation
from app.tables.mail import DevMail, OutboxEmail
from app.tables.people import GuardianLink, Person, School, SchoolEnrollment
from app.tables.records import (
    AcademicSession,
    AttendanceEvent,
    CalendarDate,
    ContactPhone,
    Course,
    EmailChange,
    Household,
    HouseholdChangeRequest,
    HouseholdMember,
    HouseholdVerification,
    LineItem,
    Result,
    Section,
    SectionEnrollment,
    SectionTerm,
    TermGrade,
)
from app.tables.second_factor import Passkey, RecoveryCode, StaffContact, TotpFactor, TrustedBrowser
from app.tables.sis_sync import PortalChange
from app.tables.staff import KeyRequest

ALL_TABLES = [
    School,
    Person,
    SchoolEnrollment,
    GuardianLink,
    UserAccount,
    ActivationKey,
    PasswordResetToken,
    WebSession,
    RateCounter,
    OutboxEmail,
    DevMail,
    AuditEvent,
    DistrictSetting,
    AcademicSession,
    Course,
    Section,
    SectionTerm,
    SectionEnrollment,
    LineItem,
    Result,
    TermGrade,
    AttendanceEvent,
    Household,
    HouseholdMember,
    ContactPhone,
    HouseholdVerification,
    HouseholdChangeRequest,
    EmailChange,
    KeyRequest,
    TotpFactor,
    RecoveryCode,
    TrustedBrowser,
    Passkey,
    StaffContact,
    PortalChange,
    AccessRestriction,
    RestrictedAddress,
    CorrectionRequest,
    AlertPreference,
    AbsenceAlert,
    WeeklyDigest,
    AbsenceReport,
    CalendarDate,
    SisTranslation,
]

__all__ = [t.__name__ for t in ALL_TABLES] + ["ALL_TABLES"]
