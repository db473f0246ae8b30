"""Legal and help pages (issue 7, item 5): linked from every page, operator from config."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.conftest import make_app
from tests.web import login

LEGAL = {
    "/mentions-legales": "Mentions légales",
    "/donnees-personnelles": "Données personnelles",
    "/accessibilite": "Déclaration d'accessibilité",
    "/aide": "Aide et contact",
}


def _html_get_paths(app) -> list[str]:
    """Every GET route of the site without parameters (not the API, not static files)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        if rule.rule.startswith(("/api/", "/.well-known/")):
            continue
        paths.append(rule.rule)
    return sorted(paths)


def _assert_links_the_four_pages(response, path):
    page = response.get_data(as_text=True)
    for legal in LEGAL:
        assert f'href="{legal}"' in page, f"{path} does not link {legal}"


@pytest.mark.parametrize("who", ["anonymous", "holder", "advisor"])
def test_every_page_links_the_four_pages(app, client, ctx, who):
    if who == "holder":
        factories.holder("lea@example.org")
        login(client, "lea@example.org")
    elif who == "advisor":
        factories.staff("advisor", factories.structure("ML-T"), email="conseil@example.org")
        login(client, "conseil@example.org")
    seen = 0
    for path in _html_get_paths(app):
        r = client.get(path)
        if r.mimetype != "text/html" or 300 <= r.status_code < 400:
            continue
        _assert_links_the_four_pages(r, path)
        seen += 1
    assert seen >= 8
    # Error pages too.
    _assert_links_the_four_pages(client.get("/no-such-page"), "404")


def test_the_bare_error_page_links_the_four_pages(database_url, tmp_path):
    app = make_app(database_url, tmp_path, TRUSTED_HOSTS=["passeport.example.fr"])
    r = app.test_client().get("/", headers={"Host": "evil.example"})
    assert r.status_code == 400
    _assert_links_the_four_pages(r, "bad host")


@pytest.mark.parametrize(("path", "title"), LEGAL.items())
def test_legal_pages_are_public_french_and_translated(client, path, title):
    r = client.get(path)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "<h1>" + title.replace("'", "&#39;") + "</h1>" in page or f"<h1>{title}</h1>" in page
    english = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert title not in english


def test_operator_details_come_from_configuration(database_url, tmp_path):
    app = make_app(
        database_url,
        tmp_path,
        OPERATOR_NAME="Région Exemple",
        OPERATOR_ADDRESS="1 rue de l'Exemple, 45000 Orléans",
        PUBLICATION_DIRECTOR="Camille Dupont",
        HOSTING_PROVIDER="Hébergeur Exemple SAS",
        DPO_EMAIL="dpo@region-exemple.fr",
        SUPPORT_EMAIL="aide@region-exemple.fr",
        SUPPORT_PHONE="02 00 00 00 00",
        ACCESSIBILITY_STATUS="partial",
        ACCESSIBILITY_AUDIT_DATE="2026-10-15",
        ACCESSIBILITY_RATE="72 %",
        ACCESSIBILITY_AUDITOR="Audit Exemple",
        RETENTION_PASSPORT_DAYS=3 * 365,
    )
    client = app.test_client()
    notice = client.get("/mentions-legales").get_data(as_text=True)
    assert "Région Exemple" in notice and "Camille Dupont" in notice
    assert "Hébergeur Exemple SAS" in notice
    privacy = client.get("/donnees-personnelles").get_data(as_text=True)
    assert 'href="mailto:dpo@region-exemple.fr"' in privacy
    for part in ("6.1.e", "CNIL", "3 ans", "rectification", "opposition"):
        assert part in privacy, part
    statement = client.get("/accessibilite").get_data(as_text=True)
    assert "partiellement conforme" in statement and "72 %" in statement
    assert "15 octobre 2026" in statement and "Défenseur des droits" in statement
    assert "aide@region-exemple.fr" in statement
    help_page = client.get("/aide").get_data(as_text=True)
    assert "02 00 00 00 00" in help_page and "aide@region-exemple.fr" in help_page
    # The footer states the compliance level, as RGAA asks.
    assert "Accessibilité : partiellement conforme" in client.get("/").get_data(as_text=True)


def test_defaults_are_sober_placeholders(client):
    statement = client.get("/accessibilite").get_data(as_text=True)
    assert "non conforme" in statement and "aucun audit" in statement
    assert "Accessibilité : non conforme" in statement
    notice = client.get("/mentions-legales").get_data(as_text=True)
    assert "non renseigné" in notice
    assert re.search(r"contact@passeport\.invalid", notice)


def test_the_footer_api_link_leads_to_a_french_page_that_links_the_openapi_document(client):
    home = client.get("/").get_data(as_text=True)
    footer = home.split('<footer class="site-footer">', 1)[1]
    assert 'href="/aide/api"' in footer and "/api/v1/openapi.json" not in footer
    r = client.get("/aide/api")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "L&#39;API pour les structures" in page or "L'API pour les structures" in page
    assert 'href="/api/v1/openapi.json"' in page and 'hreflang="en"' in page
    assert 'href="/.well-known/jwks.json"' in page


def test_no_footer_link_leads_to_raw_json(client):
    home = client.get("/").get_data(as_text=True)
    footer = home.split('<footer class="site-footer">', 1)[1]
    for href in re.findall(r'<a href="([^"]+)"', footer):
        r = client.get(href)
        assert r.status_code == 200 and r.mimetype == "text/html", href
