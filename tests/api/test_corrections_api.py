"""POST /api/v1/shared/{token}/cpf and /corrections (API.md): attested CPF statements, and
the structure that wrote a record rectifying or withdrawing it with a signed correction."""

from __future__ import annotations

import pytest

from tests.sharing.world import build_world, committed, make_share

RECEPTION = {"date": "2026-05-20", "channel": "in_person", "needs": ["vae"], "summary": "Texte"}
TRAINING = {"title": "CACES R489", "status": "completed", "hours": 35}
CPF = {"as_of": "2026-01-31", "balance_eur": 1250.5}


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def token(client, world):
    return make_share(client, world)["token"]


def post(client, token, path, body, headers):
    return client.post(f"/api/v1/shared/{token}/{path}", json=body, headers=headers)


def write(client, token, world, path, body, headers=None) -> dict:
    r = post(client, token, path, body, headers or world.advisor)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def correct(client, token, headers, **body):
    return client.post(f"/api/v1/shared/{token}/corrections", json=body, headers=headers)


def my_passport(client, world) -> dict:
    r = client.get("/api/v1/me/passport", headers=world.holder)
    assert r.status_code == 200
    return r.get_json()


# ------------------------------------------------------------------ attested CPF statements


def test_a_structure_attests_a_cpf_statement(client, world, token):
    statement = write(client, token, world, "cpf", {**CPF, "dif_hours": 12})
    assert statement["issuer"] == {"structure": "ML28", "advisor": "Camille Roux"}
    assert statement["signature"].count(".") == 2
    assert statement["balance_eur"] == 1250.5 and statement["dif_hours"] == 12
    assert statement["withdrawn"] is False and statement["corrected_by"] is None
    cpf = my_passport(client, world)["cpf"]
    assert cpf["balance_eur"] == 1250.5 and cpf["as_of"] == "2026-01-31"
    assert cpf["statements"][0]["issuer"]["structure"] == "ML28"
    # A key of the structure attests too, without an advisor.
    by_key = write(client, token, world, "cpf", CPF, headers=world.ml_key)
    assert by_key["issuer"] == {"structure": "ML28"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"as_of": "2026-01-31"}, "balance_eur"),
        ({**CPF, "balance_eur": "1250,50"}, "balance_eur"),
        ({**CPF, "balance_eur": -1}, "balance_eur"),
        ({**CPF, "balance_eur": 12.345}, "balance_eur"),
        ({**CPF, "as_of": "2999-01-01"}, "as_of"),
        ({**CPF, "as_of": "31/01/2026"}, "as_of"),
        ({**CPF, "issuer": "ML28"}, "issuer"),
    ],
)
def test_a_cpf_statement_refuses_bad_input(client, world, token, body, field):
    r = post(client, token, "cpf", body, world.advisor)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def test_a_cpf_statement_needs_append_and_a_structure(client, world):
    read_only = make_share(client, world, permissions=["read"])["token"]
    assert post(client, read_only, "cpf", CPF, world.advisor).status_code == 403
    token = make_share(client, world)["token"]
    assert post(client, token, "cpf", CPF, world.holder).status_code == 403
    assert post(client, token, "cpf", CPF, {}).status_code == 401
    r = client.post(
        f"/api/v1/shared/{token}/cpf",
        data="{not json",
        headers={**world.advisor, "Content-Type": "application/json"},
    )
    assert r.status_code == 400


# ------------------------------------------------------------------ withdrawing


def test_the_issuer_withdraws_a_record_and_it_shows_everywhere(app, client, world, token):
    reception = write(client, token, world, "receptions", RECEPTION)
    r = correct(
        client,
        token,
        world.advisor,
        record=reception["id"],
        action="withdraw",
        reason="Accueil saisi dans le mauvais passeport.",
    )
    assert r.status_code == 201, r.get_json()
    correction = r.get_json()
    assert correction["kind"] == "correction" and correction["action"] == "withdraw"
    assert correction["record"] == {
        "kind": "reception",
        "id": reception["id"],
        "seq": reception["seq"],
        "hash": reception["hash"],
    }
    assert correction["issuer"] == {"structure": "ML28", "advisor": "Camille Roux"}
    assert correction["signature"].count(".") == 2
    assert correction["seq"] == reception["seq"] + 1
    assert correction["prev_hash"] == reception["hash"]
    assert correction["changes"] is None

    # The holder's passport and the share both show the record withdrawn, with the reason.
    for body in (
        my_passport(client, world),
        client.get(f"/api/v1/shared/{token}", headers=world.ml_key).get_json(),
    ):
        shown = body["receptions"][0]
        assert shown["id"] == reception["id"] and shown["summary"] == "Texte"  # it stays
        assert shown["withdrawn"] is True and shown["corrected_by"] == correction["id"]
        assert shown["corrections"][0]["reason"] == "Accueil saisi dans le mauvais passeport."

    # The reason is encrypted at rest like every free text.
    rows = committed(app, "SELECT reason FROM corrections")
    assert rows and "mauvais passeport" not in rows[0][0]

    # Nothing comes after a withdrawal.
    for body in (
        {"action": "withdraw", "reason": "Encore"},
        {"action": "rectify", "reason": "Encore", "changes": {"channel": "phone"}},
    ):
        r = correct(client, token, world.advisor, record=reception["id"], **body)
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["state"] == "withdrawn"
    assert len(my_passport(client, world)["receptions"][0]["corrections"]) == 1


