"""POST /api/v1/cpf/simulate as API.md writes it: anyone, rate-limited, 422 on bad input."""

from __future__ import annotations

import pytest

BODY = {
    "balance_eur": 4800.5,
    "as_of": "2026-01-10",
    "years": [{"year": 2026, "work_ratio": 0.3}, {"year": 2027, "work_ratio": 1}],
    "training_cost_eur": 2000,
    "purchase_date": "2027-03-01",
}


def simulate(client, body):
    return client.post("/api/v1/cpf/simulate", json=body)


def test_simulate_answers_the_contract(client):
    r = simulate(client, BODY)
    assert r.status_code == 200
    body = r.get_json()
    assert [(a["year"], a["amount_eur"]) for a in body["accruals"]] == [(2026, 199.5), (2027, 0.0)]
    assert body["accruals"][0]["prorated"] and body["accruals"][0]["capped"]
    assert body["projected_balance_eur"] == 5000.0
    assert body["cap_eur"] == 5000.0
    assert body["flat_participation_eur"] == 103.2
    assert body["remaining_cost_eur"] == 103.2
    rules = body["rules"]
    assert (
        rules["accrual"][0]["annual_eur"] == 500.0
        and "R6323-1" in rules["accrual"][0]["legal_basis"]
    )
    assert rules["flat_participation"]["valid_from"] == "2026-01-01"


def test_minimal_body_and_exemptions(client):
    r = simulate(
        client,
        {
            "balance_eur": 0,
            "as_of": "2025-01-01",
            "years": [],
            "jobseeker": True,
            "training_cost_eur": 300,
            "purchase_date": "2025-02-01",
        },
    )
    body = r.get_json()
    assert r.status_code == 200
    assert body["accruals"] == [] and body["projected_balance_eur"] == 0
    assert body["flat_participation_eur"] == 0 and body["participation_exemption"] == "jobseeker"
    assert body["remaining_cost_eur"] == 300
    r = simulate(
        client,
        {
            "balance_eur": 100,
            "as_of": "2025-01-01",
            "years": [],
            "training_cost_eur": 300,
            "employer_cofunding_eur": 50,
            "purchase_date": "2025-02-01",
        },
    )
    assert r.get_json()["remaining_cost_eur"] == 150 and r.get_json()["flat_participation_eur"] == 0
    r = simulate(client, {"balance_eur": 100, "as_of": "2025-01-01", "years": []})
    assert r.status_code == 200 and r.get_json()["remaining_cost_eur"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"balance_eur": "4800"}, "balance_eur"),
        ({"balance_eur": -1}, "balance_eur"),
        ({"balance_eur": 10.001}, "balance_eur"),
        ({"as_of": "demain"}, "as_of"),
        ({"years": [{"year": 2018, "work_ratio": 1}]}, "years.0.year"),
        ({"years": [{"year": 2026, "work_ratio": 1.5}]}, "years.0.work_ratio"),
        ({"years": [{"year": 2026, "work_ratio": True}]}, "years.0.work_ratio"),
        ({"years": [{"year": 2026, "work_ratio": 1}, {"year": 2026, "work_ratio": 0.5}]}, "years"),
        ({"years": [{"year": 2026}]}, "years.0.work_ratio"),
        ({"training_cost_eur": 1e12}, "training_cost_eur"),
        ({"purchase_date": "2018-06-01"}, "purchase_date"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_input_is_a_422_with_the_field(client, change, field):
    r = simulate(client, {**BODY, **change})
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert field in r.get_json()["errors"]


def test_missing_fields_and_malformed_json(client):
    assert simulate(client, {"balance_eur": 1}).status_code == 422
    r = client.post("/api/v1/cpf/simulate", data="{", content_type="application/json")
    assert r.status_code == 400


def test_rate_limited(client):
    statuses = [simulate(client, BODY).status_code for _ in range(65)]
    assert statuses[:60] == [200] * 60
    r = simulate(client, BODY)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_documented_in_openapi(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/cpf/simulate"]["post"]
    assert "422" in operation["responses"] and "requestBody" in operation
