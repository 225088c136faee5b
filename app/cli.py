"""The `homeroom` command (docs/design.md §9). Districts script against it; keep it stable and documented."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import warnings
from pathlib import Path

EXIT_CODES = """exit codes: (every error is one line on standard error, starting "homeroom: ")
  0  done
  1  refused or failed: the command was understood but the district's data or the system said no (a
     guardian who cannot get a key, an import with errors changed nothing, a file that already exists
     or may not be written, a username someone has, the last active district admin, a port another
     program holds; see its message)
  2  usage: fix the command typed: an unknown command or option, a missing or malformed value, or a value
     that names nothing (a sourcedId, username or school the portal does not have, a file or folder that
     does not exist)
  3  configuration: the environment or .env describes something the portal will not run with
  4  the database cannot be reached, is missing or is not migrated (`homeroom migrate`), or its SQLite
     folder does not exist
  130  interrupted (Ctrl-C)"""
EXIT_FAILED, EXIT_USAGE, EXIT_CONFIGURATION, EXIT_DATABASE, EXIT_INTERRUPTED = 1, 2, 3, 4, 130


class HomeroomParser(argparse.ArgumentParser):
    """Every command's --help shows defaults and the exit codes (after what the command's own epilog says); a
    usage error prints the usage of the command typed, then one line "homeroom: ...", and exits 2."""

    def __init__(self, *args, epilog_from=None, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        epilog = kwargs.pop("epilog", None)
        kwargs["epilog"] = f"{epilog}\n\n{EXIT_CODES}" if epilog else EXIT_CODES
        super().__init__(*args, **kwargs)
        # `epilog_from()`: text made from the code's own lists (preferences, file columns), made only when
        # --help asks for it, so every other command starts without loading them.
        self._epilog_from = epilog_from

    def format_help(self) -> str:
        if self._epilog_from is not None:
            self.epilog = f"{self._epilog_from()}\n\n{EXIT_CODES}"
            self._epilog_from = None
        return super().format_help()

    def parse_known_args(self, args=None, namespace=None):
        # A subcommand's parser gets every word after its name; what it does not know is a mistake in that
        # subcommand, said with its usage (argparse would hand the words up and print the top-level usage).
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"homeroom: {message} (`{self.prog} --help` lists the options)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows a default only when there is one to show: not "(default: None)" after an option that is off unless
    given, nor a second default after a help text that already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False) or "default" in text:
            return text
        return super()._get_help_string(action)


def whole_number(low: int, high: int | None = None):
    """An argparse type: a whole number from `low` (to `high`), or a usage error that says so."""
    def parse(value: str) -> int:
        allowed = f"from {low} to {high}" if high is not None else f"of at least {low}"
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number: use one {allowed}") from None
        if number < low or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"{number} is out of range: use a whole number {allowed}")
        return number

    parse.__name__ = "whole number"
    return parse


def day_argument(value: str):
    """An argparse type: a YYYY-MM-DD day from 1900 to 9998, or a usage error that says so (a week or a year
    counted from 0001 or 9999 would run off the calendar Python can count)."""
    from datetime import date

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day written YYYY-MM-DD") from None
    if not 1900 <= day.year <= 9998:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day Homeroom can count from: use a year from 1900 "
                                         "to 9998")
    return day


# --size: students and attendance events. The district is issue 3's: 100,000 students, about 150,000
# guardians (the plan's 1.5 a student, emergency contacts included) and 10 million attendance events.
DEMO_SIZES = {"district": (100_000, 10_000_000)}

from app.cli_access import add_access_commands, cmd_import_restrictions  # noqa: E402  (imports app.cli lazily)
from app.cli_output import add_output_arguments, check_outputs  # noqa: E402


# The words of the command being run, for its audit event (issue 15 item 8).
_COMMAND_LINE: list[str] = []


class DatabaseMissing(Exception):
    """A command that reads the database found no SQLite file where DATABASE_URL points."""


def _run(coroutine, *, audited: bool = True) -> int:
    """Run one command's coroutine with the database engine prepared and closed around it. A SQLite file
    that does not exist is an error, not a new empty database left behind in whatever folder this ran in.
    `audited=False`: a look before the command's own work, not recorded as the command line a second time."""
    from app import clock
    from app.database import close_engine, prepare_engine
    from app.services import audit
    from app.settings import get_settings

    try:
        settings = get_settings()
        clock.follow_settings(settings)
        if not settings.uses_postgres and not Path(settings.sqlite_path).exists():
            raise DatabaseMissing(f"no database at {settings.sqlite_path} (DATABASE_URL): run `homeroom migrate` "
                                  "there first, or run this where the database is")
    except BaseException:
        coroutine.close()  # never started: no "was never awaited" warning on top of the one-line error
        raise

    async def wrapped():
        from app.services.district_setup import check_portal_mode

        try:
            await prepare_engine()
        except BaseException:
            coroutine.close()
            raise
        try:
            await check_portal_mode(settings.is_production)  # before anything is read, written or recorded
        except BaseException:
            coroutine.close()
            await close_engine()
            raise
        code = EXIT_FAILED
        try:
            result = await coroutine
            code = result if isinstance(result, int) else 0
            return result
        finally:
            try:
                if audited:
                    await audit.record_command_line(_COMMAND_LINE, exit_code=code)
            finally:
                await close_engine()

    result = asyncio.run(wrapped())
    return 0 if result is None else result


