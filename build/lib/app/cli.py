"""The `homeroom` command (DESIGN §9). Districts script against it; keep it stable and documented."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

# --size: students and attendance events. The district is issue 3's: 100,000 students, about 150,000
# guardians (the plan's 1.5 a student, emergency contacts included) and 10 million attendance events.
DEMO_SIZES = {"district": (100_000, 10_000_000)}


def _run(coroutine) -> int:
    """Run one command's coroutine with the database engine prepared and closed around it."""
    from app.database import close_engine, prepare_engine

    async def wrapped():
        await prepare_engine()
        try:
            return await coroutine
        finally:
            await close_engine()

    return asyncio.run(wrapped()) or 0


def migrate() -> int:
    """Apply every migration in piccolo_migrations/ (idempotent; one machine at a time, see app/migrations.py)."""
    from app.migrations import apply_migrations
    from app.settings import get_settings

    result = apply_migrations(get_settings())
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
    return result.returncode


def cmd_migrate(_: argparse.Namespace) -> int:
    code = migrate()
    if code == 0:
        print("Database is up to date.")
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if migrate() != 0:
        return 1
    uvicorn.run("app.asgi:app", host=args.host, port=args.port, workers=args.workers, proxy_headers=True,
                forwarded_allow_ips=os.environ.get("HOMEROOM_TRUSTED_PROXIES", "127.0.0.1"),
                server_header=False, log_level="info")
    return 0


def demo_size(args: argparse.Namespace) -> tuple[int, int]:
    """Students and attendance events: --size's, or else --students and --attendance-events."""
    return DEMO_SIZES.get(args.size, (args.students, args.attendance_events))


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import describe_demo, fill_demo_district

    if migrate() != 0:
        return 1

    async def go():
        students, attendance_events = demo_size(args)
        summary = await fill_demo_district(students=students, seed=args.seed, attendance_events=attendance_events)
        print(describe_demo(summary))

    return _run(go())


def cmd_keys_issue(args: argparse.Namespace) -> int:
    from app.services.activation_keys import KeyRefused, issue_key_for

    async def go():
        try:
            issued = await issue_key_for(args.guardian)
        except KeyRefused as refused:
            print(f"No key issued: {refused}", file=sys.stderr)
            return 2
        print(f"Activation key for {issued.guardian_name} (valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC):")
        print(f"  {issued.key}")
        print("Give it in a sealed letter or in person with photo ID; never read it out over the phone.")
        return 0

    return _run(go())


def cmd_keys_letters(args: argparse.Namespace) -> int:
    from app.services.activation_keys import key_letters

    async def go():
        from app.csv_files import write_csv

        issued = await key_letters(args.school)
        write_csv(sys.stdout, ["guardian_sourcedId", "given_name", "family_name", "email", "activation_key",
                               "expires_at_utc"],
                  ([guardian.source_id, guardian.given_name, guardian.family_name, guardian.email, key.key,
                    key.expires_at.strftime("%Y-%m-%d %H:%M")] for guardian, key in issued),
                  for_spreadsheet=True)
        print(f"{len(issued)} keys issued", file=sys.stderr)
        return 0

    return _run(go())


def cmd_settings_show(_: argparse.Namespace) -> int:
    from dataclasses import asdict

    from app.rules.preferences import display_value
    from app.services.preferences import load_preferences

    async def go():
        for name, value in asdict(await load_preferences()).items():
            print(f"{name} = {display_value(value)}")
        return 0

    return _run(go())


def cmd_settings_set(args: argparse.Namespace) -> int:
    from app.rules.preferences import PreferenceError
    from app.services.preferences import set_preference

    async def go():
        try:
            stored = await set_preference(args.name, args.value)
        except PreferenceError as error:
            print(f"{args.name}: {error}", file=sys.stderr)
            return 2
        print(f"{args.name} = {stored}")
        return 0

    return _run(go())


