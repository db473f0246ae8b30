"""Issue 11 in real Chromium, on a phone (320 px) and a desk screen (1280 px): a holder
prepares a rendez-vous share in three steps, shows its QR code again later (and prints it at
a size a desk scanner reads), and the advisor who opens the link records a first reception
at once. axe-core on every page; no page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.accounts import services as accounts
from passport.extensions import db
from passport.sharing.qr import QR_SCALE
from passport.structures import services as structures
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

#: 6 cm at the CSS resolution of 96 px per inch.
SIX_CM = 6 / 2.54 * 96


@pytest.fixture
def network(live_app):
    with live_app.app_context():
        ml = structures.add_structure(
            "ML28",
            "Mission locale de Dreux",
            "ML",
            "28",
            needs=["job_search", "summer_job"],
            email="accueil@ml-dreux.example.org",
            city="Dreux",
            description="Accompagne les 16-25 ans vers l'emploi, la formation et le logement.",
        )
        structures.add_structure(
            "CIO28", "CIO de Dreux", "CIO", "28", needs=["orientation", "training_search"]
        )
        accounts.create_user("camille@ml.example.org", PASSWORD, "Camille Roux", "advisor", ml)
        accounts.register_individual("lea@example.org", PASSWORD, "Léa Martin")
        db.session.commit()


@pytest.fixture
def opened(browser: Browser, browser_context_args):
    contexts = []

    def new_page(width: int) -> Page:
        context = browser.new_context(
            **browser_context_args,
            viewport={"width": width, "height": 800},
            permissions=["clipboard-read", "clipboard-write"],
        )
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def _check(page: Page, width: int) -> None:
    """Accessible, and nothing wider than the screen."""
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _focus_ring_contrast(page: Page, selector: str) -> float:
    """The best contrast of the focus ring's colours (outline, box-shadow) with the
    background behind the focused element."""
    page.locator(selector).first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so that :focus-visible applies
    ring = page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          let node = el.parentElement, bg = "rgba(0, 0, 0, 0)";
          while (node && (bg === "rgba(0, 0, 0, 0)" || bg === "transparent")) {
            bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
          }
          return {outline: style.outlineColor, style: style.outlineStyle,
                  shadow: style.boxShadow, background: bg};
        }"""
    )
    assert ring["style"] == "solid"
    colours = [ring["outline"], *re.findall(r"rgba?\([^)]*\)", ring["shadow"])]
    return max(_contrast(c, ring["background"]) for c in colours)


def _login(page: Page, email: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("width", [320, 1280])
def test_prepare_an_appointment_show_the_qr_again_and_record_a_reception(
    network, opened, base_url: str, width: int
):
    holder = opened(width)
    holder.goto(base_url + "/connexion")
    _login(holder, "lea@example.org")
    holder.goto(base_url + "/partages/nouveau")
    _check(holder, width)

    # Step 1: the purpose, in plain words.
    holder.get_by_role("link", name="Préparer un rendez-vous").click()
    # Step 2: the structure, with what it does.
    expect(holder.get_by_text("Étape 2 sur 3")).to_be_visible()
    expect(holder.get_by_text("Accompagne les 16-25 ans")).to_be_visible()
    _check(holder, width)
    holder.get_by_role("link", name="Choisir Mission locale de Dreux").click()
    # Step 3: everything is filled in; the holder only confirms.
    expect(holder.get_by_text("Étape 3 sur 3")).to_be_visible()
    expect(holder.get_by_label("Consulter et ajouter", exact=True)).to_be_checked()
    expect(holder.get_by_label("Durée de validité, en jours")).to_have_value("7")
    _check(holder, width)
    holder.get_by_role("button", name="Créer le lien").click()

    expect(holder.get_by_role("heading", level=1)).to_have_text("Votre lien de partage est prêt")
    expect(holder.get_by_role("img", name="Code QR du lien de partage")).to_be_visible()
    link = holder.get_by_label("Lien de partage").input_value()
    assert "/s/" in link
    _check(holder, width)
    # The copy button exists with the script, and says what it did.
    holder.get_by_role("button", name="Copier le lien").click()
    expect(holder.locator("#share-url-status")).to_have_text(
        re.compile("Lien copié.|La copie a échoué")
    )
    share_page = holder.url

    # Later, at the desk: the link and its QR code again, from the list.
    holder.goto(base_url + "/partages")
    _check(holder, width)
    holder.get_by_role("link", name=re.compile("^Afficher le lien et le code QR")).click()
    expect(holder).to_have_url(share_page)
    expect(holder.get_by_role("img", name="Code QR du lien de partage")).to_be_visible()
    assert holder.get_by_label("Lien de partage").input_value() == link
    _check(holder, width)
    image = holder.get_by_role("img", name="Code QR du lien de partage")
    modules = image.evaluate("img => img.naturalWidth") / QR_SCALE
    qr = image.bounding_box()
    # big enough on a phone screen: 4 CSS px (8 device px or more) per module
    assert qr and qr["width"] >= 4 * modules
    holder.emulate_media(media="print")
    printed = holder.get_by_role("img", name="Code QR du lien de partage").bounding_box()
    assert printed and abs(printed["width"] - SIX_CM) < 2
    holder.emulate_media(media="screen")

    # The Mission locale's advisor opens the link and records the first reception at once.
    advisor = opened(width)
    advisor.goto(link)
    _login(advisor, "camille@ml.example.org")
    expect(advisor).to_have_url(re.compile(r"/espace/partages/\d+$"))
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Léa Martin")
    _check(advisor, width)
    advisor.get_by_role("link", name="Enregistrer un premier accueil").click()
    _check(advisor, width)
    advisor.get_by_label("Date de l'accueil").fill("2026-05-20")
    advisor.get_by_label("Job d'été").check()
    advisor.get_by_role("button", name="Enregistrer l'accueil").click()
    expect(advisor.get_by_text("Accueil enregistré dans le passeport")).to_be_visible()
    _check(advisor, width)

    # The focus ring keeps 3:1 on the teal header and on the page.
    assert _focus_ring_contrast(holder, ".site-header a") >= 3
    assert _focus_ring_contrast(holder, "main a") >= 3

    # The holder sends the link to the structure's own address, from the same page.
    holder.goto(share_page)
    holder.get_by_role("button", name="Envoyer le lien à la Mission locale de Dreux").click()
    expect(holder.get_by_text("Le lien a été envoyé à la Mission locale de Dreux")).to_be_visible()
    _check(holder, width)
