"""Share links: creation, state, resolution into a grant, access log and notifications.

Both the JSON API (``passport/api/shares.py``) and the HTML views (``sharing/views.py``,
``workspace/views.py``) call these functions; they flush and never commit.

Interface
---------
Creating and managing (the holder's side)::

    new = create_share(passport, sections=["profile", "trainings"], permissions=["read"],
                       expires_in_days=30, structure="ML28" | Structure | None,
                       passcode=None, single_use=False, label=None)   # -> NewShare
    new.token, new.share                     # the clear token, as made
    share_url(new.token)                     # <site>/s/<token> (PUBLIC_URL, or the request's host)
    link_of(share) -> str | None             # the link again, for its holder: only while the
                                             # share is active and its token was kept (encrypted
                                             # at rest; shares older than that have none)
    shares_of(passport)                      # newest first
    get_share(passport, share_id)            # ShareNotFound for another holder's share
    revoke_share(share) / suspend_share(share) / resume_share(share)
    erase_dead_tokens(now=None) -> int       # the daily purge: kept tokens of shares that can
                                             # never open again (expired, used up, locked)
    count_dead_tokens(now=None) -> int       # how many (dry run)
    share_state(share) -> ShareState         # active|expired|revoked|suspended|used_up|locked

Opening (the structure's side)::

    grant = open_share(token, structure=s, advisor=user_or_None, passcode=None,
                       action="view" | "append", consume=True)        # -> Grant
    grant.passport, grant.sections, grant.can_read, grant.can_append

  Checks, in this order: signature (no database), lookup, state, audience, passcode,
  permission. Failures raise a ``ShareError`` subclass carrying ``status``:
  ShareNotFound 404, ShareGone 410 (``.state`` expired/revoked/used_up/suspended),
  ShareLocked 423, PasscodeRequired / PasscodeWrong 401 (``.remaining``),
  WrongAudience / NotPermitted 403. Every failure after the lookup writes a ``denied``
  access-log row (flushed, not committed): **the caller commits before answering the error**,
  so that the row and the passcode counter survive::

      try:
          grant = open_share(...)
      except ShareError as exc:
          db.session.commit()      # keep the "denied" row and the counter
          ...answer exc.status...

  A success writes a ``view``/``append`` row (one INSERT; the holder's notice follows in
  the worker).
  ``open_share(..., later=True)`` then ``use_grant(grant, action)`` once the answer is
  built: the same checks, the same two writes, at the end of the request (the read through
  a share holds no lock while it reads).
  ``consume=True`` counts the use and uses up a single-use share (atomically: two parallel
  first opens cannot both succeed). For the browser:

    peek_share(token) -> ShareLink           # signature, lookup, state only; no log, no use
    check_share(token, structure=..., advisor=..., passcode=..., action=...)
                                             # every check, nothing consumed, no success log
                                             # (denied attempts are still logged and counted)
    open_share(token, ..., consume=True)     # the confirming POST
    reopen_share(share_id, structure=..., advisor=..., action=...)
                                             # later pages of the same browser session: a
                                             # used-up single-use share stays open for the
                                             # structure/advisor that used it up, for
                                             # SHARE_SESSION_MINUTES (default 60)

Writing through a grant: open the share with ``action="append"`` (``NotPermitted`` without
the ``append`` permission), then write with ``passport.records.services`` as the grant's
structure and advisor::

    records.record_reception(grant.structure, grant.passport.id, advisor=grant.advisor, ...)

The holder's access log and notifications (rows are written by ``passport.records.access``;
the worker groups them into visits, ``passport.notifications.visits``)::

    access_log(passport, page=1, per_page=20) -> Page   # .items (AccessLogEntry), .total...
    visits_page(passport, page=1, per_page=20) -> Page  # .items (Visit), latest first
    visit_entries(passport, visits) -> {visit.id: [AccessLogEntry]}
    ungrouped_entries(passport, limit=50)     # rows the worker has not grouped yet
    unread_notifications(user, limit=20), unread_count(user), mark_read(user, ids=None)
    purge_access_log(now=None)     # rows older than RETENTION_ACCESS_LOG_DAYS (maintenance)

  One notification per visit (kind ``visit``, made by the worker): ``notification.visit``
  (what was seen, added, refused and why) and ``notification.access`` (its latest row).
  A refusal's reason (``denial_reason(exc)``) goes to the worker with the row.

Input errors of ``create_share`` raise ``ShareInputError(errors)`` with
``errors = {field: [message]}`` (the API answers 422).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from flask import current_app
from sqlalchemy import Table, bindparam, delete, func, or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm.attributes import set_committed_value

from passport import rows
from passport.accounts.models import User
from passport.db import utcnow, valid_id
from passport.extensions import db
from passport.pagination import Page, paginate
from passport.passports.models import Passport
from passport.records.access import DENIAL_REASONS, log_access
from passport.security import hash_password, verify_password
from passport.sharing import partitions, policy, tokens
from passport.sharing.models import (
    PERMISSIONS,
    SECTIONS,
    AccessLogEntry,
    Notification,
    ShareLink,
    Visit,
    not_in_a_visit,
)
from passport.sharing.state import (  # noqa: F401  (part of this module's interface)
    MAX_PASSCODE_ATTEMPTS,
    ShareState,
    remaining_attempts,
    share_state,
)
from passport.structures.models import Structure
from passport.structures.services import get_structure
from passport.urls import external_url

MIN_DAYS, MAX_DAYS = 1, 90
PASSCODE_MIN, PASSCODE_MAX = 4, 128
LABEL_MAX = 120

Action = Literal["view", "append"]


# --------------------------------------------------------------------------- errors


class ShareError(Exception):
    """A share that cannot be used; ``status`` is the HTTP status the API answers."""

    status = 400
    title = "Bad Request"

    def __init__(self, detail: str = "", *, share: ShareLink | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.share = share


class ShareNotFound(ShareError):
    status, title = 404, "Not Found"


class ShareGone(ShareError):
    """Expired, revoked, used up or suspended; ``state`` says which."""

    status, title = 410, "Gone"

    def __init__(self, state: str, *, share: ShareLink | None = None) -> None:
        super().__init__(f"This share link is {state.replace('_', ' ')}.", share=share)
        self.state = state


class ShareLocked(ShareError):
    status, title = 423, "Locked"


class PasscodeRequired(ShareError):
    status, title = 401, "Unauthorized"

    def __init__(self, remaining: int, *, share: ShareLink | None = None) -> None:
        super().__init__("This share needs its passcode (header X-Share-Passcode).", share=share)
        self.remaining = remaining


class PasscodeWrong(ShareError):
    status, title = 401, "Unauthorized"

    def __init__(self, remaining: int, *, share: ShareLink | None = None) -> None:
        super().__init__("Wrong passcode.", share=share)
        self.remaining = remaining


class WrongAudience(ShareError):
    status, title = 403, "Forbidden"


class NotPermitted(ShareError):
    status, title = 403, "Forbidden"


def denial_reason(exc: ShareError) -> str | None:
    """Why a share was refused, in the words of the access log (``records.access``)."""
    if isinstance(exc, PasscodeRequired):
        return "passcode_missing"
    if isinstance(exc, PasscodeWrong):
        return "passcode_wrong"
    if isinstance(exc, ShareLocked):
        return "locked"
    if isinstance(exc, ShareGone):
        return exc.state if exc.state in DENIAL_REASONS else None
    if isinstance(exc, WrongAudience):
        return "audience"
    if isinstance(exc, NotPermitted):
        return "not_permitted"
    return None


class ShareInputError(ValueError):
    """Invalid values for a share or a record; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