def migrate(*, tell: bool = False) -> int:
    """Apply every migration in piccolo_migrations/ (idempotent; one machine at a time, see app/migrations.py).
    `tell`: say on standard output what was applied, or that the database was already current."""
    from app.migrations import applied_in, apply_migrations, failure_in
    from app.settings import get_settings

    settings = get_settings()
    if not settings.uses_postgres and not Path(settings.sqlite_path).parent.is_dir():
        raise DatabaseMissing(f"the folder {Path(settings.sqlite_path).parent} for the SQLite database "
                              "(DATABASE_URL) does not exist: create it first")
    result = apply_migrations(settings)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        if os.environ.get("HOMEROOM_DEBUG"):
            sys.stderr.write(output + "\n")
        return _fail(EXIT_FAILED, f"the migrations failed at {failure_in(output)} (HOMEROOM_DEBUG=1 shows "
                                  "Piccolo's whole output)")
    if tell:
        applied = applied_in(result.stdout)
        where = settings.sqlite_path if not settings.uses_postgres else "the PostgreSQL database"
        if applied:
            # A migration's id is the moment it was written ("2026-11-28T20:29:42:385480"): its day is what a
            # person reads (an IT lead's find).
            days = sorted({name[:10] for name in applied})
            written = f"written {days[0]}" + (f" to {days[-1]}" if len(days) > 1 else "")
            count = f"{len(applied)} migration{'' if len(applied) == 1 else 's'}"
            print(f"Applied {count} to {where} ({written}); it is current now.")
        else:
            print(f"{where} is already current: no migration to apply.")
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    return migrate(tell=True)


def demo_size(args: argparse.Namespace) -> tuple[int, int]:
    """Students and attendance events: --size's, or else --students and --attendance-events."""
    return DEMO_SIZES.get(args.size, (args.students, args.attendance_events))


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import describe_demo, fill_demo_district

    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)  # where the settings would read HOMEROOM_ENV from too
    if os.environ.get("HOMEROOM_ENV", "demo").strip().lower() == "production":
        # The demo seeds accounts with published passwords (a district admin among them): never on a real
        # portal (issue 9). Checked before the settings load, so it holds even if they would not.
        return _fail(EXIT_USAGE, "demo refuses to run with HOMEROOM_ENV=production: it creates accounts "
                                         "whose passwords are printed for anyone to read")
    if migrate() != 0:
        return 1

    async def go():
        students, attendance_events = demo_size(args)
        summary = await fill_demo_district(students=students, seed=args.seed, attendance_events=attendance_events)
        print(describe_demo(summary))

    return _run(go())


def cmd_keys_issue(args: argparse.Namespace) -> int:
    from app.services.activation_keys import KeyRefused, NoSuchGuardian, issue_key_for

    async def go():
        try:
            issued = await issue_key_for(args.guardian)
        except NoSuchGuardian as unknown:  # the command line names nobody: fix the command
            return _fail(EXIT_USAGE, f"no key issued: {unknown}")
        except KeyRefused as refused:  # a real guardian the rules refuse a key
            return _fail(EXIT_FAILED, f"no key issued: {refused}")
        # In the district's time, written as the emails and the office's pages write it ("11:59" alone could be
        # morning or night: an IT lead's find).
        from app.i18n import format_moment
        from app.services.preferences import load_preferences

        zone = (await load_preferences()).time_zone
        print(f"Activation key for {issued.guardian_name} (valid until {format_moment(issued.expires_at, zone)}, "
              f"{zone} time):")
        print(f"  {issued.key}")
        print("Give it in a sealed letter or in person with photo ID; never read it out over the phone.")
        return 0

    return _run(go())


def cmd_keys_letters(args: argparse.Namespace) -> int:
    from app.cli_letters import keys_letters

    return _run(keys_letters(args))


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
        except PreferenceError as error:  # an unknown name or a value it cannot take: fix what was typed
            return _fail(EXIT_USAGE, f"{args.name}: {error} (`homeroom settings set --help` lists every "
                                     "preference and its values)")
        print(f"{args.name} = {stored}")
        return 0

    return _run(go())


