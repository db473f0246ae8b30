"""The legal and help pages in Chromium: reachable from the footer of every page, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

FOOTER = {
    "Mentions légales": "Mentions légales",
    "Données personnelles": "Données personnelles",
    "Accessibilité : non conforme": "Déclaration d'accessibilité",
    "Aide et contact": "Aide et contact",
}


def test_footer_links_the_four_pages_and_they_are_accessible(page: Page, base_url: str):
    for start in ("/", "/connexion", "/verifier", "/page-inconnue"):
        for link, heading in FOOTER.items():
            page.goto(base_url + start)
            footer = page.locator("footer")
            footer.get_by_role("link", name=link).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            if start == "/":
                assert_accessible(page)
