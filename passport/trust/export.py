"""The whole passport as one self-verifying JSON bundle (``GET /api/v1/me/export``).

Bundle format ``passeport-spro/1``::

    {
      "format": "passeport-spro/1",
      "exported_at": "2026-05-20T09:30:00Z",
      "holder": {"passport": 12, "full_name": "...", "email": "...", "birth_year": 1990,
                 "department": "28", "situation": "jobseeker", "qualification_level": 4,
                 "created_at": "2026-01-02T10:00:00Z"},
      "records": [
        {"seq": 1, "kind": "training", "content": {...}, "prev_hash": null,
         "hash": "<64 hex>", "signature": null},
        {"seq": 2, "kind": "reception", "content": {...}, "prev_hash": "<hash of seq 1>",
         "hash": "<64 hex>", "signature": "<compact JWS>"},
        ...
      ],
      "head": {"seq": 2, "hash": "<hash of the last record>"},
      "structures": {"ML-DREUX": {"name": "Mission locale de Dreux"}},
      "jwks": {"ML-DREUX": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "...",
                                       "kid": "...", "alg": "EdDSA", "use": "sig"}]}},
      "service_jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "service-...", ...}]},
      "attestation": "<compact JWS by the service key>"
    }

- ``records``: every record of the passport (receptions, referrals, referral status changes,
  trainings and CPF statements, old versions included, and corrections) in chain order,
  ``seq`` 1..n. A record that its structure corrected also carries ``corrected_by`` (the
  seq of its latest correction) and ``withdrawn`` (true once withdrawn); these two are not
  signed: the verifier derives them from the signed corrections and checks that they agree.
- a correction (``kind: "correction"``) names the record it corrects in its content
  (``record: {kind, id, seq, hash}``), with ``action`` (``rectify``/``withdraw``),
  ``reason`` and, for a rectification, ``changes`` (the new values, API field names).
- ``content``: the record's canonical content (``passport.trust.canonical.record_content``):
  ``kind``, ``id``, ``passport``, ``seq``, ``prev_hash``, ``created_at``, ``issuer``
  (``null`` when the holder declared it, else ``{"structure": CODE, "advisor"?: name}``) and
  the fields of its kind. For a signed record it is the signature's own payload, i.e. what the
  structure attested when it wrote it (an advisor renamed since does not change it).
- ``hash`` = SHA-256 (hex) of the RFC 8785 canonical JSON of
  ``{"seq": seq, "prev_hash": prev_hash, "record": content}``; ``prev_hash`` is the previous
  record's ``hash`` (``null`` for the first).
- ``signature``: compact JWS (``alg`` EdDSA, ``kid``) whose payload is exactly
  ``canonical_json(content)``, by a key listed under the issuing structure in ``jwks``;
  ``null`` for self-declared records.
- ``jwks``: for each issuing structure (by code), its public keys as a JWK Set, current and
  retired. ``structures``: display names of the structures the records name.
- ``attestation``: compact JWS by the service key (``service_jwks``) over
  ``canonical_json({"format", "exported_at", "holder", "head"})``. The head hash commits to
  every record, so this says: "on ``exported_at`` this service held this passport, with this
  holder and exactly these records". It is what vouches for self-declared records and for the
  completeness of the export.

``passport.trust.verify`` checks all of this.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from passport.db import utcnow
from passport.extensions import db
from passport.passports.models import (
    Correction,
    CpfStatement,
    Passport,
    Reception,
    Referral,
    ReferralEvent,
    Training,
)
from passport.structures.models import SigningKey, Structure
from passport.trust.canonical import canonical_json, iso_timestamp, record_content
from passport.trust.signing import service_jwks, sign_as_service

FORMAT = "passeport-spro/1"
RECORD_MODELS = (Reception, Referral, ReferralEvent, Training, CpfStatement, Correction)


def chain_records(passport_id: int) -> list:
    """Every record of the passport's chain, in chain order (one query per kind)."""
    records: list = []
    for model in RECORD_MODELS:
        records += (
            db.session.execute(db.select(model).where(model.passport_id == passport_id))
            .scalars()
            .unique()
        )
    return sorted(records, key=lambda r: r.seq or 0)


