"""Corrections in the export bundle and in the verifier's report (API, page, CLI).

The trust world holds a reception and a training written by the Mission locale; here the
Mission locale withdraws the reception and rectifies the training, then the holder exports.
"""

from __future__ import annotations

import copy
import io
import json
import re

import pytest

from passport.extensions import db
from passport.passports.models import Reception, Training
from passport.records import services as records
from passport.structures.services import get_structure
from passport.trust.canonical import chain_hash
from tests.trust.test_export_verify import codes, rechain, verify

WITHDRAWN_BECAUSE = "Accueil saisi dans le mauvais passeport"
RECTIFIED_BECAUSE = "La formation a duré 42 heures"


@pytest.fixture
def corrected(app, client, world) -> dict:
    """The bundle after a withdrawal and a rectification."""
    with app.app_context():
        ml = get_structure("ML-DREUX")
        reception = db.session.execute(
            db.select(Reception).where(Reception.passport_id == world.passport_id)
        ).scalar_one()
        training = db.session.execute(
            db.select(Training).where(
                Training.passport_id == world.passport_id, Training.issuer_structure_id == ml.id
            )
        ).scalar_one()
        records.correct_record(ml, reception, action="withdraw", reason=WITHDRAWN_BECAUSE)
        records.correct_record(
            ml, training, action="rectify", reason=RECTIFIED_BECAUSE, changes={"hours": 42}
        )
        db.session.commit()
    r = client.get("/api/v1/me/export", headers=world.auth)
    assert r.status_code == 200
    return r.get_json()


def entry(bundle, kind) -> dict:
    return next(e for e in bundle["records"] if e["kind"] == kind and e["signature"])


def corrections_of(bundle) -> list[dict]:
    return [e for e in bundle["records"] if e["kind"] == "correction"]


def test_the_bundle_carries_the_corrections_and_verifies(client, corrected):
    withdrawal, rectification = corrections_of(corrected)
    reception, training = entry(corrected, "reception"), entry(corrected, "training")
    assert withdrawal["content"]["action"] == "withdraw"
    assert withdrawal["content"]["reason"] == WITHDRAWN_BECAUSE
    assert withdrawal["content"]["record"] == {
        "kind": "reception",
        "id": reception["content"]["id"],
        "seq": reception["seq"],
        "hash": reception["hash"],
    }
    assert withdrawal["content"]["issuer"]["structure"] == "ML-DREUX"
    assert withdrawal["signature"].count(".") == 2
    assert rectification["content"]["changes"] == {"hours": 42}
    assert reception["withdrawn"] is True and reception["corrected_by"] == withdrawal["seq"]
    assert training["withdrawn"] is False and training["corrected_by"] == rectification["seq"]
    assert "withdrawn" not in entry(corrected, "referral")  # uncorrected: unchanged entry

    answer = verify(client, corrected)
    assert answer["valid"] is True, answer["problems"]
    by_seq = {r["seq"]: r for r in answer["records"]}
    assert by_seq[reception["seq"]]["withdrawn"] is True
    assert by_seq[reception["seq"]]["corrected_by"] == withdrawal["seq"]
    assert by_seq[reception["seq"]]["corrections"][0]["reason"] == WITHDRAWN_BECAUSE
    assert by_seq[training["seq"]]["withdrawn"] is False
    assert by_seq[training["seq"]]["corrections"][0]["changes"] == {"hours": 42}
    assert by_seq[withdrawal["seq"]]["status"] == "attested"


def test_a_tampered_correction_does_not_verify(client, corrected):
    forged = copy.deepcopy(corrected)
    withdrawal = corrections_of(forged)[0]
    withdrawal["content"]["reason"] = "Retiré à la demande de personne"
    answer = verify(client, forged)
    assert answer["valid"] is False
    assert {"hash_mismatch", "signature_payload_mismatch"} <= codes(answer)
    # Rehashing the chain does not help: the structure's signature covers the reason.
    rechain(forged)
    assert "signature_payload_mismatch" in codes(verify(client, forged))


