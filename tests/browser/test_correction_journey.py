"""Issue 11 in real Chromium: a structure withdraws a record it wrote, after confirming, and
the holder sees it struck through with the reason (320 and 1280 px, axe-core clean)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from passport.accounts import services as accounts
from passport.extensions import db
from passport.passports import services as passports
from passport.passports.models import Correction
from passport.records import services as records
from passport.sharing import services as sharing
from passport.structures import services as structures
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

REASON = "Accueil saisi dans le passeport d'une autre personne"


@pytest.fixture
def shared(live_app) -> int:
    """A holder's passport shared with the Mission locale, which recorded a reception."""
    with live_app.app_context():
        ml = structures.add_structure("ML28", "Mission locale de Dreux", "ML", "28")
        advisor = accounts.create_user(
            "camille@ml.example.org", PASSWORD, "Camille Roux", "advisor", ml
        )
        holder = accounts.register_individual("lea@example.org", PASSWORD, "Léa Martin")
        passport = passports.passport_of(holder)
        share = sharing.create_share(
            passport,
            sections=["profile", "receptions"],
            permissions=["read", "append"],
            expires_in_days=7,
            structure=ml,
        ).share
        records.record_reception(
            ml,
            passport.id,
            date=date(2026, 5, 20),
            channel="in_person",
            needs=["job_search"],
            advisor=advisor,
            summary="Cherche un emploi dans la logistique.",
        )
        db.session.commit()
        return share.id


def _login(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _no_horizontal_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [320, 1280])
def test_a_structure_withdraws_a_record_and_the_holder_sees_it_struck_through(
    shared, live_app, page: Page, base_url, width
):
    page.set_viewport_size({"width": width, "height": 900})
    _login(page, base_url, "camille@ml.example.org")
    page.goto(f"{base_url}/espace/partages/{shared}")
    expect(page.get_by_role("heading", name="Accueil à Mission locale de Dreux")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Rectifier ou retirer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rectifier ou retirer un enregistrement"
    )
    assert_accessible(page)
    _no_horizontal_scroll(page, width)
    page.get_by_label("Retirer : cet enregistrement n'aurait pas dû être écrit").check()
    page.get_by_label("Motif").fill(REASON)
    page.get_by_role("button", name="Continuer").click()

    # The confirmation step: nothing is written yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer la correction")
    expect(page.get_by_text(REASON)).to_be_visible()
    assert_accessible(page)
    _no_horizontal_scroll(page, width)
    with live_app.app_context():
        assert db.session.execute(db.select(Correction)).first() is None
    page.get_by_role("button", name="Retirer l'enregistrement").click()

    expect(page.get_by_text("Enregistrement retiré.")).to_be_visible()
    card = page.locator("article.card--withdrawn")
    expect(card).to_contain_text("Retiré par Mission locale de Dreux")
    expect(card).to_contain_text(REASON)
    expect(page.get_by_role("link", name="Rectifier ou retirer")).to_have_count(0)
    assert_accessible(page)
    with live_app.app_context():
        correction = db.session.execute(db.select(Correction)).scalar_one()
        assert correction.action == "withdraw" and correction.signature

    # The holder: the record stays, struck through, with who withdrew it and why.
    page.context.clear_cookies()
    _login(page, base_url, "lea@example.org")
    page.goto(base_url + "/passeport/")
    card = page.locator("article.card--withdrawn")
    expect(card).to_contain_text("Retiré par Mission locale de Dreux")
    expect(card).to_contain_text(REASON)
    struck = card.locator("del.card__struck")
    expect(struck).to_contain_text("Accueil à Mission locale de Dreux")
    expect(struck).to_contain_text("Cherche un emploi dans la logistique.")
    assert struck.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    expect(card.get_by_role("link", name="Demander une correction")).to_have_count(0)
    assert_accessible(page)
    _no_horizontal_scroll(page, width)
