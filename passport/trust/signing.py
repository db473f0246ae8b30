"""Ed25519 keys and compact JWS signatures (joserfc, never by hand).

Two kinds of keys sign:
- each structure's keys (``SigningKey`` rows) sign the records the structure writes;
- the *service key* signs exports as a whole (``sign_as_service``). It is derived with HKDF
  from each encryption key of the keyring, so it needs no table and rotates with
  ``ENCRYPTION_KEYS``: the newest key signs, the older ones stay published as long as
  their encryption key is configured. Its public half is ``service_jwks()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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
    return signer(structure)(payload)


def signer(structure: Structure) -> Callable[[bytes], str]:
    """``sign`` for many payloads: the structure's active key, decrypted once.

    Which key is active is asked of the database every time (one row, two columns), so a
    rotation by any process, or a retirement, applies to the very next signature. Only the
    decryption and import of a key are cached, per process (``_private_key``): a key never
    changes once created (rotation makes a new one), and re-encryption at rest
    (``passport reencrypt``) changes its ciphertext, hence the cache's key, not the key.
    """
    kid, encrypted = _active_key_row(structure)
    private = _private_key(kid, encrypted)
    header = {"alg": ALG, "kid": kid}

    def sign_payload(payload: bytes) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return jws.serialize_compact(header, payload, private, registry=_registry)

    return sign_payload


def _active_key_row(structure: Structure) -> tuple[str, str]:
    """(kid, encrypted private key) of the structure's active key, created on first use."""
    if structure.id is None:
        db.session.flush()
    row = db.session.execute(
        db.select(SigningKey.kid, SigningKey.private_key_enc)
        .where(SigningKey.structure_id == structure.id, SigningKey.retired_at.is_(None))
        .order_by(SigningKey.id.desc())
        .limit(1)
    ).first()
    if row is None:
        key = rotate_key(structure)
        return key.kid, key.private_key_enc
    return row.kid, row.private_key_enc


@lru_cache(maxsize=1024)
def _private_key(kid: str, encrypted: str) -> OKPKey:
    """The private key of ``kid``, decrypted and imported once per process (see ``signer``)."""
    return OKPKey.import_key(keyring().decrypt_bytes(encrypted))


def jwks(structure_ids: set[int] | None = None) -> dict:
    """The public keys (current and retired) as a JWK Set."""
    query = db.select(SigningKey).order_by(SigningKey.id)
    if structure_ids is not None:
        query = query.where(SigningKey.structure_id.in_(structure_ids))
    keys = db.session.execute(query).scalars()
    return {"keys": [dict(k.public_jwk) for k in keys]}


def published_jwks() -> dict:
    """What ``/.well-known/jwks.json`` serves: every structure's keys, each naming its
    structure (``"structure": CODE``, so that a verifier can check who owns a key), then the
    service's keys (``"structure": null``), which sign whole exports."""
    rows = db.session.execute(
        db.select(SigningKey, Structure.code)
        .join(Structure, SigningKey.structure_id == Structure.id)
        .order_by(SigningKey.id)
    ).all()
    keys = [dict(key.public_jwk, structure=code) for key, code in rows]
    keys += [dict(key, structure=None) for key in service_jwks()["keys"]]
    return {"keys": keys}


def verify_compact(token: str, key_set: dict) -> tuple[bool, bytes | None, str | None]:
    """Check a compact JWS against a JWK Set: (valid, payload, kid).

    Input may come from anyone (an uploaded bundle): whatever is wrong with the token or
    the keys, the answer is "not valid", never an exception. The header must name its key
    (``kid``), and only ``EdDSA`` is accepted.
    """
    if not isinstance(token, str) or not isinstance(key_set, dict):
        return False, None, None
    try:
        keys = KeySet.import_key_set(key_set)  # type: ignore[arg-type]  # checked by joserfc
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = jws.extract_compact(token.encode("ascii"), registry=_registry)
            kid = obj.protected.get("kid")
            if not isinstance(kid, str):
                return False, None, None
            if not jws.validate_compact(obj, keys, registry=_registry):
                return False, None, None
    except (JoseError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return False, None, None
    return True, obj.payload, kid


def import_public_key(jwk: Any) -> OKPKey | None:
    """One Ed25519 public key from an (untrusted) JWK dict, or None if it is not one."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        return None
    public = {name: jwk[name] for name in ("kty", "crv", "x") if name in jwk}
    try:
        return OKPKey.import_key(public)
    except (JoseError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def verify_compact_with(
    token: Any, find_key: Callable[[str], OKPKey | None]
) -> tuple[bool, bytes | None, str | None]:
    """Like ``verify_compact``, with the key that ``find_key(kid)`` returns (e.g. from a
    cache of keys imported once): (valid, payload, kid). Never raises on bad input."""
    if not isinstance(token, str):
        return False, None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = jws.extract_compact(token.encode("ascii"), registry=_registry)
            kid = obj.protected.get("kid")
            if not isinstance(kid, str):
                return False, None, None
            key = find_key(kid)
            if key is None or not jws.validate_compact(obj, key, registry=_registry):
                return False, None, None
    except (JoseError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return False, None, None
    return True, obj.payload, kid


SERVICE_KEY_INFO = b"passeport-spro service signing key v1"


def _service_key(secret: bytes) -> OKPKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SERVICE_KEY_INFO).derive(
        secret
    )
    pem = Ed25519PrivateKey.from_private_bytes(seed).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    okp = OKPKey.import_key(pem)
    kid = "service-" + okp.thumbprint()[:16]
    return OKPKey.import_key(pem, parameters={"kid": kid, "alg": ALG, "use": "sig"})


def service_keys() -> list[OKPKey]:
    """The service's signing keys, newest first (one per configured encryption key)."""
    return [_service_key(secret) for _kid, secret in keyring().keys]


def sign_as_service(payload: bytes) -> str:
    """A compact JWS of ``payload`` by the service's newest key."""
    key = service_keys()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jws.serialize_compact({"alg": ALG, "kid": key.kid}, payload, key, registry=_registry)


def service_jwks() -> dict:
    """The service's public keys as a JWK Set (to publish beside the structures' keys)."""
    return {"keys": [key.as_dict(private=False) for key in service_keys()]}
