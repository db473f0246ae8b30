"""A role that must have a second factor may enrol a passkey instead of an app; invited staff
of such a role enrol right after choosing their password; the API token flow of an account
whose only second factor is a passkey."""

from __future__ import annotations

import html
import json

from passport.accounts.services import make_invitation_token
from passport.admin import services as admin
from passport.extensions import db
from passport.mfa.models import Passkey
from tests import factories
from tests.mfa.authenticator import SoftAuthenticator, options_on
from tests.mfa.helpers import code_at, password_step, recovery_codes_on, secret_on
from tests.web import submit

ENROL_KEY = "/connexion/activation/cle"
NEW_PASSWORD = "a brand new long password"


def _enrol_passkey_at_login(client, key) -> list[str]:
    page = client.get(ENROL_KEY)
    assert page.status_code == 200
    assert "obligatoire" in page.get_data(as_text=True)
    answer = key.create(options_on(page.get_data(as_text=True)))
    r = submit(client, ENROL_KEY, {"name": "Poste", "credential": json.dumps(answer)})
    assert r.status_code == 200, r.get_data(as_text=True)[:600]
    return recovery_codes_on(r.get_data(as_text=True))


def test_required_role_enrols_a_passkey_at_login(strict_app, clock):
    client = strict_app.test_client()
    with strict_app.app_context():
        factories.staff("advisor", factories.structure("ML28"), email="camille@example.org")
    r = password_step(client, "camille@example.org")
    assert r.location.endswith("/connexion/activation")
    activation = html.unescape(client.get("/connexion/activation").get_data(as_text=True))
    assert ENROL_KEY in activation and "Ou utilisez une clé d'accès" in activation
    assert client.get(ENROL_KEY.replace("activation", "verification")).status_code == 405
    key = SoftAuthenticator()

    codes = _enrol_passkey_at_login(client, key)

    assert len(codes) == 10
    assert client.get("/espace").status_code == 200  # logged in
    # Its only factor: it cannot be deleted.
    with strict_app.app_context():
        passkey_id = db.session.execute(db.select(Passkey.id)).scalar_one()
    r = submit(client, f"/compte/securite/cles/{passkey_id}/supprimer", {}, form_url="/espace")
    assert r.status_code == 302 and r.location.endswith("/compte/securite")
    with strict_app.app_context():
        assert db.session.get(Passkey, passkey_id) is not None

    # Next login: password, then the passkey.
    other = strict_app.test_client()
    assert password_step(other, "camille@example.org").location.endswith("/connexion/verification")
    page = other.get("/connexion/verification").get_data(as_text=True)
    r = submit(
        other,
        "/connexion/verification/cle",
        {"credential": json.dumps(key.get(options_on(page)))},
        form_url="/connexion/verification",
    )
    assert r.status_code == 302
    assert other.get("/espace").status_code == 200


def test_enrolment_pages_need_a_pending_enrolment(strict_app):
    client = strict_app.test_client()
    assert client.get(ENROL_KEY).location.endswith("/connexion")
    with strict_app.app_context():
        factories.holder("lea@example.org")  # no second factor required
    assert password_step(client, "lea@example.org").location.endswith("/passeport/")
    assert client.get(ENROL_KEY).location.endswith("/connexion")


def _invite(app, role: str, structure_code: str | None = "ML28") -> str:
    with app.app_context():
        boss = factories.staff("admin", None)
        structure = factories.structure(structure_code) if structure_code else None
        user = admin.invite(admin.scope_for(boss), "nina@example.org", "Nina", role, structure)
        db.session.commit()
        return f"/invitation/{make_invitation_token(user)}"


def test_invited_staff_enrols_right_after_choosing_the_password(strict_app, clock):
    client = strict_app.test_client()
    path = _invite(strict_app, "advisor")

    r = submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert r.status_code == 302 and r.location.endswith("/connexion/activation")
    assert client.get("/espace").status_code == 302  # not logged in before enrolment
    page = client.get("/connexion/activation").get_data(as_text=True)
    secret = secret_on(page)
    r = submit(client, "/connexion/activation", {"code": code_at(secret, 0)})
    assert r.status_code == 200 and len(recovery_codes_on(r.get_data(as_text=True))) == 10
    assert client.get("/espace").status_code == 200
    assert client.get(path).status_code == 410  # the link served once


def test_invited_staff_may_enrol_a_passkey_instead(strict_app, clock):
    client = strict_app.test_client()
    path = _invite(strict_app, "coordinator", structure_code=None)
    r = submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.location.endswith("/connexion/activation")
    assert len(_enrol_passkey_at_login(client, SoftAuthenticator())) == 10
    assert client.get("/indicateurs").status_code == 200


def test_invited_staff_without_required_mfa_logs_in_as_before(app, client, ctx):
    path = _invite(app, "advisor")
    r = submit(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302 and r.location.endswith("/connexion")


def test_api_token_of_a_passkey_only_account_needs_a_recovery_code(strict_app, clock):
    client = strict_app.test_client()
    with strict_app.app_context():
        factories.staff("advisor", factories.structure("ML28"), email="camille@example.org")
    password_step(client, "camille@example.org")
    codes = _enrol_passkey_at_login(client, SoftAuthenticator())
    body = {"email": "camille@example.org", "password": factories.PASSWORD}

    r = client.post("/api/v1/auth/token", json=body)
    assert r.status_code == 401 and r.json["mfa_required"] is True

    r = client.post("/api/v1/auth/token", json={**body, "otp": codes[0]})
    assert r.status_code == 201
    token = {"Authorization": f"Bearer {r.json['access_token']}"}
    # A passkey is a second factor: the token is not limited to enrolment.
    r = client.get("/api/v1/structures/ML28/advisors", headers=token)
    assert r.status_code == 403 and "mfa_enrolment_required" not in r.json  # an advisor's 403
    assert client.post("/api/v1/auth/token", json={**body, "otp": codes[0]}).status_code == 401
