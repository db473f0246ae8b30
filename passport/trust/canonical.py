"""Canonical JSON (RFC 8785) of records: what is hashed into the chain and signed.

A record's *content* (``record_content``) is the same dict for every kind of record: its
kind, id, passport, place in the chain (``seq``, ``prev_hash``), time, issuer, then the
fields of its kind. The chain link hashes ``{"seq", "prev_hash", "record": content}``; a
structure signs ``canonical_json(content)``.

The content is canonicalised once per record (``rfc8785`` is pure Python, the costliest step
of writing a record): the link's canonical bytes are built around the content's
(``link_bytes``). RFC 8785 sorts an object's keys by their UTF-16 code units, and
``prev_hash`` < ``record`` < ``seq`` (p < r < s, all ASCII), so the link's canonical form is
``{"prev_hash":P,"record":C,"seq":S}`` with P, C and S the canonical forms of its three
values: byte for byte what ``rfc8785.dumps`` of the whole link gives
(tests/trust/test_canonical.py compares the two). Because the content names its place in the
chain, a signature also vouches for every record before it: a holder who drops or moves an
earlier record and recomputes the hashes still breaks the signed ``prev_hash``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import rfc8785


def iso_timestamp(value: datetime) -> str:
    """``2026-05-20T09:30:00Z``: UTC, whole seconds."""
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes of ``value``."""
    return rfc8785.dumps(_plain(value))


def sha256_hex(data: bytes) -> str:
    """Lower-case hexadecimal SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def issuer_of(record) -> dict | None:
    """``{"structure": CODE, "advisor"?: name}`` of a record written by a structure, else None."""
    if record.issuer_structure is None:
        return None
    issuer: dict[str, Any] = {"structure": record.issuer_structure.code}
    if record.issuer_advisor is not None:
        issuer["advisor"] = record.issuer_advisor.full_name
    return issuer


def record_content(record) -> dict[str, Any]:
    """The signed and hashed content of a record, the same for every kind of record."""
    content: dict[str, Any] = {
        "kind": record.kind,
        "id": record.id,
        "passport": record.passport_id,
        "seq": record.seq,
        "prev_hash": record.prev_hash,
        "created_at": iso_timestamp(record.created_at),
        "issuer": issuer_of(record),
    }
    content.update(_FIELDS[record.kind](record))
    return _plain(content)


def _reception(r) -> dict:
    return {
        "date": r.date,
        "channel": r.channel,
        "situation": r.situation,
        "needs": list(r.needs or []),
        "outcome": r.outcome,
        "summary": r.summary,
    }


def _referral(r) -> dict:
    return {
        "to_structure": r.to_structure.code,
        "needs": list(r.needs or []),
        "message": r.message,
    }


def _referral_status(e) -> dict:
    content: dict[str, Any] = {"referral": e.referral_id, "status": e.status, "note": e.note}
    # Only when present, so that the content (and the hash) of older changes stays the same.
    if e.appointment_at is not None:
        content["appointment"] = {
            "at": e.appointment_at,
            "place": e.appointment_place,
            "contact": e.appointment_contact,
        }
    if e.reason is not None:
        content["reason"] = e.reason
    return content


def _training(t) -> dict:
    return {
        "title": t.title,
        "provider": t.provider,
        "certification_code": t.certification_code,
        "start_date": t.start_date,
        "end_date": t.end_date,
        "status": t.status,
        "hours": t.hours,
        "funding": t.funding,
        "supersedes": t.supersedes_id,
    }


def _cpf(s) -> dict:
    return {
        "as_of": s.as_of,
        "balance_eur": Decimal(s.balance_cents) / 100,
        "dif_hours": s.dif_hours,
        "supersedes": s.supersedes_id,
    }


def _correction(c) -> dict:
    content: dict[str, Any] = {
        "record": {
            "kind": c.target_kind,
            "id": c.target_id,
            "seq": c.target_seq,
            "hash": c.target_hash,
        },
        "action": c.action,
        "reason": c.reason,
    }
    if c.changes_text:
        content["changes"] = c.changes
    return content


_FIELDS = {
    "reception": _reception,
    "referral": _referral,
    "referral_status": _referral_status,
    "training": _training,
    "cpf_statement": _cpf,
    "correction": _correction,
}


def chain_hash(seq: int, prev_hash: str | None, content: dict) -> str:
    """SHA-256 of the link: its place, the previous link's hash and the record's content."""
    return sha256_hex(link_bytes(seq, prev_hash, canonical_json(content)))


def link_bytes(seq: Any, prev_hash: Any, content_bytes: bytes) -> bytes:
    """``canonical_json({"seq": seq, "prev_hash": prev_hash, "record": content})`` from the
    content's canonical bytes (``canonical_json(content)``), without canonicalising the
    content again: the keys' RFC 8785 order is prev_hash, record, seq (see above)."""
    return b"".join(
        (
            b'{"prev_hash":',
            canonical_json(prev_hash),
            b',"record":',
            content_bytes,
            b',"seq":',
            canonical_json(seq),
            b"}",
        )
    )


def seal(seq: int, prev_hash: str | None, content: dict) -> tuple[bytes, str]:
    """``(canonical_json(content), chain_hash(seq, prev_hash, content))``, canonicalising the
    content once: the bytes a structure signs and the link's hash.

    ``content`` is what ``record_content`` returns, plain JSON values already, so it goes to
    ``rfc8785`` as it is (anything else, a datetime say, raises instead of being converted).
    """
    content_bytes = rfc8785.dumps(content)
    return content_bytes, sha256_hex(link_bytes(seq, prev_hash, content_bytes))
