"""A structure's signatures follow its active key at once, though decrypted keys are cached.

``signing.signer`` asks the database which key is active on every call and caches only the
decrypted private keys (by kid and ciphertext): a rotation or a retirement made by another
process (a plain UPDATE here, no ORM state shared) applies to the very next signature.
"""

from __future__ import annotations

from joserfc import jws
from sqlalchemy import update

from passport.db import utcnow
from passport.extensions import db
from passport.structures.models import SigningKey
from passport.trust.signing import jwks, rotate_key, sign, verify_compact
from tests import factories


def _kid(token: str) -> str:
    return jws.extract_compact(token.encode()).protected["kid"]


def test_signatures_follow_rotation_and_retirement_by_anyone(app):
    with app.app_context():
        structure = factories.structure("ROT28")
        first = sign(structure, b"one")
        assert _kid(sign(structure, b"two")) == _kid(first)  # the same key, from the cache

        rotated = rotate_key(structure)
        db.session.commit()
        assert _kid(sign(structure, b"three")) == rotated.kid != _kid(first)

        # Another process retires the key behind this session's back: a new one is made.
        db.session.execute(
            update(SigningKey).where(SigningKey.kid == rotated.kid).values(retired_at=utcnow())
        )
        db.session.commit()
        db.session.expire_all()
        latest = sign(structure, b"four")
        assert _kid(latest) not in (rotated.kid, _kid(first))
        db.session.commit()

        key_set = jwks({structure.id})
        assert len(key_set["keys"]) == 3
        for token, payload in ((first, b"one"), (latest, b"four")):
            ok, signed, _ = verify_compact(token, key_set)
            assert ok and signed == payload


def test_a_key_re_encrypted_at_rest_still_signs_as_itself(app):
    from passport.trust.encryption import keyring

    with app.app_context():
        structure = factories.structure("REK28")
        before = sign(structure, b"a")
        key = db.session.execute(
            db.select(SigningKey).where(SigningKey.structure_id == structure.id)
        ).scalar_one()
        ring = keyring()
        key.private_key_enc = ring.encrypt_bytes(ring.decrypt_bytes(key.private_key_enc))
        db.session.commit()
        after = sign(structure, b"b")
        assert _kid(after) == _kid(before)
        ok, payload, _ = verify_compact(after, jwks({structure.id}))
        assert ok and payload == b"b"
