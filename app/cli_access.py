"""`homeroom access ...` (issue 11): switch portal access off and on per guardian–student link from a script,
and list the restrictions. Kept apart from app/cli.py, which only registers these commands."""

from __future__ import annotations

import argparse
import sys

from app.rules.access import REASONS


def cmd_access_block(args: argparse.Namespace) -> int:
    from app.cli import EXIT_FAILED, EXIT_USAGE, _fail, _run, field_errors
    from app.services.access import block_access
    from app.services.key_reach import office_lines

    async def go():
        change = await block_access(args.guardian, args.student, args.reason, args.reference or "",
                                    args.starts_on or "", args.ends_on or "", source=args.source)
        if change.errors:  # exit 1 when the student's data says no (under 18), 2 when the command was wrong
            return _fail(EXIT_FAILED if change.refused else EXIT_USAGE,
                         f"nothing changed: {field_errors(change.errors)}")
        print({"blocked": "Portal access switched off for this guardian and student.",
               "changed": "The restriction was changed.",
               "unchanged": "Nothing changed: the restriction already says that."}[change.done])
        for line in office_lines(change.revoked):  # for the office: whom to give a key
            print(f"homeroom: {line}", file=sys.stderr)
        return 0

    return _run(go())


def cmd_access_unblock(args: argparse.Namespace) -> int:
    from app.cli import EXIT_USAGE, _fail, _run, field_errors
    from app.services.access import unblock_access

    async def go():
        change = await unblock_access(args.guardian, args.student, source=args.source)
        if change.errors:
            return _fail(EXIT_USAGE, f"nothing changed: {field_errors(change.errors)}")
        print("Restrictions lifted." if change.done == "unblocked" else "There was no restriction to lift.")
        if change.still_restricted:
            print("homeroom: a restriction staff set is still open: an import never lifts it.", file=sys.stderr)
        return 0

    return _run(go())


def cmd_access_list(args: argparse.Namespace) -> int:
    from app.cli import _run
    from app.csv_files import write_csv
    from app.services.access import restrictions

    async def go():
        rows = await restrictions(student_source_id=args.student, include_lifted=args.all)
        header = ["guardian", "guardian_name", "student", "student_name", "reason", "reference", "from", "until",
                  "source", "state"]
        write_csv(sys.stdout, header, [
            [r["guardian_source_id"], f"{r['guardian_given_name']} {r['guardian_family_name']}",
             r["student_source_id"], f"{r['student_given_name']} {r['student_family_name']}", r["reason"],
             r["reference"], r["starts_on"].isoformat() if r["starts_on"] else "",
             r["ends_on"].isoformat() if r["ends_on"] else "", r["source"], r["state"]] for r in rows],
                  for_spreadsheet=False)
        print(f"homeroom: {len(rows)} restriction(s)", file=sys.stderr)
        return 0

    return _run(go())


def cmd_import_restrictions(args: argparse.Namespace) -> int:
    from app.cli import _import
    from app.importers.restrictions import import_restrictions

    return _import(import_restrictions, "Restrictions import", args)


def add_access_commands(commands) -> None:
    access = commands.add_parser("access", help="portal access per guardian and student").add_subparsers(
        dest="access_command", required=True)
    block = access.add_parser("block", help="switch portal access off for one guardian and one student")
    unblock = access.add_parser("unblock", help="switch it back on (lift the open restrictions)")
    for command in (block, unblock):
        command.add_argument("--guardian", required=True, metavar="SOURCEDID")
        command.add_argument("--student", required=True, metavar="SOURCEDID")
        command.add_argument("--source", choices=["staff", "import"], default="staff",
                             help="staff (default) or import: an import lifts only what an import set")
    block.add_argument("--reason", required=True,
                       help=f"one of {', '.join(REASONS)} (student-request only for a student 18 or older on the "
                            "first day)")
    block.add_argument("--reference", help="e.g. the court order's case number")
    block.add_argument("--from", dest="starts_on", metavar="YYYY-MM-DD", help="first day (default: today)")
    block.add_argument("--until", dest="ends_on", metavar="YYYY-MM-DD", help="last day (default: until lifted)")
    block.set_defaults(func=cmd_access_block)
    unblock.set_defaults(func=cmd_access_unblock)
    listing = access.add_parser("list", help="the restrictions as CSV (open ones; --all: lifted too)")
    listing.add_argument("--student", metavar="SOURCEDID")
    listing.add_argument("--all", action="store_true", help="include lifted restrictions")
    listing.set_defaults(func=cmd_access_list)
