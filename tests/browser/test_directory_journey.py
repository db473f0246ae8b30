"""The directory in real Chromium: a visitor finds a training structure in Dreux without an
account; a structure admin edits the opening hours and sees them on /annuaire. Phone
(375 px) and desktop (1280 px) widths, axe-core clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.accounts import services as accounts
from passport.directory.demo import load_directory
from passport.extensions import db
from passport.structures import services as structures
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = [375, 1280]


@pytest.fixture
def network(live_app):
    with live_app.app_context():
        by_code = {
            "ML-DREUX": structures.add_structure("ML-DREUX", "Mission locale de Dreux", "ML", "28"),
            "CMA-28": structures.add_structure("CMA-28", "CMA Eure-et-Loir", "CMA", "28"),
            "FT-DREUX": structures.add_structure("FT-DREUX", "France Travail Dreux", "FT", "28"),
        }
        load_directory(by_code)
        accounts.create_user(
            "admin@ml.example.org", PASSWORD, "Marc Petit", "structure_admin", by_code["ML-DREUX"]
        )
        db.session.commit()


def _page(browser: Browser, browser_context_args, width: int) -> Page:
    context = browser.new_context(**browser_context_args, viewport={"width": width, "height": 900})
    return context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_finds_training_in_dreux(network, browser, browser_context_args, base_url, width):
    page = _page(browser, browser_context_args, width)
    page.goto(base_url + "/trouver")
    assert_accessible(page)
    page.get_by_label("Trouver une formation").check()
    page.get_by_label("Votre commune").fill("Dreux")
    page.get_by_label("Votre âge (facultatif)").fill("19")
    page.get_by_role("button", name="Trouver").click()
    results = page.locator(".finder-results")
    expect(results).to_contain_text("Mission locale de Dreux")
    expect(results).to_contain_text("couvre : recherche de formation")
    expect(results).to_contain_text("accueille les 16–25 ans")
    expect(results).not_to_contain_text("CMA Eure-et-Loir")  # apprenticeship, not training
    expect(page.get_by_role("link", name=re.compile("Voir sur la carte")).first).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/search\?query=")
    )
    assert_accessible(page)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_structure_admin_edits_hours(network, browser, browser_context_args, base_url, width):
    page = _page(browser, browser_context_args, width)
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill("admin@ml.example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base_url + "/annuaire/ML-DREUX")
    page.get_by_role("link", name="Modifier la fiche").click()
    assert_accessible(page)
    hours = page.get_by_label("Horaires d'ouverture")
    hours.fill("lundi matin")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.locator("#opening_hours-error")).to_contain_text("Horaires illisibles")
    assert_accessible(page)
    page.get_by_label("Horaires d'ouverture").fill("Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mission locale de Dreux")
    page.goto(base_url + "/annuaire?q=mission")
    expect(page.locator("main")).to_contain_text(
        "lundi au jeudi, 8 h 30–12 h et 13 h 30–17 h ; vendredi, 8 h 30–12 h"
    )
    assert_accessible(page)
    page.context.close()
