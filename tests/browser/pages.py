"""Every page and every state of it that the browser suite walks (QUALITY §2). A page that is not in
PAGES is not tested: add new pages and states here.

A state is reached from a start URL by a few steps. Values in braces are filled in by the walk:
{key} is an unused activation key, {username}/{password}/{email} the seeded account, {reset_link} a
fresh password-reset link from the mail server, {unique} a value new to each visit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fill:
    field: str  # the input's id
    value: str


@dataclass(frozen=True)
class Check:
    field: str  # the id of a radio button or checkbox to tick


@dataclass(frozen=True)
class Select:
    field: str  # the id of a <select>
    index: int = 1  # the option to choose (0 is usually "Choose ...")


@dataclass(frozen=True)
class Submit:
    button: str  # the button's accessible name


@dataclass(frozen=True)
class Goto:
    url: str


@dataclass(frozen=True)
class Follow:
    link: str  # a CSS selector for the link to follow


@dataclass(frozen=True)
class ForgetCookies:
    """The browser loses its cookies (another tab logged out, cookies cleared): the form's token is stale."""


Step = Fill | Check | Select | Submit | Goto | Follow | ForgetCookies


@dataclass(frozen=True)
class PageState:
    name: str
    start: str
    title: str | None  # the step's name in <title>, before " – portal name"; None: the same as the h1
    steps: tuple[Step, ...] = ()
    errors: tuple[str, ...] = ()  # ids of the fields the state marks invalid, in the error summary's order
    lands_on: str | None = None  # path (and query) the browser shows at the end, when it is the point
    server: str = "test"  # "demo" for pages that exist only in demo mode
    shows: tuple[str, ...] = ()  # text the page must show
    reloads: bool = False  # the last step signs in or out, which loads a whole page even with JavaScript
    media: str = "screen"  # "print" checks the page as printed (the key slip)

    def __str__(self) -> str:
        return self.name


def log_in(username: str = "{username}", password: str = "{password}") -> tuple[Step, ...]:
    return Fill("username", username), Fill("password", password), Submit("Log In")


def signed_in(url: str) -> tuple[Step, ...]:
    return (*log_in(), Goto(url))


def staff_signed_in(url: str | None = None) -> tuple[Step, ...]:
    from tests.browser.seed_staff import STAFF_PASSWORD, STAFF_USERNAME

    return (*log_in(STAFF_USERNAME, STAFF_PASSWORD), *((Goto(url),) if url else ()))


def staff_at_walk_in() -> tuple[Step, ...]:
    """The console's page for a guardian with no account, who has come to the office for a key."""
    return (*staff_signed_in("/staff?q=Walkin"), Follow('a[href^="/staff/guardians/"]'))


def ask_for_correction() -> tuple[Step, ...]:
    """The correction form, reached from a record page's link (Ana's attendance)."""
    return (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href*="/corrections/attendance"]'))


def staff_at_access_link() -> tuple[Step, ...]:
    """The console's portal-access page for Court Lopez and Ana (tests/browser/seed_access.py)."""
    return (*staff_signed_in("/staff?q=Ana"), Follow('a[href^="/staff/students/"]'),
            Follow('tr:has-text("Court Lopez") a[href*="/access/"]'))


def enter_key(key: str = "{key}") -> tuple[Step, ...]:
    return Fill("activation-key", key), Submit("Submit")


def create_account(username: str, password: str, verify: str) -> tuple[Step, ...]:
    return (*enter_key(), Fill("username", username), Fill("password", password),
            Fill("verify-password", verify), Submit("Create Account"))


def ask_for_username(address: str) -> tuple[Step, ...]:
    return Goto("/forgot-username"), Fill("email", address), Submit("Email my username")


STRONG = "Bright-Meadow-73"
USERNAME_REQUESTS_ALLOWED = 5  # the district's default