def cmd_staff_create(args: argparse.Namespace) -> int:
    import getpass

    from app import i18n
    from app.services.staff_console import create_staff_account

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Verify Password: ") != password:
            print("The passwords do not match.", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")

    async def go():
        errors = await create_staff_account(args.username, password, args.role, args.school)
        for error in errors:
            print(f"{error.field}: {i18n.translate(error.message, error.params)}", file=sys.stderr)
        if errors:
            return 2
        print(f"Created {args.role} account {args.username.strip()}. It logs in on the portal's login page.")
        return 0

    return _run(go())


def cmd_mail_worker(_: argparse.Namespace) -> int:
    from app.mail.sender import run_sender
    from app.settings import get_settings

    settings = get_settings()
    if not settings.delivers_by_smtp:
        print("HOMEROOM_SMTP_URL is not set: there is nothing to deliver to.", file=sys.stderr)
        return 2
    print("Delivering the outbox; Ctrl-C to stop.")
    try:
        return _run(run_sender(settings))
    except KeyboardInterrupt:
        return 0


def _import(run, what: str, args: argparse.Namespace) -> int:
    """Shared by the import commands: exit 0 done (warnings printed), 1 errors (nothing changed), 2 usage."""
    from app.importers.csv_reading import UnreadableSource
    from app.importers.outcome import USAGE, finish
    from app.importers.progress import Progress

    async def go():
        try:
            report = await run(Path(args.path), progress=Progress.for_terminal())
        except UnreadableSource as problem:
            print(f"{what}: {problem}", file=sys.stderr)
            return USAGE
        return finish(report, what, report_file=args.report)

    return _run(go())


def cmd_import_oneroster(args: argparse.Namespace) -> int:
    from app.importers.oneroster import import_oneroster

    return _import(import_oneroster, "OneRoster import", args)


def cmd_import_attendance(args: argparse.Namespace) -> int:
    from app.importers.attendance import import_attendance

    return _import(import_attendance, "Attendance import", args)


def cmd_import_ssn(args: argparse.Namespace) -> int:
    from app.importers.ssn import import_ssn

    return _import(import_ssn, "SSN import", args)


def cmd_export_household_changes(args: argparse.Namespace) -> int:
    from app.exports.household_changes import write_household_changes

    async def go():
        if args.output:
            with open(args.output, "w", newline="", encoding="utf-8") as handle:
                count = await write_household_changes(handle, since=args.since)
        else:
            count = await write_household_changes(sys.stdout, since=args.since)
        print(f"{count} approved household change(s) written", file=sys.stderr)
        return 0

    return _run(go())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homeroom", description="Homeroom parent portal")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate if needed, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="apply migrations").set_defaults(func=cmd_migrate)

    demo = commands.add_parser("demo", help="fill an empty database with a fake district")
    demo.add_argument("--students", type=int, default=60)
    demo.add_argument("--attendance-events", type=int, default=0, metavar="N",
                      help="at least N attendance events whatever the date: when this school year's so far are "
                           "fewer, add last school year's daily attendance, from its last school day backwards (at "
                           "most all of last year)")
    demo.add_argument("--size", choices=sorted(DEMO_SIZES),
                      help="district: 100,000 students, about 150,000 guardians (emergency contacts included) and "
                           "at least 10 million attendance events whatever the date (for benchmarks; overrides "
                           "--students and --attendance-events)")
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=cmd_demo)

    keys = commands.add_parser("keys", help="activation keys").add_subparsers(dest="keys_command", required=True)
    issue = keys.add_parser("issue", help="issue a key for one guardian and print it")
    issue.add_argument("--guardian", required=True, metavar="SOURCEDID")
    issue.set_defaults(func=cmd_keys_issue)
    letters = keys.add_parser("letters", help="CSV of new keys for every eligible guardian without an account")
    letters.add_argument("--school", metavar="SOURCEDID")
    letters.set_defaults(func=cmd_keys_letters)

    settings = commands.add_parser("settings", help="district preferences").add_subparsers(
        dest="settings_command", required=True)
    settings.add_parser("show").set_defaults(func=cmd_settings_show)
    set_ = settings.add_parser("set")
    set_.add_argument("name")
    set_.add_argument("value")
    set_.set_defaults(func=cmd_settings_set)

    staff = commands.add_parser("staff", help="staff accounts").add_subparsers(dest="staff_command", required=True)
    create = staff.add_parser("create", help="create a staff account (password from the terminal or stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["school-staff", "district-admin"])
    create.add_argument("--school", metavar="SOURCEDID", help="the school of a school-staff account")
    create.set_defaults(func=cmd_staff_create)

    commands.add_parser("mail-worker", help="deliver the outbox over SMTP").set_defaults(func=cmd_mail_worker)

    imports = commands.add_parser("import", help="import district data (all or nothing)").add_subparsers(
        dest="import_command", required=True)
    for name, func, metavar, text in (
            ("oneroster", cmd_import_oneroster, "PATH", "a OneRoster 1.1/1.2 CSV zip or folder"),
            ("attendance", cmd_import_attendance, "FILE", "an attendance-events CSV (Ed-Fi shaped)"),
            ("ssn", cmd_import_ssn, "FILE", "a CSV of student SSNs, kept only as keyed hashes")):
        command = imports.add_parser(name, help=text)
        command.add_argument("path", metavar=metavar)
        command.add_argument("--report", type=Path, metavar="CSV", help="also write every problem to this CSV")
        command.set_defaults(func=func)

    exports = commands.add_parser("export", help="data for the SIS").add_subparsers(
        dest="export_command", required=True)
    household = exports.add_parser("household-changes", help="approved household changes as CSV")
    household.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    household.add_argument("--since", metavar="YYYY-MM-DD", help="only changes decided on or after this day")
    household.set_defaults(func=cmd_export_household_changes)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