def cmd_staff_create(args: argparse.Namespace) -> int:
    from app.services.staff_accounts import USERNAME_TAKEN, create_staff_account

    password = _read_new_password()
    if password is None:
        return _fail(EXIT_USAGE, "no account created: the passwords do not match")

    async def go():
        errors = await create_staff_account(args.username, password, args.role, args.school)
        if errors:
            # A username someone has is the data saying no (1); anything else is fixed in what was typed (2).
            code = EXIT_FAILED if all(e.message == USERNAME_TAKEN for e in errors) else EXIT_USAGE
            return _fail(code, f"no account created: {field_errors(errors)}")
        print(f"Created {args.role} account {args.username.strip()}. It logs in on the portal's login page.")
        return 0

    return _run(go())


def field_errors(errors) -> str:
    """Problems with what was typed, on one line, each named by its option (--username, --from) or, for what is
    not typed as an option (the password), by its name."""
    from app import i18n

    def label(field: str) -> str:
        renamed = {"starts_on": "--from", "ends_on": "--until"}
        return renamed.get(field) or (field if field in ("password", "verify_password", "action") else
                                      "--" + field.replace("_", "-"))

    return "; ".join(f"{label(e.field)}: {i18n.translate(e.message, e.params)}" for e in errors)


def cmd_staff_list(_: argparse.Namespace) -> int:
    from app.services.staff_accounts import list_staff

    from app.csv_files import write_csv

    async def go():
        write_csv(sys.stdout, ["username", "role", "school", "state", "second_factor", "last_sign_in"], [
            [s["username"], s["role"], s["school_source_id"] or "", "disabled" if s["disabled"] else "active",
             "yes" if s["second_factor"] else "no", s["last_sign_in"].isoformat() if s["last_sign_in"] else ""]
            for s in await list_staff()], for_spreadsheet=False)
        return 0

    return _run(go())


SETUP_QUESTIONS = {
    "district_name": "District name (as parents know it)",
    "portal_name": "Portal name (the activation-key link says \"If you have been assigned a <portal name> "
                   "Activation Key\")",
    "help_phone": "Help phone for parents (e.g. 404-802-1000)",
    "time_zone": "Time zone (e.g. America/Chicago)",
}


def cmd_setup(args: argparse.Namespace) -> int:
    """First run: the district's identity and its first district admin (asked for at a terminal, or flags)."""
    from app.services.district_setup import DISTRICT_IDENTITY, identity_errors, set_district_identity, setup_missing
    from app.services.staff_accounts import create_staff_account

    values = {name: getattr(args, name) for name in DISTRICT_IDENTITY}
    current = _current_setup()
    if current is not None and not current.missing:
        return _setup_again(args, values, current)
    for name, value in (current.identity.items() if current else ()):
        if values[name] is None:  # set by an earlier run that stopped before the district admin
            values[name] = value
    interactive = sys.stdin.isatty()
    for name in DISTRICT_IDENTITY:
        if values[name] is None and interactive:
            values[name] = input(f"{SETUP_QUESTIONS[name]}: ")
    missing_flags = [f"--{name.replace('_', '-')}" for name in DISTRICT_IDENTITY if values[name] is None]
    if missing_flags:
        return _fail(EXIT_USAGE, f"setup needs {', '.join(missing_flags)} (or run it at a terminal to be asked)")
    errors = identity_errors(values)
    if errors:
        return _fail(EXIT_USAGE, field_errors(errors))

    if migrate() != 0:
        return EXIT_FAILED

    async def go():
        if args.admin_username is None and "district admin" in await setup_missing():
            return _fail(EXIT_USAGE, "setup needs --admin-username: the district has no district admin yet")
        await set_district_identity(values)
        if args.admin_username is not None:
            password = _read_new_password()
            if password is None:
                return _fail(EXIT_USAGE, "the passwords do not match")
            problems = await create_staff_account(args.admin_username, password, "district-admin", None)
            if problems:
                return _fail(EXIT_USAGE, field_errors(problems))
        print("The district is set up: `homeroom serve` will serve it.")
        return 0

    return _run(go())


def _current_setup():
    """What an earlier `homeroom setup` stored (app.services.district_setup.DistrictSetup), or None when there is
    no migrated database yet (a first run)."""
    from app.services.district_setup import current_setup
    from app.settings import get_settings

    settings = get_settings()
    if not settings.uses_postgres and not Path(settings.sqlite_path).exists():
        return None
    try:
        return _run(current_setup(), audited=False)
    except Exception as problem:  # noqa: BLE001 - not migrated yet: the first run migrates
        if _database_unreachable(problem) and not isinstance(problem, OSError):
            return None
        raise


