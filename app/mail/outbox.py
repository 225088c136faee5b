"""Writing email into the outbox, in the caller's transaction; rendering it from templates/emails/, in the
recipient's language, when it is sent (app/mail/sender.py).

Nothing secret waits in plaintext (issue 9 item 4): the context is sealed (app/mail/sealing.py), and a
message that carries a key or a link gets it minted at send time by its kind's preparer
(app/services/outgoing_mail.py), so the outbox never holds one at all. A *request* (a kind ending in
`-request`) is work for the mail worker (a lookup that leads to emails) recorded by a reply that must do
the same work whether or not an account exists (issue 9 item 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app import clock, i18n
from app.sealing import seal
from app.rules.errors import N_
from app.settings import get_settings
from app.tables import OutboxEmail
from app.templating import jinja_environment

SUBJECTS = {
    "activation-key": N_("Your %(portal)s activation key"),
    "password-reset": N_("Reset your %(portal)s password"),
    "password-changed": N_("Your %(portal)s password was changed"),
    "username-reminder": N_("Your %(portal)s username"),
    "username-locked": N_("Your %(portal)s account is locked until tomorrow"),
    "username-none": N_("No %(portal)s account uses this email address yet"),
    "key-request-checked": N_("Your %(portal)s activation key request"),
    "key-request-denied": N_("Your %(portal)s activation key request"),  # queued before it became -checked
    "phone-changed": N_("A phone number on your %(portal)s account changed"),
    "email-change-confirm": N_("Confirm your new %(portal)s email address"),
    "email-change-requested": N_("Your %(portal)s email address is being changed"),
    "sign-in-changed": N_("How you log in to %(portal)s changed"),
    "correction-answered": N_("The school answered your %(portal)s correction request"),
    "absence-alert": N_("%(student)s was marked absent on %(day_text)s"),
    "weekly-digest": N_("This week at school: %(students)s"),
    "absence-report-received": N_("We received your absence report for %(student)s"),
    "absence-report-recorded": N_("Your absence report for %(student)s was recorded"),
    "absence-report-declined": N_("Your absence report for %(student)s was not recorded"),
}

REQUEST_SUFFIX = "-request"

# Kinds that are always about one or more students (issue 11): each is written with `about=` (the guardian
# it goes to and the students it is about), and the sender checks, when it is the message's turn, that the
# guardian may still see each student and that the address is not on file for a guardian whose access to
# the student is off (app/services/mail_access.py). A message of these kinds without `about` is not sent.
# Any other kind may carry `about` too (an activation key asked for through a student).
ABOUT_STUDENTS = frozenset({
    "absence-alert", "weekly-digest", "absence-report-received", "absence-report-recorded",
    "absence-report-declined", "correction-answered",
})
# Kinds about the guardian's own account, never about a student (tests/integration/test_mail_access.py
# checks every kind in SUBJECTS is in one of the two sets, so a new kind has to be placed).
ABOUT_THE_ACCOUNT = frozenset({
    "activation-key", "password-reset", "password-changed", "username-reminder", "username-locked", "username-none",
    "key-request-checked", "key-request-denied", "phone-changed", "email-change-confirm", "email-change-requested", "sign-in-changed",
})


@dataclass(frozen=True)
class About:
    """Whom a message is about: the guardian it goes to (None: not a guardian on file, such as someone who
    asked for a key) and the students (person ids) it mentions."""

    guardian: int | None
    students: tuple[int, ...]

    def as_payload(self) -> dict[str, Any]:
        return {"guardian": self.guardian, "students": sorted(set(self.students))}


def is_request(kind: str) -> bool:
    return kind.endswith(REQUEST_SUFFIX)


def links_in_language(value: Any, language: str, portal: str) -> Any:
    """Every link to the portal in an email's context, carrying the email's language (`?lang=es`), so the
    page it opens reads like the email did (issue 13): a reset link from a Spanish email opens in Spanish."""
    if isinstance(value, dict):
        return {key: links_in_language(item, language, portal) for key, item in value.items()}
    if isinstance(value, list):
        return [links_in_language(item, language, portal) for item in value]
    if isinstance(value, str) and (value == portal or value.startswith(portal + "/")) and not any(
            c.isspace() for c in value):
        base, _, fragment = (value if value != portal else portal + "/").partition("#")
        query = urlsplit(base).query
        if "lang=" in query:
            return value
        return f"{base}{'&' if query else '?'}lang={language}" + (f"#{fragment}" if fragment else "")
    return value


def render_email(kind: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for one message."""
    env = jinja_environment()
    context = links_in_language(context, language, get_settings().public_url.rstrip("/"))
    with i18n.using_language(language):
        subject = i18n.translate(SUBJECTS[kind], {**context, "portal": context["portal_name"]})
        text = env.get_template(f"emails/{kind}.txt").render(**context)
        html = env.get_template(f"emails/{kind}.html").render(subject=subject, **context)
    return subject, text, html


def seal_payload(kind: str, payload: dict[str, Any]) -> str:
    return seal(payload, secret_key=get_settings().secret_key, purpose=kind)


async def _insert(kind: str, to_address: str, language: str, payload: dict[str, Any]) -> None:
    now = clock.now()
    await OutboxEmail.insert(
        OutboxEmail(
            kind=kind,
            to_address=to_address,
            language=language,
            subject="",
            payload=seal_payload(kind, payload),
            status="queued",
            created_at=now,
            next_attempt_at=now,
        )
    )


async def enqueue_email(kind: str, to_address: str, context: dict[str, Any], *, language: str = "en",
                        list_unsubscribe: str | None = None, list_unsubscribe_mailto: str | None = None,
                        about: About | None = None) -> None:
    """Call inside the transaction of the change that causes the email: both commit, or neither.

    `context` is what the kind's templates need (JSON-able: text, numbers, dates, lists, dicts). Never put
    a key, token or link carrying one in it: the kind's preparer mints those when the message is sent.

    `list_unsubscribe`: an https URL that unsubscribes the recipient from this kind with one POST (RFC 8058):
    the sender adds `List-Unsubscribe: <url>` (and `<mailto:...>` when `list_unsubscribe_mailto` is given)
    and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The URL must not change anything on GET.

    `about`: the guardian and students the message is about (required for ABOUT_STUDENTS): checked again
    when it is sent, so a message queued before access was switched off is not sent.
    """
    if kind not in SUBJECTS:
        raise ValueError(f"no subject for the email kind {kind!r}: add it to SUBJECTS")
    if kind in ABOUT_STUDENTS and about is None:
        raise ValueError(f"an email of the kind {kind!r} is about a student: say whom with about=")
    if list_unsubscribe is not None and not list_unsubscribe.startswith("https://") \
            and not list_unsubscribe.startswith("http://"):
        raise ValueError("list_unsubscribe must be an http(s) URL (RFC 8058 needs https in production)")
    headers = {}
    if list_unsubscribe:
        headers["list_unsubscribe"] = list_unsubscribe
        if list_unsubscribe_mailto:
            headers["list_unsubscribe_mailto"] = list_unsubscribe_mailto
    payload: dict[str, Any] = {"context": context, "headers": headers}
    if about is not None:
        payload["about"] = about.as_payload()
    await _insert(kind, to_address, language, payload)


async def enqueue_request(kind: str, payload: dict[str, Any]) -> None:
    """Record work for the mail worker (its handler does the lookups and enqueues the emails). One INSERT,
    whatever the payload says: the reply that records it does the same work for every outcome."""
    if not is_request(kind):
        raise ValueError(f"a request kind ends in {REQUEST_SUFFIX!r}, not {kind!r}")
    await _insert(kind, "", "en", payload)