# --------------------------------------------------------------------------- holder's side


@dataclass(frozen=True)
class NewShare:
    """A share just created; ``token`` is its only clear copy."""

    share: ShareLink
    token: str


def _resolve_structure(structure: Structure | str | None) -> Structure | None:
    if structure is None or isinstance(structure, Structure):
        return structure
    code = structure.strip()
    found = get_structure(code) if code and len(code) <= 32 else None
    if found is None:
        raise ShareInputError({"structure": [f"Unknown structure code {code[:32]!r}."]})
    return found


def create_share(
    passport: Passport,
    *,
    sections: list[str] | tuple[str, ...],
    permissions: list[str] | tuple[str, ...],
    expires_in_days: int,
    structure: Structure | str | None = None,
    passcode: str | None = None,
    single_use: bool = False,
    label: str | None = None,
) -> NewShare:
    """A new signed link to ``sections`` of the passport.

    The token's hash is the lookup key; the token itself is kept encrypted at rest
    (``ShareLink.sealed_token``) so that the holder can show the link again."""
    errors: dict[str, list[str]] = {}
    sections = list(dict.fromkeys(sections or ()))
    permissions = list(dict.fromkeys(permissions or ()))
    if not sections:
        errors["sections"] = ["Choose at least one section."]
    elif unknown := [s for s in sections if s not in SECTIONS]:
        errors["sections"] = [f"Unknown section(s): {', '.join(map(str, unknown))[:200]}."]
    if not permissions:
        errors["permissions"] = ["Choose read, append or both."]
    elif unknown := [p for p in permissions if p not in PERMISSIONS]:
        errors["permissions"] = [f"Unknown permission(s): {', '.join(map(str, unknown))[:200]}."]
    if (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not (MIN_DAYS <= expires_in_days <= MAX_DAYS)
    ):
        errors["expires_in_days"] = [f"Between {MIN_DAYS} and {MAX_DAYS} days."]
    if passcode is not None and not (PASSCODE_MIN <= len(passcode) <= PASSCODE_MAX):
        errors["passcode"] = [f"Between {PASSCODE_MIN} and {PASSCODE_MAX} characters."]
    label = (label or "").strip() or None
    if label is not None and len(label) > LABEL_MAX:
        errors["label"] = [f"At most {LABEL_MAX} characters."]
    try:
        audience = _resolve_structure(structure)
    except ShareInputError as exc:
        errors.update(exc.errors)
        audience = None
    if errors:
        raise ShareInputError(errors)
    token, token_hash = tokens.new_token()
    now = utcnow()
    share = ShareLink(
        passport=passport,
        token_hash=token_hash,
        sealed_token=token,
        label=label,
        sections=[s for s in SECTIONS if s in sections],
        permissions=[p for p in PERMISSIONS if p in permissions],
        structure=audience,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
        single_use=bool(single_use),
        passcode_hash=hash_password(passcode) if passcode else None,
        uses=0,
        failed_attempts=0,
    )
    db.session.add(share)
    db.session.flush()
    return NewShare(share=share, token=token)


