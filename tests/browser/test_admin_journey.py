"""An admin invites an advisor, who accepts and logs in; deactivated, they are refused at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.extensions import db
from tests import factories
from tests.admin.helpers import invitation_path
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_admin_invites_then_deactivates_an_advisor(
    page: Page, browser: Browser, base_url: str, live_app
):
    with live_app.app_context():
        factories.structure("ML-DREUX", name="Mission locale de Dreux")
        factories.staff("admin", None, email="admin@example.org", name="Alex Admin")
        db.session.remove()

    _log_in(page, base_url, "admin@example.org", factories.PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("link", name=re.compile("Alex Admin"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    assert_accessible(page)
    page.get_by_role("link", name="Structures").first.click()
    expect(page.get_by_role("link", name="Modifier Mission locale de Dreux")).to_be_visible()
    assert_accessible(page)

    page.goto(base_url + "/admin/comptes")
    page.get_by_role("link", name="Inviter une personne").click()
    assert_accessible(page)
    page.get_by_label("Nom et prénom").fill("Camille Roux")
    page.get_by_label("Adresse e-mail").fill("camille@example.org")
    page.get_by_label("Rôle").select_option("advisor")
    page.get_by_label("Structure").select_option("")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator("#structure-error")).to_contain_text("Ce rôle demande une structure")
    assert_accessible(page)
    page.get_by_label("Structure").select_option("ML-DREUX")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Invitation envoyée à camille@example.org.")).to_be_visible()
    expect(page.get_by_role("cell", name="Camille Roux", exact=True)).to_be_visible()
    assert_accessible(page)

    # The advisor, in a browser of their own, follows the mailed link.
    advisor_context = browser.new_context(locale="fr-FR", bypass_csp=True)
    advisor = advisor_context.new_page()
    advisor.goto(base_url + invitation_path(live_app, "camille@example.org"))
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Bienvenue, Camille Roux")
    assert_accessible(advisor)
    advisor.get_by_label("Mot de passe", exact=True).fill("ma phrase de conseillère")
    advisor.get_by_label("Confirmez le mot de passe").fill("ma phrase de conseillère")
    advisor.get_by_role("button", name="Enregistrer").click()
    expect(advisor.get_by_text("Votre mot de passe est enregistré.")).to_be_visible()
    _log_in(advisor, base_url, "camille@example.org", "ma phrase de conseillère")
    expect(
        advisor.get_by_role("link", name=re.compile("Camille Roux · Mission locale de Dreux"))
    ).to_be_visible()
    advisor.get_by_role("link", name=re.compile("Camille Roux")).click()
    expect(advisor.get_by_role("heading", name="Sessions ouvertes")).to_be_visible()
    assert_accessible(advisor)

    # The admin deactivates the account, after a confirmation.
    page.get_by_role("link", name="Désactiver Camille Roux").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Désactiver le compte")
    assert_accessible(page)
    page.get_by_role("button", name="Oui, désactiver").click()
    expect(page.get_by_text("Le compte de Camille Roux est désactivé.")).to_be_visible()

    # The advisor's very next request is refused.
    advisor.reload()
    expect(advisor).to_have_url(re.compile(r"/connexion"))
    advisor_context.close()

    page.get_by_role("link", name="Journal").click()
    expect(page.get_by_role("cell", name="Compte désactivé", exact=True)).to_be_visible()
    assert_accessible(page)
