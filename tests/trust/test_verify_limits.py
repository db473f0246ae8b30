"""Finding: an anonymous verification must cost work bounded by the bundle's size.

A 300 KiB bundle of 600 records signed with keys from a set of 1,500 used to import the whole
key set for every record (900,000 key imports: seconds of CPU per request). The work is
counted here, not timed: key imports and signature checks.
"""

from __future__ import annotations

import io
import json

import pytest
from joserfc import jws
from joserfc.jwk import OKPKey
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from passport.trust import verify as verify_module
from passport.trust.canonical import canonical_json, chain_hash
from passport.trust.export import FORMAT
from tests.trust.test_erasure import _csrf

RECORDS, KEYS = 600, 1_500


def upload(client, body: bytes):
    """POST ``body`` as the file of the /verifier form (multipart encoded here, in memory:
    the test client would spool a large body to a temporary file that it never closes)."""
    page = client.get("/verifier").get_data(as_text=True)
    bundle = FileStorage(io.BytesIO(body), filename="export.json", content_type="application/json")
    fields = {"csrf_token": _csrf(page), "bundle": bundle}
    boundary, data = encode_multipart(fields)
    return client.post(
        "/verifier", data=data, content_type=f"multipart/form-data; boundary={boundary}"
    )


def flood_bundle(records: int = RECORDS, keys: int = KEYS) -> dict:
    """A bundle shaped like an export: ``records`` records of one structure, each signed by
    one of ``keys`` keys that the bundle lists for that structure."""
    signers = [OKPKey.generate_key("Ed25519", parameters={"kid": f"k{i}"}) for i in range(keys)]
    items, previous = [], None
    for seq in range(1, records + 1):
        content = {
            "kind": "reception",
            "seq": seq,
            "prev_hash": previous,
            "passport": 1,
            "issuer": {"structure": "FLOOD"},
            "date": "2026-03-02",
        }
        key = signers[seq % keys]
        signature = jws.serialize_compact(
            {"alg": "EdDSA", "kid": key.kid}, canonical_json(content), key, algorithms=["EdDSA"]
        )
        record_hash = chain_hash(seq, previous, content)
        items.append(
            {
                "seq": seq,
                "kind": "reception",
                "prev_hash": previous,
                "hash": record_hash,
                "content": content,
                "signature": signature,
            }
        )
        previous = record_hash
    return {
        "format": FORMAT,
        "exported_at": "2026-03-05T10:00:00Z",
        "holder": {"passport": 1, "full_name": "X"},
        "records": items,
        "head": {"seq": records, "hash": previous},
        "jwks": {"FLOOD": {"keys": [k.as_dict(private=False) for k in signers]}},
        "service_jwks": {"keys": []},
        "attestation": None,
    }


@pytest.fixture(scope="module")
def flood() -> bytes:
    return json.dumps(flood_bundle()).encode()


@pytest.fixture
def work(monkeypatch) -> dict[str, int]:
    """Counts every Ed25519 key imported from a JWK and every signature checked."""
    counts = {"imports": 0, "checks": 0}
    binding = OKPKey.binding
    import_from_dict, validate_compact = binding.import_from_dict, jws.validate_compact

    def counted_import(value):
        counts["imports"] += 1
        return import_from_dict(value)

    def counted_validate(*args, **kwargs):
        counts["checks"] += 1
        return validate_compact(*args, **kwargs)

    monkeypatch.setattr(binding, "import_from_dict", staticmethod(counted_import))
    monkeypatch.setattr(jws, "validate_compact", counted_validate)
    return counts


def test_api_verify_imports_each_key_once(app, client, flood, work):
    assert len(flood) < 1024 * 1024
    r = client.post("/api/v1/verify", data=flood, content_type="application/json")
    assert r.status_code == 200
    answer = r.get_json()
    assert answer["valid"] is False  # keys unknown to this service
    assert len(answer["records"]) == RECORDS
    assert {p["code"] for p in answer["problems"]} >= {"key_unknown", "attestation_missing"}
    # Every record names its key: the bundle's keys are imported once at most, whatever the
    # number of records, and each signature is checked once.
    assert work["imports"] <= KEYS
    assert work["checks"] <= RECORDS


def test_verifier_page_imports_each_key_once(app, client, flood, work):
    r = upload(client, flood)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Cet export n'est pas valable." in page
    assert page.count("Non valable") >= RECORDS
    assert work["imports"] <= KEYS
    assert work["checks"] <= RECORDS


def test_too_many_keys_or_records_is_refused_before_any_work(app, client, work, monkeypatch):
    monkeypatch.setattr(verify_module, "MAX_KEYS", 100)
    monkeypatch.setattr(verify_module, "MAX_RECORDS", 50)
    body = flood_bundle(records=60, keys=120)
    r = client.post("/api/v1/verify", json=body)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert set(problem["errors"]) == {"records", "jwks"}
    assert "more than a passport" in problem["detail"]
    assert work == {"imports": 0, "checks": 0}

    r = upload(client, json.dumps(body).encode())
    assert r.status_code == 200
    assert "plus d&#39;enregistrements ou de clés qu&#39;un passeport" in r.get_data(as_text=True)


def _padded(size: int) -> bytes:
    """A genuine-shaped (empty) bundle padded with whitespace to ``size`` bytes."""
    body = json.dumps(flood_bundle(records=0, keys=1)).encode()
    return body + b" " * (size - len(body))


def test_bundles_up_to_20_mib_are_accepted(app, client):
    body = _padded(5 * 1024 * 1024)  # over the 1 MiB of every other request body
    r = client.post("/api/v1/verify", data=body, content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    r = upload(client, body)
    assert r.status_code == 200
    assert "Cet export ne contient aucun enregistrement." in r.get_data(as_text=True)


def test_a_bundle_over_20_mib_is_413(app, client):
    r = client.post(
        "/api/v1/verify",
        data=_padded(20 * 1024 * 1024 + 1),
        content_type="application/json",
    )
    assert r.status_code == 413
    assert r.mimetype == "application/problem+json"