def share_url(token: str) -> str:
    """The link to give: ``<site>/s/<token>``."""
    return external_url("sharing.open_link", token=token)


def link_of(share: ShareLink) -> str | None:
    """The share's link again, for its holder: ``None`` unless the share is active and its
    token was kept (shares made before tokens were kept showed their link once)."""
    if share_state(share) is not ShareState.ACTIVE:
        return None
    token = share.sealed_token
    if not token or not tokens.matches(token, share.token_hash):
        return None
    return share_url(token)


def shares_of(passport: Passport) -> list[ShareLink]:
    """The holder's shares, newest first (the audience structure is joined)."""
    return list(
        db.session.execute(
            db.select(ShareLink)
            .where(ShareLink.passport_id == passport.id)
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        )
        .scalars()
        .unique()
    )


def get_share(passport: Passport, share_id: int) -> ShareLink:
    """One of the holder's shares; ShareNotFound for an unknown one or another holder's."""
    share = db.session.get(ShareLink, share_id) if valid_id(share_id) else None
    if share is None or share.passport_id != passport.id:
        raise ShareNotFound("No such share.")
    return share


def revoke_share(share: ShareLink) -> ShareLink:
    """The link answers 410 from now on (idempotent); its kept token is erased."""
    if share.revoked_at is None:
        share.revoked_at = utcnow()
    share.sealed_token = None
    db.session.flush()
    return share


