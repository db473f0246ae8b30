"""GET/POST /api/v1/structures/{code}/advisors and DELETE .../advisors/{id} (API.md)."""

from __future__ import annotations

import pytest

from passport.accounts.models import User
from passport.admin.models import AuditEntry
from passport.extensions import db
from tests import factories
from tests.admin.helpers import invitation_path, outbox
from tests.web import login, submit


@pytest.fixture
def setup(app, ctx):
    ml = factories.structure("ML-API", name="Mission locale")
    cio = factories.structure("CIO-API", type_="CIO")
    boss = factories.staff("structure_admin", ml, name="Boss")
    advisor = factories.staff("advisor", ml, name="Camille Roux")
    factories.staff("advisor", cio, name="Sam Ailleurs")
    return {
        "ml": ml,
        "cio": cio,
        "boss": factories.bearer(factories.token(boss)),
        "admin": factories.bearer(factories.token(factories.staff("admin", None))),
        "advisor_user": advisor,
        "advisor": factories.bearer(factories.token(advisor)),
        "key": factories.bearer(factories.api_key(ml)),
        "holder": factories.bearer(factories.token(factories.holder())),
    }


def test_list_advisors(client, setup):
    for caller in ("boss", "admin"):
        r = client.get("/api/v1/structures/ML-API/advisors", headers=setup[caller])
        assert r.status_code == 200, caller
        names = [a["full_name"] for a in r.json]
        assert names == ["Boss", "Camille Roux"]
        assert set(r.json[0]) == {"id", "email", "full_name", "role", "active", "mfa"}
    assert (
        client.get("/api/v1/structures/CIO-API/advisors", headers=setup["boss"]).status_code == 403
    )
    for caller in ("advisor", "key", "holder"):
        r = client.get("/api/v1/structures/ML-API/advisors", headers=setup[caller])
        assert r.status_code == 403, caller
        assert r.mimetype == "application/problem+json"
    assert client.get("/api/v1/structures/ML-API/advisors").status_code == 401
    assert client.get("/api/v1/structures/NOPE/advisors", headers=setup["admin"]).status_code == 404


def test_invite_advisor_by_api(app, client, setup):
    body = {"email": "Nina@Example.org", "full_name": "Nina Nouvelle"}
    r = client.post("/api/v1/structures/ML-API/advisors", json=body, headers=setup["boss"])
    assert r.status_code == 201, r.json
    assert r.json["email"] == "nina@example.org" and r.json["role"] == "advisor"
    assert r.json["active"] is True and r.json["mfa"] is False
    assert outbox(app)[-1]["To"] == "nina@example.org"
    path = invitation_path(app, "nina@example.org")
    browser = app.test_client()
    pw = "nina's own password"
    assert submit(browser, path, {"password": pw, "confirm": pw}).status_code == 302
    login(browser, "nina@example.org", pw)

    again = client.post("/api/v1/structures/ML-API/advisors", json=body, headers=setup["boss"])
    assert again.status_code == 409
    admin_made = client.post(
        "/api/v1/structures/CIO-API/advisors",
        json={"email": "x@example.org", "full_name": "X", "role": "structure_admin"},
        headers=setup["admin"],
    )
    assert admin_made.status_code == 201 and admin_made.json["role"] == "structure_admin"
    for bad in (
        {"email": "nope", "full_name": "X"},
        {"email": "y@example.org"},
        {"email": "y@example.org", "full_name": "Y", "role": "admin"},
    ):
        r = client.post("/api/v1/structures/ML-API/advisors", json=bad, headers=setup["boss"])
        assert r.status_code == 422, bad
    r = client.post(
        "/api/v1/structures/CIO-API/advisors",
        json={"email": "z@example.org", "full_name": "Z"},
        headers=setup["boss"],
    )
    assert r.status_code == 403


def test_delete_advisor_stops_token_and_browser_at_once(app, client, setup):
    advisor = setup["advisor_user"]
    browser = app.test_client()
    login(browser, advisor.email)
    assert browser.get("/compte/").status_code == 200
    assert client.get("/api/v1/referrals", headers=setup["advisor"]).status_code == 200

    r = client.delete(f"/api/v1/structures/ML-API/advisors/{advisor.id}", headers=setup["boss"])
    assert r.status_code == 204
    assert client.get("/api/v1/referrals", headers=setup["advisor"]).status_code == 401
    assert browser.get("/compte/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, advisor.id).active is False
    entry = db.session.execute(db.select(AuditEntry)).scalar_one()
    assert entry.action == "account.deactivate" and entry.target_id == advisor.id


def test_delete_advisor_refusals(app, client, setup):
    other = db.session.execute(db.select(User).where(User.full_name == "Sam Ailleurs")).scalar_one()
    assert (
        client.delete(
            f"/api/v1/structures/ML-API/advisors/{other.id}", headers=setup["boss"]
        ).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/structures/CIO-API/advisors/{other.id}", headers=setup["boss"]
        ).status_code
        == 403
    )
    assert (
        client.delete(
            "/api/v1/structures/ML-API/advisors/999999", headers=setup["admin"]
        ).status_code
        == 404
    )
    boss = db.session.execute(db.select(User).where(User.full_name == "Boss")).scalar_one()
    r = client.delete(f"/api/v1/structures/ML-API/advisors/{boss.id}", headers=setup["boss"])
    assert r.status_code == 409  # not oneself
    assert (
        client.delete(
            f"/api/v1/structures/CIO-API/advisors/{other.id}", headers=setup["admin"]
        ).status_code
        == 204
    )


def test_advisors_endpoints_are_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/structures/{code}/advisors"])
    assert "delete" in paths["/api/v1/structures/{code}/advisors/{user_id}"]
