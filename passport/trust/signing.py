"""Structures' Ed25519 keys and compact JWS signatures (joserfc, never by hand)."""

from __future__ import annotations

import warnings

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey
from joserfc.jws import JWSRegistry

from passport.db import utcnow
from passport.extensions import db
from passport.security import new_secret
from passport.structures.models import SigningKey, Structure
from passport.trust.encryption import keyring

ALG = "EdDSA"  # fixed by API.md; RFC 9864 also names it "Ed25519"
_registry = JWSRegistry(algorithms=[ALG])


def active_key(structure: Structure) -> SigningKey:
    """The structure's current key, created on first use."""
    for key in reversed(structure.signing_keys):
        if key.retired_at is None:
            return key
    return rotate_key(structure)


def rotate_key(structure: Structure) -> SigningKey:
    """Retire the current key (it stays published) and create a new one."""
    now = utcnow()
    for key in structure.signing_keys:
        if key.retired_at is None:
            key.retired_at = now
    okp = OKPKey.generate_key("Ed25519")
    kid = f"{structure.code.lower()}-{now:%Y%m%d}-{new_secret(6)}"
    public = dict(okp.as_dict(private=False), kid=kid, alg=ALG, use="sig")
    pem = okp.as_pem(private=True)
    key = SigningKey(
        structure=structure,
        kid=kid,
        public_jwk=public,
        private_key_enc=keyring().encrypt_bytes(pem),
    )
    db.session.add(key)
    db.session.flush()
    return key


def sign(structure: Structure, payload: bytes) -> str:
    """A compact JWS of ``payload`` by the structure's active key."""
    key = active_key(structure)
    private = OKPKey.import_key(keyring().decrypt_bytes(key.private_key_enc))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jws.serialize_compact({"alg": ALG, "kid": key.kid}, payload, private, registry=_registry)


def jwks(structure_ids: set[int] | None = None) -> dict:
    """The public keys (current and retired) as a JWK Set."""
    query = db.select(SigningKey).order_by(SigningKey.id)
    if structure_ids is not None:
        query = query.where(SigningKey.structure_id.in_(structure_ids))
    keys = db.session.execute(query).scalars()
    return {"keys": [dict(k.public_jwk) for k in keys]}


def verify_compact(token: str, key_set: dict) -> tuple[bool, bytes | None, str | None]:
    """Check a compact JWS against a JWK Set: (valid, payload, kid)."""
    try:
        keys = KeySet.import_key_set(key_set)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = jws.deserialize_compact(token, keys, registry=_registry)
    except (JoseError, ValueError, KeyError, TypeError):
        return False, None, None
    return True, obj.payload, obj.protected.get("kid")
