"""``Idempotency-Key`` for the API's creating POSTs: a retried request creates nothing twice.

A partner system that does not know whether its POST arrived (timeout, dropped connection)
sends it again with the same ``Idempotency-Key`` header: the first answer is replayed
(``Idempotent-Replayed: true``) and nothing is written again. The key's row is written in the
same transaction as the record, so two parallel requests with one key cannot both write: the
second meets the unique constraint and answers 409. Without the header nothing changes.

The stored answer is encrypted at rest, kept 24 hours, and erased with the passport it is
about (views name it in ``g.idempotency_passport_id``). Share creation is not idempotent on
purpose: its answer carries the link's secret, which is never stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from flask import g, make_response, request
from sqlalchemy.exc import IntegrityError

from passport.api.auth import current_caller
from passport.api.models import IdempotentRequest
from passport.db import utcnow
from passport.errors import Problem
from passport.extensions import db

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII
#: How long answers are kept for replay (``purge_idempotent_requests`` removes older ones).
RETENTION = timedelta(hours=24)

#: For the OpenAPI document of the endpoints that accept the header.
HEADER_DOC = {HEADER: {"type": "string", "maxLength": 255}}


def _caller_id() -> str:
    caller = current_caller()
    if caller.api_key is not None:
        return f"apikey:{caller.api_key.id}"
    assert caller.user is not None  # nosec B101  # type narrowing; a caller is a key or a user
    return f"user:{caller.user.id}"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def idempotent(view):
    """Honour ``Idempotency-Key`` on a POST view that commits once."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY.match(key):
            raise Problem(
                400, "Bad Request", f"{HEADER} must be 1 to 255 visible ASCII characters."
            )
        caller, fingerprint = _caller_id(), _fingerprint()
        stored = db.session.execute(
            db.select(IdempotentRequest).where(
                IdempotentRequest.caller == caller, IdempotentRequest.key == key
            )
        ).scalar_one_or_none()
        if stored is not None:
            return _replay(stored, fingerprint)
        db.session.add(IdempotentRequest(caller=caller, key=key, fingerprint=fingerprint))
        try:
            response = make_response(view(*args, **kwargs))
        except IntegrityError:
            db.session.rollback()
            raise Problem(
                409, "Conflict", f"A request with this {HEADER} is being processed."
            ) from None
        except Problem:
            db.session.rollback()  # nothing kept: the client may fix the body and retry
            _forget(caller, key)  # in case the view committed before refusing (access log)
            raise
        _remember(caller, key, response)
        return response

    wrapped.openapi_headers = HEADER_DOC
    return wrapped


def _replay(stored: IdempotentRequest, fingerprint: str):
    if stored.fingerprint != fingerprint:
        raise Problem(
            422,
            "Unprocessable Content",
            f"This {HEADER} was used for another request; use a new key.",
        )
    if stored.status is None:
        raise Problem(409, "Conflict", f"A request with this {HEADER} is being processed.")
    response = make_response(json.loads(stored.body or "null"), stored.status)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(caller: str, key: str, response) -> None:
    """Store a success for replay; forget the key after a failure so it can be retried."""
    row = db.session.execute(
        db.select(IdempotentRequest).where(
            IdempotentRequest.caller == caller, IdempotentRequest.key == key
        )
    ).scalar_one_or_none()
    if row is None:  # the view rolled back (an error answered without raising)
        return
    if 200 <= response.status_code < 300 and response.is_json:
        row.status = response.status_code
        row.body = response.get_data(as_text=True)
        row.passport_id = g.get("idempotency_passport_id")
    else:
        db.session.delete(row)
    db.session.commit()


def _forget(caller: str, key: str) -> None:
    db.session.execute(
        db.delete(IdempotentRequest).where(
            IdempotentRequest.caller == caller,
            IdempotentRequest.key == key,
            IdempotentRequest.status.is_(None),
        )
    )
    db.session.commit()


def purge_idempotent_requests() -> int:
    """Forget answers older than RETENTION; returns how many."""
    result = db.session.execute(
        db.delete(IdempotentRequest).where(IdempotentRequest.created_at < utcnow() - RETENTION)
    )
    return int(getattr(result, "rowcount", 0) or 0)
