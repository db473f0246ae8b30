"""TOTP in the browser flow: enrol from the account page, log in with a code, recovery codes,
and the roles that must enrol before anything else (CSRF on, moved clock)."""

from __future__ import annotations

from sqlalchemy import text

from passport.extensions import db
from tests import factories
from tests.mfa.helpers import code_at, password_step, recovery_codes_on, secret_on
from tests.web import login, submit


def enrol_from_account_page(client, clock, steps: int = 0) -> tuple[str, list[str]]:
    """A logged-in user enrols an authenticator app; returns its secret and recovery codes."""
    clock.to(max(steps, clock.step))
    page = client.get("/compte/securite/totp")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn on the server
    secret = secret_on(html)
    assert secret_on(client.get("/compte/securite/totp").get_data(as_text=True)) == secret
    r = submit(client, "/compte/securite/totp", {"code": code_at(secret, steps)})
    assert r.status_code == 200
    codes = recovery_codes_on(r.get_data(as_text=True))
    assert len(codes) == 10
    assert r.headers["Cache-Control"] == "no-store"
    return secret, codes


def logout(client):
    submit(client, "/deconnexion", {}, form_url="/compte/securite")


def test_holder_enrols_then_logs_in_with_a_code(client, ctx, clock):
    user = factories.holder("lea@example.org")
    login(client, user.email)
    assert "Aucune application" in client.get("/compte/securite").get_data(as_text=True)
    secret, _codes = enrol_from_account_page(client, clock)
    assert "Activée" in client.get("/compte/securite").get_data(as_text=True)
    logout(client)

    clock.to(4)
    r = password_step(client, user.email)
    assert r.status_code == 302 and r.location.endswith("/connexion/verification")
    # Password alone is not a login: the passport is still closed.
    assert client.get("/passeport/").status_code == 302
    r = submit(client, "/connexion/verification", {"code": code_at(secret, 4)})
    assert r.status_code == 302 and r.location.endswith("/passeport/")
    assert client.get("/passeport/").status_code == 200


