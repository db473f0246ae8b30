"""Passkeys in Chromium with its virtual authenticator (CDP ``WebAuthn``).

WebAuthn needs a secure context and an RP id that is a host name: the pages are opened at
``http://localhost:<port>`` (not 127.0.0.1). The journeys run under the app's real CSP (no
``bypass_csp``), so that passkeys.js is proved to work without inline script.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.extensions import db
from passport.mfa.models import Passkey
from tests import factories
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@pytest.fixture
def localhost(base_url: str) -> str:
    return base_url.replace("127.0.0.1", "localhost")


@pytest.fixture
def strict_page(browser: Browser):
    """A page under the site's own CSP, with a virtual authenticator."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    page.authenticator = (cdp, authenticator["authenticatorId"])  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def _password_step(page: Page, url: str, email: str, password: str = factories.PASSWORD):
    page.goto(url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def _credentials(page: Page) -> list[dict]:
    cdp, authenticator_id = page.authenticator  # type: ignore[attr-defined]
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def test_holder_registers_a_passkey_then_logs_in_with_it(strict_page: Page, localhost, live_app):
    page = strict_page
    with live_app.app_context():
        factories.holder("lea@example.org", name="Léa Martin")
        db.session.remove()

    _password_step(page, localhost, "lea@example.org")
    expect(page).to_have_url(re.compile(r"/passeport/$"))
    page.goto(localhost + "/compte/securite")
    expect(page.get_by_text("Aucune clé d'accès n'est associée à votre compte.")).to_be_visible()
    page.get_by_role("link", name="Ajouter une clé d'accès").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter une clé d'accès")
    # WebAuthn is there: the "not available" message is hidden by passkeys.js.
    expect(page.locator("[data-passkey-unsupported]")).to_be_hidden()
    page.get_by_label("Nom de la clé d'accès").fill("Ordinateur du bureau")
    page.get_by_role("button", name="Créer la clé d'accès").click()

    # The account's first second factor: recovery codes, shown once.
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    assert len(_credentials(page)) == 1
    page.get_by_role("link", name="J'ai noté mes codes : continuer").click()
    expect(page.get_by_role("cell", name="Ordinateur du bureau", exact=True)).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()

    _password_step(page, localhost, "lea@example.org")
    expect(page).to_have_url(re.compile(r"/connexion/verification$"))
    page.get_by_role("button", name="Utiliser ma clé d'accès").click()

    expect(page).to_have_url(re.compile(r"/passeport/$"))
    expect(page.get_by_role("link", name=re.compile("Léa Martin"))).to_be_visible()
    with live_app.app_context():
        passkey = db.session.execute(db.select(Passkey)).scalar_one()
        assert passkey.name == "Ordinateur du bureau" and passkey.last_used_at is not None
        assert passkey.sign_count == _credentials(page)[0]["signCount"] > 0
        db.session.remove()
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_invited_advisor_enrols_a_passkey_right_after_the_password(
    strict_page: Page, localhost, live_app, monkeypatch
):
    page = strict_page
    monkeypatch.setitem(live_app.config, "MFA_REQUIRED_ROLES", ("advisor",))
    from passport.accounts.services import make_invitation_token
    from passport.admin import services as admin

    with live_app.app_context():
        boss = factories.staff("admin", None)
        structure = factories.structure("ML-DREUX", name="Mission locale de Dreux")
        user = admin.invite(
            admin.scope_for(boss), "camille@example.org", "Camille Roux", "advisor", structure
        )
        db.session.commit()
        path = f"/invitation/{make_invitation_token(user)}"
        db.session.remove()

    page.goto(localhost + path)
    page.get_by_label("Mot de passe", exact=True).fill("ma phrase de conseillère")
    page.get_by_label("Confirmez le mot de passe").fill("ma phrase de conseillère")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/connexion/activation$"))
    page.get_by_role("link", name="Créer une clé d'accès").click()
    page.get_by_role("button", name="Créer la clé d'accès").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    page.get_by_role("link", name="J'ai noté mes codes : continuer").click()
    expect(page).to_have_url(re.compile(r"/espace"))
    page.get_by_role("button", name="Se déconnecter").click()

    _password_step(page, localhost, "camille@example.org", "ma phrase de conseillère")
    page.get_by_role("button", name="Utiliser ma clé d'accès").click()
    expect(page).to_have_url(re.compile(r"/espace"))
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_without_webauthn_the_page_says_what_to_do(page: Page, base_url: str, live_app):
    with live_app.app_context():
        factories.holder("sam@example.org")
        db.session.remove()
    page.add_init_script("delete window.PublicKeyCredential;")
    _password_step(page, base_url, "sam@example.org")
    page.goto(base_url + "/compte/securite/cles/ajouter")
    message = page.locator("[data-passkey-unsupported]")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Utilisez plutôt une application d'authentification")
    expect(page.get_by_role("button", name="Créer la clé d'accès")).to_be_disabled()
    assert_accessible(page)
    page.goto(base_url + "/compte/securite")
    assert_accessible(page)
