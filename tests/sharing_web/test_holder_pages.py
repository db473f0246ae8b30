"""The holder's sharing pages: list, creation, the link shown once, revoke, suspend, resume."""

from __future__ import annotations

import re

import pytest

from passport.extensions import db
from passport.passports import services as passports
from passport.sharing import services as sharing
from tests import factories
from tests.sharing_web.helpers import (
    CUSTOM_FORM,
    assert_inputs_labelled,
    assert_private,
    create_share,
    share_row,
    text,
)
from tests.web import login, submit

HOLDER_PAGES = [
    "/partages",
    "/partages/nouveau",
    CUSTOM_FORM,
    "/partages/nouveau/structure",
    "/partages/historique",
]


@pytest.mark.parametrize("url", HOLDER_PAGES)
def test_holder_pages_render_and_are_private(client, holder, url):
    r = client.get(url)
    assert r.status_code == 200
    assert_private(r)
    assert 'lang="fr"' in r.get_data(as_text=True)


@pytest.mark.parametrize("url", HOLDER_PAGES)
def test_anonymous_is_sent_to_login(client, ctx, url):
    r = client.get(url)
    assert r.status_code == 302
    assert "/connexion" in r.headers["Location"]


@pytest.mark.parametrize("url", HOLDER_PAGES)
def test_staff_cannot_see_holder_pages(advisor_client, url):
    assert advisor_client.get(url).status_code == 403


def test_empty_state_invites_to_share(client, holder):
    page = text(client.get("/partages"))
    assert "Vous n'avez encore partagé votre passeport avec personne." in page
    assert 'href="/partages/nouveau"' in page


def test_form_explains_permissions_and_lists_the_directory(client, holder, network):
    page = client.get(CUSTOM_FORM).get_data(as_text=True)
    assert "La structure peut consulter les parties choisies de votre passeport." in page
    assert "sans rien voir de votre passeport" in page
    assert "Toute structure du SPRO" in page
    assert "Mission locale de Dreux" in page and "CIO de Dreux" in page
    # every input has a label; the checkboxes sit in a fieldset with a legend
    assert_inputs_labelled(page)
    assert "<legend>Parties du passeport à partager</legend>" in page


def test_create_share_then_the_link_is_shown_again_while_active(client, holder, network):
    r = submit(
        client,
        "/partages/nouveau",
        {
            "sections": ["profile", "trainings"],
            "permissions": "read",
            "structure": "ML28",
            "expires_in_days": "7",
            "passcode": "soleil-28",
            "single_use": "y",
            "label": "Rendez-vous du 3 juin",
        },
        form_url=CUSTOM_FORM,
    )
    assert r.status_code == 302
    location = r.headers["Location"]
    share_id = int(location.rstrip("/").split("/")[-1])
    first = client.get(location)
    assert first.status_code == 200
    assert_private(first)
    page = text(first)
    assert "Votre lien de partage est prêt" in page
    match = re.search(r'id="share-url"[^>]*value="([^"]+)"', page)
    assert match and "/s/" in match.group(1)
    token = match.group(1).rsplit("/s/", 1)[1]
    assert "readonly" in page and '<label class="field__label" for="share-url">' in page
    assert '<img src="data:image/svg+xml' in page and 'alt="Code QR du lien de partage"' in page
    share = share_row(share_id)
    assert share.sections == ["profile", "trainings"] and share.permissions == ["read"]
    assert share.structure.code == "ML28" and share.single_use and share.passcode_hash
    assert share.label == "Rendez-vous du 3 juin"
    assert token not in share.token_hash
    # Again later, from the list: the same link and its QR code.
    listing = text(client.get("/partages"))
    assert f'href="/partages/{share_id}"' in listing and "Afficher le lien et le code QR" in listing
    again = text(client.get(f"/partages/{share_id}"))
    assert token in again and "Votre lien de partage est prêt" not in again
    assert "Rendez-vous du 3 juin" in again
    assert (
        client.get(f"/partages/{share_id}/lien")
        .headers["Location"]
        .endswith(f"/partages/{share_id}")
    )