def _dead(now: datetime):
    """Shares that keep a token and can never open again."""
    return (
        ShareLink.sealed_token.is_not(None),
        or_(
            ShareLink.revoked_at.is_not(None),
            ShareLink.expires_at <= now,
            ShareLink.used_up_at.is_not(None),
            ShareLink.locked_at.is_not(None),
            ShareLink.failed_attempts >= MAX_PASSCODE_ATTEMPTS,
        ),
    )


def count_dead_tokens(now: datetime | None = None) -> int:
    """How many tokens ``erase_dead_tokens`` would erase (the purge's dry run)."""
    return db.session.execute(
        db.select(func.count()).select_from(ShareLink).where(*_dead(now or utcnow()))
    ).scalar_one()


def erase_dead_tokens(now: datetime | None = None) -> int:
    """Erase the kept token (``sealed_token``) of every share that can never open again:
    revoked (``revoke_share`` already erases it), expired, used up or locked (neither
    resumes). The daily retention purge runs it; returns how many tokens went."""
    result = db.session.execute(
        update(ShareLink).where(*_dead(now or utcnow())).values(sealed_token=None),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult, result).rowcount or 0


def suspend_share(share: ShareLink) -> ShareLink:
    """Pause an active link; ``resume_share`` reopens it."""
    if share_state(share) is ShareState.ACTIVE:
        share.suspended_at = utcnow()
        db.session.flush()
    return share


def resume_share(share: ShareLink) -> ShareLink:
    """Reopen a suspended link; ShareGone if it is revoked, expired, used up or locked."""
    share.suspended_at = None
    state = share_state(share)
    if state is ShareState.LOCKED:
        raise ShareLocked("A locked share cannot be resumed; make a new one.", share=share)
    if state is not ShareState.ACTIVE:
        raise ShareGone(state.value, share=share)
    db.session.flush()
    return share


# --------------------------------------------------------------------------- opening


@dataclass(frozen=True)
class Grant:
    """What one caller may do with one passport through one share, for one request."""

    share: ShareLink
    passport: Passport
    structure: Structure
    advisor: User | None
    sections: tuple[str, ...]
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def can_read(self) -> bool:
        return "read" in self.permissions

    @property
    def can_append(self) -> bool:
        return "append" in self.permissions


def peek_share(token: str) -> ShareLink:
    """Signature, lookup and state only: for a landing page (no log, nothing consumed)."""
    share = _lookup(token)
    _check_state(share)
    return share


@functools.cache
def _share_lookup() -> tuple[Any, rows.Shape, rows.Shape, rows.Shape]:
    """The share by its hash with its passport and holder: one statement, built once, read
    by position (``passport.rows``: no ORM loading set-up on every shared read)."""
    share, passport = ShareLink.__table__, Passport.__table__
    holder = User.__table__.alias("holder")
    columns, (share_shape, passport_shape, holder_shape) = rows.wholes(
        (ShareLink, share), (Passport, passport), (User, holder)
    )
    statement = (
        db.select(*columns)
        .select_from(
            share.join(passport, passport.c.id == share.c.passport_id).outerjoin(
                holder, holder.c.id == passport.c.holder_id
            )
        )
        .where(share.c.token_hash == bindparam("token_hash"))
    )
    return statement, share_shape, passport_shape, holder_shape


def _lookup(token: str) -> ShareLink:
    if not tokens.is_authentic(token):  # tampered or invented: no database work
        raise ShareNotFound("Unknown share link.")
    statement, share_shape, passport_shape, holder_shape = _share_lookup()
    found = rows.first(statement, {"token_hash": tokens.token_hash(token)})
    if found is None:
        raise ShareNotFound("Unknown share link.")
    builder, row = found
    holder = builder.build(holder_shape, row)
    passport = builder.build(passport_shape, row, {"holder": holder})
    if holder is not None:
        set_committed_value(holder, "own_passport", passport)
    share: ShareLink = builder.build(share_shape, row, {"passport": passport})
    if not tokens.matches(token, share.token_hash):
        raise ShareNotFound("Unknown share link.")
    return share


def _check_state(share: ShareLink, *, allow_used_up: bool = False) -> None:
    state = share_state(share)
    if state is ShareState.ACTIVE or (allow_used_up and state is ShareState.USED_UP):
        return
    if state is ShareState.LOCKED:
        raise ShareLocked(
            "Too many wrong passcodes: this share is locked. Its holder can make a new one.",
            share=share,
        )
    raise ShareGone(state.value, share=share)


