"""Reading what the app sent: the outbox folder, after running the worker."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path


def outbox(app) -> list[EmailMessage]:
    """The mails written to MAIL_OUTBOX, oldest first."""
    folder = Path(app.config["MAIL_OUTBOX"])
    if not folder.exists():
        return []
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


def burst(runner, *extra: str) -> str:
    result = runner.invoke(args=["worker", "--burst", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()
