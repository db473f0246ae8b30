"""Outgoing mail, always through the job queue.

``send_mail`` only writes an ``OutgoingMail`` row (flushed with the caller's transaction)
and queues its delivery after the commit: no request waits on SMTP. The ``deliver_mail``
job sends it (SMTP when ``MAIL_SERVER`` is set, else an ``.eml`` file in ``MAIL_OUTBOX``),
is retried with back-off when SMTP fails, and ``sweep`` (every few minutes) queues again
what a lost queue or an exhausted retry left behind: a mail is never lost. A ``key`` names
the event a mail is about; a second mail with the same key is not written.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from functools import wraps
from pathlib import Path
from typing import cast

from flask import current_app, has_request_context, render_template
from sqlalchemy import delete, or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError

from passport.db import utcnow
from passport.extensions import db
from passport.notifications.jobs import (
    BACKOFF,
    RETRIES,
    RETRY_DELAY,
    crontab,
    enqueue_after_commit,
    job,
    periodic,
)
from passport.notifications.models import OutgoingMail
from passport.security import new_secret
from passport.urls import external_url

log = logging.getLogger(__name__)

#: Links in mails written outside a request when PUBLIC_URL is not set (a laptop).
LOCAL_URL = "http://127.0.0.1:5000"
#: A worker that crashed while sending gives its claim up after this long.
CLAIM_MINUTES = 10
#: Sent mails are kept this long (what was sent, for support), then deleted.
KEEP_SENT_DAYS = 30


class DeliveryFailed(Exception):
    """SMTP refused or could not be reached; the job is retried."""


def send_mail(
    to: str, subject: str, body: str, *, html: str | None = None, key: str | None = None
) -> OutgoingMail | None:
    """Queue one mail (plain text, optionally HTML). Returns None when ``key`` was used."""
    key = key or f"mail:{new_secret(12)}"
    mail = OutgoingMail(
        key=key[:200], to_address=to, subject=subject[:300], text_body=body, html_body=html
    )
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:
        return None
    enqueue_after_commit("deliver_mail", mail.id)
    return mail


def with_links(function):
    """Run ``function`` inside ``link_context()`` when there is no request (worker, CLI)."""

    @wraps(function)
    def wrapped(*args, **kwargs):
        if has_request_context():
            return function(*args, **kwargs)
        with link_context():
            return function(*args, **kwargs)

    return wrapped


@with_links
def send_templated(
    to: str, template: str, *, key: str | None = None, **context
) -> OutgoingMail | None:
    """Render ``mail/<template>.txt`` and ``.html`` (the subject is the text's first line).

    Outside a request (the worker, a CLI command) links are built from ``PUBLIC_URL``."""
    context.setdefault("operator", current_app.config.get("OPERATOR_NAME"))
    context.setdefault("preferences", external_url("notifications.preferences"))
    text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    html = render_template(f"mail/{template}.html", subject=subject.strip(), **context)
    return send_mail(to, subject.strip(), body.strip() + "\n", html=html, key=key)


def link_context():
    """A request context on the site's public address, for ``url_for`` outside requests."""
    app = current_app._get_current_object()
    return app.test_request_context("/", base_url=app.config.get("PUBLIC_URL") or LOCAL_URL)


def _message(mail: OutgoingMail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="passeport.invalid")
    # The key says which event this is: a receiving system can drop a duplicate.
    message["X-Passport-Event"] = mail.key
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


def _transmit(message: EmailMessage) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{new_secret(6)}.eml"
    (outbox / name).write_bytes(bytes(message))


def _claim(mail_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.sent_at.is_(None),
            or_(
                OutgoingMail.claimed_at.is_(None),
                OutgoingMail.claimed_at < now - timedelta(minutes=CLAIM_MINUTES),
            ),
        )
        .values(claimed_at=now, attempts=OutgoingMail.attempts + 1),
        execution_options={"synchronize_session": False},
    )
    return bool(cast(CursorResult, result).rowcount)


@job("deliver_mail", retries=RETRIES)
def deliver_mail(mail_id: int) -> bool:
    """Send one queued mail; True if sent now. Raises DeliveryFailed (retried) on failure."""
    if not _claim(mail_id):  # sent already, or another worker is on it
        db.session.rollback()
        return False
    db.session.commit()  # the claim is visible to other workers
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None:  # deleted meanwhile
        return False
    try:
        _transmit(_message(mail))
    except DeliveryFailed as exc:
        delay = RETRY_DELAY * BACKOFF ** min(mail.attempts - 1, RETRIES)
        mail.claimed_at = None
        mail.last_error = str(exc)[:300]
        mail.next_attempt_at = utcnow() + timedelta(seconds=delay)
        db.session.commit()
        log.warning("mail %s not sent (attempt %s): %s", mail_id, mail.attempts, exc)
        raise
    mail.sent_at = utcnow()
    mail.claimed_at = None
    mail.last_error = None
    return True


@periodic("sweep_mail", crontab(minute="*/5"))
def sweep(limit: int = 200) -> int:
    """Queue again the unsent mails whose next attempt is due (a lost job, retries spent)."""
    now = utcnow()
    ids = list(
        db.session.execute(
            db.select(OutgoingMail.id)
            .where(
                OutgoingMail.sent_at.is_(None),
                OutgoingMail.next_attempt_at <= now - timedelta(minutes=CLAIM_MINUTES),
                or_(
                    OutgoingMail.claimed_at.is_(None),
                    OutgoingMail.claimed_at < now - timedelta(minutes=CLAIM_MINUTES),
                ),
            )
            .order_by(OutgoingMail.id)
            .limit(limit)
        ).scalars()
    )
    for mail_id in ids:
        enqueue_after_commit("deliver_mail", mail_id)
    cutoff = now - timedelta(days=KEEP_SENT_DAYS)
    db.session.execute(
        delete(OutgoingMail).where(OutgoingMail.sent_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    return len(ids)
