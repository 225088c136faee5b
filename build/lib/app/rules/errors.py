from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class FieldError:
    """A problem with one form field. `message` is the English msgid; `params` fill its %(name)s."""

    field: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