def _check_passcode(share: ShareLink, passcode: str | None) -> None:
    """Count wrong tries atomically; at most MAX_PASSCODE_ATTEMPTS are ever verified.

    A try first *reserves* one attempt with a conditional ``UPDATE ... RETURNING`` (row lock
    on PostgreSQL, write lock on SQLite), so parallel guesses are counted one by one and no
    guess is verified once the budget is spent; a right passcode gives its attempt back.
    """
    if share.passcode_hash is None:
        return
    if passcode is None or passcode == "":
        raise PasscodeRequired(remaining_attempts(share), share=share)
    reserved = db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == share.id, ShareLink.failed_attempts < MAX_PASSCODE_ATTEMPTS)
        .values(failed_attempts=ShareLink.failed_attempts + 1)
        .returning(ShareLink.failed_attempts),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if reserved is None:
        _lock(share)
        raise ShareLocked("Too many wrong passcodes: this share is locked.", share=share)
    if len(passcode) <= PASSCODE_MAX and verify_password(share.passcode_hash, passcode):
        count = db.session.execute(
            update(ShareLink)
            .where(ShareLink.id == share.id)
            .values(failed_attempts=ShareLink.failed_attempts - 1)
            .returning(ShareLink.failed_attempts),
            execution_options={"synchronize_session": False},
        ).scalar_one()
        _set_loaded(share, failed_attempts=count)
        return
    _set_loaded(share, failed_attempts=reserved)
    if reserved >= MAX_PASSCODE_ATTEMPTS:
        _lock(share)
    raise PasscodeWrong(MAX_PASSCODE_ATTEMPTS - reserved, share=share)


