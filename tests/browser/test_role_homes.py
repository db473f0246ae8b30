"""Each role lands on its own page after logging in, in a real browser, at phone and desktop
widths, and that page is accessible (issue: a home for every role, never a 403)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from passport.extensions import db
from tests import factories
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

# role -> (path the login lands on, an h1 that page shows)
HOMES = {
    "individual": (r"/passeport/?$", None),
    "advisor": (r"/espace/?$", None),
    "structure_admin": (r"/structure/equipe/?$", None),
    "coordinator": (r"/indicateurs/?$", None),
    "admin": (r"/admin/?$", "Administration"),
}


@pytest.mark.parametrize("width", [375, 1280])
def test_every_role_lands_on_its_home(browser: Browser, base_url: str, live_app, width: int):
    with live_app.app_context():
        ml = factories.structure("ML-DREUX", name="Mission locale de Dreux")
        factories.holder("lea@example.org")
        factories.staff("advisor", ml, email="conseil@example.org")
        factories.staff("structure_admin", ml, email="referent@example.org")
        factories.staff("coordinator", None, email="coord@example.org")
        factories.staff("admin", None, email="admin@example.org")
        db.session.remove()
    emails = {
        "individual": "lea@example.org",
        "advisor": "conseil@example.org",
        "structure_admin": "referent@example.org",
        "coordinator": "coord@example.org",
        "admin": "admin@example.org",
    }
    for role, (path, heading) in HOMES.items():
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            locale="fr-FR",
            timezone_id="Europe/Paris",
            bypass_csp=True,
        )
        page = context.new_page()
        response = page.goto(base_url + "/connexion")
        assert response is not None and response.status == 200
        page.get_by_label("Adresse e-mail").fill(emails[role])
        page.get_by_label("Mot de passe").fill(factories.PASSWORD)
        with page.expect_navigation() as landed:
            page.get_by_role("button", name="Se connecter").click()
        assert landed.value is not None and landed.value.status == 200, role
        expect(page).to_have_url(re.compile(path))
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
        context.close()
