"""The CPF simulator in real Chromium: a visitor computes a remaining cost (axe-core clean)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [320, 1280])
def test_visitor_simulates_without_an_account(live_app, page: Page, base_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + "/cpf/simulateur")
    assert_accessible(page)
    page.get_by_label("Solde de votre compte, en euros").fill("1 250,50 €")
    page.get_by_label("Date de ce solde").fill("2026-01-15")
    page.locator("#years-0-year").fill("2026")
    page.locator("#years-0-work_percent").fill("30")
    page.get_by_label("Prix de la formation, en euros (facultatif)").fill("2 000")
    page.get_by_label("Date d'achat de la formation (facultatif)").fill("2026-06-01")
    page.get_by_role("button", name="Calculer").click()
    expect(page.get_by_role("heading", name="Le calcul, étape par étape")).to_be_visible()
    # 2000 - (1250.50 + 300) + 103.20
    expect(page.get_by_text("Reste à votre charge")).to_contain_text("552,70")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
