"""Export, then verify: a genuine bundle is valid; every kind of tampering is caught and named.

The API (``POST /api/v1/verify``), the CLI (``flask passport verify``) and the service agree.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import OKPKey

from passport.extensions import db
from passport.passports.models import Passport
from passport.records import services as records
from passport.trust.canonical import canonical_json, chain_hash
from passport.trust.export import FORMAT, attested_part
from passport.trust.signing import jwks, service_jwks
from passport.trust.verify import NotABundle, verify_bundle
from tests import factories as f
from tests.trust.conftest import HOLDER_NAME, SUMMARY


def verify(client, bundle) -> dict:
    r = client.post("/api/v1/verify", json=bundle)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def codes(answer: dict) -> set[str]:
    return {p["code"] for p in answer["problems"]}


def index_of(bundle, kind, attested: bool) -> int:
    for i, record in enumerate(bundle["records"]):
        if record["kind"] == kind and (record["signature"] is not None) == attested:
            return i
    raise AssertionError(f"no {kind} (attested={attested}) in the bundle")


def rechain(bundle: dict, start: int = 0) -> None:
    """What a forger does after editing: renumber, relink and rehash from ``start``."""
    records = bundle["records"]
    previous = records[start - 1]["hash"] if start else None
    for position, record in enumerate(records[start:], start=start + 1):
        record["seq"] = position
        record["prev_hash"] = previous
        if record["signature"] is None:  # signed contents cannot be changed without the key
            record["content"]["seq"] = position
            record["content"]["prev_hash"] = previous
        record["hash"] = chain_hash(position, previous, record["content"])
        previous = record["hash"]
    bundle["head"] = {"seq": len(records), "hash": previous}


def _sign(key: OKPKey, payload: bytes) -> str:
    return jws.serialize_compact(
        {"alg": "EdDSA", "kid": key.kid}, payload, key, algorithms=["EdDSA"]
    )


# --- the genuine article --------------------------------------------------------------------


def test_bundle_format(bundle, world):
    assert bundle["format"] == FORMAT
    assert bundle["holder"]["full_name"] == HOLDER_NAME
    assert bundle["holder"]["passport"] == world.passport_id
    records = bundle["records"]
    # 2 trainings (one superseded), reception, referral, status change, attested training, CPF
    assert [r["seq"] for r in records] == list(range(1, 8))
    assert [r["kind"] for r in records] == [
        "training",
        "reception",
        "referral",
        "referral_status",
        "training",
        "cpf_statement",
        "training",
    ]
    assert bundle["head"] == {"seq": 7, "hash": records[-1]["hash"]}
    assert set(bundle["jwks"]) == {"ML-DREUX", "CAP-28"}
    assert bundle["structures"]["CAP-28"]["name"] == "Cap emploi Eure-et-Loir"
    reception = records[1]
    assert reception["content"]["summary"] == SUMMARY
    assert reception["content"]["issuer"] == {"structure": "ML-DREUX", "advisor": "Camille Roux"}
    assert records[0]["signature"] is None and records[0]["content"]["issuer"] is None
    # hours are kept to the hundredth (NUMERIC(8,2)): 1.25 is exported as declared, and verifies
    assert records[0]["content"]["hours"] == 1.25


def test_genuine_bundle_is_valid(client, bundle):
    answer = verify(client, bundle)
    assert answer["valid"] is True, answer["problems"]
    assert answer["problems"] == []
    assert answer["checked_against"] == "server"
    statuses = [
        (r["kind"], r["status"], (r["issuer"] or {}).get("structure")) for r in answer["records"]
    ]
    assert statuses == [
        ("training", "self_declared", None),
        ("reception", "attested", "ML-DREUX"),
        ("referral", "attested", "ML-DREUX"),
        ("referral_status", "attested", "CAP-28"),
        ("training", "attested", "ML-DREUX"),
        ("cpf_statement", "self_declared", None),
        ("training", "self_declared", None),
    ]
    assert answer["records"][1]["issuer_name"] == "Mission locale de Dreux"


def test_signatures_are_standard_compact_jws_over_the_content(app, bundle):
    """Any JOSE library checks a record with the published JWKS (not only our verifier)."""
    with app.app_context():
        published = jwks()
    reception = bundle["records"][1]
    obj = jws.deserialize_compact(reception["signature"], _keyset(published), algorithms=["EdDSA"])
    assert obj.payload == canonical_json(reception["content"])
    assert obj.headers()["kid"].startswith("ml-dreux-")
    # the signed content names its place in the chain
    assert reception["content"]["seq"] == 2
    assert reception["content"]["prev_hash"] == bundle["records"][0]["hash"]


def _keyset(document):
    from joserfc.jwk import KeySet

    return KeySet.import_key_set(document)


def test_empty_passport_exports_and_verifies(app, client):
    with app.app_context():
        token = f.token(f.holder())
    r = client.get("/api/v1/me/export", headers=f.bearer(token))
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    bundle = r.get_json()
    assert bundle["records"] == [] and bundle["head"] == {"seq": 0, "hash": None}
    assert verify(client, bundle)["valid"] is True


def test_export_needs_a_holder_token(app, client, world):
    assert client.get("/api/v1/me/export").status_code == 401
    with app.app_context():
        advisor_token = f.token(f.staff("advisor", f.structure()))
    r = client.get("/api/v1/me/export", headers=f.bearer(advisor_token))
    assert r.status_code == 403
    r = client.get("/api/v1/me/export", headers=f.bearer(world.ml_key))
    assert r.status_code == 403


def test_export_survives_an_advisor_renamed_or_deleted(app, client, world):
    """The attested content is what was signed, not today's name of the advisor."""
    from passport.accounts.models import User

    with app.app_context():
        db.session.get(User, world.advisor_id).full_name = "Camille Roux-Durand"
        db.session.commit()
    bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    assert verify(client, bundle)["valid"] is True
    assert bundle["records"][1]["content"]["issuer"]["advisor"] == "Camille Roux"
    with app.app_context():
        db.session.delete(db.session.get(User, world.advisor_id))
        db.session.commit()
    bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    assert verify(client, bundle)["valid"] is True


