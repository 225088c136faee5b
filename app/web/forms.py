"""Reading posted forms defensively: the first value of each field, as text, with a length limit, without
NUL and (but for passwords) control characters and the directional controls that could turn text around
where it is shown (app/rules/bidi.py `as_typed_text`). Repeated fields and arrays never reach a service as
lists (docs/security.md A3, E3)."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Request

from app.rules.bidi import as_typed_text
from app.rules.errors import N_, FieldError

LONGEST_FIELD = 1000
# Fields read exactly as typed: a secret is compared, never shown, so nothing is taken out of it.
SECRETS = frozenset({"password", "current_password", "verify_password", "remove_password"})


@dataclass
class PostedForm:
    values: dict[str, str]
    errors: list[FieldError] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.values[name]


async def read_form(request: Request, *names: str) -> PostedForm:
    form = await request.form()
    values: dict[str, str] = {}
    errors: list[FieldError] = []
    for name in names:
        raw = form.getall(name, []) if hasattr(form, "getall") else [form.get(name)]  # a missing field is empty
        first = next((v for v in raw if isinstance(v, str)), "")
        first = first.replace("\x00", "")
        if name not in SECRETS:
            first = as_typed_text(first)  # shown to others and mailed: no control, no direction override
        if len(first) > LONGEST_FIELD:
            errors.append(FieldError(name, N_("This is too long")))
            first = ""
        values[name] = first
    return PostedForm(values, errors)