def test_only_the_issuing_structure_corrects(client, world, token):
    reception = write(client, token, world, "receptions", RECEPTION)
    declared = client.post(
        "/api/v1/me/trainings", json={"title": "Soudure", "status": "planned"}, headers=world.holder
    ).get_json()
    for headers in (world.cap_key, world.cap_advisor, world.ft_key):
        r = correct(client, token, headers, record=reception["id"], action="withdraw", reason="x")
        assert r.status_code == 403, r.get_json()
    # What the holder declared is theirs to edit, not a structure's to correct.
    r = correct(
        client,
        token,
        world.ml_key,
        record=declared["id"],
        kind="training",
        action="withdraw",
        reason="x",
    )
    assert r.status_code == 403
    # A holder's token never opens a share.
    r = correct(client, token, world.holder, record=reception["id"], action="withdraw", reason="x")
    assert r.status_code == 403
    assert my_passport(client, world)["receptions"][0]["withdrawn"] is False
    # Another advisor of the same structure, or its key, may.
    r = correct(client, token, world.ml_key, record=reception["id"], action="withdraw", reason="x")
    assert r.status_code == 201


def test_a_correction_needs_the_append_permission(client, world, token):
    reception = write(client, token, world, "receptions", RECEPTION)
    read_only = make_share(client, world, permissions=["read"])["token"]
    body = {"record": reception["id"], "action": "withdraw", "reason": "x"}
    assert correct(client, read_only, world.advisor, **body).status_code == 403
    append_only = make_share(client, world, permissions=["append"])["token"]
    assert correct(client, append_only, world.advisor, **body).status_code == 201


def test_unknown_records_are_404(client, world, token):
    other = make_share(client, world)
    reception = write(client, token, world, "receptions", RECEPTION)
    # A record of another passport, through a share of this one: unknown here.
    r = client.post(
        "/api/v1/me/shares",
        json={"sections": ["receptions"], "permissions": ["read", "append"], "expires_in_days": 3},
        headers=world.other_holder,
    )
    other_token = r.get_json()["url"].rsplit("/s/", 1)[1]
    for tok, record in ((other_token, reception["id"]), (other["token"], 999), (token, 2**40)):
        r = correct(client, tok, world.advisor, record=record, action="withdraw", reason="x")
        assert r.status_code == 404, r.get_json()


# ------------------------------------------------------------------ rectifying


def test_a_rectification_then_a_withdrawal(client, world, token):
    training = write(client, token, world, "trainings", TRAINING)
    r = correct(
        client,
        token,
        world.advisor,
        record=training["id"],
        action="rectify",
        reason="35 heures, pas 42,5.",
        changes={"hours": 42.5, "end_date": "2026-04-30"},
    )
    assert r.status_code == 201, r.get_json()
    rectification = r.get_json()
    assert rectification["changes"] == {"end_date": "2026-04-30", "hours": 42.5}
    shown = my_passport(client, world)["trainings"][0]
    assert shown["hours"] == 35  # the record as signed; the new values are the correction's
    assert shown["corrected_by"] == rectification["id"] and shown["withdrawn"] is False

    # Rectified once: a second rectification is a conflict, a withdrawal is not.
    r = correct(
        client,
        token,
        world.advisor,
        record=training["id"],
        action="rectify",
        reason="x",
        changes={"hours": 40},
    )
    assert r.status_code == 409 and r.get_json()["state"] == "rectified"
    r = correct(client, token, world.advisor, record=training["id"], action="withdraw", reason="y")
    assert r.status_code == 201
    shown = my_passport(client, world)["trainings"][0]
    assert shown["withdrawn"] is True and shown["corrected_by"] == r.get_json()["id"]
    assert [c["action"] for c in shown["corrections"]] == ["rectify", "withdraw"]


def test_a_rectified_cpf_statement_gives_the_balance_and_a_withdrawn_one_none(client, world, token):
    write(client, token, world, "cpf", {"as_of": "2025-12-31", "balance_eur": 800})
    latest = write(client, token, world, "cpf", CPF)
    r = correct(
        client,
        token,
        world.advisor,
        record=latest["id"],
        kind="cpf_statement",
        action="rectify",
        reason="Mal lu",
        changes={"balance_eur": 1520.5},
    )
    assert r.status_code == 201, r.get_json()
    assert my_passport(client, world)["cpf"]["balance_eur"] == 1520.5
    r = correct(
        client,
        token,
        world.advisor,
        record=latest["id"],
        kind="cpf_statement",
        action="withdraw",
        reason="Relevé d'une autre personne",
    )
    assert r.status_code == 201
    cpf = my_passport(client, world)["cpf"]
    assert cpf["balance_eur"] == 800 and cpf["as_of"] == "2025-12-31"


