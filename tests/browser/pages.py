"""Every page and every state of it that the browser suite walks (docs/quality.md §2). A page that is not in
PAGES is not tested: add new pages and states here.

A state is reached from a start URL by a few steps. Values in braces are filled in by the walk:
{key} is an unused activation key, {username}/{password}/{email} the seeded account, {reset_link} a
fresh password-reset link from the mail server, {unique} a value new to each visit."""

from __future__ import annotations

from dataclasses import dataclass

from tests.browser.seed_access import SCENARIO_PASSWORD, SHARED_MAILBOX_BLOCKED, SHARED_MAILBOX_USERNAME


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


@dataclass(frozen=True)
class TrustedBrowser:
    """The browser holds a "trusted for 30 days" cookie the seed made for this token (issue 14)."""

    token: str


Step = Fill | Check | Select | Submit | Goto | Follow | ForgetCookies | TrustedBrowser


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
    """OfficeAdmin on a browser it trusted, so the second step is skipped (the walk signs in dozens of
    times a minute; a code works once)."""
    from tests.browser.seed_staff import STAFF_PASSWORD, STAFF_TRUST_TOKEN, STAFF_USERNAME

    return (TrustedBrowser(STAFF_TRUST_TOKEN), *log_in(STAFF_USERNAME, STAFF_PASSWORD), *((Goto(url),) if url else ()))


def tessa_signed_in(url: str) -> tuple[Step, ...]:
    from tests.browser.seed_staff import TESSA_PASSWORD, TESSA_TRUST_TOKEN, TESSA_USERNAME

    return TrustedBrowser(TESSA_TRUST_TOKEN), *log_in(TESSA_USERNAME, TESSA_PASSWORD), Goto(url)


def second_step(username: str = "OfficeAdmin") -> tuple[Step, ...]:
    from tests.browser.seed_staff import STAFF_PASSWORD

    return log_in(username, STAFF_PASSWORD)


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


# Every browser context is a device set to US English, said explicitly: the full `chromium` sends its own
# Accept-Language (en-US), the headless shell none at all, and the portal answers a device that asks for no
# language differently (no language question after signing in).
BROWSER_LOCALE = "en-US"

STRONG = "Bright-Meadow-73"
USERNAME_REQUESTS_ALLOWED = 5  # the district's default

