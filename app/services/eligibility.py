"""Who may hold a portal account: a guardian whose link to an actively enrolled student is in force today
(the guardian and portal flags, and no access restriction: app/services/access.py) (docs/design.md §4.2)."""

from __future__ import annotations

from app.services.access import AccessDay, access_day, link_in_force_where
from app.tables import GuardianLink, SchoolEnrollment


def eligible_links(day: AccessDay):
    """The links (their guardian column) in force today to an actively enrolled student."""
    active_students = SchoolEnrollment.select(SchoolEnrollment.student).where(SchoolEnrollment.status == "active")
    return GuardianLink.select(GuardianLink.guardian).where(
        link_in_force_where(day)
        & GuardianLink.student.is_in(active_students)
        & (GuardianLink.student.status == "active")
    )


async def is_eligible_guardian(guardian_id: int, day: AccessDay | None = None) -> bool:
    rows = await eligible_links(day or await access_day()).where(GuardianLink.guardian == guardian_id).first()
    return rows is not None


async def portal_students_of(guardian_id: int, day: AccessDay | None = None) -> list[dict]:
    """The students a guardian sees today, by name (several children, several schools)."""
    day = day or await access_day()
    links = await GuardianLink.select(
        GuardianLink.student.public_id.as_alias("public_id"),
        GuardianLink.student.given_name.as_alias("given_name"),
        GuardianLink.student.family_name.as_alias("family_name"),
        GuardianLink.student.id.as_alias("student_id"),
    ).where((GuardianLink.guardian == guardian_id) & link_in_force_where(day)).order_by(
        GuardianLink.student.given_name)
    if not links:
        return []
    schools = await SchoolEnrollment.select(
        SchoolEnrollment.student, SchoolEnrollment.grade, SchoolEnrollment.school.name.as_alias("school_name")
    ).where(SchoolEnrollment.student.is_in([l["student_id"] for l in links]) & (SchoolEnrollment.status == "active"))
    by_student: dict[int, list[dict]] = {}
    for row in schools:
        by_student.setdefault(row["student"], []).append(row)
    return [
        {**link, "enrollments": by_student.get(link["student_id"], [])}
        for link in links
        if link["student_id"] in by_student
    ]


