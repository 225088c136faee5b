import logging

from app.web.access_log import TokenRedaction, redact_path


def test_tokens_in_emailed_links_are_redacted():
    assert redact_path("/reset/abcDEF-123_x") == "/reset/[token]"
    assert redact_path("/email/confirm/abc?x=1") == "/email/confirm/[token]?x=1"
    assert redact_path("/students/5/grades?term=q1") == "/students/5/grades?term=q1"
    assert redact_path("/reset") == "/reset"


def test_the_uvicorn_access_record_is_rewritten_before_formatting():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/reset/s3cr3t-token", "1.1", 303), None)
    TokenRedaction().filter(record)
    assert "s3cr3t-token" not in record.getMessage() and "/reset/[token]" in record.getMessage()
