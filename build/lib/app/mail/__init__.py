"""Email: the outbox (written in the caller's transaction), message rendering, and the SMTP sender."""