def _signed_payload(signature: str) -> dict | None:
    """The JSON payload that a compact JWS carries, or None if it has none."""
    try:
        segment = signature.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError):
        return None
    return payload if isinstance(payload, dict) else None


def bundle_record(record) -> dict[str, Any]:
    """One record as it appears in a bundle."""
    content = None
    if record.signature:
        content = _signed_payload(record.signature)
    if content is None:
        content = record_content(record)
    return {
        "seq": record.seq,
        "kind": record.kind,
        "content": content,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        "signature": record.signature,
    }


def holder_block(passport: Passport) -> dict[str, Any]:
    holder = passport.holder
    return {
        "passport": passport.id,
        "full_name": holder.full_name,
        "email": holder.email,
        "birth_year": passport.birth_year,
        "department": passport.department,
        "situation": passport.situation,
        "qualification_level": passport.qualification_level,
        "created_at": iso_timestamp(passport.created_at),
    }


def attested_part(bundle: dict) -> dict:
    """The part of a bundle that the service's attestation signs."""
    return {key: bundle.get(key) for key in ("format", "exported_at", "holder", "head")}


def build_bundle(passport: Passport) -> dict[str, Any]:
    """The passport as a ``passeport-spro/1`` bundle, signed by the service."""
    db.session.refresh(passport, ["head_seq", "head_hash"])
    records = chain_records(passport.id)
    issuer_ids = {r.issuer_structure_id for r in records if r.issuer_structure_id is not None}
    named_ids = issuer_ids | {r.to_structure_id for r in records if isinstance(r, Referral)}
    structures: list[Structure] = []
    if named_ids:
        structures = list(
            db.session.execute(db.select(Structure).where(Structure.id.in_(named_ids))).scalars()
        )
    by_id = {s.id: s for s in structures}
    keys: dict[str, list[dict]] = {by_id[i].code: [] for i in sorted(issuer_ids)}
    if issuer_ids:
        for key in db.session.execute(
            db.select(SigningKey)
            .where(SigningKey.structure_id.in_(issuer_ids))
            .order_by(SigningKey.id)
        ).scalars():
            keys[by_id[key.structure_id].code].append(dict(key.public_jwk))
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": iso_timestamp(utcnow()),
        "holder": holder_block(passport),
        "records": _with_corrections([bundle_record(r) for r in records], records),
        "head": {"seq": passport.head_seq, "hash": passport.head_hash},
        "structures": {s.code: {"name": s.name} for s in sorted(by_id.values(), key=_code)},
        "jwks": {code: {"keys": found} for code, found in sorted(keys.items())},
        "service_jwks": {"keys": service_jwks()["keys"][:1]},
    }
    bundle["attestation"] = sign_as_service(canonical_json(attested_part(bundle)))
    return bundle


def _with_corrections(entries: list[dict], records: list) -> list[dict]:
    """Mark each corrected record's entry with ``corrected_by`` and ``withdrawn``."""
    seq_of = {(r.kind, r.id): r.seq for r in records}
    by_seq = {entry["seq"]: entry for entry in entries}
    for record in records:
        if isinstance(record, Correction):
            entry = by_seq.get(seq_of.get((record.target_kind, record.target_id)))
            if entry is not None:
                entry["corrected_by"] = record.seq
                entry["withdrawn"] = entry.get("withdrawn", False) or record.action == "withdraw"
    return entries


def _code(structure: Structure) -> str:
    return structure.code


def bundle_filename(bundle: dict) -> str:
    """``passeport-spro-2026-05-20.json``: the download name of an export."""
    return f"passeport-spro-{bundle['exported_at'][:10]}.json"
