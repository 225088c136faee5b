"""The SIS's phone numbers for guardians, written the same way by every import (OneRoster users.csv
phone/sms, Ed-Fi contacts' telephones): one number per kind is the SIS's own (`contact_phone.from_sis`); a
number a parent added in the portal is never touched. When the SIS sends a number the parent already has,
that row becomes the SIS's (no duplicate). Values come already decided by the portal-change rule
(app/services/sis_sync.py): a number in E.164, "" for "the SIS has no number of this kind", None for "leave
this kind as it is".

Two sources (issue 10): each SIS number records which import brought it (`contact_phone.source`). "" removes
only a number the same import brought: OneRoster's users.csv with empty phone cells leaves the numbers Ed-Fi
brought for that guardian, and Ed-Fi a contact without a home number leaves OneRoster's. A different number
of the same kind replaces the SIS's number whoever brought it, and is then the sender's."""

from __future__ import annotations

from app.importers.table_writes import ID_CHUNK, TableWriter


async def write_sis_phones(writer: TableWriter, wanted: dict[int, dict[str, str | None]], *, source: str) -> int:
    """`wanted`: person id -> {kind: number | "" | None}; `source`: "oneroster" or "edfi". Returns the rows
    inserted, changed or removed."""
    if not wanted:
        return 0
    rows: dict[int, list[tuple[int, str, str, bool, str]]] = {}
    people = sorted(wanted)
    for start in range(0, len(people), ID_CHUNK):
        part = people[start:start + ID_CHUNK]
        for row_id, person, kind, number, from_sis, brought_by in await writer.fetch(
                f"SELECT id, person, kind, number, from_sis, source FROM contact_phone WHERE person IN "
                f"({','.join('?' * len(part))}) ORDER BY id", *part):
            rows.setdefault(person, []).append((row_id, kind, number, bool(from_sis), brought_by))
    inserts, updates, adopted, removed = [], [], [], []
    for person, kinds in wanted.items():
        have = rows.get(person, [])
        for kind, number in kinds.items():
            if number is None:
                continue
            sis = next((r for r in have if r[3] and r[1] == kind), None)
            if not number:
                if sis and sis[4] == source:
                    removed.append(sis[0])
            elif sis:
                if sis[2] != number:
                    updates.append((number, source, sis[0]))
            else:
                same = next((r for r in have if r[2] == number and not r[3]), None)
                if same:
                    adopted.append(same[0])
                else:
                    inserts.append((person, kind, number, True, source))
    await writer.execute_many("INSERT INTO contact_phone (person, kind, number, from_sis, source) "
                              "VALUES (?, ?, ?, ?, ?)", inserts)
    await writer.execute_many("UPDATE contact_phone SET number = ?, source = ? WHERE id = ?", updates)
    await writer.update_ids("contact_phone", "from_sis = ?, source = ?", adopted, True, source)
    await writer.delete_ids("contact_phone", removed)
    return len(inserts) + len(updates) + len(adopted) + len(removed)
