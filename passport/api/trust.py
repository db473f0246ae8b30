"""Trust endpoints: /api/v1/me/export, /api/v1/verify, DELETE /api/v1/me.

- ``GET /me/export``: the holder's whole passport as a ``passeport-spro/1`` bundle (format in
  ``passport.trust.export``), signed record by record by the structures and as a whole by
  the service.
- ``GET /me/export`` with ``Accept: application/pdf``: the same as a PDF that embeds the
  bundle (``passport.api.pdf``), at most ``PDF_RATE`` a minute.
- ``POST /verify``: anyone; the body is a bundle, or the PDF export (``passport.api.pdf``
  says what a PDF that cannot be verified answers). 200 ``{valid, records, problems}`` for
  anything shaped like a bundle, valid or not (tampering is an answer, not an error);
  400 when the body is not JSON; 422 (problem details, ``errors`` by field) when it is JSON
  but not a bundle at all (not an object, unknown ``format``, no ``records`` list...) or
  holds more records or keys than a passport does (``verify.MAX_RECORDS``, ``MAX_KEYS``);
  413 over 20 MiB (``verify.MAX_BUNDLE_BYTES``, applied in ``create_app``). The work is
  bounded by the bundle's size (see ``passport.trust.verify``).
  Keys are compared with this service's published keys, not only the bundle's own.
- ``DELETE /me`` ``{password}``: erases the account (``passport.trust.erasure``); 204. A wrong
  password answers 403: the bearer token is valid (so not 401, which would tell a client to
  drop its token), the confirmation is not.
"""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from passport.accounts.models import Role
from passport.api import bp
from passport.api.auth import current_caller, require_roles
from passport.api.openapi import doc
from passport.api.pdf import bundle_from_pdf_body, is_pdf_request, pdf_export, wants_pdf
from passport.api.schemas import Schema, parse
from passport.errors import Problem
from passport.extensions import db, limiter
from passport.passports.services import passport_of
from passport.trust.erasure import WrongPassword, erase_account
from passport.trust.export import build_bundle
from passport.trust.pdf import PDF_RATE
from passport.trust.verify import (
    MAX_KEYS,
    MAX_RECORDS,
    NotABundle,
    TooLarge,
    load_json,
    server_keys,
    verification_json,
    verify_bundle,
)

VERIFY_RATE = "30 per minute"
PDF_SCHEMA = {"type": "string", "contentMediaType": "application/pdf"}
ERASE_FAILURES = "10 per minute"


class ErasureIn(Schema):
    password: str = Field(min_length=1, max_length=1024)


class Bundle(BaseModel):
    """An export bundle (``passeport-spro/1``); see ``GET /api/v1/me/export``."""

    model_config = ConfigDict(extra="allow")

    format: str = Field(examples=["passeport-spro/1"])
    exported_at: str
    holder: dict[str, Any]
    records: list[dict[str, Any]]
    head: dict[str, Any]
    structures: dict[str, Any] = {}
    jwks: dict[str, Any]
    service_jwks: dict[str, Any] = {}
    attestation: str | None = None


class VerificationProblem(BaseModel):
    code: str
    seq: int | None
    message: str


class VerifiedRecord(BaseModel):
    seq: Any
    kind: Any
    status: str = Field(description="attested | self_declared | invalid")
    issuer: dict[str, Any] | None
    issuer_name: str | None
    kid: str | None
    problems: list[VerificationProblem]


class Verification(BaseModel):
    valid: bool
    records: list[VerifiedRecord]
    problems: list[VerificationProblem]
    checked_against: str
    exported_at: Any
    head: Any


@bp.get("/me/export")
@require_roles(Role.INDIVIDUAL)
@limiter.limit(PDF_RATE, exempt_when=lambda: not wants_pdf())
@doc(
    "Export the whole passport as a self-verifying bundle; with Accept: application/pdf, a "
    "printable PDF that embeds the bundle as its one attached file",
    responses={200: Bundle, 429: None},
    media={200: {"application/pdf": {"schema": PDF_SCHEMA}}},
)
def export_my_passport():
    if wants_pdf():
        return pdf_export(passport_of(current_caller().user))
    bundle = build_bundle(passport_of(current_caller().user))
    db.session.commit()  # passport_of may have created an empty passport
    return bundle, 200, {"Cache-Control": "no-store"}


@bp.post("/verify")
@limiter.limit(VERIFY_RATE)
@doc(
    "Verify an export bundle (JSON, or the PDF export with Content-Type: application/pdf)",
    body=Bundle,
    responses={200: Verification, 400: None, 413: None, 422: None, 429: None},
    auth=False,
    media={"body": {"application/pdf": {"schema": PDF_SCHEMA}}},
)
def verify():
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise Problem(400, "Bad Request", "The request body must be a bundle (JSON object).")
    if is_pdf_request():
        bundle = bundle_from_pdf_body(raw)
    else:
        try:
            bundle = load_json(raw)
        except ValueError:
            raise Problem(400, "Bad Request", "The request body is not valid JSON.") from None
    try:
        result = verify_bundle(bundle, server_keys())
    except TooLarge as exc:
        raise Problem(
            422,
            "Unprocessable Content",
            f"This bundle holds more than a passport does (at most {MAX_RECORDS} records "
            f"and {MAX_KEYS} keys): it is not verified.",
            errors=exc.errors,
        ) from None
    except NotABundle as exc:
        raise Problem(
            422,
            "Unprocessable Content",
            "This document is not a passeport-spro/1 bundle.",
            errors=exc.errors,
        ) from None
    return verification_json(result)


@bp.delete("/me")
@require_roles(Role.INDIVIDUAL)
@limiter.limit(ERASE_FAILURES, deduct_when=lambda response: response.status_code == 403)
@doc(
    "Erase the account, passport, shares and tokens",
    body=ErasureIn,
    responses={204: None, 403: None, 429: None},
)
def erase_me():
    data = parse(ErasureIn)
    try:
        erase_account(current_caller().user, data.password)
    except WrongPassword:
        raise Problem(403, "Forbidden", "The password is not correct.") from None
    db.session.commit()
    return "", 204