def _setup_again(args: argparse.Namespace, values: dict[str, str | None], current) -> int:
    """`homeroom setup` on a district that is set up: say what is set; change the values given as flags; never
    a second "first" district admin (that is `homeroom staff create`)."""
    from app.rules.preferences import display_value, parse_preference
    from app.services.district_setup import DISTRICT_IDENTITY, identity_errors
    from app.services.preferences import set_preference

    print("This district is already set up:")
    for name in DISTRICT_IDENTITY:
        print(f"  {name} = {current.identity[name]}")
    print(f"  district admins: {', '.join(current.admins)}")
    admin = (args.admin_username or "").strip()
    if admin and admin.lower() not in {a.lower() for a in current.admins}:
        return _fail(EXIT_FAILED, f"the district already has a district admin, so --admin-username {admin} was "
                                  "not created and nothing changed: add another with `homeroom staff create "
                                  f"--role district-admin --username {admin}`")
    given = {name: value for name, value in values.items() if value is not None}
    errors = identity_errors({**current.identity, **given})
    if errors:
        return _fail(EXIT_USAGE, field_errors(errors))
    changes = {name: value for name, value in given.items()
               if display_value(parse_preference(name, value)) != current.identity[name]}
    if not changes:
        print("Nothing changed. To change a value give its flag (e.g. --help-phone 217-555-0100); the district "
              "preferences page changes them too.")
        return 0

    async def go():
        for name, value in changes.items():
            print(f"Changed {name}: {current.identity[name]} -> {await set_preference(name, value)}")
        return 0

    return _run(go())


def cmd_staff_change(args: argparse.Namespace) -> int:
    """disable | enable | reset one staff account; a reset prints the new temporary password."""
    from app import i18n
    from app.services.staff_accounts import change_staff_account, staff_id_for

    async def go():
        account_id = await staff_id_for(args.username)
        if account_id is None:
            return _fail(EXIT_USAGE, f"there is no staff account {args.username.strip()} (`homeroom staff list` "
                                     "shows them)")
        result = await change_staff_account(account_id, args.staff_command, actor=None)
        name = args.username.strip()
        if result.errors:  # the district's data says no (the last active district admin)
            return _fail(EXIT_FAILED, f"{name} not {args.staff_command}d: "
                                      + "; ".join(i18n.translate(e.message, e.params) for e in result.errors))
        if result.done == "reset":
            print(f"Reset {name}: logged out everywhere, second factor removed (set up again at "
                  f"the next log in). Temporary password: {result.temporary_password}")
        elif result.done.startswith("already-"):
            print(f"{name} was already {result.done.removeprefix('already-')}: nothing changed.")
        else:
            print(f"{name} {result.done}.")
        return 0

    return _run(go())


def cmd_schools_list(_: argparse.Namespace) -> int:
    from app.services.staff_accounts import schools

    from app.csv_files import write_csv

    async def go():
        write_csv(sys.stdout, ["sourcedId", "name", "status"],
                  [[s["source_id"], s["name"], s["status"]] for s in await schools()], for_spreadsheet=False)
        return 0

    return _run(go())


def _read_new_password() -> str | None:
    """A new password typed twice at a terminal, or one line of standard input; None when the two differ."""
    import getpass

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        return password if getpass.getpass("Verify Password: ") == password else None
    return sys.stdin.readline().rstrip("\r\n")


def _refuse_until_set_up(settings) -> str | None:
    """Production only: why the portal must not serve or send yet (one line), or None. In every mode the look
    goes through `_run`, which refuses a production district's database in demo and test mode; it is not
    recorded as the command line, as the command (a server, the mail worker) is not over yet."""
    from app.services.district_setup import setup_missing

    missing = _run(setup_missing(), audited=False)
    if not settings.is_production or not missing:
        return None
    return (f"this district is not set up yet (missing: {', '.join(missing)}): run `homeroom setup`; until then "
            "pages and emails would show the demo district's name and a help number that is not yours")


def cmd_mail_worker(_: argparse.Namespace) -> int:
    from app.services.outgoing_mail import run_sender
    from app.settings import get_settings

    settings = get_settings()
    refusal = _refuse_until_set_up(settings)
    if refusal:
        return _fail(EXIT_CONFIGURATION, refusal)
    if not settings.delivers_by_smtp:
        return _fail(EXIT_CONFIGURATION, "HOMEROOM_SMTP_URL is not set: there is nothing to deliver to")
    print("Delivering the outbox; Ctrl-C to stop.")

    async def deliver() -> int:
        # Ctrl-C and SIGTERM (systemd's stop) set the sender's stop: the message in hand finishes and is marked
        # sent, then the worker exits 0. Left to asyncio's own Ctrl-C (cancelling the task), Python 3.11's
        # wait_for can swallow the cancellation when its timeout falls at the same moment, and the worker went
        # on delivering: the clean-clone test run under load saw both workers still running 120 s after SIGINT.
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        await run_sender(settings, stop=stop)
        return 0

    try:
        return _run(deliver())
    except KeyboardInterrupt:  # before the handlers are in place
        return 0


def cmd_maintenance(_: argparse.Namespace) -> int:
    from app.services.maintenance import purge_expired

    async def go():
        counts = await purge_expired()
        print("Purged: " + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()) + ".")

    return _run(go())