def test_a_withdrawal_hidden_or_invented_in_the_entries_is_caught(client, corrected):
    hidden = copy.deepcopy(corrected)
    entry(hidden, "reception")["withdrawn"] = False
    assert "correction_claim_mismatch" in codes(verify(client, hidden))
    invented = copy.deepcopy(corrected)
    entry(invented, "referral").update(withdrawn=True, corrected_by=2)
    assert "correction_claim_mismatch" in codes(verify(client, invented))
    # Without the (unsigned) marks, the report still says what the signed chain says.
    stripped = copy.deepcopy(corrected)
    for item in stripped["records"]:
        item.pop("withdrawn", None)
        item.pop("corrected_by", None)
    answer = verify(client, stripped)
    assert answer["valid"] is True
    assert any(r.get("withdrawn") for r in answer["records"])


def test_a_correction_the_holder_writes_is_not_a_correction(client, corrected):
    """An unsigned withdrawal of an attested record, appended and rechained."""
    forged = copy.deepcopy(corrected)
    target = entry(forged, "referral")
    last = forged["records"][-1]
    seq = last["seq"] + 1
    content = {
        "kind": "correction",
        "id": 99,
        "passport": forged["holder"]["passport"],
        "seq": seq,
        "prev_hash": last["hash"],
        "created_at": "2026-05-20T09:30:00Z",
        "issuer": None,
        "record": {
            "kind": "referral",
            "id": target["content"]["id"],
            "seq": target["seq"],
            "hash": target["hash"],
        },
        "action": "withdraw",
        "reason": "Je n'en veux plus",
    }
    forged["records"].append(
        {
            "seq": seq,
            "kind": "correction",
            "content": content,
            "prev_hash": last["hash"],
            "hash": chain_hash(seq, last["hash"], content),
            "signature": None,
        }
    )
    forged["head"] = {"seq": seq, "hash": forged["records"][-1]["hash"]}
    answer = verify(client, forged)
    assert answer["valid"] is False
    assert "correction_not_by_issuer" in codes(answer)
    # A second withdrawal of the already withdrawn reception is a conflict.
    again = copy.deepcopy(forged)
    again["records"][-1]["content"]["record"] = corrections_of(corrected)[0]["content"]["record"]
    again["records"][-1]["content"]["issuer"] = {"structure": "ML-DREUX"}
    assert {"correction_conflict", "signature_missing"} <= codes(verify(client, again))
    # A correction naming a record that is not in the bundle.
    ghost = copy.deepcopy(forged)
    ghost["records"][-1]["content"]["record"]["hash"] = "0" * 64
    assert "correction_target_unknown" in codes(verify(client, ghost))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_the_page_and_the_cli_report_the_corrections(client, runner, tmp_path, corrected):
    page = client.get("/verifier").get_data(as_text=True)
    r = client.post(
        "/verifier",
        data={
            "bundle": (io.BytesIO(json.dumps(corrected).encode()), "export.json"),
            "csrf_token": _csrf(page),
        },
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert "Cet export est authentique et complet." in page
    assert "<del>Accueil du 2 mars 2026</del>" in page
    assert "Retiré" in page and WITHDRAWN_BECAUSE in page
    assert "Rectifié" in page and RECTIFIED_BECAUSE in page
    assert "Retrait de l&#39;enregistrement n°" in page or "Retrait de l'enregistrement" in page

    path = tmp_path / "export.json"
    path.write_text(json.dumps(corrected, ensure_ascii=False))
    result = runner.invoke(args=["passport", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"RETIRÉ par le n° {corrections_of(corrected)[0]['seq']} : {WITHDRAWN_BECAUSE}" in (
        result.output
    )
    assert f"rectifié par le n° {corrections_of(corrected)[1]['seq']}" in result.output
    assert "correction : attesté par Mission locale de Dreux" in result.output


def test_erasing_the_account_erases_its_corrections(app, client, world, corrected):
    from tests import factories as f
    from tests.sharing.world import committed

    assert len(committed(app, "SELECT id FROM corrections")) == 2
    r = client.delete("/api/v1/me", json={"password": f.PASSWORD}, headers=world.auth)
    assert r.status_code == 204
    assert committed(app, "SELECT id FROM corrections") == []
