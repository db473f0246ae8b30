"""/annuaire (search, entry pages, editing) and /trouver (the finder, embeddable)."""

from __future__ import annotations

import re

import pytest

from passport.directory import services as directory
from passport.extensions import db
from tests import factories
from tests.directory import world as w
from tests.web import login, submit


@pytest.fixture
def world(ctx):
    return w.build()


def text(r) -> str:
    return r.get_data(as_text=True)


def test_annuaire_is_public_with_hours_services_and_map(client, world):
    r = client.get("/annuaire")
    assert r.status_code == 200
    page = text(r)
    assert "Mission locale test" in page and "5 structures" in page
    assert "lundi au vendredi, 9 h–12 h 30 et 13 h 30–17 h" in page
    assert "https://www.openstreetmap.org/search?query=" in page
    assert "fiche vérifiée le" in page
    assert "Modifier la fiche" not in text(client.get("/annuaire/ML-T"))


def test_annuaire_search_by_text_need_commune_type(client, world):
    assert "Chambre de métiers test" in text(client.get("/annuaire?besoin=vae"))
    assert "1 structure" in text(client.get("/annuaire?besoin=vae"))
    page = text(client.get("/annuaire?ou=Nogent-le-Rotrou"))
    assert "2 structures" in page and "France Travail test" in page
    assert "1 structure" in text(client.get("/annuaire?type=IJ"))
    assert "1 structure" in text(client.get("/annuaire?q=m%C3%A9tiers"))
    page = text(client.get("/annuaire?ou=Atlantis"))
    assert "Commune inconnue" in page
    # a name shared by several communes asks which one, without JavaScript
    page = text(client.get("/annuaire?ou=Saint-Denis"))
    assert "Plusieurs communes correspondent" in page and 'type="radio"' in page


def test_annuaire_is_paginated_and_queries_do_not_grow(client, ctx, count_queries):
    def fill(n, prefix):
        for i in range(n):
            s = factories.structure(f"{prefix}{i}", name=f"Structure {prefix} {i:04d}")
            directory.add_service(s, title="Accueil", description="Un accueil simple.")
        db.session.commit()

    fill(10, "A")
    with count_queries() as small:
        assert client.get("/annuaire").status_code == 200
    fill(990, "B")
    with count_queries() as big:
        r = client.get("/annuaire?page=2")
    assert r.status_code == 200
    assert "1000 structures" in text(r) and "Page 2 sur 50" in text(r)
    assert big.count == small.count


def test_structure_admin_edits_own_entry_with_errors_next_to_fields(client, world):
    admin = factories.staff("structure_admin", world.ml, email="admin-ml@example.org")
    login(client, admin.email)
    assert "Modifier la fiche" in text(client.get("/annuaire/ML-T"))
    r = submit(
        client,
        "/annuaire/ML-T/modifier",
        {"name": "Mission locale test", "opening_hours": "lundi 9h", "zone": "28 nowhere"},
    )
    assert r.status_code == 422
    page = text(r)
    assert "Horaires illisibles" in page and "Code inconnu dans la zone" in page
    r = submit(client, "/annuaire/ML-T/modifier", {"name": "ML", "commune": "Vernouillet"})
    assert "« Vernouillet (28500) »" in text(r)  # two Vernouillet: which one?
    r = submit(
        client,
        "/annuaire/ML-T/modifier",
        {
            "name": "Mission locale test",
            "opening_hours": "Mo-Th 09:00-12:00,14:00-17:30; Fr 09:00-12:00",
            "commune": "Vernouillet (28500)",
            "zone": "200040277",
            "age_min": "16",
            "age_max": "25",
            "needs": ["job_search"],
        },
    )
    assert r.status_code == 302
    page = text(client.get("/annuaire"))
    assert "lundi au jeudi, 9 h–12 h et 14 h–17 h 30 ; vendredi, 9 h–12 h" in page
    db.session.expire_all()
    assert directory.get_entry("ML-T").commune == w.VERNOUILLET


