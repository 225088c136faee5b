"""Who may hold a portal account: a guardian with the guardian and portal flags on a relationship to
an actively enrolled student (DESIGN §4.2)."""

from __future__ import annotations

from app.tables import GuardianLink, SchoolEnrollment


def eligible_links():
    active_students = SchoolEnrollment.select(SchoolEnrollment.student).where(SchoolEnrollment.status == "active")
    return GuardianLink.select(GuardianLink.guardian).where(
        (GuardianLink.is_guardian == True)  # noqa: E712  (Piccolo builds SQL from ==)
        & (GuardianLink.portal_access == True)  # noqa: E712
        & GuardianLink.student.is_in(active_students)
        & (GuardianLink.student.status == "active")
    )


async def is_eligible_guardian(guardian_id: int) -> bool:
    rows = await eligible_links().where(GuardianLink.guardian == guardian_id).first()
    return rows is not None


async def portal_students_of(guardian_id: int) -> list[dict]:
    """The students a guardian sees, by name (several children, several schools)."""
    links = await GuardianLink.select(
        GuardianLink.student.public_id.as_alias("public_id"),
        GuardianLink.student.given_name.as_alias("given_name"),
        GuardianLink.student.family_name.as_alias("family_name"),
        GuardianLink.student.id.as_alias("student_id"),
    ).where(
        (GuardianLink.guardian == guardian_id)
        & (GuardianLink.portal_access == True)  # noqa: E712
        & (GuardianLink.is_guardian == True)  # noqa: E712
    ).order_by(GuardianLink.student.given_name)
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