def _import(run, what: str, args: argparse.Namespace, source=None) -> int:
    """Shared by the import commands: exit 0 done (warnings printed), 1 errors (nothing changed), 2 usage.
    `source()` opens what `run` reads (the Ed-Fi import's folder or API); by default the path argument."""
    from app.importers.csv_reading import UnreadableSource
    from app.importers.outcome import USAGE, finish
    from app.importers.progress import Progress

    async def go():
        from app.observability import IMPORT_RUNS

        kind = args.import_command
        try:
            options = {name: getattr(args, name) for name in ("dry_run", "allow_mass_removal") if hasattr(args, name)}
            report = await run(source() if source else Path(args.path), progress=Progress.for_terminal(sys.stderr),
                               **options)
        except UnreadableSource as problem:
            print(f"homeroom: {what}: {problem}", file=sys.stderr)
            IMPORT_RUNS.labels(kind, "unreadable").inc()
            return USAGE
        code = finish(report, what, report_file=args.report, replace=args.replace, out=sys.stdout, err=sys.stderr)
        IMPORT_RUNS.labels(kind, "imported" if code == 0 else "refused").inc()
        return code

    return _run(go())


def cmd_import_oneroster(args: argparse.Namespace) -> int:
    from app.importers.oneroster import import_oneroster

    return _import(import_oneroster, "OneRoster import", args)


def cmd_import_edfi(args: argparse.Namespace) -> int:
    """Ed-Fi ODS/API v7 resources from a folder of saved JSON files or from the API itself. The key and
    secret may come from HOMEROOM_EDFI_KEY and HOMEROOM_EDFI_SECRET (a secret on the command line shows
    in the process list)."""
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import ApiSource, FolderSource

    what = "Ed-Fi import"
    key = args.key or os.environ.get("HOMEROOM_EDFI_KEY", "")
    secret = args.secret or os.environ.get("HOMEROOM_EDFI_SECRET", "")
    if args.url and not (key and secret):
        return _fail(EXIT_USAGE, f"{what}: --url needs --key and --secret (or HOMEROOM_EDFI_KEY and "
                                 "HOMEROOM_EDFI_SECRET)")
    return _import(import_edfi, what, args, source=lambda: FolderSource(Path(args.folder)) if args.folder else
                   ApiSource(args.url, key, secret, page_size=args.page_size))


def cmd_import_attendance(args: argparse.Namespace) -> int:
    from app.importers.attendance import import_attendance

    return _import(import_attendance, "Attendance import", args)


def cmd_import_calendar(args: argparse.Namespace) -> int:
    from app.importers.calendar import import_calendar

    return _import(import_calendar, "Calendar import", args)


def cmd_import_ssn(args: argparse.Namespace) -> int:
    from app.importers.ssn import import_ssn

    return _import(import_ssn, "SSN import", args)


def cmd_import_translations(args: argparse.Namespace) -> int:
    from app.importers.translations import import_translations

    return _import(import_translations, "Translations import", args)


def cmd_export_household_changes(args: argparse.Namespace) -> int:
    from app.exports.household_changes import write_household_changes

    from app.cli_output import output_file

    async def go():
        with output_file(args) as out:
            count = await write_household_changes(out, since=args.since)
        print(f"homeroom: {count} household change(s) written (approved addresses, confirmed emails and phones)",
              file=sys.stderr)
        return 0

    return _run(go())


def cmd_digests_queue(args: argparse.Namespace) -> int:
    from app.services.digests import queue_digests

    async def go():
        run = await queue_digests(args.week_of)
        print(f"Week of {run.week_of}: {run.queued} digest(s) queued, {run.deferred} waiting for quiet hours, "
              f"{run.nothing} with nothing to say, {run.already} already done, {run.off} turned off.")
        return 0

    return _run(go())


def cmd_export_absence_reports(args: argparse.Namespace) -> int:
    from app.services.absence_reports import write_absence_reports

    since = args.since

    from app.cli_output import output_file

    async def go():
        with output_file(args) as out:
            count = await write_absence_reports(out, since=since)
        print(f"homeroom: {count} attendance event(s) written from absence reports", file=sys.stderr)
        return 0

    return _run(go())


def cmd_alerts_send_due(_: argparse.Namespace) -> int:
    from app import i18n
    from app.services.absence_alerts import send_due_alerts, waiting_alerts
    from app.services.digests import send_due_digests
    from app.services.preferences import load_preferences

    async def go():
        print(f"{await send_due_alerts()} absence alert(s) and {await send_due_digests()} digest(s) queued.")
        count, first = await waiting_alerts()
        if count:
            zone = (await load_preferences()).time_zone
            print(f"{count} absence alert(s) wait for their time, the first until {i18n.format_moment(first, zone)} "
                  f"({zone}); the running portal sends them then, or this command run after then.")
        return 0

    return _run(go())


