"""Shared helpers of the administration tests."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from tests.mailbox import burst


def outbox(app) -> list:
    """The mails sent so far (the queued ones delivered first by a worker burst)."""
    burst(app.test_cli_runner())
    folder = Path(app.config["MAIL_OUTBOX"])
    if not folder.exists():
        return []
    return [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def invitation_path(app, email: str) -> str:
    mail = next(m for m in reversed(outbox(app)) if m["To"] == email)
    body = mail.get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/invitation/" in line).strip()
    return link[link.index("/invitation/") :]
