"""Piccolo tables, one module per area. `ALL_TABLES` is the order tables are created and dropped in."""

from app.tables.accounts import ActivationKey, PasswordResetToken, RateCounter, UserAccount, WebSession
from app.tables.audit import AuditEvent
from app.tables.district import DistrictSetting
from app.tables.mail import OutboxEmail
from app.tables.people import GuardianLink, Person, School, SchoolEnrollment
from app.tables.records import (
    AcademicSession,
    AttendanceEvent,
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
]

__all__ = [t.__name__ for t in ALL_TABLES] + ["ALL_TABLES"]