def test_the_list_shows_state_audience_sections_and_uses(client, holder, network):
    share_id, _token = create_share(
        client, structure="CIO28", label="Pour le CIO", sections=["cpf"]
    )
    page = client.get("/partages").get_data(as_text=True)
    assert "Pour le CIO" in page and "CIO de Dreux" in page
    assert 'class="status status--active">Actif<' in page
    assert "Consulter et ajouter" in page and ">CPF<" in page
    assert "Utilisations" in page


def test_form_errors_are_next_to_the_fields(client, holder):
    r = submit(
        client,
        "/partages/nouveau",
        {"permissions": "read", "structure": "NOPE", "expires_in_days": "200", "passcode": "ab"},
        form_url=CUSTOM_FORM,
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="sections-error"' in page and "Choisissez au moins une partie" in page
    assert 'id="expires_in_days-error"' in page and "La durée va de 1 à 90 jours." in page
    assert 'id="passcode-error"' in page
    assert 'id="structure-error"' in page
    assert 'aria-invalid="true"' in page
    assert sharing.shares_of(passports.passport_of(holder)) == []


def test_suspend_resume_and_revoke_with_confirmation(client, holder, network):
    share_id, token = create_share(client)
    r = submit(client, f"/partages/{share_id}/suspendre", {}, form_url="/partages")
    assert r.status_code == 302
    assert share_row(share_id).suspended_at is not None
    assert 'status--suspended">Suspendu<' in client.get("/partages").get_data(as_text=True)
    r = submit(client, f"/partages/{share_id}/reprendre", {}, form_url="/partages")
    assert r.status_code == 302
    assert share_row(share_id).suspended_at is None
    # Revoking asks first; the GET changes nothing.
    confirm = client.get(f"/partages/{share_id}/revoquer")
    assert confirm.status_code == 200
    assert "Révoquer ce partage ?" in confirm.get_data(as_text=True)
    assert share_row(share_id).revoked_at is None
    assert share_row(share_id).sealed_token == token  # kept while the share may open
    r = submit(client, f"/partages/{share_id}/revoquer", {})
    assert r.status_code == 302
    assert share_row(share_id).revoked_at is not None
    assert share_row(share_id).sealed_token is None  # its kept token goes with it
    assert 'status--revoked">Révoqué<' in client.get("/partages").get_data(as_text=True)


def test_suspend_needs_the_csrf_token(client, holder, network):
    share_id, _token = create_share(client)
    assert client.post(f"/partages/{share_id}/suspendre").status_code == 400
    assert share_row(share_id).suspended_at is None


def test_another_holders_share_is_not_found(client, holder, app, network):
    share_id, _token = create_share(client)
    other = app.test_client()
    factories.holder("paul@example.org", name="Paul Durand")
    login(other, "paul@example.org")
    assert other.get(f"/partages/{share_id}/revoquer").status_code == 404
    assert other.get(f"/partages/{share_id}/lien").status_code == 404
    assert other.get(f"/partages/{share_id}").status_code == 404
    assert submit(other, f"/partages/{share_id}/envoyer", {}, form_url="/partages").status_code in (
        404,
        400,
    )
    assert other.get("/partages/99999999999/revoquer").status_code == 404
    assert (
        submit(other, f"/partages/{share_id}/suspendre", {}, form_url="/partages").status_code
        == 404
    )
    assert share_row(share_id).suspended_at is None


def test_pagination_of_a_long_list(client, holder):
    passport = passports.passport_of(holder)
    for i in range(23):
        sharing.create_share(
            passport,
            sections=["cpf"],
            permissions=["read"],
            expires_in_days=3,
            label=f"Partage {i:02d}",
        )
    db.session.commit()
    first = client.get("/partages").get_data(as_text=True)
    assert "Partage 22" in first and "Partage 02" not in first
    assert 'aria-label="Pages des partages"' in first and "page=2" in first
    second = client.get("/partages?page=2").get_data(as_text=True)
    assert "Partage 02" in second and "Partage 22" not in second
    assert client.get("/partages?page=-4").status_code == 200