def test_services_are_added_edited_and_deleted_after_confirmation(client, world):
    admin = factories.staff("structure_admin", world.ij, email="admin-ij@example.org")
    login(client, admin.email)
    r = submit(client, "/annuaire/IJ-T/services/nouveau", {"title": "Atelier CV"})
    assert r.status_code == 422 and "Décrivez le service" in text(r)
    r = submit(
        client,
        "/annuaire/IJ-T/services/nouveau",
        {
            "title": "Atelier CV",
            "description": "Chaque mercredi, un atelier pour écrire son CV.",
            "needs": ["job_search"],
            "fees": "gratuit",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    service = next(s for s in directory.get_entry("IJ-T").services if s.title == "Atelier CV")
    url = f"/annuaire/IJ-T/services/{service.id}/supprimer"
    assert "définitive" in text(client.get(url))
    assert submit(client, url, {}).status_code == 302
    db.session.expire_all()
    assert all(s.title != "Atelier CV" for s in directory.get_entry("IJ-T").services)


def test_editing_is_refused_to_others_and_open_to_admins(client, world):
    other = factories.staff("structure_admin", world.ft, email="admin-ft@example.org")
    login(client, other.email)
    assert client.get("/annuaire/ML-T/modifier").status_code == 403
    client.post("/deconnexion")
    admin = factories.staff("admin", None, email="root@example.org")
    other_client = client.application.test_client()
    login(other_client, admin.email)
    assert other_client.get("/annuaire/ML-T/modifier").status_code == 200
    assert client.application.test_client().get("/annuaire/ML-T/modifier").status_code == 302


def test_finder_answers_with_reasons_without_an_account(client, world):
    r = client.get("/trouver?besoin=training_search&ou=Dreux&age=19")
    assert r.status_code == 200
    page = text(r)
    assert "Mission locale test" in page and "Cap emploi test" in page
    assert "France Travail test" not in page  # it does not cover training search
    assert "couvre : recherche de formation" in page
    assert "intervient dans" in page
    assert "accueille les 16–25 ans" in page
    assert "Partager mon passeport" not in page
    assert page.index("Mission locale test") < page.index("Cap emploi test")


def test_finder_commune_by_postal_code_and_disambiguation(client, world):
    assert "Mission locale test" in text(client.get("/trouver?besoin=mobility&ou=28100"))
    page = text(client.get("/trouver?besoin=mobility&ou=Saint-Denis"))
    assert "choisissez la vôtre" in page
    assert "Indiquez votre commune" in text(client.get("/trouver?besoin=mobility&ou="))
    assert "Indiquez un âge" in text(client.get("/trouver?ou=Dreux&age=abc"))


def test_finder_offers_a_logged_in_holder_to_share(client, world):
    holder = factories.holder("lea@example.org")
    login(client, holder.email)
    page = text(client.get("/trouver?besoin=summer_job&ou=Dreux"))
    assert "/partages/nouveau?structure=ML-T" in page
    purposes = text(client.get("/partages/nouveau?structure=ML-T"))
    assert re.search(r"/partages/nouveau\?objet=rendez-vous&(amp;)?structure=ML-T", purposes)
    form = text(client.get("/partages/nouveau?objet=rendez-vous&structure=ML-T"))
    assert re.search(r'<input type="hidden" name="structure" value="ML-T">', form)
    form = text(client.get("/partages/nouveau?objet=parcours&structure=ML-T"))
    assert re.search(
        r'<option[^>]*selected[^>]*value="ML-T"|<option[^>]*value="ML-T"[^>]*selected', form
    )


def test_embedded_finder_sets_no_cookie_and_is_framable_by_configured_origins(app, world):
    app.config["FINDER_FRAME_ANCESTORS"] = ["https://www.etoile.example"]
    client = app.test_client()
    r = client.get("/trouver/integration?besoin=vae&ou=Chartres")
    assert r.status_code == 200
    assert "Chambre de métiers test" in text(r)
    assert "Set-Cookie" not in r.headers
    assert "frame-ancestors https://www.etoile.example" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers
    assert "csrf_token" not in text(r)
    normal = client.get("/trouver")
    assert "frame-ancestors 'none'" in normal.headers["Content-Security-Policy"]
    assert normal.headers["X-Frame-Options"] == "DENY"
    app.config["FINDER_FRAME_ANCESTORS"] = []
    r = client.get("/trouver/integration")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
