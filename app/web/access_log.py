"""Tokens in emailed links (`/reset/<token>`, `/email/confirm/<token>`) must not reach the access log
(ASVS 14.2.1, docs/security.md I5): the path is rewritten before uvicorn's access logger formats it."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"^(/reset/|/email/confirm/|/unsubscribe/)[^?#\s]+")


def redact_path(path: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[token]", path)


class TokenRedaction(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn.access formats (client, method, path, http version, status).
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            record.args = (*record.args[:2], redact_path(record.args[2]), *record.args[3:])
        return True


def redact_tokens_in_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, TokenRedaction) for f in access.filters):
        access.addFilter(TokenRedaction())
