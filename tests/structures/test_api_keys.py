"""The structure admin's API keys: services and pages (list, create shown once, revoke)."""

from __future__ import annotations

import re

import pytest

from passport.extensions import db
from passport.structures import services as structures
from passport.structures.models import ApiKey
from tests import factories
from tests.web import csrf_from, login, submit

KEYS_URL = "/structure/cles-api"
SECRET = re.compile(r"sk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def people(app):
    with app.app_context():
        ml = factories.structure("ML28", "ML", name="Mission locale de Dreux")
        cap = factories.structure("CAP28", "CAP")
        admin = factories.staff("structure_admin", ml, email="referente@ml28.example.org")
        factories.staff("structure_admin", cap, email="referent@cap28.example.org")
        factories.staff("advisor", ml, email="conseillere@ml28.example.org")
        factories.staff("coordinator", None, email="coord@example.org")
        factories.holder(email="lea@example.org")
        cap_key = factories.api_key(cap)
        db.session.commit()
        return {"ml": ml.id, "cap": cap.id, "admin": admin.id, "cap_key": cap_key}


def test_services_list_and_get(ctx):
    ml = factories.structure("ML28", "ML")
    cap = factories.structure("CAP28", "CAP")
    _, first = structures.create_api_key(ml, "SI")
    _, second = structures.create_api_key(ml)
    _, foreign = structures.create_api_key(cap)
    structures.revoke_api_key(first)
    db.session.commit()
    assert structures.api_keys_of(ml) == [second, first]  # live ones first
    assert structures.get_api_key(ml, second.id) is second
    assert structures.get_api_key(ml, foreign.id) is None
    assert structures.get_api_key(ml, 2**40) is None


def test_keys_page_lists_without_secrets(client, people):
    login(client, "referente@ml28.example.org")
    r = client.get(KEYS_URL)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Mission locale de Dreux" in html
    assert "pas encore de clé" in html  # useful empty state
    assert people["cap_key"] not in html


def test_create_shows_the_secret_once_and_it_works(client, people):
    login(client, "referente@ml28.example.org")
    r = submit(client, KEYS_URL, {"label": "Logiciel i-milo"})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(r.get_data(as_text=True)).group(0)
    # The key works on the API ...
    api = client.application.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert (
        api.post(
            "/api/v1/receptions",
            json={"date": "2026-05-20", "channel": "phone", "needs": ["vae"]},
            headers=auth,
        ).status_code
        == 201
    )
    # ... and is never shown again.
    again = client.get(KEYS_URL).get_data(as_text=True)
    assert secret not in again and "Logiciel i-milo" in again


def test_create_refuses_a_too_long_label(client, people):
    login(client, "referente@ml28.example.org")
    r = submit(client, KEYS_URL, {"label": "x" * 500})
    assert r.status_code == 422
    assert "120 caractères" in r.get_data(as_text=True)
    assert SECRET.search(r.get_data(as_text=True)) is None


def test_create_needs_csrf(client, people):
    login(client, "referente@ml28.example.org")
    assert client.post(KEYS_URL, data={"label": "x"}).status_code == 400


def test_revoke_with_confirmation(app, client, people):
    login(client, "referente@ml28.example.org")
    page = submit(client, KEYS_URL, {"label": "À révoquer"}).get_data(as_text=True)
    secret = SECRET.search(page).group(0)
    with app.app_context():
        key = db.session.execute(db.select(ApiKey).where(ApiKey.label == "À révoquer")).scalar_one()
        key_id, prefix = key.id, key.prefix
    url = f"{KEYS_URL}/{key_id}/revoquer"
    confirm = client.get(url)
    assert confirm.status_code == 200 and prefix in confirm.get_data(as_text=True)
    # The GET changed nothing.
    api = app.test_client()
    assert (
        api.get("/api/v1/referrals", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    r = client.post(url, data={"csrf_token": csrf_from(client, url)})
    assert r.status_code == 302
    assert (
        api.get("/api/v1/referrals", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )
    assert "Révoquée" in client.get(KEYS_URL).get_data(as_text=True)
    # Revoking again is harmless.
    assert client.get(url).status_code == 302


def test_cannot_revoke_another_structures_key(app, client, people):
    with app.app_context():
        cap_key = db.session.execute(
            db.select(ApiKey).where(ApiKey.structure_id == people["cap"])
        ).scalar_one()
        key_id = cap_key.id
    login(client, "referente@ml28.example.org")
    assert client.get(f"{KEYS_URL}/{key_id}/revoquer").status_code == 404
    api = app.test_client()
    assert (
        api.get(
            "/api/v1/referrals", headers={"Authorization": f"Bearer {people['cap_key']}"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "email", ["conseillere@ml28.example.org", "coord@example.org", "lea@example.org"]
)
def test_keys_pages_are_for_structure_admins(client, people, email):
    login(client, email)
    assert client.get(KEYS_URL).status_code == 403
    assert client.get(f"{KEYS_URL}/1/revoquer").status_code == 403


def test_keys_pages_need_login(client, people):
    r = client.get(KEYS_URL)
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]


def test_menu_shows_the_keys_page_to_the_structure_admin(client, people):
    login(client, "referente@ml28.example.org")
    assert KEYS_URL in client.get("/").get_data(as_text=True)