def test_a_retired_key_still_verifies(app, client, world):
    from passport.structures.services import get_structure
    from passport.trust.signing import rotate_key

    with app.app_context():
        rotate_key(get_structure("ML-DREUX"))
        db.session.commit()
    r = client.post(
        "/api/v1/receptions",
        json={"date": "2026-03-05", "channel": "phone", "needs": ["vae"]},
        headers=f.bearer(world.ml_key),
    )
    assert r.status_code == 201
    bundle = client.get("/api/v1/me/export", headers=world.auth).get_json()
    assert len(bundle["jwks"]["ML-DREUX"]["keys"]) == 2
    assert verify(client, bundle)["valid"] is True


# --- tampering --------------------------------------------------------------------------------


def _edit_declared_field(b):
    b["records"][index_of(b, "training", attested=False)]["content"]["title"] = "Master MIAGE"


def _edit_attested_field(b):
    b["records"][index_of(b, "training", attested=True)]["content"]["status"] = "planned"


def _remove_record(b):
    del b["records"][2]


def _reorder(b):
    b["records"][1], b["records"][2] = b["records"][2], b["records"][1]


def _forge_signature(b):
    record = b["records"][index_of(b, "reception", attested=True)]
    header, payload, signature = record["signature"].split(".")
    flipped = "A" if signature[10] != "A" else "B"
    record["signature"] = f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}"


def _swap_key(b):
    other = OKPKey.generate_key("Ed25519").as_dict(private=False)
    b["jwks"]["ML-DREUX"]["keys"][0]["x"] = other["x"]


def _change_prev_hash(b):
    b["records"][3]["prev_hash"] = "0" * 64


def _strip_signature(b):
    b["records"][index_of(b, "reception", attested=True)]["signature"] = None


def _truncate(b):
    b["records"].pop()
    b["head"] = {"seq": len(b["records"]), "hash": b["records"][-1]["hash"]}


def _rename_holder(b):
    b["holder"]["full_name"] = "Quelqu'un d'autre"


def _drop_attestation(b):
    del b["attestation"]


def _rewrite_chain_without_a_record(b):
    """The holder drops the reception and recomputes every hash, head included."""
    del b["records"][1]
    rechain(b)