def cmd_backup(args: argparse.Namespace) -> int:
    from app.backup import backup_sqlite
    from app.settings import get_settings

    settings = get_settings()
    if settings.uses_postgres:
        return _fail(EXIT_USAGE, "on PostgreSQL back up with pg_dump -Fc (see the README's Backups section)")
    size = backup_sqlite(Path(settings.sqlite_path), args.path)
    print(f"Backed up {settings.sqlite_path} to {args.path} ({size:,} bytes, one self-contained file). Keep "
          "HOMEROOM_SSN_PEPPER and HOMEROOM_SECRET_KEY apart from it.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.backup import restore_sqlite
    from app.settings import get_settings

    settings = get_settings()
    if settings.uses_postgres:
        return _fail(EXIT_USAGE, "on PostgreSQL restore with pg_restore (see the README's Backups section)")
    migrations = restore_sqlite(args.path, Path(settings.sqlite_path), replace=args.replace)
    print(f"Restored {args.path} into {settings.sqlite_path} ({migrations} migrations applied in the backup; "
          "`homeroom serve` applies any newer ones).")
    return 0


def add_plan_arguments(command: argparse.ArgumentParser) -> None:
    """The OneRoster and Ed-Fi imports: a dry run, and going ahead with a mass removal (app/rules/mass_removal.py)."""
    command.add_argument("--dry-run", action="store_true",
                         help="work everything out and print what would change (new, changed, made inactive, "
                              "removed per kind; warnings); change nothing")
    command.add_argument("--allow-mass-removal", action="store_true",
                         help="go ahead even if the run removes more than 10%% (and more than 20) of the active "
                              "students, guardians, classes, enrollments or links of a kind")


def preferences_help() -> str:
    """Every preference with its default and the values it takes, from app/rules/preferences.py."""
    from dataclasses import fields

    from app.rules.preferences import DistrictPreferences, allowed_values, display_value

    rows = [(f.name, display_value(f.default), allowed_values(f.name).removeprefix("Use "))
            for f in fields(DistrictPreferences)]
    name_width, default_width = (max(len(row[i]) for row in rows) for i in (0, 1))
    return "\n".join(["preferences (NAME, default, VALUE allowed; the README says what each one does):"]
                     + [f"  {name:<{name_width}}  {default:<{default_width}}  {allowed}"
                        for name, default, allowed in rows])


def import_help(kind: str) -> str:
    """What an import reads, from the importer's own lists (its columns and the values they take)."""
    if kind == "oneroster":
        from app.importers.oneroster_files import path_help

        return path_help()
    if kind == "edfi":
        from app.importers.edfi_source import source_help

        return source_help()
    from importlib import import_module

    return import_module(f"app.importers.{kind}").FORMAT.help()


def _installed_version() -> str:
    """The installed package's version (pyproject.toml), for `homeroom --version` and a support call."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("homeroom")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = HomeroomParser(prog="homeroom", description="Homeroom parent portal. Configuration comes from the "
                            "environment and a .env file in the working directory (see the README).")
    parser.add_argument("--version", action="version", version=f"homeroom {_installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=HomeroomParser)

    from app.cli_serve import add_serve_command

    add_serve_command(commands)

    commands.add_parser("migrate", help="apply migrations").set_defaults(func=cmd_migrate)

    setup = commands.add_parser("setup", help="first run: the district's name, portal name, help phone, time "
                                              "zone and first district admin (production serves only after it)")
    for name, question in SETUP_QUESTIONS.items():
        setup.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT", help=question)
    setup.add_argument("--admin-username", metavar="USERNAME",
                       help="the first district admin (password asked for, or one line of standard input)")
    setup.set_defaults(func=cmd_setup)

    backup = commands.add_parser("backup", help="SQLite: a consistent copy of the live database in a new file")
    backup.add_argument("path", type=Path, metavar="PATH",
                        help="the new file to write, in a folder that exists (e.g. /var/backups/homeroom/"
                             "2026-09-01.sqlite3); never an existing file. It is one self-contained SQLite file")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="SQLite: put a backup in place of the database (DATABASE_URL)")
    restore.add_argument("path", type=Path, metavar="PATH", help="a file written by `homeroom backup`")
    restore.add_argument("--replace", action="store_true", help="overwrite a database that already exists")
    restore.set_defaults(func=cmd_restore)

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
    letters = keys.add_parser("letters", help="keys for mail-merge letters: eligible guardians without an account "
                                              "or an unused key")
    from app.cli_letters import add_letter_arguments

    add_letter_arguments(letters)
    letters.set_defaults(func=cmd_keys_letters)

    settings = commands.add_parser("settings", help="district preferences").add_subparsers(
        dest="settings_command", required=True)
    settings.add_parser("show", help="every preference and its value now").set_defaults(func=cmd_settings_show)
    set_ = settings.add_parser("set", help="set one preference (listed below with its default and values)",
                               epilog_from=preferences_help)
    set_.add_argument("name", metavar="NAME", help="a preference's name (below)")
    set_.add_argument("value", metavar="VALUE", help="its new value (below: what each preference takes)")
    set_.set_defaults(func=cmd_settings_set)

    staff = commands.add_parser("staff", help="staff accounts").add_subparsers(dest="staff_command", required=True)
    create = staff.add_parser("create", help="create a staff account (password from the terminal or stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["school-staff", "district-admin"])
    create.add_argument("--school", metavar="SOURCEDID", help="the school of a school-staff account (`homeroom "
                                                              "schools list` shows their sourcedIds)")
    create.set_defaults(func=cmd_staff_create)
    staff.add_parser("list", help="every staff account, as CSV").set_defaults(func=cmd_staff_list)
    for action, text in (("disable", "disable a staff account and end its sessions"),
                         ("enable", "enable a disabled staff account"),
                         ("reset", "new temporary password (printed), sessions ended, second factor removed")):
        change = staff.add_parser(action, help=text)
        change.add_argument("--username", required=True)
        change.set_defaults(func=cmd_staff_change)
    schools = commands.add_parser("schools", help="schools").add_subparsers(dest="schools_command", required=True)
    schools.add_parser("list", help="every school's sourcedId and name, as CSV").set_defaults(func=cmd_schools_list)

    commands.add_parser("mail-worker", help="deliver the outbox over SMTP until stopped: Ctrl-C or SIGTERM "
                        "finishes the message in hand and exits 0 (a clean stop, not exit 130)").set_defaults(
        func=cmd_mail_worker)
    commands.add_parser("maintenance", help="purge expired sessions, rate counters and links (the server "
                        "also does this every 10 minutes)").set_defaults(func=cmd_maintenance)

    imports = commands.add_parser("import", help="import district data (all or nothing)").add_subparsers(
        dest="import_command", required=True)
    for name, func, metavar, text in (
            ("oneroster", cmd_import_oneroster, "PATH", "a OneRoster 1.1/1.2 CSV zip or folder"),
            ("attendance", cmd_import_attendance, "FILE", "an attendance-events CSV (Ed-Fi shaped)"),
            ("calendar", cmd_import_calendar, "FILE", "a CSV of the days that are not school days (holidays, "
                                                      "breaks, snow days)"),
            ("ssn", cmd_import_ssn, "FILE", "a CSV of student SSNs, kept only as keyed hashes"),
            ("restrictions", cmd_import_restrictions, "FILE", "a CSV of guardian-student links to switch off"),
            ("translations", cmd_import_translations, "FILE",
             "a CSV of the district's words for SIS term names and absence reasons, per language")):
        command = imports.add_parser(name, help=text, description=f"Import {text}. All or nothing: any ERROR "
                                     "and nothing is changed.", epilog_from=lambda name=name: import_help(name))
        command.add_argument("path", type=Path, metavar=metavar,
                             help="the zip or folder (below)" if name == "oneroster" else "the CSV file (below)")
        add_output_arguments(command, example="problems.csv", output=False, report=True)
        if name == "oneroster":
            add_plan_arguments(command)
        command.set_defaults(func=func)

    edfi = imports.add_parser("edfi", help="Ed-Fi ODS/API v7 resources: a folder of JSON files or the API itself",
                              epilog_from=lambda: import_help("edfi"))
    where = edfi.add_mutually_exclusive_group(required=True)
    where.add_argument("--folder", metavar="DIR", help="contacts.json, grades.json, ... (or contacts-1.json, ...)")
    where.add_argument("--url", metavar="URL", help="the ODS/API's base address (its discovery document)")
    edfi.add_argument("--key", metavar="K", help="API client key (or HOMEROOM_EDFI_KEY)")
    edfi.add_argument("--secret", metavar="S", help="API client secret (better: HOMEROOM_EDFI_SECRET)")
    edfi.add_argument("--page-size", type=whole_number(1, 5000), default=500, metavar="N",
                      help="records per API page (1 to 5000)")
    add_output_arguments(edfi, example="problems.csv", output=False, report=True)
    add_plan_arguments(edfi)
    edfi.set_defaults(func=cmd_import_edfi)
    add_access_commands(commands)
    digests = commands.add_parser("digests", help="weekly digests").add_subparsers(
        dest="digests_command", required=True)
    queue = digests.add_parser("queue", help="queue a week's digests now (a second run queues nothing new)")
    queue.add_argument("--week-of", metavar="YYYY-MM-DD", type=day_argument,
                       help="a day of the week to summarise (default: this week from Friday on, else last week)")
    queue.set_defaults(func=cmd_digests_queue)
    alerts = commands.add_parser("alerts", help="absence alerts").add_subparsers(dest="alerts_command",
                                                                                 required=True)
    alerts.add_parser("send-due", help="queue the absence alerts and digests whose wait is over").set_defaults(
        func=cmd_alerts_send_due)

    exports = commands.add_parser("export", help="data for the SIS").add_subparsers(
        dest="export_command", required=True)
    household = exports.add_parser("household-changes", help="changes made in the portal (approved addresses, "
                                                              "confirmed emails and phones) as CSV for the SIS")
    add_output_arguments(household, example="household-changes.csv")
    household.add_argument("--since", metavar="YYYY-MM-DD", type=day_argument,
                           help="only changes decided on or after this day")
    household.set_defaults(func=cmd_export_household_changes)
    absences = exports.add_parser("absence-reports", help="guardians' absence reports as Ed-Fi-shaped attendance "
                                                          "events (CSV)")
    add_output_arguments(absences, example="absence-reports.csv")
    absences.add_argument("--since", metavar="YYYY-MM-DD", type=day_argument,
                          help="only reports made on or after this day")
    absences.set_defaults(func=cmd_export_absence_reports)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. Every error is one line on standard error and a documented exit code (EXIT_CODES);
    HOMEROOM_DEBUG=1 adds the traceback of an unexpected one."""
    from app.backup import BackupError, NoDatabase
    from app.new_files import FileInTheWay, PathWrong
    from app.services.district_setup import ProductionDatabase
    from app.settings import SettingsError

    warnings.filterwarnings("ignore", module="piccolo.engine.base")  # its "Unable to connect" repeats ours
    # The same from a pool's first connection, attributed to asyncio's frame (coloured, with a source line).
    warnings.filterwarnings("ignore", message=r".*Unable to fetch server version")
    args = build_parser().parse_args(argv)
    _COMMAND_LINE[:] = sys.argv[1:] if argv is None else list(argv)
    try:
        check_outputs(args)  # --output and --report, before any work
        code = args.func(args)
        sys.stdout.flush()  # a reader that went away shows here, inside the handlers, not at exit
        return code
    except (SettingsError, ProductionDatabase) as problem:
        return _fail(EXIT_CONFIGURATION, f"configuration: {problem}")
    except (DatabaseMissing, NoDatabase) as problem:
        return _fail(EXIT_DATABASE, str(problem))
    except PathWrong as problem:  # a path typed that names no place for the file: fix the command
        return _fail(EXIT_USAGE, str(problem))
    except (FileInTheWay, BackupError) as problem:
        return _fail(EXIT_FAILED, str(problem))
    except KeyboardInterrupt:
        return _fail(EXIT_INTERRUPTED, "interrupted")
    except BrokenPipeError:
        # The reader went away (`homeroom keys letters | head`): stop quietly. Python would complain again
        # when it flushes stdout at exit, so stdout goes nowhere from here on.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except FileExistsError as problem:  # an output file that appeared after the check: never written over
        return _fail(EXIT_FAILED, f"{problem.filename} already exists: it was not written over")
    except FileNotFoundError as problem:
        folder = Path(problem.filename).parent if problem.filename else None
        if folder is not None and not folder.is_dir():  # a typed path into a folder that is not there
            return _fail(EXIT_USAGE, f"the folder {folder} does not exist (for {problem.filename})")
        return _fail(EXIT_FAILED, f"{problem.strerror or problem}: {problem.filename or ''}".rstrip(": "))
    except OSError as problem:
        if _database_unreachable(problem):
            return _fail(EXIT_DATABASE, f"the database cannot be reached: {problem}")
        return _fail(EXIT_FAILED, f"{problem.strerror or problem}: {problem.filename or ''}".rstrip(": "))
    except Exception as problem:  # noqa: BLE001 - one line for the district's scripts, whatever it was
        if type(problem).__name__ == "InvalidCatalogNameError":  # asyncpg: the server has no such database
            # Not "run `homeroom migrate`": migrate was what failed (an IT lead's find).
            return _fail(EXIT_DATABASE, f"{problem} on that server: create it first (createdb, or CREATE DATABASE "
                                        "as the server's administrator), then run `homeroom migrate`")
        if _database_unreachable(problem):
            return _fail(EXIT_DATABASE, "the database cannot be reached or is not migrated "
                                        f"(run `homeroom migrate`): {problem}")
        if os.environ.get("HOMEROOM_DEBUG"):
            raise
        return _fail(EXIT_FAILED, f"unexpected error: {type(problem).__name__}: {problem} "
                                  "(HOMEROOM_DEBUG=1 shows the traceback)")


def _fail(code: int, message: str) -> int:
    print(f"homeroom: {message}", file=sys.stderr)
    return code


def _database_unreachable(problem: BaseException) -> bool:
    """Connection refused or unknown host (PostgreSQL), a missing table (not migrated), a file that cannot be
    opened (SQLite)."""
    import sqlite3

    text = str(problem).lower()
    if isinstance(problem, sqlite3.OperationalError):
        return "no such table" in text or "unable to open" in text
    if isinstance(problem, (ConnectionRefusedError, socket.gaierror)):
        return True
    module = type(problem).__module__
    return module.startswith("asyncpg") and ("does not exist" in text or "connection" in text)


if __name__ == "__main__":
    sys.exit(main())
