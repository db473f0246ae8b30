"""The holder's passport through the API: /api/v1/me/passport, /me/trainings, /me/cpf."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def holder_headers(ctx):
    user = factories.holder(name="Karim Benali")
    return factories.bearer(factories.token(user))


def test_empty_passport(client, holder_headers):
    r = client.get("/api/v1/me/passport", headers=holder_headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["holder"]["full_name"] == "Karim Benali"
    assert body["receptions"] == [] and body["referrals"] == [] and body["trainings"] == []
    assert body["cpf"] == {"balance_eur": None, "as_of": None, "statements": []}


def test_declare_training(client, holder_headers):
    payload = {
        "title": "Titre professionnel Agent de maintenance des bâtiments",
        "provider": "AFPA",
        "start_date": "2026-03-02",
        "end_date": "2026-09-30",
        "status": "in_progress",
        "hours": 805,
        "certification_code": "RNCP34069",
    }
    r = client.post("/api/v1/me/trainings", json=payload, headers=holder_headers)
    assert r.status_code == 201
    record = r.get_json()
    assert record["issuer"] is None
    assert record["signature"] is None
    assert record["hours"] == 805
    assert record["seq"] == 1 and record["prev_hash"] is None and len(record["hash"]) == 64
    passport = client.get("/api/v1/me/passport", headers=holder_headers).get_json()
    assert [t["title"] for t in passport["trainings"]] == [payload["title"]]


def test_hours_are_kept_to_the_hundredth(client, holder_headers):
    r = client.post(
        "/api/v1/me/trainings",
        json={"title": "Habilitation électrique", "status": "planned", "hours": 1.25},
        headers=holder_headers,
    )
    assert r.status_code == 201 and r.get_json()["hours"] == 1.25  # 1 h 15, not 1.2 or 1.3
    passport = client.get("/api/v1/me/passport", headers=holder_headers).get_json()
    assert passport["trainings"][0]["hours"] == 1.25


def test_minimal_training(client, holder_headers):
    r = client.post(
        "/api/v1/me/trainings",
        json={"title": "BAFA", "status": "completed"},
        headers=holder_headers,
    )
    assert r.status_code == 201
    assert r.get_json()["provider"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "planned"}, "title"),
        ({"title": "", "status": "planned"}, "title"),
        ({"title": "x" * 301, "status": "planned"}, "title"),
        ({"title": "A", "status": "finished"}, "status"),
        ({"title": "A", "status": "planned", "hours": -1}, "hours"),
        ({"title": "A", "status": "planned", "hours": "12"}, "hours"),
        ({"title": "A", "status": "planned", "hours": 1.255}, "hours"),  # to the hundredth
        ({"title": "A", "status": "planned", "start_date": "2026-13-01"}, "start_date"),
        ({"title": "A", "status": "planned", "start_date": 20260101}, "start_date"),
        ({"title": "A", "status": "planned", "certification_code": "ABC"}, "certification_code"),
        ({"title": "A", "status": "planned", "issuer": "FT"}, "issuer"),
        ({"title": 5, "status": "planned"}, "title"),
    ],
)
def test_training_validation(client, holder_headers, payload, field):
    r = client.post("/api/v1/me/trainings", json=payload, headers=holder_headers)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert any(name.startswith(field) for name in r.get_json()["errors"])


def test_training_end_before_start_is_422(client, holder_headers):
    r = client.post(
        "/api/v1/me/trainings",
        json={
            "title": "A",
            "status": "planned",
            "start_date": "2026-05-02",
            "end_date": "2026-05-01",
        },
        headers=holder_headers,
    )
    assert r.status_code == 422


def test_cpf_statements_latest_is_balance(client, holder_headers):
    first = client.post(
        "/api/v1/me/cpf", json={"as_of": "2025-01-10", "balance_eur": 1500}, headers=holder_headers
    )
    assert first.status_code == 201
    assert first.get_json()["balance_eur"] == 1500
    second = client.post(
        "/api/v1/me/cpf",
        json={"as_of": "2026-01-10", "balance_eur": 2000.5, "dif_hours": 40},
        headers=holder_headers,
    )
    assert second.status_code == 201
    cpf = client.get("/api/v1/me/passport", headers=holder_headers).get_json()["cpf"]
    assert cpf["balance_eur"] == 2000.5
    assert cpf["as_of"] == "2026-01-10"
    assert [s["as_of"] for s in cpf["statements"]] == ["2026-01-10", "2025-01-10"]
    assert cpf["statements"][0]["dif_hours"] == 40


def test_cpf_balance_keeps_cents_exactly(client, holder_headers):
    client.post(
        "/api/v1/me/cpf", json={"as_of": "2026-01-10", "balance_eur": 0.1}, headers=holder_headers
    )
    client.post(
        "/api/v1/me/cpf",
        json={"as_of": "2026-02-10", "balance_eur": 1234.57},
        headers=holder_headers,
    )
    cpf = client.get("/api/v1/me/passport", headers=holder_headers).get_json()["cpf"]
    assert cpf["balance_eur"] == 1234.57
    assert cpf["statements"][1]["balance_eur"] == 0.1


@pytest.mark.parametrize(
    "payload",
    [
        {"balance_eur": 100},
        {"as_of": "2026-01-10"},
        {"as_of": "2026-01-10", "balance_eur": -5},
        {"as_of": "2026-01-10", "balance_eur": "cent"},
        {"as_of": "2026-01-10", "balance_eur": 10.123},
        {"as_of": "2026-01-10", "balance_eur": 100, "dif_hours": 1.5},
        {"as_of": "yesterday", "balance_eur": 100},
        {"as_of": "2026-01-10", "balance_eur": True},
    ],
)
def test_cpf_validation(client, holder_headers, payload):
    r = client.post("/api/v1/me/cpf", json=payload, headers=holder_headers)
    assert r.status_code == 422, r.get_json()


def test_me_endpoints_without_token_are_401(client):
    for method, path in [
        ("get", "/api/v1/me/passport"),
        ("post", "/api/v1/me/trainings"),
        ("post", "/api/v1/me/cpf"),
    ]:
        r = getattr(client, method)(path, json={})
        assert r.status_code == 401


def test_double_submit_creates_two_distinct_chained_records(client, holder_headers):
    body = {"title": "CACES R489", "status": "completed"}
    a = client.post("/api/v1/me/trainings", json=body, headers=holder_headers).get_json()
    b = client.post("/api/v1/me/trainings", json=body, headers=holder_headers).get_json()
    assert a["id"] != b["id"]
    assert b["prev_hash"] == a["hash"]
    assert b["seq"] == a["seq"] + 1


def test_openapi_lists_every_contract_endpoint(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/accounts", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/auth/token", "delete"),
        ("/api/v1/me/passport", "get"),
        ("/api/v1/me/trainings", "post"),
        ("/api/v1/me/cpf", "post"),
        ("/healthz", "get"),
    ]:
        assert method in paths[path], (path, method)
    training = paths["/api/v1/me/trainings"]["post"]
    assert training["security"] == [{"bearer": []}]
    assert "422" in training["responses"]
    ref = training["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"]


def test_openapi_documents_the_share_passcode_header(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/shared/{token}"]["get"]
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["X-Share-Passcode"]


def test_cpf_statement_dated_in_the_future_is_422(client, holder_headers):
    from datetime import timedelta

    from passport.db import today_local

    later = (today_local() + timedelta(days=3)).isoformat()
    r = client.post(
        "/api/v1/me/cpf", json={"as_of": later, "balance_eur": 10}, headers=holder_headers
    )
    assert r.status_code == 422
    assert "as_of" in r.get_json()["errors"]