def _borrow_a_signature(b):
    """An attested record of the chain, signed by the wrong structure's key list."""
    b["jwks"]["CAP-28"], b["jwks"]["ML-DREUX"] = b["jwks"]["ML-DREUX"], b["jwks"]["CAP-28"]


TAMPERING = {
    "edit a declared field": (_edit_declared_field, {"hash_mismatch"}),
    "edit an attested field": (
        _edit_attested_field,
        {"hash_mismatch", "signature_payload_mismatch"},
    ),
    "remove a record": (_remove_record, {"seq_mismatch", "chain_broken"}),
    "reorder": (_reorder, {"seq_mismatch", "chain_broken"}),
    "forge a signature": (_forge_signature, {"signature_invalid"}),
    "swap a key": (_swap_key, {"signature_invalid"}),
    "change prev_hash": (_change_prev_hash, {"chain_broken", "hash_mismatch", "content_mismatch"}),
    "strip a signature": (_strip_signature, {"signature_missing"}),
    "truncate": (_truncate, {"attestation_invalid"}),
    "rename the holder": (_rename_holder, {"attestation_invalid"}),
    "drop the attestation": (_drop_attestation, {"attestation_missing"}),
    "rewrite the chain": (
        _rewrite_chain_without_a_record,
        {"content_mismatch", "attestation_invalid"},
    ),
    "keys of another structure": (_borrow_a_signature, {"signature_invalid"}),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_detected_and_explained(client, cli_app, runner, tmp_path, bundle, name):
    tamper, expected = TAMPERING[name]
    forged = copy.deepcopy(bundle)
    tamper(forged)
    answer = verify(client, forged)
    assert answer["valid"] is False
    assert expected <= codes(answer), answer["problems"]
    assert all(p["message"] and "%(" not in p["message"] for p in answer["problems"])
    # the CLI agrees, and says it with a non-zero exit status
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    result = runner.invoke(args=["passport", "verify", str(path), "--json"])
    assert result.exit_code == 1, result.output
    assert codes(json.loads(result.output)) == codes(answer)


def test_a_forger_with_their_own_keys_fools_only_a_bundle_only_check(app, client, bundle):
    """Trusting the bundle's own JWKS proves integrity, not authorship: compare with the server."""
    forged = copy.deepcopy(bundle)
    mallory = OKPKey.generate_key("Ed25519", parameters={"kid": "ml-dreux-20260101-forged"})
    i = index_of(forged, "training", attested=True)
    record = forged["records"][i]
    record["content"]["title"] = "Diplôme d'ingénieur"
    record["signature"] = _sign(mallory, canonical_json(record["content"]))
    rechain(forged, i)
    forged["jwks"]["ML-DREUX"]["keys"].append(mallory.as_dict(private=False))
    service = OKPKey.generate_key("Ed25519", parameters={"kid": "service-forged"})
    forged["service_jwks"] = {"keys": [service.as_dict(private=False)]}
    forged["attestation"] = _sign(service, canonical_json(attested_part(forged)))
    # Everything is consistent: the bundle's own keys cannot tell.
    with app.app_context():
        assert verify_bundle(forged, None).valid is True
    # Against the keys this service publishes, the forgery is plain.
    answer = verify(client, forged)
    assert answer["valid"] is False
    assert {"key_unknown", "service_key_unknown"} <= codes(answer)
    bad = [r for r in answer["records"] if r["status"] == "invalid"]
    assert [r["seq"] for r in bad] == [i + 1]


def test_a_key_of_another_structure_is_caught_against_the_server(app, client, bundle):
    """A CAP-28 signature presented as a Mission locale record: key_not_of_issuer."""
    forged = copy.deepcopy(bundle)
    i = index_of(forged, "referral_status", attested=True)  # signed by CAP-28
    record = forged["records"][i]
    record["content"]["issuer"] = {"structure": "ML-DREUX"}
    forged["jwks"]["ML-DREUX"]["keys"] += forged["jwks"]["CAP-28"]["keys"]
    answer = verify(client, forged)
    assert "key_not_of_issuer" in codes(answer)


# --- not a bundle ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"{not json", 400),
        (b'{"format": NaN}', 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b"[]", 422),
        (b'"passport"', 422),
        (b'{"format": "passeport-spro/0", "records": []}', 422),
        (b'{"format": "passeport-spro/1", "records": {}}', 422),
    ],
)
def test_what_is_not_a_bundle(client, body, status):
    r = client.post("/api/v1/verify", data=body, content_type="application/json")
    assert r.status_code == status
    assert r.mimetype == "application/problem+json"
    if status == 422:
        assert r.get_json()["errors"]


