"""Issue 11, items 1 and 2 in the holder's pages: share by purpose, the link again, the mail
to the structure. Without JavaScript: links, GET filters and ordinary forms."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import text as sql

from passport.db import utcnow
from passport.extensions import db
from passport.notifications.models import OutgoingMail
from passport.passports import services as passports
from passport.sharing import services as sharing
from passport.sharing.limits import SHARE_MAIL_RATE
from passport.sharing.models import ShareLink
from tests import factories
from tests.mailbox import burst, outbox, text_of
from tests.sharing_web.helpers import (
    assert_inputs_labelled,
    assert_private,
    create_share,
    share_row,
    text,
)
from tests.web import login, submit

APPOINTMENT = "/partages/nouveau?objet=rendez-vous&structure=ML28"


@pytest.fixture
def directory(network):
    """The Mission locale has an address and says what it does; the CIO has no address."""
    ml = network["ml"]
    ml.email = "accueil@ml-dreux.example.org"
    ml.description = "Accompagne les 16-25 ans vers l'emploi et la formation."
    ml.city = "Dreux"
    db.session.commit()
    return network


def _checked(page: str, name: str) -> set[str]:
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return {re.search(r'value="([^"]*)"', i).group(1) for i in inputs if "checked" in i}


def _value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_the_share_page_starts_with_the_purpose_in_plain_words(client, holder, directory):
    page = text(client.get("/partages/nouveau"))
    assert "Pourquoi partagez-vous votre passeport ?" in page
    for title, code in [
        ("Préparer un rendez-vous", "rendez-vous"),
        ("Montrer mon parcours", "parcours"),
        ("Permettre un dépôt", "depot"),
        ("Personnalisé", "personnalise"),
    ]:
        assert title in page and f'href="/partages/nouveau?objet={code}"' in page
    assert "<form" not in page.split('<main id="main"', 1)[1].split("</main>")[0]


def test_an_appointment_picks_the_structure_first(client, holder, directory):
    r = client.get("/partages/nouveau?objet=rendez-vous")
    assert r.status_code == 302 and r.headers["Location"].endswith("/partages/nouveau/structure")
    picker = text(client.get("/partages/nouveau/structure"))
    assert "Étape 2 sur 3" in picker
    # what each structure does: its description and the needs it covers
    assert "Accompagne les 16-25 ans vers l'emploi et la formation." in picker
    assert "Recherche d'emploi" in picker and "Orientation" in picker
    raw = client.get("/partages/nouveau/structure").get_data(as_text=True)
    assert 'href="/partages/nouveau?objet=rendez-vous&amp;structure=ML28"' in raw
    assert_inputs_labelled(picker)
    # filters are a GET form: by need, by words
    by_need = text(client.get("/partages/nouveau/structure?besoin=orientation"))
    assert "CIO de Dreux" in by_need and "Mission locale de Dreux" not in by_need
    by_words = text(client.get("/partages/nouveau/structure?q=dreux+16-25"))
    assert "Aucune structure ne correspond" in by_words
    assert "Mission locale de Dreux" in text(client.get("/partages/nouveau/structure?q=mission"))


def test_an_appointment_fills_sensible_defaults(client, holder, directory):
    page = text(client.get(APPOINTMENT))
    assert "Étape 3 sur 3" in page
    assert _checked(page, "sections") == {"profile", "receptions", "referrals"}
    assert _checked(page, "permissions") == {"both"}
    assert _value(page, "expires_in_days") == "7"
    assert _value(page, "structure") == "ML28" and _value(page, "purpose") == "rendez-vous"
    assert _value(page, "label") == "Rendez-vous à la Mission locale de Dreux"
    assert "Choisir une autre structure" in page
    assert_inputs_labelled(page)


def test_creating_an_appointment_share_in_three_steps(client, holder, directory, app):
    page = text(client.get(APPOINTMENT))
    data = {
        "purpose": "rendez-vous",
        "structure": "ML28",
        "sections": ["profile", "receptions", "referrals"],
        "permissions": "both",
        "expires_in_days": "7",
        "label": _value(page, "label"),
    }
    r = submit(client, "/partages/nouveau", data, form_url=APPOINTMENT)
    assert r.status_code == 302
    share_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    share = share_row(share_id)
    assert share.permissions == ["read", "append"] and share.structure.code == "ML28"
    assert share.sections == ["profile", "receptions", "referrals"]
    assert (share.expires_at - share.created_at) == timedelta(days=7)
    assert share.label == "Rendez-vous à la Mission locale de Dreux"


def test_the_holder_can_still_change_the_defaults(client, holder, directory):
    data = {
        "purpose": "rendez-vous",
        "structure": "CIO28",
        "sections": ["trainings"],
        "permissions": "read",
        "expires_in_days": "3",
    }
    r = submit(client, "/partages/nouveau", data, form_url=APPOINTMENT)
    share = share_row(int(r.headers["Location"].rsplit("/", 1)[1]))
    assert share.sections == ["trainings"] and share.permissions == ["read"]
    assert share.structure.code == "CIO28"
    assert (share.expires_at - share.created_at) == timedelta(days=3)


def test_an_appointment_needs_a_structure(client, holder, directory):
    data = {
        "purpose": "rendez-vous",
        "structure": "",
        "sections": ["profile"],
        "permissions": "both",
        "expires_in_days": "7",
    }
    r = submit(client, "/partages/nouveau", data, form_url=APPOINTMENT)
    assert r.status_code == 422
    page = text(r)
    assert (
        'id="structure-error"' in page and "Choisissez la structure de votre rendez-vous." in page
    )
    assert "Choisir la structure" in page
    assert db.session.execute(db.select(ShareLink)).first() is None


@pytest.mark.parametrize(
    ("code", "sections", "permission", "days"),
    [
        ("parcours", {"profile", "receptions", "referrals", "trainings"}, "read", "30"),
        ("depot", {"receptions", "referrals", "trainings"}, "append", "30"),
        ("personnalise", {"profile", "receptions", "referrals", "trainings"}, "read", "30"),
    ],
)
def test_each_purpose_has_its_defaults(client, holder, directory, code, sections, permission, days):
    page = text(client.get(f"/partages/nouveau?objet={code}"))
    assert "Étape 2 sur 2" in page
    assert _checked(page, "sections") == sections
    assert _checked(page, "permissions") == {permission}
    assert _value(page, "expires_in_days") == days
    assert re.search(r'<select[^>]*id="structure"', page)


def test_the_finder_keeps_its_structure_through_the_purpose(client, holder, directory):
    page = text(client.get("/partages/nouveau?structure=ml28"))
    assert "Avec Mission locale de Dreux." in page
    assert 'href="/partages/nouveau?objet=parcours&structure=ML28"' in page
    form = text(client.get("/partages/nouveau?objet=parcours&structure=ML28"))
    assert re.search(r'<option[^>]*selected[^>]*value="ML28"|value="ML28"[^>]*selected', form)


# ------------------------------------------------------------------ the link again


def test_the_token_is_kept_encrypted_and_erased_on_revocation(client, holder, directory):
    share_id, token = create_share(client, structure="ML28")
    stored = db.session.execute(
        sql("SELECT sealed_token FROM share_links WHERE id = :id"), {"id": share_id}
    ).scalar_one()
    assert stored.startswith("enc1:") and token not in stored
    assert share_row(share_id).sealed_token == token  # read through the keyring
    submit(client, f"/partages/{share_id}/revoquer", {})
    stored = db.session.execute(
        sql("SELECT sealed_token FROM share_links WHERE id = :id"), {"id": share_id}
    ).scalar_one()
    assert stored is None
    page = text(client.get(f"/partages/{share_id}"))
    assert token not in page and "n'est plus actif" in page


def test_a_share_made_before_links_were_kept_says_so(client, holder, directory):
    new = sharing.create_share(
        passports.passport_of(holder), sections=["cpf"], permissions=["read"], expires_in_days=5
    )
    new.share.sealed_token = None  # as a share made before the migration
    db.session.commit()
    page = text(client.get(f"/partages/{new.share.id}"))
    assert "Lien affiché une seule fois, à sa création." in page
    assert 'id="share-url"' not in page and new.token not in page


def test_a_suspended_or_expired_share_shows_no_link(client, holder, directory):
    share_id, token = create_share(client)
    submit(client, f"/partages/{share_id}/suspendre", {}, form_url="/partages")
    page = text(client.get(f"/partages/{share_id}"))
    assert token not in page and "Reprenez-le pour afficher de nouveau" in page
    submit(client, f"/partages/{share_id}/reprendre", {}, form_url="/partages")
    assert token in text(client.get(f"/partages/{share_id}"))
    share = share_row(share_id)
    share.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert token not in text(client.get(f"/partages/{share_id}"))


def test_the_detail_page_has_the_copy_button_the_qr_and_print_css(client, holder, directory):
    share_id, token = create_share(client, structure="ML28")
    response = client.get(f"/partages/{share_id}")
    assert_private(response)  # no-store, no-referrer: the page holds the link
    page = response.get_data(as_text=True)
    assert re.search(r'<button type="button"[^>]*data-copy="share-url"[^>]*hidden', page)
    assert '<script src="/static/share.js" defer></script>' in page
    assert "<script>" not in page and "style=" not in page
    assert 'class="qr qr--desk"' in page and re.search(r'width="(24[5-9]|2[5-9]\d)"', page)
    with client.get("/static/share.js") as script:
        assert script.status_code == 200 and "data-copy" in script.get_data(as_text=True)
    with client.get("/static/print.css") as style:
        css = style.get_data(as_text=True)
    assert ".qr--desk img { width: 6cm; height: 6cm; }" in css


# ------------------------------------------------------------------ the mail to the structure


def test_the_link_goes_by_mail_to_the_structure_address_only(
    app, client, runner, holder, directory, caplog
):
    caplog.set_level(logging.DEBUG)
    share_id, token = create_share(client, structure="ML28")
    page = text(client.get(f"/partages/{share_id}"))
    assert "Envoyer le lien à la Mission locale de Dreux" in page
    assert "accueil@ml-dreux.example.org" in page
    r = submit(client, f"/partages/{share_id}/envoyer", {}, form_url=f"/partages/{share_id}")
    assert r.status_code == 302
    assert "Le lien a été envoyé à la Mission locale de Dreux" in text(
        client.get(r.headers["Location"])
    )
    mails = db.session.execute(db.select(OutgoingMail)).scalars().all()
    assert [m.to_address for m in mails] == ["accueil@ml-dreux.example.org"]
    assert token not in mails[0].subject
    stored = db.session.execute(sql("SELECT text_body FROM outgoing_mails")).scalar_one()
    assert token not in stored  # encrypted at rest, like every mail
    burst(runner)
    (message,) = outbox(app)
    assert message["To"] == "accueil@ml-dreux.example.org"
    assert f"/s/{token}" in text_of(message) and "Léa Martin" in text_of(message)
    assert token not in caplog.text


def test_no_mail_button_without_an_address_nor_for_any_structure(client, holder, directory):
    share_id, _token = create_share(client, structure="CIO28")
    page = text(client.get(f"/partages/{share_id}"))
    assert "Envoyer le lien" not in page and "ne donne pas d'adresse e-mail" in page
    r = submit(client, f"/partages/{share_id}/envoyer", {}, form_url=f"/partages/{share_id}")
    assert r.status_code == 302
    assert db.session.execute(db.select(OutgoingMail)).first() is None
    any_id, _token = create_share(client, structure="")
    assert "Envoyer le lien" not in text(client.get(f"/partages/{any_id}"))


def test_mailing_the_link_is_rate_limited(client, holder, directory):
    per_hour = int(SHARE_MAIL_RATE.split(" ", 1)[0])
    share_id, _token = create_share(client, structure="ML28")
    form = f"/partages/{share_id}"
    for _ in range(per_hour):
        assert submit(client, f"/partages/{share_id}/envoyer", {}, form_url=form).status_code == 302
    assert submit(client, f"/partages/{share_id}/envoyer", {}, form_url=form).status_code == 429


def test_another_holder_cannot_mail_my_link(client, holder, directory, app):
    share_id, _token = create_share(client, structure="ML28")
    other = app.test_client()
    factories.holder("paul@example.org", name="Paul Durand")
    login(other, "paul@example.org")
    r = submit(other, f"/partages/{share_id}/envoyer", {}, form_url="/partages")
    assert r.status_code == 404
    assert db.session.execute(db.select(OutgoingMail)).first() is None
