"""Issue 8 in real Chromium: a desk agent records an anonymous first reception from the desk."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from passport.accounts import services as accounts
from passport.extensions import db
from passport.passports.models import Reception
from passport.structures import services as structures
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def desk_agent(live_app):
    with live_app.app_context():
        ml = structures.add_structure("ML28", "Mission locale de Dreux", "ML", "28")
        accounts.create_user("camille@ml.example.org", PASSWORD, "Camille Roux", "advisor", ml)
        db.session.commit()


@pytest.mark.parametrize("width", [320, 1280])
def test_desk_agent_records_an_anonymous_reception(
    desk_agent, live_app, page: Page, base_url, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill("camille@ml.example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base_url + "/espace")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil de Mission locale de Dreux")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Accueil anonyme").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil anonyme")
    assert_accessible(page)
    page.get_by_label("Par téléphone").check()
    page.get_by_label("Recherche de formation").check()
    page.get_by_label("Situation de la personne").select_option("jobseeker")
    page.get_by_role("button", name="Enregistrer l'accueil").click()

    expect(page.get_by_text("Accueil anonyme enregistré")).to_be_visible()
    expect(page.get_by_text("premier accueil enregistré aujourd'hui")).to_be_visible()
    expect(page.get_by_text("dont 1 anonyme")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    with live_app.app_context():
        reception = db.session.execute(db.select(Reception)).scalar_one()
        assert reception.passport_id is None and reception.channel == "phone"
        assert reception.needs == ["training_search"] and reception.situation == "jobseeker"
