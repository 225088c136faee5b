"""`homeroom keys letters` (issue 11 item 4): safe to run twice, per school, or as a dry run; a mail-merge CSV
or the letters themselves as print-ready HTML, one page per guardian in the guardian's language."""

from __future__ import annotations

import argparse
import sys

from app.cli_output import add_output_arguments, output_file


def add_letter_arguments(letters: argparse.ArgumentParser) -> None:
    letters.add_argument("--school", metavar="SOURCEDID", help="only guardians of students enrolled at this school")
    letters.add_argument("--reissue", action="store_true",
                         help="also guardians who already have an unused key (their unused keys are revoked: "
                              "letters already printed stop working)")
    letters.add_argument("--dry-run", action="store_true",
                         help="say who would get a letter and write the file without keys; issue nothing")
    letters.add_argument("--format", choices=["csv", "html"], default="csv",
                         help="csv: for a mail merge; html: the letters, one printed page per guardian (on a "
                              "dry run each says where its key would be, and the day a key issued now would "
                              "last work)")
    add_output_arguments(letters, example="letters.csv")


DRY_RUN_KEY = "DRY RUN: NO KEY ISSUED"


def dry_run_expiry(prefs):
    """The district day a key issued now would last work."""
    from datetime import timedelta

    from app import clock
    from app.rules.district_day import district_day

    return district_day(clock.now() + timedelta(days=prefs.key_lifetime_days), prefs.time_zone)


async def keys_letters(args: argparse.Namespace) -> int:
    from app.csv_files import write_csv
    from app.letters import SlipWords, render_key_slip, render_letters
    from app.services.key_letters import CSV_HEADER, LettersRefused, csv_rows, key_letters
    from app.services.preferences import load_preferences
    from app.settings import get_settings

    try:
        run = await key_letters(args.school, reissue=args.reissue, dry_run=args.dry_run)
    except LettersRefused as refused:  # a --school the portal does not have
        print(f"homeroom: no letters: {refused}", file=sys.stderr)
        return 2
    with output_file(args) as out:
        if args.format == "csv":
            write_csv(out, CSV_HEADER, csv_rows(run.letters), for_spreadsheet=True)
        else:
            prefs = await load_preferences()
            # A dry run's letters show what a real run would print, with no key in them.
            expires_on = dry_run_expiry(prefs) if args.dry_run else None
            slips = [render_key_slip(SlipWords(l.name, l.key or DRY_RUN_KEY, l.expires_on or expires_on, l.language,
                                               l.children, l.address), prefs, get_settings().public_url)
                     for l in run.letters]
            out.write(render_letters(slips, f"{prefs.portal_name}: activation key letters"))
    verb = "would be issued (dry run: nothing was issued)" if args.dry_run else "issued"
    print(f"homeroom: {len(run.letters)} letter(s) {verb}; {run.skipped_with_unused_key} guardian(s) skipped because they "
          f"already have an unused key" + ("" if args.reissue else " (--reissue replaces them)"), file=sys.stderr)
    shared = [g for g in run.left_out if g.why in ("shared-home", "shared-mailbox")]
    unusable = [g for g in run.left_out if g.why == "unusable-key"]
    nowhere = [g for g in run.left_out if g.why == "no-address"]
    unaddressed = sum(1 for letter in run.letters if not letter.address)
    if unaddressed:
        print(f"homeroom: {unaddressed} letter(s) have no mailing address on file, only an email address: for an "
              f"email merge, not the post", file=sys.stderr)
    if nowhere:
        print(f"homeroom: {len(nowhere)} guardian(s) left out: neither a mailing address nor an email address on "
              f"file; add one in the SIS, or give them a key at the office (photo ID): " + _names(nowhere),
              file=sys.stderr)
    if shared:
        print(f"homeroom: {len(shared)} guardian(s) left out: a guardian whose portal access to one of their children is off "
              f"(or set to be) is listed at the same home or reads the same email, and whoever opens the letter "
              f"could use its key; give them a key at the office (photo ID): " + _names(shared), file=sys.stderr)
    if unusable:
        print(f"homeroom: {len(unusable)} guardian(s) hold an unused key that will be refused, for the same reason (it was "
              f"issued before access was switched off); give them a key at the office (photo ID): "
              + _names(unusable), file=sys.stderr)
    return 0


def _names(guardians) -> str:
    return "; ".join(f"{g.name} ({g.source_id})" for g in guardians)
