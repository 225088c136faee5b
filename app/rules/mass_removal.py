"""When an import would take away so much that it is more likely a wrong or cut-short file than the SIS's
real wish (issue 10: "refuse what would lose data"). Pure.

A bulk OneRoster file lists everything the SIS has: whatever it leaves out is made inactive. A bulk set of
two users sent to a district of 12,000 would end every other student's, guardian's and teacher's place in
the portal, with exit 0. So an import that would remove (make inactive, or delete) more than SHARE of the
active rows of one kind AND more than FLOOR of them is refused, changing nothing, unless the run says
`--allow-mass-removal`. Both limits must be passed: a small district losing 3 of its 12 classes, or a large
one losing 300 of 40,000 enrollments at the end of a term, is ordinary.
"""

from __future__ import annotations

from dataclasses import dataclass

SHARE = 0.10  # more than 10 % of the active rows of a kind ...
FLOOR = 20  # ... and more than 20 rows


@dataclass(frozen=True)
class Removal:
    kind: str  # plural noun, as the summary says it ("students", "class enrollments")
    removed: int
    active: int  # rows of this kind active before the run

    @property
    def too_many(self) -> bool:
        return self.removed > FLOOR and self.removed > self.active * SHARE


def too_many(removals: list[Removal]) -> list[Removal]:
    return [r for r in removals if r.too_many]


def refusal(what: str, removals: list[Removal]) -> str:
    """One line: how many would go, and how to go ahead if that is really meant."""
    parts = [f"{r.removed:,} of the {r.active:,} active {r.kind}" for r in too_many(removals)]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"{what} would remove (make inactive or unlink) {listed}, more than {SHARE:.0%} and more than {FLOOR} "
            f"of a kind, so nothing was changed. If the SIS really means it, run again with --allow-mass-removal "
            f"(--dry-run shows every change first)")
