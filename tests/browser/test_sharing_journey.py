"""Issues 3 and 9 in real Chromium: a holder shares, advisors open, write, refer; the
receiving advisor sees the inbox badge; the holder sees the visits, then revokes.

Three browser contexts (holder, Mission locale advisor, CIO advisor); axe-core checks every
page visited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from passport.accounts import services as accounts
from passport.extensions import db
from passport.notifications import queue
from passport.structures import services as structures
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.mailbox import outbox, text_of

pytestmark = pytest.mark.browser


@pytest.fixture
def network(live_app):
    """The Dreux network's two structures, their advisors and a holder, committed."""
    with live_app.app_context():
        ml = structures.add_structure(
            "ML28", "Mission locale de Dreux", "ML", "28", needs=["job_search", "summer_job"]
        )
        cio = structures.add_structure(
            "CIO28", "CIO de Dreux", "CIO", "28", needs=["orientation", "training_search"]
        )
        accounts.create_user("camille@ml.example.org", PASSWORD, "Camille Roux", "advisor", ml)
        accounts.create_user("sami@cio.example.org", PASSWORD, "Sami Benali", "advisor", cio)
        accounts.register_individual("lea@example.org", PASSWORD, "Léa Martin")
        db.session.commit()


@pytest.fixture
def contexts(browser: Browser, browser_context_args):
    opened = []

    def new_page() -> Page:
        context = browser.new_context(**browser_context_args)
        opened.append(context)
        return context.new_page()

    yield new_page
    for context in opened:
        context.close()


