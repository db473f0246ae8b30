"""The SPRO directory and anonymous receptions: /api/v1/structures, /api/v1/receptions."""

from __future__ import annotations

import pytest

from tests.sharing.world import build_world, committed

RECEPTION = {"date": "2026-05-20", "channel": "phone", "needs": ["summer_job"]}


@pytest.fixture
def world(app):
    return build_world(app)


def test_directory_is_public(client, world):
    r = client.get("/api/v1/structures")
    assert r.status_code == 200
    entries = r.get_json()
    assert {e["code"] for e in entries} == {"ML28", "CAP28", "FT28"}
    cap = next(e for e in entries if e["code"] == "CAP28")
    assert {
        k: cap[k] for k in ("code", "name", "type", "department", "needs", "is_cep_operator")
    } == {
        "code": "CAP28",
        "name": "Cap emploi 28",
        "type": "CAP",
        "department": "28",
        "needs": ["job_search"],
        "is_cep_operator": True,
    }


def test_directory_filters(client, world, app):
    from passport.extensions import db
    from tests import factories

    with app.app_context():
        factories.structure("CIO45", "CIO", department="45", needs=["orientation"])
        db.session.commit()
    codes = lambda q: {e["code"] for e in client.get(f"/api/v1/structures?{q}").get_json()}  # noqa: E731
    assert codes("need=training_funding") == {"FT28"}
    assert codes("need=job_search&department=28") == {"ML28", "CAP28", "FT28"}
    assert codes("department=45") == {"CIO45"}
    assert codes("need=orientation&department=28") == set()
    assert codes("need=summer_job") == {"ML28"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("need=astrology", "need"), ("need=" + "x" * 5000, "need"), ("department=Eure", "department")],
)
def test_directory_refuses_unknown_filters(client, world, query, field):
    r = client.get(f"/api/v1/structures?{query}")
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


@pytest.mark.parametrize("who", ["ml_key", "advisor"])
def test_anonymous_reception(app, client, world, who):
    r = client.post("/api/v1/receptions", json=RECEPTION, headers=getattr(world, who))
    assert r.status_code == 201
    body = r.get_json()
    assert body["issuer"]["structure"] == "ML28"
    assert body["signature"] and body["seq"] is None and body["needs"] == ["summer_job"]
    rows = committed(app, "SELECT passport_id FROM receptions WHERE id = :id", id=body["id"])
    assert rows == [(None,)]


@pytest.mark.parametrize("who", ["holder", "coordinator", "admin"])
def test_anonymous_reception_is_for_structures(client, world, who):
    assert (
        client.post("/api/v1/receptions", json=RECEPTION, headers=getattr(world, who)).status_code
        == 403
    )


def test_anonymous_reception_credentials(client, world):
    assert client.post("/api/v1/receptions", json=RECEPTION).status_code == 401
    r = client.post("/api/v1/receptions", json=RECEPTION, headers=world.revoked_key)
    assert r.status_code == 401
    r = client.post(
        "/api/v1/receptions", json=RECEPTION, headers={"Authorization": "Bearer sk_" + "x" * 600}
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"date": "2026-05-20", "channel": "phone"},
        {"date": 20260520, "channel": "phone", "needs": ["summer_job"]},
        {"date": "2026-05-20", "channel": "phone", "needs": ["summer_job"], "passport_id": 1},
        {"date": "2026-05-20", "channel": "phone", "needs": ["summer_job"] * 100},
    ],
)
def test_anonymous_reception_validation(client, world, body):
    r = client.post("/api/v1/receptions", json=body, headers=world.ml_key)
    assert r.status_code == 422


def test_openapi_documents_the_structure_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/structures"]
    assert "get" in paths["/api/v1/referrals"]
    assert "patch" in paths["/api/v1/referrals/{referral_id}"]
    assert "post" in paths["/api/v1/receptions"]
    params = {p["name"] for p in paths["/api/v1/structures"]["get"]["parameters"]}
    assert params == {"need", "department", "q", "commune", "type"}
    assert {"200", "403", "404", "409"} <= set(
        paths["/api/v1/referrals/{referral_id}"]["patch"]["responses"]
    )
