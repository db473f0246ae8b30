"""Signatures checked by an independent JOSE library (jwcrypto) against the published JWKS."""

from __future__ import annotations

import json

import pytest
from jwcrypto import jwk, jws

from passport.extensions import db
from passport.passports.models import Reception, Referral, Training
from passport.structures.services import get_structure
from passport.trust.canonical import canonical_json, record_content
from passport.trust.signing import rotate_key
from tests.sharing.world import build_world, make_share

RECEPTION = {
    "date": "2026-05-20",
    "channel": "in_person",
    "needs": ["orientation"],
    "summary": "Première venue.",
}


@pytest.fixture
def world(app):
    return build_world(app)


def _verify(token: str, key_set: dict) -> tuple[bytes, dict]:
    """Verify a compact JWS with jwcrypto only; return (payload, protected header)."""
    keys = jwk.JWKSet.from_json(json.dumps(key_set))
    signed = jws.JWS()
    signed.deserialize(token)
    header = signed.jose_header
    key = keys.get_key(header["kid"])
    assert key is not None, "the kid is not in the JWKS"
    signed.verify(key, alg="EdDSA")
    return signed.payload, header


def test_jwks_document(client, world):
    client.post("/api/v1/receptions", json=RECEPTION, headers=world.ml_key)
    r = client.get("/.well-known/jwks.json")
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    keys = r.get_json()["keys"]
    structure_keys = [k for k in keys if k["structure"] is not None]
    service_keys = [k for k in keys if k["structure"] is None]
    assert len(structure_keys) == 1
    assert len(service_keys) >= 1  # they sign whole exports
    (key,) = structure_keys
    assert key["structure"] == "ML28"
    for key in keys:
        assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["kid"]
        assert "d" not in key  # never the private half


def test_records_verify_with_an_independent_library(app, client, world):
    share = make_share(client, world)
    base = f"/api/v1/shared/{share['token']}"
    records = {
        Reception: client.post(
            f"{base}/receptions", json=RECEPTION, headers=world.advisor
        ).get_json(),
        Referral: client.post(
            f"{base}/referrals",
            json={"to_structure": "CAP28", "needs": ["job_search"]},
            headers=world.advisor,
        ).get_json(),
        Training: client.post(
            f"{base}/trainings",
            json={"title": "CACES R489", "status": "completed"},
            headers=world.ft_key,
        ).get_json(),
    }
    key_set = client.get("/.well-known/jwks.json").get_json()
    with app.app_context():
        for model, body in records.items():
            payload, header = _verify(body["signature"], key_set)
            assert header["alg"] == "EdDSA"
            record = db.session.get(model, body["id"])
            assert payload == canonical_json(record_content(record))
            content = json.loads(payload)
            assert content["id"] == body["id"] and content["issuer"] == body["issuer"]


def test_tampered_payload_fails(client, world):
    body = client.post("/api/v1/receptions", json=RECEPTION, headers=world.ml_key).get_json()
    key_set = client.get("/.well-known/jwks.json").get_json()
    header, payload, signature = body["signature"].split(".")
    forged = f"{header}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{signature}"
    with pytest.raises(jws.InvalidJWSSignature):
        _verify(forged, key_set)


def test_retired_keys_stay_published_and_old_signatures_verify(app, client, world):
    old = client.post("/api/v1/receptions", json=RECEPTION, headers=world.ml_key).get_json()
    with app.app_context():
        rotate_key(get_structure("ML28"))
        db.session.commit()
    new = client.post("/api/v1/receptions", json=RECEPTION, headers=world.ml_key).get_json()
    key_set = client.get("/.well-known/jwks.json").get_json()
    assert len([k for k in key_set["keys"] if k["structure"] == "ML28"]) == 2
    _, old_header = _verify(old["signature"], key_set)
    _, new_header = _verify(new["signature"], key_set)
    assert old_header["kid"] != new_header["kid"]
