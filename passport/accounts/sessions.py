"""Server-side browser sessions (``UserSession``).

The Flask session (a signed cookie) keeps only ``_user_id``: the clear, random id of a
session record whose SHA-256 the table keeps. Flask-Login's user loader (``load_user``)
looks the record up on every request and refuses it once it has ended or timed out, so that
a cookie copied before a logout, a password change or a deactivation is worthless after it.

Timeouts come from the configuration: ``SESSION_IDLE_MINUTES_STAFF`` /
``SESSION_IDLE_MINUTES_HOLDER`` (idle) and ``SESSION_LIFETIME_HOURS`` (absolute); a holder
who ticks "remember me" gets ``SESSION_REMEMBER_DAYS`` for both.

``start_session`` is called through ``User.get_id()`` by ``flask_login.login_user``: every
login starts a record, whichever view logs the user in. The record is flushed; the view
commits (``commit_new_session`` is an ``after_request`` safety net for views that committed
before calling ``login_user``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request, session
from sqlalchemy.orm import joinedload

from passport.accounts import models as account_models
from passport.accounts.models import ApiToken, User, UserSession
from passport.db import utcnow
from passport.extensions import db
from passport.security import new_secret, secret_hash

#: last_seen_at is written at most this often (one UPDATE a minute per session, not per page).
TOUCH_EVERY = timedelta(seconds=60)


def _timeouts(user: User, remember: bool = False) -> tuple[int, timedelta]:
    """(idle seconds, absolute lifetime) of a new session of this user."""
    config = current_app.config
    if user.is_holder and remember:
        days = timedelta(days=config["SESSION_REMEMBER_DAYS"])
        return int(days.total_seconds()), days
    minutes = (
        config["SESSION_IDLE_MINUTES_HOLDER"]
        if user.is_holder
        else config["SESSION_IDLE_MINUTES_STAFF"]
    )
    return minutes * 60, timedelta(hours=config["SESSION_LIFETIME_HOURS"])


def start_session(user: User) -> UserSession:
    """A new session record for ``user``; its clear id goes to ``user.session_secret``."""
    secret = new_secret()
    idle, lifetime = _timeouts(user)
    now = utcnow()
    record = UserSession(
        user=user,
        token_hash=secret_hash(secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        idle_seconds=idle,
    )
    if has_request_context():
        record.user_agent = (request.user_agent.string or "")[:300] or None
        record.ip_address = (request.remote_addr or "")[:45] or None
        g.user_session_started = True
    db.session.add(record)
    db.session.flush()
    user.session_secret = secret
    return record


def remember_session(user: User) -> None:
    """The user ticked "remember me": a holder's session lasts longer (staff's does not)."""
    record = current_record(user)
    if record is None or not user.is_holder:
        return
    idle, lifetime = _timeouts(user, remember=True)
    record.idle_seconds = idle
    record.expires_at = record.created_at + lifetime
    db.session.flush()


def commit_new_session(response):
    """``after_request``: commit a session started by a view that had committed already."""
    if g.pop("user_session_started", False) and response.status_code < 400:
        db.session.commit()
    return response


def _find(secret: str) -> UserSession | None:
    if not secret or len(secret) > 128:
        return None
    return db.session.execute(
        db.select(UserSession)
        .where(UserSession.token_hash == secret_hash(secret))
        .options(joinedload(UserSession.user).joinedload(User.structure))
    ).scalar_one_or_none()


def load_user(value: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, or None."""
    record = _find(value)
    if record is None:
        return None
    now = utcnow()
    if not record.is_live(now) or not record.user.is_active:
        if record.ended_at is None:
            _end_now(record.id, now)
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        _touch(record.id, now)
    user = record.user
    user.session_secret = value
    return user


def _write_apart(statement) -> None:
    """Write on a connection of its own, so that a GET needs no commit and a view's
    transaction stays as the view leaves it. Runs before the view writes anything (the
    loader is called at the start of the request), so SQLite has no lock to wait for."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def _touch(record_id: int, now: datetime) -> None:
    _write_apart(db.update(UserSession).where(UserSession.id == record_id).values(last_seen_at=now))


def _end_now(record_id: int, now: datetime) -> None:
    _write_apart(
        db.update(UserSession)
        .where(UserSession.id == record_id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def current_record(user: User) -> UserSession | None:
    """The record of the session in use by ``user`` in this request, if any."""
    if user.session_secret is None:
        return None
    record = _find(user.session_secret)
    return record if record is not None and record.user_id == user.id else None


def current_session_id() -> int | None:
    """The id of the record behind the request's own session (for the account page)."""
    secret = session.get("_user_id")
    record = _find(secret) if isinstance(secret, str) else None
    return record.id if record is not None else None


def end_session(record: UserSession) -> None:
    if record.ended_at is None:
        record.ended_at = utcnow()
    db.session.flush()


def end_sessions(user: User, keep: UserSession | None = None) -> int:
    """End every open session of ``user`` (but ``keep``); the number ended."""
    query = db.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(query.values(ended_at=utcnow()))
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def revoke_tokens(user: User) -> None:
    """Revoke every live personal API token of ``user``."""
    db.session.execute(
        db.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.flush()


def active_sessions(user: User) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    now = utcnow()
    records = db.session.execute(
        db.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).scalars()
    return [r for r in records if r.is_live(now)]


def get_session(user: User, record_id: int) -> UserSession | None:
    record = db.session.get(UserSession, record_id)
    return record if record is not None and record.user_id == user.id else None


def purge_sessions(older_than: timedelta = timedelta(days=30)) -> int:
    """Delete records that ended or expired more than ``older_than`` ago."""
    limit = utcnow() - older_than
    result = db.session.execute(
        db.delete(UserSession).where(
            (UserSession.expires_at < limit)
            | (UserSession.ended_at.is_not(None) & (UserSession.ended_at < limit))
        )
    )
    db.session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


account_models.SESSION_STARTER = start_session