PAGES: tuple[PageState, ...] = (
    # Log in (DESIGN §4.1)
    PageState("login", "/", "Log In"),
    PageState("login, nothing entered", "/", "Log In", (Submit("Log In"),), errors=("username",)),
    PageState("login, wrong password", "/", "Log In", log_in("nobodyhere", "Not-The-Password-1"),
              errors=("username",)),
    PageState("login, after logging out", "/", "Log In", (*log_in(), Submit("Log Out")),
              lands_on="/?notice=signed-out", shows=("You have logged out.",), reloads=True),
    PageState("home, signed in", "/", "My students", log_in(), lands_on="/home", shows=("Ana Lopez", "Luis Lopez"),
              reloads=True),
    # Activation wizard (DESIGN §4.3)
    PageState("activation key", "/activate", "Step 1 of 2: Activation Key"),
    PageState("activation key, nothing entered", "/activate", "Step 1 of 2: Activation Key", (Submit("Submit"),),
              errors=("activation-key",)),
    PageState("activation key, bad format", "/activate", "Step 1 of 2: Activation Key", enter_key("1234-ABCD"),
              errors=("activation-key",)),
    PageState("activation key, unknown key", "/activate", "Step 1 of 2: Activation Key",
              enter_key("2222-3333-4444-6666-7777-9999-CCCC-DDDD"), errors=("activation-key",)),
    PageState("create account", "/activate", "Step 2 of 2: Create Username and Password", enter_key(),
              lands_on="/activate/account"),
    PageState("create account, username taken", "/activate", "Step 2 of 2: Create Username and Password",
              create_account("MariaLopez", STRONG, STRONG), errors=("username",)),
    PageState("create account, passwords differ", "/activate", "Step 2 of 2: Create Username and Password",
              create_account("newparent", STRONG, STRONG + "x"), errors=("verify-password",)),
    PageState("create account, weak password", "/activate", "Step 2 of 2: Create Username and Password",
              create_account("newparent", "sunflowerfield", "sunflowerfield"), errors=("password",)),
    # Forgot Your Password? (DESIGN §4.5)
    PageState("forgot password", "/forgot-password", "Forgot Your Password?"),
    PageState("forgot password, nothing entered", "/forgot-password", "Forgot Your Password?",
              (Submit("Email me a link"),), errors=("identifier",)),
    PageState("forgot password, link sent", "/forgot-password", "Check your email",
              (Fill("identifier", "someone-{unique}@example.com"), Submit("Email me a link")),
              lands_on="/forgot-password/sent"),
    PageState("new password", "{reset_link}", "Choose a new password", lands_on="/reset"),
    PageState("new password, nothing entered", "{reset_link}", "Choose a new password",
              (Submit("Change Password"),), errors=("password",)),
    PageState("new password, passwords differ", "{reset_link}", "Choose a new password",
              (Fill("password", STRONG), Fill("verify-password", STRONG + "x"), Submit("Change Password")),
              errors=("verify-password",)),
    PageState("reset link gone", "/reset/not-a-real-link", "This link cannot be used", lands_on="/reset"),
    # Forgot Your Username? (DESIGN §4.6)
    PageState("forgot username", "/forgot-username", "Forgot Your Username?"),
    PageState("forgot username, bad email", "/forgot-username", "Forgot Your Username?",
              (Fill("email", "not-an-address"), Submit("Email my username")), errors=("email",)),
    PageState("forgot username, sent", "/forgot-username", "Check your email",
              ask_for_username("parent-{unique}@example.com"), lands_on="/forgot-username/sent"),
    PageState("forgot username, limit reached", "/forgot-username", "Too many requests today",
              ask_for_username("limit-{unique}@example.com") * (USERNAME_REQUESTS_ALLOWED + 1),
              lands_on="/forgot-username/limit"),
    # A student's records (DESIGN §4.8), reached from home by their links
    PageState("schedule", "/", "Schedule: Ana Lopez", (*signed_in("/home"), Follow('a[href$="/schedule"]')),
              shows=("Grade 3 Homeroom",)),
    PageState("attendance", "/", "Attendance: Ana Lopez", (*signed_in("/home"), Follow('a[href$="/attendance"]')),
              shows=("Excused absence",)),
    PageState("grades", "/", "Grades: Ana Lopez", (*signed_in("/home"), Follow('a[href$="/grades"]'))),
    PageState("a section's assignments", "/", "Grade 3 Homeroom: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/grades"]'), Follow('a[href*="/grades/"]')),
              shows=("Out of",)),
    PageState("who has viewed the records", "/", "Who has viewed these records: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/viewed"]')), shows=("parent or guardian",)),
    # Ask the school to correct this (issue 11 item 3)
    PageState("ask for a correction", "/", "Ask the school to correct a record", ask_for_correction(),
              shows=("What is wrong, and what should it say?",)),
    PageState("ask for a correction, nothing entered", "/", "Ask the school to correct a record",
              (*ask_for_correction(), Submit("Send to the school")), errors=("record", "message")),
    PageState("ask for a correction, sent", "/", "Request sent to the school",
              (*ask_for_correction(), Select("record"), Fill("message", "She was at the dentist; I sent a note."),
               Submit("Send to the school")), lands_on="/corrections/sent"),
    PageState("household correction", "/", "Ask the school to correct a record",
              (*signed_in("/household"), Follow('a[href="/household/corrections"]'))),
    # Household information (DESIGN §4.9)
    PageState("household", "/", "Household information", signed_in("/household"), shows=("12 Maple Street",)),
    PageState("household, confirmed this school year", "/", "Household information",
              (*log_in("PatLopez"), Goto("/household")), shows=("You confirmed this information",)),
    PageState("add phone", "/", "Add a phone number", signed_in("/household/phones/new")),
    PageState("add phone, nothing entered", "/", "Add a phone number",
              (*signed_in("/household/phones/new"), Submit("Save phone number")), errors=("number", "current-password")),
    PageState("add phone, wrong password", "/", "Add a phone number",
              (*signed_in("/household/phones/new"), Fill("number", "404-555-0150"), Fill("current-password", "Wrong-1"),
               Submit("Save phone number")), errors=("current-password",)),
    PageState("change phone", "/", "Change a phone number",
              (*signed_in("/household"), Follow("ul.cards a[href^='/household/phones/']"))),
    PageState("remove phone", "/", "Remove a phone number", (*signed_in("/household"), Follow("ul.cards a[href$='/remove']"))),
    PageState("change email", "/", "Change your email address", signed_in("/household/email")),
    PageState("change email, bad address", "/", "Change your email address",
              (*signed_in("/household/email"), Fill("email", "not-an-address"), Submit("Send confirmation link")),
              errors=("email", "current-password")),
    PageState("change email, link sent", "/", "Household information",
              (*signed_in("/household/email"), Fill("email", "maria-{unique}@example.com"),
               Fill("current-password", "{password}"), Submit("Send confirmation link")),
              lands_on="/household?notice=email-link-sent"),
    PageState("email link gone", "/email/confirm/not-a-real-link", "This link cannot be used",
              lands_on="/email/confirm"),
    PageState("address change", "/", "Ask for an address change", signed_in("/household/address")),
    PageState("address change, nothing entered", "/", "Ask for an address change",
              (*signed_in("/household/address"), *(Fill(f, "") for f in ("address-line1", "city", "state",
                                                                         "postal-code")),
               Submit("Send to the school office")), errors=("address-line1", "city", "state", "postal-code")),
    PageState("address change, sent", "/", "Household information",
              (*signed_in("/household/address"), Fill("address-line1", "48 Peachtree Road"),
               Submit("Send to the school office")), lands_on="/household?notice=address-requested"),
    # Account (DESIGN §4.10)
    PageState("account", "/", "Your account", signed_in("/account"), shows=("This device",)),
    PageState("account, language saved", "/", "Your account", (*signed_in("/account"), Submit("Save language")),
              lands_on="/account?notice=language-changed", reloads=True),
    PageState("change password", "/", "Change your password", signed_in("/account/password")),
    PageState("change password, nothing entered", "/", "Change your password",
              (*signed_in("/account/password"), Submit("Change Password")), errors=("current-password", "password")),
    PageState("change password, wrong current password", "/", "Change your password",
              (*signed_in("/account/password"), Fill("current-password", "Wrong-1"), Fill("password", STRONG),
               Fill("verify-password", STRONG), Submit("Change Password")), errors=("current-password",)),
    PageState("log out everywhere", "/", "Log In", (*signed_in("/account"), Submit("Log out everywhere")),
              lands_on="/?notice=signed-out", reloads=True),
    # Email about your students, report an absence, unsubscribe (issue 12)
    PageState("account, email choices saved", "/", "Your account",
              (*signed_in("/account"), Fill("grade-threshold", "C+"), Submit("Save email choices")),
              lands_on="/account?notice=alerts-saved", shows=("Your email choices were saved.",)),
    PageState("account, email choices, bad values", "/", "Your account",
              (*signed_in("/account"), Fill("grade-threshold", "great"), Fill("quiet-start", "9pm"),
               Submit("Save email choices")), errors=("grade-threshold", "quiet-start", "quiet-end")),
    PageState("report an absence", "/", "Report an absence: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'))),
    PageState("report an absence, nothing chosen", "/", "Report an absence: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'),
               Submit("Send the report")), errors=("reason",)),
    PageState("report an absence, sent", "/", "Absence reports: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'),
               Check("reason"), Submit("Send the report")), shows=("Your report was sent",)),
    PageState("unsubscribe, confirm", "/unsubscribe/{unsubscribe}", "Stop these emails",
              shows=("Nothing changes until",)),
    PageState("unsubscribe, done", "/unsubscribe/{unsubscribe}", "Stop these emails", (Submit("Stop these emails"),),
              shows=("You will no longer get the weekly summary",)),
    PageState("console, absence reports", "/", "Absence reports", staff_signed_in("/staff/absence-reports"),
              shows=("Medical or dental appointment",)),
    PageState("console, an absence report", "/", None,
              (*staff_signed_in("/staff/absence-reports"), Follow('a[href^="/staff/absence-reports/"]')),
              shows=("Dentist at 9",)),
    PageState("console, absence report declined without a reason", "/", None,
              (*staff_signed_in("/staff/absence-reports"), Follow('a[href^="/staff/absence-reports/"]'),
               Submit("Decline the report")), errors=("reason",)),
    # Need an activation key? Request one (DESIGN §4.7)
    PageState("request a key", "/", "Request an Activation Key", (Follow('a[href="/request-key"]'),)),
    PageState("request a key, nothing entered", "/request-key", "Request an Activation Key", (Submit("Submit"),),
              errors=("requester-name", "relationship", "email", "phone", "student-number", "ssn", "birth-date")),
    PageState("request a key, sent", "/request-key", "Request received",
              (Fill("requester-name", "Rosa Lopez"), Fill("relationship", "grandmother"),
               Fill("email", "rosa-{unique}@example.com"), Fill("phone", "404-555-0199"),
               Fill("student-number", "S00001"), Fill("ssn", "000000000"), Fill("birth-date", "04/27/2017"),
               Submit("Submit")), lands_on="/request-key/sent"),
    PageState("request a key, limit reached", "/request-key/limit", "Too many requests",
              shows=("This request was not recorded",)),
    # The school office's console (DESIGN §5), as a district admin
    PageState("console", "/", "School office console", staff_signed_in(), lands_on="/staff", reloads=True),
    PageState("console, search results", "/", "Search results", staff_signed_in("/staff?q=Lopez"),
              shows=("Walkin Lopez",)),
    PageState("console, a student", "/", "Ana Lopez",
              (*staff_signed_in("/staff?q=Ana"), Follow('a[href^="/staff/students/"]'))),
    PageState("console, a guardian", "/", "Walkin Lopez", staff_at_walk_in(), shows=("never given by phone",)),
    PageState("console, key without the ID check", "/", "Walkin Lopez",
              (*staff_at_walk_in(), Check("photo-id-type"), Submit("Issue key and print slip")),
              errors=("id-checked",)),
    PageState("console, key slip printed", "/", "Activation key slip",
              (*staff_at_walk_in(), Check("photo-id-type"), Check("id-checked"), Submit("Issue key and print slip")),
              shows=("How to use it",), media="print"),
    # Portal access per guardian and student (issue 11), on Court Lopez's link to Ana
    PageState("console, portal access", "/", None, staff_at_access_link(), shows=("Switch access off",)),
    PageState("console, portal access without a reason", "/", None,
              (*staff_at_access_link(), Submit("Switch access off")), errors=("reason",)),
    PageState("console, portal access switched off", "/", None,
              (*staff_at_access_link(), Check("reason"), Fill("reference", "2026-CV-0113"),
               Fill("ends-on", "2026-12-31"), Submit("Switch access off")), shows=("2026-CV-0113",)),
    PageState("console, key requests", "/", "Key requests", staff_signed_in("/staff/key-requests")),
    PageState("console, a key request", "/", "Key request from Rosa Lopez",
              (*staff_signed_in("/staff/key-requests"), Follow('a[href^="/staff/key-requests/"]'))),
    PageState("console, key request denied without a reason", "/", "Key request from Rosa Lopez",
              (*staff_signed_in("/staff/key-requests"), Follow('a[href^="/staff/key-requests/"]'),
               Submit("Deny the request")), errors=("reason",)),
    PageState("console, correction requests", "/", "Correction requests", staff_signed_in("/staff/corrections"),
              shows=("Tardy",)),
    PageState("console, a correction request", "/", None,
              (*staff_signed_in("/staff/corrections"), Follow('a[href^="/staff/corrections/"]')),
              shows=("the bus log shows 7:50",)),
    PageState("console, correction answered without a choice", "/", None,
              (*staff_signed_in("/staff/corrections"), Follow('a[href^="/staff/corrections/"]'),
               Submit("Send the answer")), errors=("outcome",)),
    PageState("console, household changes", "/", "Household changes", staff_signed_in("/staff/household-changes")),
    PageState("console, a household change", "/", None,
              (*staff_signed_in("/staff/household-changes"), Follow('a[href^="/staff/household-changes/"]')),
              shows=("48 Peachtree Road",)),
    PageState("console, household change denied without a reason", "/", None,
              (*staff_signed_in("/staff/household-changes"), Follow('a[href^="/staff/household-changes/"]'),
               Submit("Deny the change")), errors=("reason",)),
    PageState("console, district preferences", "/", "District preferences", staff_signed_in("/staff/preferences")),
    PageState("console, district preferences, bad value", "/", "District preferences",
              (*staff_signed_in("/staff/preferences"), Fill("password-min-length", "3"), Submit("Save preferences")),
              errors=("password-min-length",)),
    PageState("console, audit log", "/", "Audit log", staff_signed_in("/staff/audit")),
    PageState("console, audit log, bad date", "/", "Audit log", staff_signed_in("/staff/audit?since=2026-13-45"),
              errors=("since",)),
    # Errors
    PageState("page not found", "/no-such-page", "Page not found"),
    PageState("form expired", "/", "This form has expired", (ForgetCookies(), *log_in())),
    # Demo mode only (DESIGN §7)
    PageState("dev mailbox", "/dev/mailbox", "Dev mailbox", server="demo"),
    PageState("dev mailbox, one message", "/dev/mailbox", None, (Follow("tbody a"),), server="demo"),
)
