"""The advisor's workspace: shared passports, forms under a share, who may see what."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from passport.extensions import db
from passport.passports.models import Reception, Referral, Training
from passport.sharing.models import AccessLogEntry
from tests import factories
from tests.sharing_web.helpers import (
    assert_inputs_labelled,
    assert_private,
    create_share,
    open_link,
    text,
)
from tests.web import login, submit

WORKSPACE_PAGES = ["/espace", "/espace/orientations", "/espace/orientations/envoyees"]
SHARE_PAGES = ["", "/accueil", "/orientation", "/formation"]


@pytest.mark.parametrize("url", WORKSPACE_PAGES)
def test_pages_render_for_staff_and_are_private(advisor_client, url):
    r = advisor_client.get(url)
    assert r.status_code == 200
    assert_private(r)
    assert_inputs_labelled(text(r))


@pytest.mark.parametrize("url", WORKSPACE_PAGES)
def test_structure_admin_sees_them_too(app, network, url):
    factories.staff("structure_admin", network["ml"], "admin@ml.example.org")
    c = app.test_client()
    login(c, "admin@ml.example.org")
    assert c.get(url).status_code == 200


@pytest.mark.parametrize("url", WORKSPACE_PAGES)
def test_holders_are_refused(client, holder, url):
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", WORKSPACE_PAGES)
def test_anonymous_goes_to_login(client, ctx, url):
    r = client.get(url)
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]


def test_coordinator_is_refused(app, ctx):
    factories.staff("coordinator", None, "coord@example.org")
    c = app.test_client()
    login(c, "coord@example.org")
    assert c.get("/espace").status_code == 403
    assert c.get("/espace/orientations").status_code == 403


def test_empty_states(advisor_client):
    page = text(advisor_client.get("/espace"))
    assert "Aucun lien ouvert pour l'instant." in page
    assert "Aucun partage actif n'est réservé à votre structure." in page
    page = text(advisor_client.get("/espace/orientations"))
    assert "Aucune orientation reçue pour l'instant." in page
    page = text(advisor_client.get("/espace/orientations/envoyees"))
    assert "Votre structure n'a envoyé aucune orientation." in page


def _opened(client, advisor_client, **share):
    share_id, token = create_share(client, **share)
    r = open_link(advisor_client, token, confirm=bool(share.get("single_use")))
    assert r.status_code == 302, text(r)[:500]
    return share_id


def test_shared_passport_shows_only_its_sections(client, holder, advisor_client, network):
    # The holder's own training, to be seen through the share.
    submit(client, "/passeport/formations/ajouter", {"title": "CAP Boulanger", "status": "planned"})
    submit(client, "/passeport/cpf", {"as_of": "2026-01-15", "balance_eur": "1840.50"})
    share_id = _opened(client, advisor_client, sections=["trainings"], permissions="read")
    page = text(advisor_client.get(f"/espace/partages/{share_id}"))
    assert "CAP Boulanger" in page
    assert "Déclaré par la personne, non signé" in page
    assert "1 840,50" not in page and "Relevé CPF" not in page  # cpf not shared
    assert "Léa Martin" not in page  # no profile: no name
    assert "Passeport n° " in page
    assert "Enregistrer un premier accueil" not in page  # read only
    # listed in this session, by number
    listing = text(advisor_client.get("/espace"))
    assert "Ouvert dans cette session" in listing and "Léa Martin" not in listing


def test_read_only_share_refuses_the_forms(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client, permissions="read")
    for form in ("accueil", "orientation", "formation"):
        r = advisor_client.get(f"/espace/partages/{share_id}/{form}")
        assert r.status_code == 403
        assert "Ce partage ne le permet pas" in text(r)
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/accueil",
        {"date": "2026-05-20", "channel": "in_person", "needs": ["job_search"]},
        form_url=f"/espace/partages/{share_id}",
    )
    assert r.status_code == 403
    assert db.session.execute(db.select(Reception)).first() is None


def test_append_only_share_shows_nothing_but_the_forms(client, holder, advisor_client, network):
    submit(client, "/passeport/formations/ajouter", {"title": "CAP Boulanger", "status": "planned"})
    share_id = _opened(
        client, advisor_client, permissions="append", sections=["profile", "trainings"]
    )
    r = advisor_client.get(f"/espace/partages/{share_id}")
    assert r.status_code == 200
    page = text(r)
    assert "CAP Boulanger" not in page and "Léa Martin" not in page
    assert "sans le consulter" in page
    assert "Enregistrer un premier accueil" in page
    actions = [e.action for e in db.session.execute(db.select(AccessLogEntry)).scalars()]
    assert "view" not in actions  # nothing was seen, nothing is logged as a consultation


def test_add_reception_referral_and_training(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client)
    form_page = advisor_client.get(f"/espace/partages/{share_id}/accueil")
    assert form_page.status_code == 200
    assert_private(form_page)
    page = text(form_page)
    assert_inputs_labelled(page)
    assert "Job d'été" in page and "Financement d'une formation" in page
    # errors next to fields
    r = submit(advisor_client, f"/espace/partages/{share_id}/accueil", {"date": "", "channel": "x"})
    assert r.status_code == 422
    page = text(r)
    assert 'id="needs-error"' in page and "Cochez au moins un besoin." in page
    assert 'id="date-error"' in page
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/accueil",
        {
            "date": "2026-05-20",
            "channel": "in_person",
            "situation": "jobseeker",
            "needs": ["summer_job", "training_search"],
            "outcome": "referred",
            "summary": "Cherche un job d'été puis une formation.",
        },
    )
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == f"/espace/partages/{share_id}"
    reception = db.session.execute(db.select(Reception)).scalar_one()
    assert reception.issuer_structure.code == "ML28" and reception.signature
    assert sorted(reception.needs) == ["summer_job", "training_search"]
    assert reception.issuer_advisor.full_name == "Camille Roux"

    # the referral form lists structures that cover the checked needs first
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/orientation",
        {"needs": ["orientation"], "refresh": "1", "message": "À revoir"},
    )
    assert r.status_code == 200
    page = text(r)
    assert '<optgroup label="Répondent aux besoins cochés">' in page
    assert page.index("CIO de Dreux") < page.index("Autres structures du SPRO")
    assert ">Mission locale de Dreux<" not in page  # not to itself
    assert "À revoir" in page  # the message is kept
    assert db.session.execute(db.select(Referral)).first() is None
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/orientation",
        {"needs": ["orientation"], "to_structure": "ML28"},
    )
    assert r.status_code == 422  # not a valid choice: the sender itself
    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/orientation",
        {"needs": ["orientation"], "to_structure": "CIO28", "message": "Projet d'orientation"},
    )
    assert r.status_code == 302
    referral = db.session.execute(db.select(Referral)).scalar_one()
    assert referral.to_structure.code == "CIO28" and referral.status == "sent"
    assert referral.message == "Projet d'orientation" and referral.signature

    r = submit(
        advisor_client,
        f"/espace/partages/{share_id}/formation",
        {"title": "Garantie jeunes", "status": "in_progress", "hours": "120"},
    )
    assert r.status_code == 302
    training = db.session.execute(db.select(Training)).scalar_one()
    assert training.is_attested and training.issuer_structure.code == "ML28"

    page = text(advisor_client.get(f"/espace/partages/{share_id}"))
    assert page.count("Signé par Mission locale de Dreux") == 3
    assert "Garantie jeunes" in page and "Orientation vers CIO de Dreux" in page
    actions = [e.action for e in db.session.execute(db.select(AccessLogEntry)).scalars()]
    assert actions.count("append") == 3


def test_shares_addressed_to_the_structure_are_listed(client, holder, advisor_client, network):
    open_id, _t1 = create_share(client, structure="ML28", label="ouvert")
    code_id, _t2 = create_share(client, structure="ML28", passcode="soleil-28")
    other_id, _t3 = create_share(client, structure="CIO28")
    page = text(advisor_client.get("/espace"))
    assert "Léa Martin" in page  # profile shared
    assert f'href="/espace/partages/{open_id}"' in page
    assert f'href="/espace/partages/{code_id}"' not in page
    assert "protégé par un code" in page
    assert f"/espace/partages/{other_id}" not in page
    # opening from the list works without the link; the protected one needs the link
    assert advisor_client.get(f"/espace/partages/{open_id}").status_code == 200
    r = advisor_client.get(f"/espace/partages/{code_id}")
    assert r.status_code == 403 and "Ouvrez d'abord le lien" in text(r)
    assert advisor_client.get(f"/espace/partages/{other_id}").status_code == 403
    assert advisor_client.get("/espace/partages/99999999999").status_code == 404


def test_revoked_share_stops_the_session_at_once(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client)
    assert advisor_client.get(f"/espace/partages/{share_id}").status_code == 200
    submit(client, f"/partages/{share_id}/revoquer", {})
    r = advisor_client.get(f"/espace/partages/{share_id}")
    assert r.status_code == 410 and "Ce lien a été révoqué" in text(r)
    r = advisor_client.get(f"/espace/partages/{share_id}/accueil")
    assert r.status_code == 410
    listing = text(advisor_client.get("/espace"))
    assert 'status--revoked">Révoqué<' in listing
    assert f'href="/espace/partages/{share_id}"' not in listing


@pytest.mark.parametrize("suffix", SHARE_PAGES)
def test_pages_under_a_share_are_for_staff_only(app, client, holder, network, suffix):
    share_id, _token = create_share(client, structure="ML28")
    url = f"/espace/partages/{share_id}{suffix}"
    assert client.get(url).status_code == 403  # the holder herself
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
    staff = app.test_client()
    login(staff, "camille@ml.example.org")
    r = staff.get(url)
    assert r.status_code == 200
    assert_private(r)


def test_protected_shares_keep_the_name_until_opened(client, holder, advisor_client, network):
    create_share(client, structure="ML28", passcode="soleil-28")
    create_share(client, structure="ML28", single_use="y")
    page = text(advisor_client.get("/espace"))
    assert "Léa Martin" not in page  # neither the passcode nor the single use was spent
    create_share(client, structure="ML28")
    assert "Léa Martin" in text(advisor_client.get("/espace"))


def test_a_reception_form_sent_twice_records_one_reception(client, holder, advisor_client, network):
    share_id = _opened(client, advisor_client)
    url = f"/espace/partages/{share_id}/accueil"
    page = text(advisor_client.get(url))
    hidden = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "form_once": re.search(r'name="form_once" value="([^"]+)"', page).group(1),
    }
    body = {
        **hidden,
        "date": "2026-05-20",
        "channel": "phone",
        "situation": "employee",
        "needs": ["vae"],
        "outcome": "answered",
    }
    first = advisor_client.post(url, data=body)
    again = advisor_client.post(url, data=body)  # back button, reload, second click
    assert first.status_code == again.status_code == 302
    assert len(db.session.execute(db.select(Reception)).scalars().all()) == 1
    assert "déjà été envoyé" in text(advisor_client.get(again.headers["Location"]))