def test_a_code_used_for_one_login_cannot_be_replayed_for_another(client, app, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    secret, _ = enrol_from_account_page(client, clock)
    logout(client)
    clock.to(6)
    password_step(client, user.email)
    assert (
        submit(client, "/connexion/verification", {"code": code_at(secret, 6)}).status_code == 302
    )
    thief = app.test_client()
    password_step(thief, user.email)
    r = submit(thief, "/connexion/verification", {"code": code_at(secret, 6)})
    assert r.status_code == 401
    assert "déjà servi" in r.get_data(as_text=True)
    assert thief.get("/passeport/").status_code == 302


def test_wrong_codes_end_the_pending_login(client, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    enrol_from_account_page(client, clock)
    logout(client)
    clock.to(8)
    password_step(client, user.email)
    for left in (4, 3, 2, 1):
        r = submit(client, "/connexion/verification", {"code": "000000"})
        assert r.status_code == 401
        assert f"Essais restants : {left}" in r.get_data(as_text=True)
    r = submit(client, "/connexion/verification", {"code": "000000"})
    assert r.status_code == 302 and r.location.endswith("/connexion")
    assert client.get("/connexion/verification").location.endswith("/connexion")


def test_a_pending_login_expires(client, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    secret, _ = enrol_from_account_page(client, clock)
    logout(client)
    clock.to(10)
    password_step(client, user.email)
    clock.to(10 + 21)  # more than ten minutes later
    r = client.get("/connexion/verification")
    assert r.status_code == 302 and r.location.endswith("/connexion")


def test_recovery_code_logs_in_once(client, app, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    _secret, codes = enrol_from_account_page(client, clock)
    logout(client)
    password_step(client, user.email)
    r = submit(client, "/connexion/verification", {"code": codes[3]})
    assert r.status_code == 302
    assert "Il vous en reste 9" in client.get(r.location).get_data(as_text=True)
    other = app.test_client()
    password_step(other, user.email)
    assert submit(other, "/connexion/verification", {"code": codes[3]}).status_code == 401


def test_next_is_kept_through_the_second_step(client, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    secret, _ = enrol_from_account_page(client, clock)
    logout(client)
    clock.to(12)
    page = client.get("/connexion?next=/partages")
    assert 'value="/partages"' in page.get_data(as_text=True)
    password_step(client, user.email, next="/partages")
    r = submit(client, "/connexion/verification", {"code": code_at(secret, 12)})
    assert r.location.endswith("/partages")


def test_remove_totp_needs_a_current_code(client, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    secret, _ = enrol_from_account_page(client, clock)
    clock.to(14)
    r = submit(client, "/compte/securite/totp/supprimer", {"code": "123456"})
    assert r.status_code == 422
    r = submit(client, "/compte/securite/totp/supprimer", {"code": code_at(secret, 14)})
    assert r.status_code == 302
    logout(client)
    r = password_step(client, user.email)
    assert r.location.endswith("/passeport/")


def test_new_recovery_codes(client, ctx, clock):
    user = factories.holder()
    login(client, user.email)
    secret, old = enrol_from_account_page(client, clock)
    clock.to(16)
    r = submit(client, "/compte/securite/codes-de-secours", {"code": code_at(secret, 16)})
    fresh = recovery_codes_on(r.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(old)


# -- roles that must have a second factor ---------------------------------------------------


def test_required_role_enrols_after_the_password_before_anything_else(strict_app, clock):
    client = strict_app.test_client()
    with strict_app.app_context():
        structure = factories.structure("ML28")
        advisor = factories.staff("advisor", structure, email="camille@example.org")
        advisor_id = advisor.id
    clock.to(0)
    r = password_step(client, "camille@example.org")
    assert r.status_code == 302 and r.location.endswith("/connexion/activation")
    # Not logged in: the desk stays closed until enrolment is done.
    assert client.get("/espace").status_code == 302
    assert client.get("/espace").location.startswith("/connexion")
    page = client.get("/connexion/activation").get_data(as_text=True)
    assert "obligatoire" in page
    secret = secret_on(page)
    r = submit(client, "/connexion/activation", {"code": "000000"})
    assert r.status_code == 422
    r = submit(client, "/connexion/activation", {"code": code_at(secret, 0)})
    assert r.status_code == 200
    assert len(recovery_codes_on(r.get_data(as_text=True))) == 10
    assert client.get("/espace").status_code == 200
    with strict_app.app_context():
        stored = db.session.execute(
            text("SELECT secret FROM mfa_totp WHERE user_id = :u"), {"u": advisor_id}
        ).scalar_one()
        assert stored.startswith("enc1:")
    # Next time: password, then a code.
    other = strict_app.test_client()
    clock.to(3)
    r = password_step(other, "camille@example.org")
    assert r.location.endswith("/connexion/verification")
    r = submit(other, "/connexion/verification", {"code": code_at(secret, 3)})
    assert r.status_code == 302
    assert other.get("/espace").status_code == 200


def test_required_role_cannot_remove_its_only_factor(strict_app, clock):
    client = strict_app.test_client()
    with strict_app.app_context():
        factories.staff("coordinator", email="coord@example.org")
    clock.to(0)
    page = client.get("/connexion/activation")
    password_step(client, "coord@example.org")
    secret = secret_on(client.get("/connexion/activation").get_data(as_text=True))
    submit(client, "/connexion/activation", {"code": code_at(secret, 0)})
    r = client.get("/compte/securite/totp/supprimer")
    assert r.status_code == 302 and r.location.endswith("/compte/securite")
    assert page.status_code == 302  # no pending login: back to the password


def test_logged_in_session_of_a_required_role_is_sent_to_enrolment(
    app, strict_app, tmp_path, clock
):
    """A session opened before the role required a second factor can only enrol."""
    with strict_app.app_context():
        structure = factories.structure("ML28")
        factories.staff("advisor", structure, email="camille@example.org")
    client = strict_app.test_client()
    strict_app.config["MFA_REQUIRED_ROLES"] = ()
    login(client, "camille@example.org")
    assert client.get("/espace").status_code == 200
    strict_app.config["MFA_REQUIRED_ROLES"] = ("advisor",)
    r = client.get("/espace")
    assert r.status_code == 302 and r.location.endswith("/compte/securite/totp")
    assert client.get("/compte/securite/totp").status_code == 200


def test_holders_are_never_forced(strict_app, clock):
    client = strict_app.test_client()
    with strict_app.app_context():
        factories.holder("lea@example.org")
    r = password_step(client, "lea@example.org")
    assert r.location.endswith("/passeport/")