def test_a_referral_rectifies_its_needs_and_message_only(client, world, token):
    referral = write(
        client, token, world, "referrals", {"to_structure": "CAP28", "needs": ["job_search"]}
    )
    r = correct(
        client,
        token,
        world.advisor,
        record=referral["id"],
        kind="referral",
        action="rectify",
        reason="x",
        changes={"to_structure": "FT28"},
    )
    assert r.status_code == 422 and "changes.to_structure" in r.get_json()["errors"]
    r = correct(
        client,
        token,
        world.advisor,
        record=referral["id"],
        kind="referral",
        action="rectify",
        reason="Besoin oublié",
        changes={"needs": ["mobility", "job_search", "mobility"]},
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["changes"] == {"needs": ["job_search", "mobility"]}


def test_an_id_shared_by_two_kinds_needs_the_kind(client, world, token):
    reception = write(client, token, world, "receptions", RECEPTION)
    training = write(client, token, world, "trainings", TRAINING)
    assert reception["id"] == training["id"] == 1
    r = correct(client, token, world.advisor, record=1, action="withdraw", reason="x")
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]
    r = correct(
        client, token, world.advisor, record=1, kind="training", action="withdraw", reason="x"
    )
    assert r.status_code == 201 and r.get_json()["record"]["kind"] == "training"
    shown = my_passport(client, world)
    assert shown["trainings"][0]["withdrawn"] and not shown["receptions"][0]["withdrawn"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "withdraw"}, "reason"),
        ({"action": "withdraw", "reason": "   "}, "reason"),
        ({"action": "withdraw", "reason": "x" * 2001}, "reason"),
        ({"action": "delete", "reason": "x"}, "action"),
        ({"reason": "x"}, "action"),
        ({"action": "withdraw", "reason": "x", "kind": "passport"}, "kind"),
        ({"action": "withdraw", "reason": "x", "changes": {"hours": 3}}, "changes"),
        ({"action": "rectify", "reason": "x"}, "changes"),
        ({"action": "rectify", "reason": "x", "changes": {}}, "changes"),
        ({"action": "rectify", "reason": "x", "changes": {"hours": "12"}}, "changes.hours"),
        ({"action": "rectify", "reason": "x", "changes": {"hours": -1}}, "changes.hours"),
        ({"action": "rectify", "reason": "x", "changes": {"status": "done"}}, "changes.status"),
        ({"action": "rectify", "reason": "x", "changes": {"title": None}}, "changes.title"),
        ({"action": "rectify", "reason": "x", "changes": {"hours": 35}}, "changes"),
        (
            {
                "action": "rectify",
                "reason": "x",
                "changes": {"start_date": "2026-05-01", "end_date": "2026-04-01"},
            },
            "changes",
        ),
        ({"action": "rectify", "reason": "x", "changes": {"seq": 1}}, "changes.seq"),
        ({"action": "withdraw", "reason": "x", "extra": 1}, "extra"),
    ],
)
def test_corrections_refuse_bad_input(client, world, token, body, field):
    training = write(client, token, world, "trainings", TRAINING)
    r = correct(client, token, world.advisor, record=training["id"], **body)
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    assert any(name == field or name.startswith(field + ".") for name in errors), errors
    assert my_passport(client, world)["trainings"][0]["corrections"] == []


@pytest.mark.parametrize("record", ["1", 0, -3, None, 1.5, True, [1], {"id": 1}])
def test_the_record_must_be_an_id(client, world, token, record):
    write(client, token, world, "trainings", TRAINING)
    r = correct(client, token, world.advisor, record=record, action="withdraw", reason="x")
    assert r.status_code == 422, r.get_json()


def test_malformed_bodies_are_400(client, world, token):
    for raw in ("", "{", "[1,", "\xff"):
        r = client.post(
            f"/api/v1/shared/{token}/corrections",
            data=raw,
            headers={**world.advisor, "Content-Type": "application/json"},
        )
        assert r.status_code == 400, raw


def test_the_openapi_document_names_both_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/shared/{token}/cpf", "/api/v1/shared/{token}/corrections"):
        assert "post" in paths[path], path
    responses = paths["/api/v1/shared/{token}/corrections"]["post"]["responses"]
    assert {"201", "403", "404", "409", "422"} <= set(responses)


def test_a_withdrawn_referral_cannot_move_on(client, world, token):
    referral = write(
        client, token, world, "referrals", {"to_structure": "CAP28", "needs": ["job_search"]}
    )
    r = correct(
        client,
        token,
        world.advisor,
        record=referral["id"],
        kind="referral",
        action="withdraw",
        reason="Envoyée par erreur",
    )
    assert r.status_code == 201
    r = client.patch(
        f"/api/v1/referrals/{referral['id']}", json={"status": "received"}, headers=world.cap_key
    )
    assert r.status_code == 409, r.get_json()
    listed = client.get("/api/v1/referrals", headers=world.cap_key).get_json()
    assert listed[0]["withdrawn"] is True
    assert listed[0]["corrections"][0]["reason"] == "Envoyée par erreur"
