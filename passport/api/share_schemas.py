"""Request schemas of the sharing and structure endpoints, and their response schemas.

Requests use the strict ``Schema`` base of ``api/schemas.py`` (unknown fields refused, no
type coercion). Response shapes are registered in the OpenAPI components here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import Enum
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from flask import request
from pydantic import Field, StringConstraints, ValidationError, field_validator

from passport.api.openapi import RESPONSE_SCHEMAS
from passport.api.schemas import LongText, Schema
from passport.db import utcnow
from passport.errors import Problem
from passport.passports.models import Channel, DeclineReason, Need, Outcome, Situation
from passport.sharing.services import LABEL_MAX, MAX_DAYS, MIN_DAYS, PASSCODE_MAX, PASSCODE_MIN

Section = Literal["profile", "receptions", "referrals", "trainings", "cpf"]
Permission = Literal["read", "append"]
StructureCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$"
    ),
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LABEL_MAX)]


class ShareIn(Schema):
    """A new share link (POST /api/v1/me/shares)."""

    sections: Annotated[list[Section], Field(min_length=1, max_length=10)]
    permissions: Annotated[list[Permission], Field(min_length=1, max_length=4)]
    expires_in_days: Annotated[int, Field(ge=MIN_DAYS, le=MAX_DAYS)]
    structure: StructureCode | None = None
    passcode: Annotated[str, Field(min_length=PASSCODE_MIN, max_length=PASSCODE_MAX)] | None = None
    single_use: bool = False
    label: Label | None = None

    @field_validator("sections", "permissions")
    @classmethod
    def _dedupe(cls, values: list) -> list:
        return list(dict.fromkeys(values))


class ReceptionIn(Schema):
    """A first reception (through a share, or anonymous)."""

    date: dt.date
    channel: Channel
    needs: Annotated[list[Need], Field(min_length=1, max_length=len(Need))]
    situation: Situation | None = None
    outcome: Outcome | None = None
    summary: LongText | None = None

    @field_validator("needs")
    @classmethod
    def _dedupe(cls, values: list) -> list:
        return list(dict.fromkeys(values))

    @field_validator("date")
    @classmethod
    def _not_in_future(cls, value: dt.date) -> dt.date:
        if value > utcnow().date() + dt.timedelta(days=1):
            raise ValueError("the reception date is in the future")
        if value.year < 2000:
            raise ValueError("the reception date is too old")
        return value


class ReferralIn(Schema):
    """A fiche navette to another structure."""

    to_structure: StructureCode
    needs: Annotated[list[Need], Field(min_length=1, max_length=len(Need))]
    message: LongText | None = None

    @field_validator("needs")
    @classmethod
    def _dedupe(cls, values: list) -> list:
        return list(dict.fromkeys(values))


class CorrectionIn(Schema):
    """A correction of a record by the structure that wrote it (``kind`` is ours: a record's
    id is unique within its kind only, see docs/api-notes.md)."""

    record: Annotated[int, Field(ge=1)]
    kind: Literal["reception", "referral", "training", "cpf_statement"] | None = None
    action: Literal["rectify", "withdraw"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    changes: Annotated[dict[str, Any], Field(max_length=20)] | None = None


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
#: An appointment is dated within a year before and two years after now.
APPOINTMENT_PAST, APPOINTMENT_FUTURE = dt.timedelta(days=366), dt.timedelta(days=2 * 366)


class AppointmentIn(Schema):
    """When (with its offset, e.g. ``2026-06-02T14:30:00+02:00``), where, whom to ask for."""

    at: dt.datetime
    place: ShortText | None = None
    contact: ShortText | None = None

    @field_validator("at")
    @classmethod
    def _aware_and_plausible(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("give the time zone offset, e.g. +02:00 or Z")
        now = utcnow()
        if not (now - APPOINTMENT_PAST <= value <= now + APPOINTMENT_FUTURE):
            raise ValueError("an appointment within a year before and two years after today")
        return value.astimezone(dt.UTC)


class ReferralStatusIn(Schema):
    """A status change by the receiving structure; ``appointment`` goes with the status
    ``appointment`` and ``reason`` with ``declined`` (422 when missing)."""

    status: Literal["received", "appointment", "completed", "declined"]
    note: LongText | None = None
    appointment: AppointmentIn | None = None
    reason: DeclineReason | None = None


def typed_changes(record, changes: dict[str, Any]) -> dict[str, Any]:
    """The ``changes`` of a rectification, checked by the schema that wrote the record.

    The record's values with the changes over them must make a valid body of that kind's
    schema (so a rectified training still ends after it starts); 422 with
    ``errors["changes.<field>"]`` otherwise. Returns the typed new values.
    """
    from passport.api.schemas import CpfIn, TrainingIn
    from passport.passports.models import CORRECTABLE_FIELDS
    from passport.trust.canonical import record_content

    schemas: dict[str, type[Schema]] = {
        "reception": ReceptionIn,
        "referral": ReferralIn,
        "training": TrainingIn,
        "cpf_statement": CpfIn,
    }
    schema = schemas[record.kind]
    allowed = CORRECTABLE_FIELDS[record.kind]
    errors = {
        f"changes.{name}": [f"a {record.kind} cannot change this field"]
        for name in changes
        if name not in allowed
    }
    if errors:
        raise _unprocessable(errors)
    content = record_content(record)
    merged = {
        name: content[name]
        for name in schema.model_fields
        if content.get(name) is not None and name not in changes
    }
    merged.update({name: value for name, value in changes.items() if value is not None})
    try:
        model = schema.model_validate_json(json.dumps(merged))
    except ValidationError as exc:
        found: dict[str, list[str]] = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "body"
            found.setdefault(f"changes.{name}", []).append(error["msg"])
        raise _unprocessable(found) from None
    except ValueError:  # a number json cannot write (not reachable from a JSON body)
        raise _unprocessable({"changes": ["not JSON values"]}) from None
    return {name: _plain_enum(getattr(model, name)) for name in changes}


def _plain_enum(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain_enum(v) for v in value]
    return value


def _unprocessable(errors: dict[str, list[str]]) -> Problem:
    return Problem(
        422, "Unprocessable Content", "Some fields are missing or invalid.", errors=errors
    )


# ------------------------------------------------------------------ query strings


_DIGITS = re.compile(r"[0-9]{1,9}")


def query_int(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer query parameter; 422 when it is not one, clamped to ``maximum``."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
        raise Problem(
            422,
            "Unprocessable Content",
            "Invalid query parameter.",
            errors={name: [f"must be an integer >= {minimum}"]},
        )
    value = int(raw)
    return min(value, maximum) if maximum is not None else value


def query_choice(name: str, choices, *, what: str) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in {str(c) for c in choices}:
        raise Problem(
            422,
            "Unprocessable Content",
            "Invalid query parameter.",
            errors={name: [f"unknown {what}"]},
        )
    return raw


def page_headers(page, base_path: str) -> dict[str, str]:
    """``X-Total-Count`` and an RFC 8288 ``Link`` header for a ``passport.pagination.Page``."""
    links = []
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}

    def url(number: int) -> str:
        query = urlencode({**args, "page": number, "per_page": page.per_page})
        return f"{base_path}?{query}"

    if page.has_next:
        links.append(f'<{url(page.page + 1)}>; rel="next"')
    if page.has_prev:
        links.append(f'<{url(page.page - 1)}>; rel="prev"')
    links.append(f'<{url(1)}>; rel="first"')
    links.append(f'<{url(page.pages)}>; rel="last"')
    return {"X-Total-Count": str(page.total), "Link": ", ".join(links)}


PAGE_QUERY = {
    "page": {"type": "integer", "minimum": 1, "default": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
}

# ------------------------------------------------------------------ response schemas

_SHARE_PROPERTIES = {
    "id": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"},
    "expires_at": {"type": "string", "format": "date-time"},
    "revoked_at": {"type": ["string", "null"], "format": "date-time"},
    "permissions": {"type": "array", "items": {"enum": ["read", "append"]}},
    "sections": {
        "type": "array",
        "items": {"enum": ["profile", "receptions", "referrals", "trainings", "cpf"]},
    },
    "structure": {"type": ["string", "null"]},
    "uses": {"type": "integer"},
    "state": {"enum": ["active", "expired", "revoked", "suspended", "used_up", "locked"]},
    "label": {"type": ["string", "null"]},
    "single_use": {"type": "boolean"},
    "has_passcode": {"type": "boolean"},
}
#: The fields API.md lists for a share (GET /me/shares).
_SHARE_REQUIRED = [
    "id",
    "created_at",
    "expires_at",
    "revoked_at",
    "permissions",
    "sections",
    "structure",
    "uses",
]
RESPONSE_SCHEMAS.update(
    {
        "Share": {
            "type": "object",
            "required": _SHARE_REQUIRED,
            "properties": _SHARE_PROPERTIES,
        },
        "ShareList": {"type": "array", "items": {"$ref": "#/components/schemas/Share"}},
        "ShareDetail": {
            "type": "object",
            "required": [*_SHARE_REQUIRED, "url"],
            "properties": {
                **_SHARE_PROPERTIES,
                # The link again while the share is active; null when it is not, or when the
                # share was made before links were kept (shown once, at creation).
                "url": {"type": ["string", "null"], "format": "uri"},
            },
        },
        "ShareCreated": {
            "type": "object",
            "required": ["id", "url", "expires_at", "permissions", "sections", "structure"],
            "properties": {**_SHARE_PROPERTIES, "url": {"type": "string", "format": "uri"}},
        },
        "AccessLog": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["at", "share_id", "structure", "advisor", "action"],
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "share_id": {"type": ["integer", "null"]},
                    "structure": {"type": ["string", "null"]},
                    "advisor": {"type": ["string", "null"]},
                    "action": {"enum": ["view", "append", "denied"]},
                },
            },
        },
        "ReferralList": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}},
    }
)
