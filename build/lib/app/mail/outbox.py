"""Writing email into the outbox, rendered from templates/emails/, in the recipient's language."""

from __future__ import annotations

from typing import Any

from app import clock, i18n
from app.rules.errors import N_
from app.tables import OutboxEmail
from app.templating import jinja_environment

SUBJECTS = {
    "activation-key": N_("Your %(portal)s activation key"),
    "password-reset": N_("Reset your %(portal)s password"),
    "password-changed": N_("Your %(portal)s password was changed"),
    "username-reminder": N_("Your %(portal)s username"),
    "key-request-denied": N_("Your %(portal)s activation key request"),
    "phone-changed": N_("A phone number on your %(portal)s account changed"),
    "email-change-confirm": N_("Confirm your new %(portal)s email address"),
    "email-change-requested": N_("Your %(portal)s email address is being changed"),
    "sign-in-changed": N_("How you log in to %(portal)s changed"),
}


def render_email(kind: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for one message."""
    env = jinja_environment()
    with i18n.using_language(language):
        subject = i18n.translate(SUBJECTS[kind], {"portal": context["portal_name"]})
        text = env.get_template(f"emails/{kind}.txt").render(**context)
        html = env.get_template(f"emails/{kind}.html").render(subject=subject, **context)
    return subject, text, html


async def enqueue_email(kind: str, to_address: str, context: dict[str, Any], *, language: str = "en") -> None:
    """Call inside the transaction of the change that causes the email: both commit, or neither."""
    subject, text, html = render_email(kind, context, language)
    now = clock.now()
    await OutboxEmail.insert(
        OutboxEmail(
            kind=kind,
            to_address=to_address,
            subject=subject,
            body_text=text,
            body_html=html,
            created_at=now,
            next_attempt_at=now,
        )
    )