def _lock(share: ShareLink) -> None:
    now = utcnow()
    db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == share.id, ShareLink.locked_at.is_(None))
        .values(locked_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(share, ["locked_at", "failed_attempts"])


def _set_loaded(share: ShareLink, **values) -> None:
    """Mirror values written by a Core UPDATE onto the loaded object (no extra UPDATE)."""
    for name, value in values.items():
        set_committed_value(share, name, value)


def _consume(share: ShareLink) -> None:
    """Count one use; the first use of a single-use share uses it up, atomically."""
    now = utcnow()
    table = cast(Table, ShareLink.__table__)  # Core UPDATE: no ORM statement set-up per read
    statement = update(table).where(table.c.id == share.id)
    if share.single_use:
        statement = statement.where(table.c.used_up_at.is_(None)).values(
            used_up_at=now, uses=table.c.uses + 1
        )
    else:
        statement = statement.values(uses=table.c.uses + 1)
    uses = db.session.connection().execute(statement.returning(table.c.uses)).scalar_one_or_none()
    if uses is None:  # a parallel request used it up first
        db.session.refresh(share, ["used_up_at", "uses"])
        raise ShareGone(ShareState.USED_UP.value, share=share)
    _set_loaded(share, uses=uses, **({"used_up_at": now} if share.single_use else {}))


def _authorize(
    share: ShareLink,
    *,
    structure: Structure | None,
    advisor: User | None,
    passcode: str | None,
    action: Action,
    check_passcode: bool = True,
) -> None:
    if not policy.in_audience(share, structure):
        raise WrongAudience("This share is not addressed to your structure.", share=share)
    if check_passcode:
        _check_passcode(share, passcode)
    if not policy.share_permits(share, action):
        raise NotPermitted(f"This share does not allow '{action}'.", share=share)


def _grant(share: ShareLink, structure: Structure, advisor: User | None) -> Grant:
    return Grant(
        share=share,
        passport=share.passport,
        structure=structure,
        advisor=advisor,
        sections=tuple(s for s in SECTIONS if s in (share.sections or [])),
        permissions=frozenset(share.permissions or []),
    )


def _validate_action(action: str) -> None:
    if action not in ("view", "append"):
        raise ValueError(f"unknown share action {action!r}")


def open_share(
    token: str,
    *,
    structure: Structure | None,
    advisor: User | None = None,
    passcode: str | None = None,
    action: Action = "view",
    consume: bool = True,
    later: bool = False,
) -> Grant:
    """Resolve a token into a Grant for ``structure`` (and its advisor), or raise ShareError.

    Logs the access (``view``/``append``) or the denial (the worker tells the holder).
    ``consume=False`` (see ``check_share``) writes no success row and uses nothing.
    ``later=True``: every check now, the use and its row by ``use_grant`` once the answer
    is ready (the caller must call it before answering).
    """
    _validate_action(action)
    share = _lookup(token)
    now = consume and not later
    try:
        _check_state(share)
        _authorize(share, structure=structure, advisor=advisor, passcode=passcode, action=action)
        if now:
            _consume(share)
    except ShareError as exc:
        log_access(
            share, structure=structure, advisor=advisor, action="denied", reason=denial_reason(exc)
        )
        raise
    if now:
        log_access(share, structure=structure, advisor=advisor, action=action)
    # in_audience refuses a caller without a structure; the assert narrows the type.
    assert structure is not None  # nosec B101  # type narrowing only
    return _grant(share, structure, advisor)


def use_grant(grant: Grant, action: Action = "view") -> None:
    """The writes that ``open_share(..., later=True)`` left for the end of the request:
    count the use (and use up a single-use share) and write the access-log row, two
    statements just before the commit, so that the share's row lock (PostgreSQL) and the
    database's write lock (SQLite) are held from here to the commit only, not while the
    passport is read and serialised. ShareGone (logged as ``denied``) when a parallel
    request used up a single-use share meanwhile: the caller commits, then answers it."""
    _validate_action(action)
    share = grant.share
    try:
        _consume(share)
    except ShareError as exc:
        log_access(
            share,
            structure=grant.structure,
            advisor=grant.advisor,
            action="denied",
            reason=denial_reason(exc),
        )
        raise
    log_access(share, structure=grant.structure, advisor=grant.advisor, action=action)


def check_share(
    token: str,
    *,
    structure: Structure | None,
    advisor: User | None = None,
    passcode: str | None = None,
    action: Action = "view",
) -> Grant:
    """Every check of ``open_share`` without using the share (the browser's GET)."""
    return open_share(
        token, structure=structure, advisor=advisor, passcode=passcode, action=action, consume=False
    )


def session_minutes() -> int:
    return int(current_app.config.get("SHARE_SESSION_MINUTES", 60))


def reopen_share(
    share_id: int,
    *,
    structure: Structure | None,
    advisor: User | None = None,
    action: Action = "view",
) -> Grant:
    """A share already opened in this browser session (the passcode was checked then).

    A used-up single-use share stays open for the structure (and advisor) that used it up,
    for ``SHARE_SESSION_MINUTES``. Logs the access like ``open_share``.
    """
    _validate_action(action)
    share = db.session.get(ShareLink, share_id) if valid_id(share_id) else None
    if share is None:
        raise ShareNotFound("Unknown share link.")
    try:
        _check_state(share, allow_used_up=True)
        if share_state(share) is ShareState.USED_UP and not _used_up_by(share, structure, advisor):
            raise ShareGone(ShareState.USED_UP.value, share=share)
        _authorize(
            share,
            structure=structure,
            advisor=advisor,
            passcode=None,
            action=action,
            check_passcode=False,
        )
    except ShareError as exc:
        log_access(
            share, structure=structure, advisor=advisor, action="denied", reason=denial_reason(exc)
        )
        raise
    log_access(share, structure=structure, advisor=advisor, action=action)
    assert structure is not None  # nosec B101  # type narrowing; _authorize checked it
    return _grant(share, structure, advisor)


def _used_up_by(share: ShareLink, structure: Structure | None, advisor: User | None) -> bool:
    if structure is None or share.used_up_at is None:
        return False
    if utcnow() - share.used_up_at > timedelta(minutes=session_minutes()):
        return False
    first = db.session.execute(
        db.select(AccessLogEntry)
        .where(AccessLogEntry.share_id == share.id, AccessLogEntry.action != "denied")
        .order_by(AccessLogEntry.id)
        .limit(1)
    ).scalar_one_or_none()
    if first is None:
        return False
    advisor_id = advisor.id if advisor is not None else None
    return first.structure_id == structure.id and first.advisor_id == advisor_id


# --------------------------------------------------------------------------- access log


def access_log(passport: Passport, page: int = 1, per_page: int = 20) -> Page:
    """The holder's access log, newest first (structure and advisor joined: two queries)."""
    query = (
        db.select(AccessLogEntry)
        .where(AccessLogEntry.passport_id == passport.id)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    )
    return paginate(query, page, per_page)


def visits_page(passport: Passport, page: int = 1, per_page: int = 20) -> Page:
    """The holder's visits (the access log grouped), the latest first: two queries."""
    query = (
        db.select(Visit)
        .where(Visit.passport_id == passport.id)
        .order_by(Visit.last_at.desc(), Visit.id.desc())
    )
    return paginate(query, page, per_page)


def ungrouped_entries(passport: Passport, limit: int = 50) -> list[AccessLogEntry]:
    """The newest rows that the worker has not put in a visit yet (one query)."""
    return list(
        db.session.execute(
            db.select(AccessLogEntry)
            .where(AccessLogEntry.passport_id == passport.id, not_in_a_visit())
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
            .limit(limit)
        )
        .scalars()
        .unique()
    )


def visit_entries(passport: Passport, visits: list[Visit]) -> dict[int, list[AccessLogEntry]]:
    """The access-log rows of each visit (newest first), in one query."""
    if not visits:
        return {}
    rows = db.session.execute(
        db.select(AccessLogEntry)
        .where(
            AccessLogEntry.passport_id == passport.id,
            AccessLogEntry.at >= min(v.started_at for v in visits),
            AccessLogEntry.at <= max(v.last_at for v in visits),
        )
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    ).scalars()
    found: dict[int, list[AccessLogEntry]] = {v.id: [] for v in visits}
    for entry in rows.unique():
        for visit in visits:
            if (entry.share_id, entry.structure_id, entry.advisor_id) == (
                visit.share_id,
                visit.structure_id,
                visit.advisor_id,
            ) and visit.started_at <= entry.at <= visit.last_at:
                found[visit.id].append(entry)
                break
    return found


def unread_notifications(user: User, limit: int = 20) -> list[Notification]:
    """The user's unread notifications, newest first (with their access row)."""
    return list(
        db.session.execute(
            db.select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
        .scalars()
        .unique()
    )


def unread_count(user: User) -> int:
    return db.session.execute(
        db.select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ).scalar_one()


def mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all, or those ``ids``); returns how many."""
    statement = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    result = db.session.execute(
        statement.values(read_at=utcnow()), execution_options={"synchronize_session": "fetch"}
    )
    return cast(CursorResult, result).rowcount or 0


def purge_access_log(now: datetime | None = None) -> int:
    """Delete access-log rows older than ``RETENTION_ACCESS_LOG_DAYS`` (DOMAIN.md: one year),
    and the notifications that point to them. Returns how many rows.

    On PostgreSQL the months that ended before the cutoff go as whole partitions (detached
    and dropped, ``passport.sharing.partitions``); the rest of the cutoff's month (and any
    old row in the DEFAULT partition) is deleted row by row, as on SQLite.
    """
    days = int(current_app.config.get("RETENTION_ACCESS_LOG_DAYS", 365))
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = db.select(AccessLogEntry.id).where(AccessLogEntry.at < cutoff)
    db.session.execute(
        delete(Notification).where(Notification.access_id.in_(old)),
        execution_options={"synchronize_session": False},
    )
    dropped = partitions.drop_partitions_before(db.session.connection(), cutoff)
    result = db.session.execute(
        delete(AccessLogEntry).where(AccessLogEntry.at < cutoff),
        execution_options={"synchronize_session": False},
    )
    # The visits (their grouping) go with the rows they group.
    db.session.execute(
        delete(Visit).where(Visit.last_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    return dropped + (cast(CursorResult, result).rowcount or 0)