def _login(page: Page, email: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _create_share(page: Page, base_url: str, *, passcode: str | None, single_use: bool) -> str:
    page.goto(base_url + "/partages/nouveau")
    assert_accessible(page)
    page.get_by_role("link", name="Personnalisé").click()
    assert_accessible(page)
    page.get_by_label("Consulter et ajouter", exact=True).check()
    if passcode:
        page.get_by_label("Structure destinataire").select_option("ML28")
        page.get_by_label("Code d'accès (facultatif)").fill(passcode)
        page.get_by_label("Nom du partage (facultatif)").fill("Mission locale, 3 juin")
    if single_use:
        page.get_by_label("Lien à usage unique").check()
    page.get_by_label("Durée de validité, en jours").fill("30")
    page.get_by_role("button", name="Créer le lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre lien de partage est prêt")
    expect(
        page.get_by_text("afficher le lien et le code QR tant que le partage est actif")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Code QR du lien de partage")).to_be_visible()
    assert_accessible(page)
    url = page.get_by_label("Lien de partage").input_value()
    assert "/s/" in url
    return url


def test_share_open_write_refer_revoke(live_app, network, contexts, base_url: str):
    holder = contexts()
    holder.goto(base_url + "/connexion")
    _login(holder, "lea@example.org")
    holder.get_by_role("link", name="Mes partages").click()
    expect(
        holder.get_by_text("Vous n'avez encore partagé votre passeport avec personne.")
    ).to_be_visible()
    assert_accessible(holder)

    # Errors show next to the fields.
    holder.goto(base_url + "/partages/nouveau?objet=personnalise")
    holder.get_by_label("Durée de validité, en jours").fill("200")
    holder.get_by_role("button", name="Créer le lien").click()
    expect(holder.locator("#expires_in_days-error")).to_contain_text("1 à 90 jours")
    assert_accessible(holder)

    link = _create_share(holder, base_url, passcode="soleil-28", single_use=False)
    holder.get_by_role("link", name="Retour à mes partages").click()
    expect(holder.get_by_role("heading", name="Mission locale, 3 juin")).to_be_visible()
    assert_accessible(holder)

    # The Mission locale's advisor opens the link: login first, then the passcode.
    advisor = contexts()
    advisor.goto(link)
    expect(advisor).to_have_url(re.compile(r"/connexion\?next=(%2F|/)s(%2F|/)reprendre$"))
    assert link.rsplit("/", 1)[1] not in advisor.url
    assert_accessible(advisor)
    _login(advisor, "camille@ml.example.org")
    expect(advisor).to_have_url(re.compile(r"/s/reprendre$"))
    assert_accessible(advisor)
    advisor.get_by_label("Code d'accès").fill("pas-le-bon")
    advisor.get_by_role("button", name="Ouvrir le passeport").click()
    expect(advisor.locator("#passcode-error")).to_contain_text("Il reste 9 essais")
    assert_accessible(advisor)
    advisor.get_by_label("Code d'accès").fill("soleil-28")
    advisor.get_by_role("button", name="Ouvrir le passeport").click()
    expect(advisor).to_have_url(re.compile(r"/espace/partages/\d+$"))
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Léa Martin")
    assert_accessible(advisor)
    passport_url = advisor.url

    # A first reception.
    advisor.get_by_role("link", name="Enregistrer un premier accueil").click()
    assert_accessible(advisor)
    advisor.get_by_role("button", name="Enregistrer l'accueil").click()
    expect(advisor.locator("#needs-error")).to_contain_text("Cochez au moins un besoin.")
    assert_accessible(advisor)
    advisor.get_by_label("Date de l'accueil").fill("2026-05-20")
    advisor.get_by_label("Situation de la personne").select_option("student")
    advisor.get_by_label("Job d'été").check()
    advisor.get_by_label("Orientation", exact=True).check()
    advisor.get_by_label("Suite donnée").select_option("referred")
    advisor.get_by_label("Résumé de l'échange (facultatif)").fill("Cherche un job d'été.")
    advisor.get_by_role("button", name="Enregistrer l'accueil").click()
    expect(advisor.get_by_text("Accueil enregistré dans le passeport")).to_be_visible()
    expect(advisor.get_by_text("Signé par Mission locale de Dreux").first).to_be_visible()
    assert_accessible(advisor)

    # A referral to the CIO: the structures covering the needs come first.
    advisor.get_by_role("link", name="Orienter vers une structure").click()
    assert_accessible(advisor)
    advisor.get_by_label("Orientation", exact=True).check()
    advisor.get_by_role("button", name="Actualiser la liste des structures").click()
    expect(advisor.locator("optgroup[label='Répondent aux besoins cochés']")).to_have_count(1)
    assert_accessible(advisor)
    advisor.get_by_label("Structure destinataire").select_option("CIO28")
    advisor.get_by_label("Message pour la structure (facultatif)").fill("Bilan d'orientation")
    advisor.get_by_role("button", name="Envoyer la fiche navette").click()
    expect(advisor.get_by_text("Fiche navette envoyée")).to_be_visible()
    expect(advisor.get_by_role("heading", name="Orientation vers CIO de Dreux")).to_be_visible()
    advisor.get_by_role("link", name="Orientations envoyées").first.click()
    expect(advisor.get_by_text("Envoyée à CIO de Dreux")).to_be_visible()
    assert_accessible(advisor)
    advisor.get_by_role("link", name="Espace conseiller").first.click()
    expect(advisor.get_by_text("Ouvert dans cette session").first).to_be_visible()
    assert_accessible(advisor)

    # The worker mails the CIO (it has no referral address: its advisor).
    queue.run_burst(live_app)
    [mail] = [m for m in outbox(live_app) if m["To"] == "sami@cio.example.org"]
    assert "Mission locale de Dreux" in text_of(mail) and link.rsplit("/", 1)[1] not in str(mail)

    # The CIO's advisor sees the badge of the inbox, and handles it from there.
    cio = contexts()
    cio.goto(base_url + "/connexion")
    _login(cio, "sami@cio.example.org")
    menu = cio.get_by_role("navigation", name="Menu principal")
    inbox_link = menu.get_by_role("link", name=re.compile("^Orientations reçues"))
    expect(inbox_link.locator(".count")).to_have_text("1 nouvelle")
    expect(inbox_link).to_have_accessible_name("Orientations reçues 1 nouvelle")
    assert_accessible(cio)
    inbox_link.click()
    expect(cio.get_by_text("Bilan d'orientation")).to_be_visible()
    assert_accessible(cio)
    cio.get_by_label("Note (facultative)").fill("Dossier reçu")
    cio.get_by_role("button", name="Marquer comme reçue").click()
    expect(cio.get_by_text("Orientation passée à « Reçue ».")).to_be_visible()
    expect(inbox_link.locator(".count")).to_have_count(0)  # nothing new waits any more
    assert_accessible(cio)
    cio.get_by_role("button", name="Décliner…").click()
    expect(cio.get_by_role("heading", name="Décliner cette orientation ?")).to_be_visible()
    assert_accessible(cio)
    cio.get_by_role("link", name="Annuler").click()
    assert_accessible(cio)
    cio.get_by_role("button", name="Fixer le rendez-vous…").click()
    expect(cio.get_by_role("heading", name="Fixer un rendez-vous")).to_be_visible()
    assert_accessible(cio)
    cio.get_by_label("Date du rendez-vous").fill((date.today() + timedelta(days=7)).isoformat())
    cio.get_by_label("Heure").fill("10:00")
    cio.get_by_label("Lieu (facultatif)").fill("CIO de Dreux, 2 rue de Chartres")
    cio.get_by_label("Contact (facultatif)").fill("Accueil du CIO, 02 37 00 00 00")
    cio.get_by_role("button", name="Enregistrer le rendez-vous").click()
    expect(cio.get_by_text("Orientation passée à « Rendez-vous fixé ».")).to_be_visible()
    cio.get_by_label("Filtrer par état").select_option("appointment")
    cio.get_by_role("button", name="Filtrer").click()
    expect(cio.get_by_role("link", name="Léa Martin")).to_be_visible()
    assert_accessible(cio)

    # The holder sees who came and what happened, visit by visit (the worker grouped them).
    queue.run_burst(live_app)
    holder.goto(base_url + "/partages")
    expect(holder.get_by_text("nouveaux accès à votre passeport")).to_be_visible()
    assert_accessible(holder)
    holder.get_by_role("link", name="Qui a consulté").first.click()
    visit = holder.locator("li.access", has_text="La Mission locale de Dreux (Camille R.)")
    expect(visit).to_contain_text(
        re.compile(
            r"a consulté votre passeport \(.+\), "
            r"ajouté un premier accueil et envoyé une fiche navette\."
        )
    )
    expect(visit).to_contain_text("1 tentative a été refusée (code d'accès faux).")
    expect(
        holder.get_by_text(
            "Le CIO de Dreux (Sami B.) a mis à jour votre fiche navette "
            "(« Reçue », puis « Rendez-vous fixé »)."
        )
    ).to_be_visible()
    visit.get_by_text(re.compile("^Le détail")).click()
    expect(visit.get_by_text("raison : code d'accès faux")).to_be_visible()
    assert_accessible(holder)
    holder.goto(base_url + "/passeport/orientations")
    expect(holder.get_by_text("Rendez-vous fixé").first).to_be_visible()
    expect(holder.get_by_text("CIO de Dreux, 2 rue de Chartres").first).to_be_visible()
    assert_accessible(holder)
    with holder.expect_download() as download:
        holder.get_by_role("link", name=re.compile("Ajouter à mon agenda")).first.click()
    ics = Path(download.value.path()).read_text()
    assert "BEGIN:VEVENT" in ics and "CIO de Dreux" in ics
    holder.goto(base_url + "/partages")
    holder.get_by_role("link", name=re.compile("^Révoquer")).click()
    expect(holder.get_by_role("heading", name="Révoquer ce partage ?")).to_be_visible()
    assert_accessible(holder)
    holder.get_by_role("button", name="Oui, révoquer le partage").click()
    expect(holder.get_by_text("Le partage est révoqué")).to_be_visible()
    assert_accessible(holder)

    # The link and the session's page answer 410.
    response = advisor.goto(link)
    assert response.status == 410
    expect(advisor.get_by_role("heading", name="Ce lien a été révoqué")).to_be_visible()
    assert_accessible(advisor)
    response = advisor.goto(passport_url)
    assert response.status == 410
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in response.headers["cache-control"]


def test_single_use_link_opens_after_a_confirmation(network, contexts, base_url: str):
    holder = contexts()
    holder.goto(base_url + "/connexion")
    _login(holder, "lea@example.org")
    link = _create_share(holder, base_url, passcode=None, single_use=True)

    advisor = contexts()
    advisor.goto(base_url + "/connexion")
    _login(advisor, "camille@ml.example.org")
    advisor.goto(link)
    expect(advisor.get_by_role("heading", level=1)).to_have_text(
        "Ouvrir le passeport de Léa Martin ?"
    )
    expect(advisor.get_by_text("Ce lien ne servira qu'une fois")).to_be_visible()
    assert_accessible(advisor)
    advisor.reload()  # a reload uses nothing
    advisor.get_by_role("button", name="Ouvrir le passeport (une seule fois)").click()
    expect(advisor).to_have_url(re.compile(r"/espace/partages/\d+$"))
    assert_accessible(advisor)
    response = advisor.goto(link)
    assert response.status == 410
    expect(advisor.get_by_role("heading", name="Ce lien a déjà servi")).to_be_visible()
    assert_accessible(advisor)

    holder.goto(base_url + "/partages")
    expect(holder.get_by_text("Déjà utilisé")).to_be_visible()
    assert_accessible(holder)