def test_malformed_records_are_problems_not_errors(client, bundle):
    forged = copy.deepcopy(bundle)
    forged["records"][0] = "not a record"
    forged["records"][1]["seq"] = "2"
    forged["records"][2]["content"] = None
    forged["records"][3]["content"]["balance"] = 2**80  # not canonicalisable (I-JSON)
    answer = verify(client, forged)
    assert answer["valid"] is False
    assert "record_malformed" in codes(answer)


def test_verify_is_public_and_documented(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/verify"]
    assert "security" not in doc["paths"]["/api/v1/verify"]["post"]
    assert "get" in doc["paths"]["/api/v1/me/export"]
    assert "delete" in doc["paths"]["/api/v1/me"]
    assert "Verification" in doc["components"]["schemas"]


def test_bundle_fuzzing_never_breaks_the_verifier(app, bundle):
    """Random edits anywhere in a bundle: an answer (usually invalid), never an exception."""
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=6,
    )

    def paths(value, prefix=()):
        yield prefix
        if isinstance(value, dict):
            for k, v in value.items():
                yield from paths(v, (*prefix, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from paths(v, (*prefix, i))

    all_paths = [p for p in paths(bundle) if p]

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(all_paths), json_values)
    def check(path, value):
        forged = copy.deepcopy(bundle)
        target = forged
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        try:
            result = verify_bundle(forged, None)
        except NotABundle:
            return
        if forged != bundle:
            assert not result.valid or _harmless(path)

    with app.app_context():
        check()


def _harmless(path) -> bool:
    """Edits that no signature covers: display names of structures, unused keys."""
    return path[0] in ("structures", "jwks", "service_jwks") or (
        path[0] == "records"
        and len(path) == 3
        and path[2] not in ("seq", "kind", "content", "prev_hash", "hash", "signature")
    )


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_verify_valid_bundle(app, runner, tmp_path, bundle):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False))
    result = runner.invoke(args=["passport", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "VALIDE" in result.output
    assert "attesté par Mission locale de Dreux" in result.output
    assert "déclaré par le titulaire" in result.output


def test_cli_verify_not_a_bundle(runner, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    assert runner.invoke(args=["passport", "verify", str(path)]).exit_code == 2
    path.write_text("{oops")
    assert runner.invoke(args=["passport", "verify", str(path)]).exit_code == 2


def test_cli_verify_against_a_saved_jwks(app, runner, tmp_path, bundle):
    with app.app_context():
        published = {"keys": jwks()["keys"] + service_jwks()["keys"]}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(bundle))
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(published))
    ok = runner.invoke(args=["passport", "verify", str(export), "--jwks", str(keys)])
    assert ok.exit_code == 0, ok.output
    keys.write_text(json.dumps({"keys": []}))
    missing = runner.invoke(args=["passport", "verify", str(export), "--jwks", str(keys)])
    assert missing.exit_code == 1
    assert "n'est pas une clé publiée" in missing.output


def test_export_takes_a_fixed_number_of_queries(app, client, world, count_queries):
    def measure() -> int:
        with count_queries() as q:
            assert client.get("/api/v1/me/export", headers=world.auth).status_code == 200
        return q.count

    few = measure()
    from passport.structures.services import get_structure

    with app.app_context():
        for n in range(15):
            records.attest_training(
                get_structure("CAP-28"), world.passport_id, title=f"T{n}", status="planned"
            )
            records.declare_cpf(
                db.session.get(Passport, world.passport_id), date(2026, 2, n + 1), Decimal(n)
            )
        db.session.commit()
    assert measure() == few


def test_verify_is_rate_limited(client):
    statuses = [client.post("/api/v1/verify", json=[]).status_code for _ in range(31)]
    assert statuses == [422] * 30 + [429]
    r = client.post("/api/v1/verify", json=[])
    assert r.status_code == 429 and r.headers["Retry-After"]