PAGES: tuple[PageState, ...] = (
    # Log in (docs/design.md §4.1)
    PageState("login", "/", "Log In"),
    PageState("login, nothing entered", "/", "Log In", (Submit("Log In"),), errors=("username", "password")),
    PageState("login, wrong password", "/", "Log In", log_in("nobodyhere", "Not-The-Password-1"),
              errors=("username",)),
    PageState("login, after logging out", "/", "Log In", (*log_in(), Submit("Log Out")),
              lands_on="/?notice=signed-out", shows=("You have logged out.",), reloads=True),
    PageState("home, signed in", "/", "My students", log_in(), lands_on="/home", shows=("Ana Lopez", "Luis Lopez"),
              reloads=True),
    # Activation wizard (docs/design.md §4.3)
    PageState("activation key", "/activate", "Step 1 of 2: Activation Key"),
    PageState("activation key, nothing entered", "/activate", "Step 1 of 2: Activation Key", (Submit("Submit"),),
              errors=("activation-key",)),
    PageState("activation key, bad format", "/activate", "Step 1 of 2: Activation Key", enter_key("1234-ABCD"),
              errors=("activation-key",)),
    PageState("activation key, unknown key", "/activate", "Step 1 of 2: Activation Key",
              enter_key("2222-3333-4444-6666-7777-9999-CCCC-DDDD"), errors=("activation-key",)),
    # Issue 13 item 9: a mistyped key is told what is wrong
    PageState("activation key, the letter O", "/activate", "Step 1 of 2: Activation Key",
              enter_key("2222-3333-4444-6666-7777-9999-CCCC-DDDO"), errors=("activation-key",),
              shows=("Activation keys never contain the letter O.",)),
    PageState("activation key, 31 characters, in Spanish", "/activate", "Paso 1 de 2: Clave de activación",
              (Submit("Español"), Fill("activation-key", "2222-3333-4444-6666-7777-9999-CCCC-DDD"),
               Submit("Enviar")), errors=("activation-key",), shows=("Escribió 31 letras y números.",)),
    PageState("create account", "/activate", "Step 2 of 2: Create Username and Password", enter_key(),
              lands_on="/activate/account"),
    PageState("create account, username taken", "/activate", "Step 2 of 2: Create Username and Password",
              create_account("MariaLopez", STRONG, STRONG), errors=("username",)),
    PageState("create account, passwords differ", "/activate", "Step 2 of 2: Create Username and Password",
              create_account("newparent", STRONG, STRONG + "x"), errors=("verify-password",)),
    PageState("create account, weak password", "/activate", "Step 2 of 2: Create Username and Password",
              create_account("newparent", "sunflowerfield", "sunflowerfield"), errors=("password",)),
    # Forgot Your Password? (docs/design.md §4.5)
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
    # Forgot Your Username? (docs/design.md §4.6)
    PageState("forgot username", "/forgot-username", "Forgot Your Username?",
              shows=("You can ask 5 times a day for one email address.",)),
    PageState("forgot username, bad email", "/forgot-username", "Forgot Your Username?",
              (Fill("email", "not-an-address"), Submit("Email my username")), errors=("email",)),
    PageState("forgot username, sent", "/forgot-username", "Check your email",
              ask_for_username("parent-{unique}@example.com"), lands_on="/forgot-username/sent?left=4",
              shows=("You can ask 4 more times today for this address.",)),
    PageState("forgot username, sent, in Spanish", "/forgot-username", "Revise su correo electrónico",
              (Submit("Español"), Fill("email", "padre-{unique}@example.com"), Submit("Enviarme mi nombre de usuario")),
              lands_on="/forgot-username/sent?left=4", shows=("Puede pedirlo 4 veces más hoy para esta dirección.",)),
    PageState("forgot username, the last request before the lock", "/forgot-username", "Check your email",
              ask_for_username("last-{unique}@example.com") * USERNAME_REQUESTS_ALLOWED,
              lands_on="/forgot-username/sent?left=0", shows=("That was the last request for this address today.",)),
    PageState("forgot username, limit reached", "/forgot-username", "Too many requests today",
              ask_for_username("limit-{unique}@example.com") * (USERNAME_REQUESTS_ALLOWED + 1),
              lands_on="/forgot-username/limit"),
    # A student's records (docs/design.md §4.8), reached from home by their links
    PageState("schedule", "/", "Schedule: Ana Lopez", (*signed_in("/home"), Follow('a[href$="/schedule"]')),
              shows=("Grade 3 Homeroom",)),
    PageState("attendance", "/", "Attendance: Ana Lopez", (*signed_in("/home"), Follow('a[href$="/attendance"]')),
              shows=("Excused absence",)),
    PageState("grades", "/", "Grades: Ana Lopez", (*signed_in("/home"), Follow('a[href$="/grades"]'))),
    PageState("a section's assignments", "/", "Grade 3 Homeroom: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/grades"]'), Follow('a[href*="/grades/"]')),
              shows=("Out of",)),
    PageState("who has viewed the records", "/", "Who has viewed these records: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/viewed"]')), shows=("Your own views are left out.",)),
    PageState("who has viewed, including my own views", "/", "Who has viewed these records: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/viewed"]'), Follow('a[href$="mine=shown"]')),
              shows=("Your own views are included.",)),
    # Issue 13 item 6: the same pages as a family reads them on a phone, in English and Spanish (the walk checks
    # each at 320 px); the grandmother's account is in Spanish and has three children, one in kindergarten.
    PageState("home, three children, in Spanish", "/", "Mis estudiantes", (*log_in("RosaLopez"), Goto("/home")),
              shows=("Sofia Lopez", "Kínder", "3.er grado", "Hoy y los últimos 14 días")),
    PageState("attendance, an unexcused absence", "/", "Attendance: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]')),
              shows=("If you know why your child was away, tell the school",)),
    PageState("attendance, in Spanish", "/", "Asistencia: Ana Lopez",
              (*log_in("RosaLopez"), Goto("/home"), Follow('a[href$="/attendance"]')),
              shows=("Si sabe por qué su hijo o hija faltó", "no se cuenta (no fue día de clases: un día de fin de "
                                                             "semana)")),
    PageState("attendance, an absence on a weekend day", "/", "Attendance: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]')),
              shows=("not counted (not a school day: a weekend day)",)),
    PageState("grades, in Spanish", "/", "Calificaciones: Ana Lopez",
              (*log_in("RosaLopez"), Goto("/home"), Follow('a[href$="/grades"]'))),
    PageState("a section's assignments, in Spanish", "/", "Grade 3 Homeroom: Ana Lopez",
              (*log_in("RosaLopez"), Goto("/home"), Follow('a[href$="/grades"]'), Follow('a[href*="/grades/"]'))),
    PageState("account, in Spanish", "/", "Su cuenta", (*log_in("RosaLopez"), Goto("/account")),
              shows=("Cerrar sesión en todos los dispositivos", "Este dispositivo")),
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
    # Household information (docs/design.md §4.9)
    PageState("household", "/", "Household information", signed_in("/household"), shows=("12 Maple Street",)),
    PageState("household, confirmed this school year", "/", "Household information",
              (*log_in("PatLopez"), Goto("/household")), shows=("You confirmed this information",)),
    PageState("add phone", "/", "Add a phone number", signed_in("/household/phones/new")),
    PageState("add phone, nothing entered", "/", "Add a phone number",
              (*signed_in("/household/phones/new"), Submit("Save phone number")), errors=("number", "current-password")),
    PageState("add phone, wrong password", "/", "Add a phone number",
              (*signed_in("/household/phones/new"), Fill("number", "404-555-0150"), Fill("current-password", "Wrong-1"),
               Submit("Save phone number")), errors=("current-password",)),
    PageState("add phone, with an extension", "/", "Add a phone number",
              (*signed_in("/household/phones/new"), Fill("number", "(404) 555-0123 ext. 42"),
               Fill("current-password", "{password}"), Submit("Save phone number")), errors=("number",),
              shows=("Phone numbers are saved without extensions",)),
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
    # Account (docs/design.md §4.10)
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
              lands_on="/?notice=signed-out-everywhere", shows=("You have logged out on every device",), reloads=True),
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
    PageState("report an absence, not a school day", "/", "Report an absence: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'),
               Fill("first-day", "{weekend_day}"), Check("reason"), Submit("Send the report")),
              errors=("first-day",)),
    PageState("report an absence, sent", "/", "Absence reports: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'),
               Fill("first-day", "{report_day}"), Check("reason"), Submit("Send the report")),
              shows=("Your report was sent", "Reported by another of the child's guardians")),
    PageState("report an absence, reported already", "/", "Report an absence: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'),
               Fill("first-day", "{reported_day}"), Check("reason"), Submit("Send the report")),
              errors=("first-day",), shows=("Already reported for this child",)),
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
    # Need an activation key? Request one (docs/design.md §4.7)
    PageState("request a key", "/", "Request an Activation Key", (Follow('a[href="/request-key"]'),)),
    PageState("request a key, nothing entered", "/request-key", "Request an Activation Key", (Submit("Submit"),),
              errors=("requester-name", "relationship", "email", "phone", "student-number", "ssn", "birth-date")),
    PageState("request a key, sent", "/request-key", "Request received",
              (Fill("requester-name", "Rosa Lopez"), Fill("relationship", "grandmother"),
               Fill("email", "rosa-{unique}@example.com"), Fill("phone", "404-555-0199"),
               Fill("student-number", "S00001"), Fill("ssn", "000000000"), Fill("birth-date", "04/27/2017"),
               Submit("Submit")), lands_on="/request-key/sent"),
    # Issue 13 item 3: the SSN kept when another field is wrong; a request without an SSN
    PageState("request a key, SSN kept when the phone is wrong", "/request-key", "Request an Activation Key",
              (Fill("requester-name", "Marta Diaz"), Fill("relationship", "mother"),
               Fill("email", "marta-{unique}@example.com"), Fill("phone", "12"),
               Fill("student-number", "S00001"), Fill("ssn", "000000000"), Fill("birth-date", "04/27/2017"),
               Submit("Submit")), errors=("phone",)),
    PageState("request a key, without an SSN", "/request-key", "Request received",
              (Fill("requester-name", "Marta Diaz"), Fill("relationship", "mother"),
               Fill("email", "marta-{unique}@example.com"), Fill("phone", "404-555-0198"),
               Fill("student-number", "S00001"), Check("no-ssn"), Fill("birth-date", "04/27/2017"),
               Submit("Submit")), lands_on="/request-key/sent?ssn_withheld=yes",
              shows=("so school staff will check your other details and contact you",)),
    PageState("request a key, SSN typed and then withheld", "/request-key", "Request received",
              (Fill("requester-name", "Marta Diaz"), Fill("relationship", "mother"),
               Fill("email", "marta-{unique}@example.com"), Fill("phone", "404-555-0198"),
               Fill("student-number", "S00002"), Fill("ssn", "000000000"), Check("no-ssn"),
               Fill("birth-date", "04/27/2017"), Submit("Submit")), lands_on="/request-key/sent?ssn_withheld=typed",
              shows=("the number you typed was not used and is not kept",)),
    PageState("request a key, in Spanish", "/request-key", "Solicitar una clave de activación", (Submit("Español"),),
              lands_on="/request-key", reloads=True,
              shows=("El estudiante no tiene número de Seguro Social, o prefiero no darlo",)),
    PageState("request a key, limit reached", "/request-key/limit", "Too many requests",
              shows=("This request was not recorded",)),
    # The school office's console (docs/design.md §5), as a district admin
    PageState("console", "/", "School office console", staff_signed_in(), lands_on="/staff", reloads=True),
    PageState("console, search results", "/", "Search results", staff_signed_in("/staff?q=Lopez"),
              shows=("Walkin Lopez",)),
    PageState("console, a student", "/", "Ana Lopez",
              (*staff_signed_in("/staff?q=Ana"), Follow('a[href^="/staff/students/"]')),
              shows=("not the primary contact, does not live with the student", "not given",
                     "Maple Street Elementary, 3rd grade")),
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
    PageState("console, portal access, the address is shared", "/", None,
              (*staff_signed_in("/staff?q=Ana"), Follow('a[href^="/staff/students/"]'),
               Follow(f'tr:has-text("{SHARED_MAILBOX_BLOCKED}") a[href*="/access/"]')),
              shows=("This email address is shared.",)),
    PageState("home, the email address is shared with a guardian whose access is off", "/", "My students",
              (*log_in(SHARED_MAILBOX_USERNAME, SCENARIO_PASSWORD), Goto("/home")),
              shows=("Use an email address of your own",)),
    PageState("console, key requests", "/", "Key requests", staff_signed_in("/staff/key-requests")),
    PageState("console, a key request", "/", "Key request from Rosa Lopez",
              (*staff_signed_in("/staff/key-requests"), Follow('a[href^="/staff/key-requests/"]')),
              shows=("The portal left this request to staff: past the day's limit of online requests",)),
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
    # A second factor (issue 14)
    PageState("second step", "/", "Enter your code", second_step(), lands_on="/sign-in/code"),
    PageState("second step, wrong code", "/", "Enter your code", (*second_step(), Fill("code", "12345"),
                                                                  Submit("Continue")), errors=("code",)),
    PageState("set up an app at sign-in", "/", "Set up an authenticator app", second_step("NewStaff"),
              lands_on="/sign-in/enrol"),
    PageState("set up an app at sign-in, wrong code", "/", "Set up an authenticator app",
              (*second_step("NewStaff"), Fill("code", "12"), Submit("Turn on")), errors=("code",)),
    PageState("account, second step off", "/", "Second step at log in", signed_in("/account/second-factor")),
    PageState("account, second step on", "/", "Second step at log in", tessa_signed_in("/account/second-factor"),
              shows=("unused recovery codes",)),
    PageState("account, second step, wrong password", "/", "Second step at log in",
              (*tessa_signed_in("/account/second-factor"), Fill("current-password", "Wrong-1"), Submit("Continue")),
              errors=("current-password",)),
    PageState("account, set up an app", "/", "Set up an authenticator app",
              (*signed_in("/account/second-factor"), Fill("current-password", "{password}"),
               Submit("Set up an authenticator app")), lands_on="/account/second-factor/enrol"),
    PageState("account, new recovery codes", "/", "Your recovery codes",
              (*tessa_signed_in("/account/second-factor"), Check("action-recovery-codes"),
               Fill("current-password", "Tulip-Garden-61"), Submit("Continue")), shows=("I have saved them",)),
    PageState("account, as staff", "/", "Your account", staff_signed_in("/account"), shows=("This device",)),
    PageState("console, a guardian with a second step", "/", "Tessa Lopez",
              (*staff_signed_in("/staff?q=Tessa"), Follow('a[href^="/staff/guardians/"]')),
              shows=("Remove the second step",)),
    PageState("console, second step removed without the ID check", "/", "Tessa Lopez",
              (*staff_signed_in("/staff?q=Tessa"), Follow('a[href^="/staff/guardians/"]'),
               Check("reset-photo-id-type"), Submit("Remove the second step")), errors=("reset-id-checked",)),
    PageState("log in with a passkey", "/", "Log in with a passkey", (Follow('a[href="/sign-in/passkey"]'),),
              shows=("Log in with your username and password",)),
    PageState("account, passkeys", "/", "Passkeys", signed_in("/account/passkeys")),
    # Staff accounts (issue 14)
    PageState("console, staff accounts", "/", "Staff accounts", staff_signed_in("/staff/accounts"),
              shows=("NewStaff",)),
    PageState("console, a staff account", "/", "NewStaff",
              (*staff_signed_in("/staff/accounts"), Follow('a[href^="/staff/accounts/"]:has-text("NewStaff")'))),
    PageState("console, new staff account", "/", "Create a staff account", staff_signed_in("/staff/accounts/new")),
    PageState("console, new staff account, nothing entered", "/", "Create a staff account",
              (*staff_signed_in("/staff/accounts/new"), Check("role"), Submit("Create account")),
              errors=("username", "school")),
    PageState("console, staff account created", "/", None,
              (*staff_signed_in("/staff/accounts/new"), Fill("username", "desk{unique}"), Check("role-district-admin"),
               Submit("Create account")), shows=("Temporary password",)),
    # Errors
    PageState("page not found", "/no-such-page", "Page not found"),
    PageState("form expired", "/", "This form has expired", (ForgetCookies(), *log_in())),
    # Issue 13 item 1: the language link on every page, kept through signing in; error pages in the frame
    PageState("login, in Spanish", "/", "Iniciar sesión", (Submit("Español"),), lands_on="/", reloads=True,
              shows=("Nombre de usuario",)),
    PageState("login in Spanish, nothing entered", "/", "Iniciar sesión", (Submit("Español"), Submit("Iniciar sesión")),
              errors=("username", "password")),
    PageState("language question after signing in", "/", "¿En qué idioma quiere usar su cuenta?",
              (Submit("Español"), Fill("username", "{username}"), Fill("password", "{password}"),
               Submit("Iniciar sesión")), lands_on="/language/confirm?next=%2Fhome", reloads=True),
    PageState("language question answered", "/", "My students",
              (Submit("Español"), Fill("username", "{username}"), Fill("password", "{password}"),
               Submit("Iniciar sesión"), Submit("Mantener inglés")), lands_on="/home", reloads=True),
    PageState("household, a Spanish account", "/", "Información de la familia",
              (*log_in("RosaLopez"), Goto("/household")), shows=("12 Maple Street", "English")),
    PageState("language question, a Spanish account on an English page", "/",
              "Which language should your account use?", log_in("RosaLopez"),
              lands_on="/language/confirm?next=%2Fhome", reloads=True, shows=("Keep Spanish",)),
    PageState("page not found, in Spanish", "/", "No se encontró la página", (Submit("Español"), Goto("/no-such-page")),
              shows=("Campus Portal",)),
    PageState("page not found, signed in", "/", "Page not found", signed_in("/no-such-page"),
              shows=("My students", "Log Out")),
    # Issue 13 item 4: back to the page after the session ended; an expired wizard step says so
    PageState("login, back to the page after the session ended", "/?notice=session-ended&next=/household",
              "Household information", log_in(), lands_on="/household", reloads=True),
    PageState("login, a form sent without JavaScript after the session ended", "/?notice=form-not-sent&next=/household",
              "Log In", shows=("Your session ended, so what you just sent was not saved.",)),
    PageState("activation, step expired", "/activate/account", "Step 1 of 2: Activation Key",
              lands_on="/activate?notice=step-expired", shows=("Enter your activation key again.",)),
    # Issue 13 item 10: a Back link at the top of each question page, to the previous step or page (a plain link)
    PageState("forgot password, back", "/forgot-password", "Log In", (Follow(".back-link a"),), lands_on="/"),
    PageState("create account, back to step 1", "/activate", "Step 1 of 2: Activation Key",
              (*enter_key(), Follow(".back-link a")), lands_on="/activate"),
    PageState("add phone, back", "/", "Household information",
              (*signed_in("/household/phones/new"), Follow(".back-link a")), lands_on="/household"),
    PageState("report an absence, back", "/", "Attendance: Ana Lopez",
              (*signed_in("/home"), Follow('a[href$="/attendance"]'), Follow('a[href$="/absence-reports/new"]'),
               Follow(".back-link a"))),
    # Issue 13 item 10: a link from a Spanish email opens in Spanish; a Spanish account's records in its words
    PageState("forgot password, from a Spanish email's link", "/forgot-password?lang=es", "¿Olvidó su contraseña?",
              shows=("Volver",)),
    PageState("attendance, a Spanish account", "/", "Asistencia: Ana Lopez",
              (Goto("/?lang=es"), Fill("username", "RosaLopez"), Fill("password", "{password}"),
               Submit("Iniciar sesión"), Follow('a[href$="/attendance"]')), shows=("Llegada tarde",)),
    # Demo mode only (docs/design.md §7)
    PageState("dev mailbox", "/dev/mailbox", "Dev mailbox", server="demo"),
    PageState("dev mailbox, one message", "/dev/mailbox", None, (Follow("tbody a"),), server="demo"),
)
