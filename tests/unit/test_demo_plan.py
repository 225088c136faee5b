"""The demo district's plan (app/demo.py), made in memory from the seed: issue 3's shape (1.5 guardians a
student, emergency contacts included), showcase families that do not move when the random families
change, and the `homeroom demo` sizes."""

from __future__ import annotations

from collections import defaultdict

import pytest

from app.cli import build_parser, demo_size
from app.demo import plan_district

PEPPER = "unit-test-ssn-pepper-not-for-production-0123456789"


def plan(students: int, seed: int):
    return plan_district(students=students, seed=seed, school_year=2026, pepper=PEPPER)


@pytest.mark.parametrize("seed", [1, 2026])
def test_a_district_has_one_and_a_half_guardians_a_student_emergency_contacts_included(seed):
    district = plan(3000, seed)
    assert len(district.students) == 3000
    assert 1.45 <= len(district.guardians) / 3000 <= 1.55

    # Families (after the eight showcase students): about 1.6 children each, and most of them give an
    # emergency contact besides the parents.
    random_links = [link for link in district.links if link.student > "student-000008"]
    children: dict[str, set[str]] = defaultdict(set)
    for link in random_links:
        children[link.guardian].add(link.student)
    families = {frozenset(students) for students in children.values()}
    assert 1.5 <= (3000 - 8) / len(families) <= 1.7
    with_contact = {frozenset(children[l.guardian]) for l in random_links if l.relationship == "emergency contact"}
    assert 0.55 <= len(with_contact) / len(families) <= 0.75
    assert all(not l.is_guardian and not l.portal_access for l in random_links
               if l.relationship == "emergency contact")


def test_the_showcase_families_are_the_same_whatever_the_size():
    small, large = plan(8, 2026), plan(3000, 2026)
    assert large.students[:8] == small.students and large.guardians[:8] == small.guardians
    assert large.links[:len(small.links)] == small.links and large.accounts == small.accounts
    # As the printed instructions and the tests know them for the default seed.
    assert [(g.given_name, g.family_name) for g in small.guardians[:5]] == [
        ("Keisha", "Thomas"), ("Ethan", "Thomas"), ("Maria", "Lopez"), ("José", "Lopez"), ("Chloé", "Lopez")]


@pytest.mark.parametrize(("argv", "size"), [
    (["demo"], (60, 0)),
    (["demo", "--students", "1000", "--attendance-events", "100000"], (1000, 100_000)),
    (["demo", "--size", "district"], (100_000, 10_000_000)),
    (["demo", "--size", "district", "--students", "5", "--attendance-events", "7"], (100_000, 10_000_000)),
])
def test_demo_sizes(argv, size):
    assert demo_size(build_parser().parse_args(argv)) == size
